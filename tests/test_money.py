from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filings.money import MoneyUnit, format_amount, from_yuan, to_yuan


def test_wan_is_stored_in_yuan_exactly():
    assert to_yuan("405.7", MoneyUnit.WAN) == Decimal("4057000.00")
    assert to_yuan("0.000001", MoneyUnit.WAN) == Decimal("0.01")
    assert to_yuan("23,467,700", MoneyUnit.YUAN) == Decimal("23467700.00")


def test_blank_stays_blank():
    assert to_yuan(None, MoneyUnit.WAN) is None
    assert to_yuan("", MoneyUnit.YUAN) is None
    assert to_yuan("  ", MoneyUnit.YUAN) is None


def test_amounts_finer_than_a_fen_are_refused_not_rounded():
    with pytest.raises(ArithmeticError):
        to_yuan("0.0000001", MoneyUnit.WAN)
    with pytest.raises(ArithmeticError):
        to_yuan("1.005", MoneyUnit.YUAN)
    assert from_yuan(None, MoneyUnit.WAN) is None


def test_display_in_the_filing_unit():
    assert from_yuan(Decimal("4057000.00"), MoneyUnit.WAN) == Decimal("405.7")
    assert str(from_yuan(Decimal("124083300.00"), MoneyUnit.WAN)) == "12408.33"
    assert str(from_yuan(Decimal("550000.00"), MoneyUnit.YUAN)) == "550000"
    assert format_amount(Decimal("23467700.00"), MoneyUnit.YUAN, grouping=True) == "23,467,700"


def test_non_finite_amounts_are_refused():
    with pytest.raises(ArithmeticError):
        to_yuan("NaN", MoneyUnit.WAN)


@given(st.decimals(min_value=0, max_value=Decimal("9999999999"), places=6, allow_nan=False))
def test_wan_round_trip_is_exact(amount):
    stored = to_yuan(amount, MoneyUnit.WAN)
    assert isinstance(stored, Decimal)
    assert from_yuan(stored, MoneyUnit.WAN) == amount

"""Money units. Amounts are stored in 元 as Decimal; 万元 is a display unit converted only at the edges."""

from decimal import Decimal, InvalidOperation

from django.db import models

TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")

# SQLite keeps DECIMAL values as floating point: beyond 15 significant digits it is not exact there.
# PostgreSQL, the production database, stores numeric(18, 2) exactly.


class MoneyUnit(models.TextChoices):
    YUAN = "yuan", "元"
    WAN = "wan", "万元"


def to_yuan(amount, unit: str) -> Decimal | None:
    """An amount written in `unit` as the stored value in 元 (blank stays None).

    Raises InvalidOperation for text that is no finite number, and for amounts finer than one 分
    (more than 2 decimals in 元, more than 6 in 万元): those would be rounded, silently changing what was typed.
    """
    if amount is None or (isinstance(amount, str) and not amount.strip()):
        return None
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount).replace(",", "").strip())
    if not value.is_finite():
        raise InvalidOperation(f"not a finite amount: {amount!r}")
    if unit == MoneyUnit.WAN:
        value *= TEN_THOUSAND
    stored = value.quantize(CENT)
    if stored != value:
        raise InvalidOperation(f"amount finer than one fen: {amount!r}")
    return stored


def from_yuan(amount: Decimal | None, unit: str) -> Decimal | None:
    """A stored amount in 元 expressed in `unit`, without trailing zeros beyond what it needs."""
    if amount is None:
        return None
    if unit == MoneyUnit.WAN:
        amount = amount / TEN_THOUSAND
    return normalize_decimal(amount)


def normalize_decimal(value: Decimal) -> Decimal:
    """Drop trailing zeros after the point (405.700000 -> 405.7) but never write an exponent."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def format_amount(amount: Decimal | None, unit: str, grouping: bool = False) -> str:
    value = from_yuan(amount, unit)
    if value is None:
        return ""
    return f"{value:,f}" if grouping else f"{value:f}"


class MoneyField(models.DecimalField):
    """An amount in 元: 18 digits with 2 decimals hold 万元 values with up to 6 decimals exactly."""

    def __init__(self, verbose_name=None, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(verbose_name, **kwargs)

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from filings.models import Filing, Indicator
from indicators.models import Category


@pytest.fixture
def filing(demo):
    return demo["s1-dept"]


def add(filing, value, name="测试指标", code="quantity"):
    category = filing.scheme.categories.get(code=code)
    return Indicator.objects.create(filing=filing, category=category, name=name, value_text=value)


def test_typed_value_is_kept_and_read(filing):
    row = add(filing, "不低于95%")
    row.refresh_from_db()
    assert row.value_text == "不低于95%"
    assert (row.value_kind, row.operator, row.value_number, row.value_unit) == (
        "quantitative", "≥", Decimal("95"), "%")


def test_changing_the_value_updates_the_reading(filing):
    row = add(filing, "≥6次")
    row.value_text = "有效提高"
    row.save()
    row.refresh_from_db()
    assert (row.value_kind, row.operator, row.value_number, row.value_unit) == ("qualitative", "", None, "")


def test_a_row_named_not_applicable_marks_its_category(filing):
    row = add(filing, "", name="不适用", code="social_cost")
    assert row.not_applicable and row.value_kind == "not_applicable"


def test_numbers_too_large_to_store_are_kept_as_text(filing):
    row = add(filing, "≥" + "9" * 30 + "人")
    row.refresh_from_db()
    assert row.value_number is None and row.value_kind == "qualitative"
    assert row.value_text.endswith("人")


def test_category_must_come_from_the_filings_scheme(filing):
    foreign = Category.objects.get(scheme__code="cost-under-output", code="quantity")
    row = Indicator(filing=filing, category=foreign, name="x", value_text="1个")
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "不属于本申报表所用的指标体系" in str(error.value)


def test_one_department_filing_per_unit_and_year(filing):
    duplicate = Filing(kind="department", unit=filing.unit, year=filing.year, variant=filing.variant,
                       scheme=filing.scheme)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "该单位本年度已有部门整体支出绩效目标申报表" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_unit_may_have_many_project_filings(demo):
    assert Filing.objects.projects().filter(unit__code="063001", year=2024).count() == 5


def test_renaming_a_not_applicable_row_makes_it_applicable(filing):
    row = add(filing, "", name="不适用", code="social_cost")
    row.name = "碳排放量"
    row.value_text = "≤10吨"
    row.save()
    row.refresh_from_db()
    assert not row.not_applicable and row.value_kind == "quantitative"


def test_not_applicable_value_marks_the_row(filing):
    row = add(filing, "不适用", name="经济效益", code="economic_benefit")
    assert row.not_applicable and row.value_kind == "not_applicable"

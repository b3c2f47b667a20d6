from decimal import Decimal

from django.forms import modelform_factory

from filings.forms.money import money_form_for
from filings.models import DepartmentDetails

FIELDS = ["prior_approved", "prior_actual", "prior_execution_rate", "function_basis"]


def form_class(unit):
    return modelform_factory(DepartmentDetails, form=money_form_for(unit), fields=FIELDS)


def test_stored_yuan_are_shown_in_wan(demo):
    form = form_class("wan")(instance=demo["s1-dept"].department)
    assert form.initial["prior_actual"] == Decimal("528.02")
    assert form.fields["prior_actual"].label == "上年实际支出数（万元）"
    assert form.initial["prior_execution_rate"] == Decimal("117")  # a percentage, not money


def test_typed_wan_are_stored_as_yuan(demo):
    details = demo["s1-dept"].department
    form = form_class("wan")(
        {"prior_approved": "405.7", "prior_actual": "530.123456", "prior_execution_rate": "130.67",
         "function_basis": "柴办字[2019]52号"},
        instance=details,
    )
    assert form.is_valid(), form.errors
    form.save()
    details.refresh_from_db()
    assert details.prior_actual == Decimal("5301234.56")
    assert details.prior_approved == Decimal("4057000.00")


def test_amounts_finer_than_the_unit_allows_get_a_chinese_message(demo):
    form = form_class("yuan")({"prior_actual": "1.234", "function_basis": ""},
                              instance=demo["s1-dept"].department)
    assert not form.is_valid()
    assert "prior_actual" in form.errors
    assert "小数" in form.errors["prior_actual"][0]

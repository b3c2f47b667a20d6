"""Each filing rule with a passing and a failing case, on the seed filings changed in memory."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from filings import validation as v
from filings.models import DepartmentDetails, Filing, ProjectDetails
from indicators.findings import Severity


def run(rule, facts):
    return list(rule(facts))


def codes(rule, facts):
    return [f.code for f in run(rule, facts)]


@pytest.fixture
def facts(demo):
    return lambda key: v.load_facts(Filing.objects.with_related().get(pk=demo[key].pk))


def wan(text):
    return Decimal(text) * 10000


# --- E1 -----------------------------------------------------------------------------------------------

def test_required_fields_of_the_variant_must_be_filled(facts):
    assert codes(v.required_fields, facts("s1-dept")) == []
    messages = [f.message for f in run(v.required_fields, facts("s0-dept"))]
    assert "请填写“部门职能依据（三定方案批文号）”。" in messages
    assert "请填写“近三年单位职能是否出现过重大变化”。" in messages


def test_project_period_needs_text_or_both_dates(facts):
    s1 = facts("s1-proj1")
    assert [f.field for f in run(v.required_fields, s1)] == ["period_text"]
    s1.project.end_date = datetime.date(2025, 12, 31)
    assert codes(v.required_fields, s1) == []


# --- department budgets ------------------------------------------------------------------------------------

def test_jiangxi_income_and_expenditure_sums(facts):
    s1 = facts("s1-dept")
    assert codes(v.layout_sums, s1) == []
    s1.department.income_local = wan("490")
    s1.department.expenditure_public = wan("80")
    [income, expenditure] = run(v.layout_sums, s1)
    assert income.code == "A1" and income.severity == Severity.ERROR and income.field == "income_total"
    assert "收入合计（万元）" not in income.message
    assert "494.95万元 不等于" in income.message and "= 490万元" in income.message
    assert (expenditure.code, expenditure.field, expenditure.step) == ("A2", "expenditure_total", "budget")


def test_income_must_equal_expenditure(facts):
    s1 = facts("s1-dept")
    assert codes(v.balanced_budget, s1) == []
    s1.department.expenditure_total = wan("500")
    [found] = run(v.balanced_budget, s1)
    assert found.message == "收入合计 494.95万元 与支出合计 500万元 不相等。"


def test_hunan_breakdowns_add_up_to_the_total(facts):
    s4 = facts("s4-dept")
    assert codes(v.layout_sums, s4) == []
    s4.department.expenditure_basic = wan("17000")
    assert codes(v.layout_sums, s4) == ["A9"]
    s4.department.income_total = wan("1")
    assert run(v.layout_sums, s4)[-1].message == "收入合计 1万元 与资金总额 63,008.58万元 不相等。"


# --- A4 / A5 / A6 --------------------------------------------------------------------------------------------

def test_execution_rate_is_recomputed_and_compared_with_the_printed_one(facts):
    assert codes(v.execution_rate, facts("s0-dept")) == []  # 389.29 ÷ 357.26 = 108.97%
    [found] = run(v.execution_rate, facts("s1-dept"))
    assert found.code == "A4" and found.severity == Severity.ERROR
    assert found.message == "执行率应为 130.15%（528.02 ÷ 405.7），表中填写为 117%。"
    assert found.field == "prior_execution_rate"


def test_execution_rate_printed_without_decimals_is_compared_at_its_precision(facts):
    s0 = facts("s0-dept")
    s0.department.prior_execution_rate = Decimal("109")
    assert codes(v.execution_rate, s0) == []
    s0.department.prior_execution_rate = Decimal("108")
    assert codes(v.execution_rate, s0) == ["A4"]


def test_missing_rate_or_zero_base_is_reported_not_raised(facts):
    s0 = facts("s0-dept")
    s0.department.prior_execution_rate = None
    assert "应为 108.97%" in run(v.execution_rate, s0)[0].message
    s0.department.prior_approved = Decimal(0)
    [found] = run(v.execution_rate, s0)
    assert found.severity == Severity.WARNING and "无法核对执行率" in found.message


def test_overspending_needs_an_explanation(facts):
    s0 = facts("s0-dept")
    [found] = run(v.carryover, s0)
    assert found.code == "A5" and "108.97%" in found.message and "32.03万元" in found.message
    s0.department.other_notes = "超支部分由上年结余资金安排。"
    assert codes(v.carryover, s0) == []


def test_carryover_must_match_what_was_not_spent(facts):
    s0 = facts("s0-dept")
    s0.department.prior_actual = wan("300")
    s0.department.prior_carryover = wan("57.26")
    assert codes(v.carryover, s0) == []
    s0.department.prior_carryover = wan("10")
    assert codes(v.carryover, s0) == ["A5"]


def test_staffing_numbers_must_agree(facts):
    s1 = facts("s1-dept")
    [found] = run(v.staffing, s1)
    assert found.message == "在职人员总数 27 与行政编制 7 + 事业编制 20 + 编外 2 = 29 不符。"
    s1.variant.layout = {**s1.variant.layout, "checks": ["staffing_without_extra"]}
    del s1.variant.description  # parsed again from the edited layout
    assert codes(v.staffing, s1) == []
    s1.department.staffing_quota = 20
    assert "超过编制控制数 20" in run(v.staffing, s1)[0].message


# --- tasks ------------------------------------------------------------------------------------------------

def test_task_amounts_must_be_filled_and_add_up_to_the_budget(facts):
    assert codes(v.task_budget, facts("s1-dept")) == []  # 47.75 + 447.2 = 494.95
    [found] = run(v.task_budget, facts("s0-dept"))
    assert found.message == "年度主要任务均未填预算金额（共 4 项），无法与支出合计 636.17万元 核对。"
    s1 = facts("s1-dept")
    s1.tasks[0].amount_total = wan("40")
    [found] = run(v.task_budget, s1)
    assert "487.2万元" in found.message and "494.95万元" in found.message


def test_one_blank_task_amount_points_at_its_row(facts):
    s1 = facts("s1-dept")
    s1.tasks[1].amount_total = None
    [found, *_] = run(v.task_budget, s1)
    assert (found.row, found.row_kind) == (s1.tasks[1].pk, "task")


def test_task_totals_split_into_fiscal_and_other(facts):
    s2 = facts("s2-dept")
    assert codes(v.task_split, s2) == []  # every row and the printed 12408.33 agree
    s2.tasks[0].amount_fiscal = wan("2")
    found = run(v.task_split, s2)
    assert [f.code for f in found] == ["A8", "A8"]  # the row and the printed 财政拨款 total
    assert found[0].row == s2.tasks[0].pk


# --- project funds ------------------------------------------------------------------------------------------

def test_project_sources_add_up_per_period(facts):
    s3 = facts("s3-proj1")
    assert codes(v.layout_sums, s3) == []
    s3.project.annual_central = Decimal("500000")
    [found] = run(v.layout_sums, s3)
    assert found.field == "annual_total" and "550,000元" in found.message and "500,000元" in found.message


def test_fiscal_and_other_sources(facts):
    s1 = facts("s1-proj1")
    assert codes(v.layout_sums, s1) == []
    s1.project.annual_other = wan("5")
    assert codes(v.layout_sums, s1) == ["A10"]


def test_one_year_project_needs_equal_period_and_annual_funds(facts):
    assert codes(v.one_year_funds, facts("s3-proj1")) == []
    [found] = run(v.one_year_funds, facts("s3-proj3"))
    assert found.message == "一次性（1年）项目的实施期资金总额 20,467,700元 应等于年度资金总额 19,340,000元。"
    s3 = facts("s3-proj2")
    assert codes(v.one_year_funds, s3) == []  # a recurring project may spend part of its period total
    s3.project.annual_total = Decimal("30000000")
    assert "超过实施期资金总额" in run(v.one_year_funds, s3)[0].message


# --- sign-off and cross-project ------------------------------------------------------------------------------

def test_filling_date_inside_the_budget_year_is_flagged(facts):
    s4 = facts("s4-proj1")
    assert codes(v.filled_date, s4) == ["A15"]
    s4.filing.filled_on = datetime.date(2023, 11, 20)
    assert codes(v.filled_date, s4) == []
    s4.filing.filled_on = datetime.date(2999, 1, 1)
    assert "晚于今天" in run(v.filled_date, s4)[0].message


def test_filler_and_unit_head_should_differ(facts):
    s4 = facts("s4-proj1")
    assert codes(v.same_person, s4) == []
    s4.filing.unit_head = "肖雨婷"
    assert run(v.same_person, s4)[0].message == "联系人／填表人与单位负责人为同一人（肖雨婷）。"


def test_narrative_totals_must_match_the_funds(facts):
    assert codes(v.narrative_totals, facts("s3-proj1")) == []
    [found] = run(v.narrative_totals, facts("s3-proj2"))
    assert "9244.677万元" in found.message and found.field == "safeguards"


def test_overlapping_funds_across_projects_are_flagged(facts):
    assert codes(v.overlapping_projects, facts("s3-proj1")) == []
    [found] = run(v.overlapping_projects, facts("s3-proj2"))
    assert "公立医院人员经费及社保缴费补助资金" in found.message and "可能重复计列" in found.message


def test_projects_with_the_same_name_are_flagged(facts):
    s3 = facts("s3-proj4")
    s3.siblings[0].project.name = s3.project.name
    assert "同名项目" in run(v.overlapping_projects, s3)[0].message


# --- the whole report -----------------------------------------------------------------------------------------

def test_an_empty_filing_gets_a_report_not_an_exception(demo):
    template = demo["s1-dept"]
    empty = Filing.objects.create(kind="department", unit=template.unit, year=2030, variant=template.variant,
                                  scheme=template.scheme)
    report = v.validate_filing(empty)
    assert report.has_errors
    DepartmentDetails.objects.create(filing=empty)
    assert v.validate_filing(Filing.objects.get(pk=empty.pk)).has_errors
    project = Filing.objects.create(kind="project", unit=template.unit, year=2030,
                                    variant=demo["s3-proj1"].variant, scheme=template.scheme)
    ProjectDetails.objects.create(filing=project, name="")
    assert v.validate_filing(project).has_errors


def test_errors_come_before_warnings(demo):
    report = v.validate_filing(demo["s1-dept"])
    severities = [f.severity for f in report.findings]
    assert severities == sorted(severities, key=lambda s: s != Severity.ERROR)


def test_validation_query_count_does_not_grow_with_rows(demo, django_assert_max_num_queries):
    filings = v.filings_for_validation(Filing.objects.all())
    with django_assert_max_num_queries(8):
        reports = [v.validate_filing(filing) for filing in filings[:1]]
    assert reports
    small, large = demo["s4-proj2"], demo["s2-dept"]  # 10 and 70 indicators
    for filing in (small, large):
        loaded = v.filings_for_validation(Filing.objects.filter(pk=filing.pk)).get()
        with django_assert_max_num_queries(2):  # categories and sibling projects
            v.validate_filing(loaded)


def test_every_variant_names_only_real_required_fields(db):
    from filings.models import FormVariant

    for variant in FormVariant.objects.all():
        variant.full_clean()
    bad = FormVariant.objects.get(code="dept-jiangxi")
    bad.required_fields = ["unit_name", "no_such_field"]
    with pytest.raises(ValidationError, match="未知的字段：no_such_field"):
        bad.full_clean()

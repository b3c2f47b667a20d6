"""The department wizard through its pages: each step's save and validation paths, rows, the check page and submit.

Pages are read and posted as a browser would: `form_data` collects the fields the step page renders (inputs,
checked boxes, selected options, text areas), a test changes some of them and posts them back with the button
the officer would press (`save` = 保存, `continue` = 保存并继续).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.limits import MAX_FUNCTION_ROWS, MAX_TASK_ROWS
from filings.models import (
    AnnualTask,
    DepartmentDetails,
    Filing,
    FilingStatus,
    FormVariant,
    FunctionItem,
    Indicator,
    Transition,
    Unit,
)
from filings.services import copy_filing, create_department_filing
from filings.validation import validate_filing
from indicators.findings import STEP_LABELS
from indicators.models import Category

from .pages import BadCase, error_summary, form_data, html, login, message_next_to, open_step, step_states, step_url

FILERS = {"s0-dept": "cs_zyy", "s1-dept": "cs_ybj", "s2-dept": "dp_bj", "s4-dept": "yj_wjj"}
STEPS = {
    "s0-dept": ["unit", "budget", "functions", "tasks", "goals", "indicators"],  # 江西
    "s2-dept": ["unit", "tasks", "goals", "indicators"],  # 财预〔2015〕88号
    "s4-dept": ["unit", "budget", "goals", "indicators"],  # 湖南
}
STALE = "这份申报表刚在别处被保存过"


# --- reading and posting pages like a browser ---------------------------------------------------------------

def post_step(client, filing, key, changes=None, button="save", data=None):
    """Open the step, change some fields and press a button, as the officer would."""
    if data is None:
        _, data = open_step(client, filing, key)
    data = {**data, **(changes or {}), button: ""}
    return client.post(step_url(filing, key), data)


def reload(filing) -> Filing:
    return Filing.objects.with_related().get(pk=filing.pk)


def lookup(filing, path):
    """`department.prior_adjusted`, `tasks.0.amount_total`, `contact_person` … read from the database."""
    value = reload(filing)
    for part in path.split("."):
        if part.isdigit():
            value = list(value.order_by("period", "order", "pk") if value.model is Indicator
                         else value.order_by("order", "pk"))[int(part)]
        else:
            value = getattr(value, part)
    return value


def snapshot(filing) -> dict:
    """Everything a step can write: the filing, its details and its rows."""
    return {
        "filing": Filing.objects.filter(pk=filing.pk).values().get(),
        "details": DepartmentDetails.objects.filter(filing_id=filing.pk).values().get(),
        **{model.__name__: list(model.objects.filter(filing_id=filing.pk).order_by("pk").values())
           for model in (FunctionItem, AnnualTask, Indicator)},
    }










def category(filing, code) -> Category:
    return Category.objects.get(scheme_id=filing.scheme_id, code=code)


@pytest.fixture
def as_filer(client, demo):
    """A client signed in as the filer of a seed filing: `filing, client = as_filer("s0-dept")`."""

    def sign_in(key):
        return demo[key], login(client, FILERS[key])

    return sign_in


# --- every step: GET shows the saved values, 保存 stores them, 保存并继续 goes on ------------------------------

@dataclass
class StepCase:
    key: str
    step: str
    shown: dict[str, str]  # field → value the page shows before any change
    changes: dict[str, str]  # what the officer types
    stored: dict[str, object] = field(default_factory=dict)  # lookup path → value in the database afterwards

    def __str__(self):
        return f"{self.key}-{self.step}"


CASES = [
    StepCase("s0-dept", "unit",
             {"header-unit_name": "九江市柴桑区总医院", "header-contact_person": "桑梓尧", "header-money_unit": "wan",
              "details-internal_department_count": "9", "details-staffing_quota": "16", "details-staff_total": "4"},
             {"header-contact_person": "王晓东", "details-function_basis": "柴编发〔2019〕12号",
              "details-functions_changed": "false", "details-is_primary_department": "false",
              "details-subordinate_units": "无", "details-staff_total": "5", "details-staff_extra": "1"},
             {"contact_person": "王晓东", "department.function_basis": "柴编发〔2019〕12号",
              "department.functions_changed": False, "department.is_primary_department": False,
              "department.staff_total": 5, "department.staff_extra": 1}),
    StepCase("s0-dept", "budget",
             {"budget-prior_approved": "357.26", "budget-prior_adjusted": "", "budget-prior_execution_rate": "108.97",
              "budget-income_total": "636.17", "budget-expenditure_personnel": "176.76"},
             {"budget-prior_adjusted": "405.7", "budget-other_notes": "超出部分为上级追加的医共体建设经费。"},
             {"department.prior_adjusted": Decimal("4057000.00"), "department.prior_approved": Decimal("3572600.00"),
              "department.other_notes": "超出部分为上级追加的医共体建设经费。"}),
    StepCase("s0-dept", "functions",
             {"functions-TOTAL_FORMS": "4", "functions-0-name": "行政管理", "functions-3-name": "医保管理"},
             {"functions-1-annual_goal": "建成转诊会诊中心 3 个"},
             {"functions.1.annual_goal": "建成转诊会诊中心 3 个", "functions.1.name": "医疗服务"}),
    StepCase("s0-dept", "tasks",
             {"tasks-TOTAL_FORMS": "4", "tasks-0-name": "紧密型县域医共体建设", "tasks-0-amount_total": ""},
             {"tasks-0-amount_total": "120.5", "tasks-0-amount_fiscal": "100", "tasks-0-amount_other": "20.5"},
             {"tasks.0.amount_total": Decimal("1205000.00"), "tasks.0.amount_fiscal": Decimal("1000000.00"),
              "tasks.0.amount_other": Decimal("205000.00")}),
    StepCase("s0-dept", "goals",
             {"goals-overall_goal": ""},
             {"goals-overall_goal": "完成紧密型县域医共体建设评审，提高县域内就诊率。"},
             {"department.overall_goal": "完成紧密型县域医共体建设评审，提高县域内就诊率。"}),
    StepCase("s0-dept", "indicators",
             {"indicators-TOTAL_FORMS": "13", "indicators-0-name": "医共体建设工作经费",
              "indicators-0-value_text": "636.17万元", "indicators-12-name": "医共体职工满意度"},
             {"indicators-1-value_text": "≥35%", "indicators-12-value_text": "≥80%"},
             {"indicators.1.value_text": "≥35%", "indicators.1.operator": "≥",
              "indicators.1.value_number": Decimal("35"), "indicators.12.value_number": Decimal("80")}),
    StepCase("s4-dept", "budget",
             {"budget-funds_total": "63008.58", "budget-income_general_budget": "6727",
              "budget-expenditure_basic": "17131.22"},
             {"budget-income_government_fund": "12.34", "budget-income_other": "56269.24"},
             {"department.income_government_fund": Decimal("123400.00"),
              "department.income_other": Decimal("562692400.00"), "department.funds_total": Decimal("630085800.00")}),
    StepCase("s2-dept", "tasks",
             {"tasks-TOTAL_FORMS": "7", "tasks-0-name": "科技创新和产业发展专项资金", "tasks-0-amount_total": "2.74",
              "totals-tasks_total_amount": "12408.33", "totals-tasks_total_fiscal": "12408.33"},
             {"tasks-0-amount_total": "3.74", "tasks-0-amount_other": "1", "totals-tasks_total_amount": "12409.33",
              "totals-tasks_total_other": "1"},
             {"tasks.0.amount_total": Decimal("37400.00"), "tasks.0.amount_other": Decimal("10000.00"),
              "department.tasks_total_amount": Decimal("124093300.00"),
              "department.tasks_total_other": Decimal("10000.00")}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_step_page_shows_the_saved_values(as_filer, case):
    filing, client = as_filer(case.key)
    response, data = open_step(client, filing, case.step)
    assert {name: data.get(name) for name in case.shown} == case.shown
    assert data["lock_version"] == str(filing.lock_version)
    assert '<button type="submit" name="save"' in html(response)
    assert '<button type="submit" name="continue"' in html(response)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_save_stays_on_the_step_and_stores_the_values(as_filer, case):
    filing, client = as_filer(case.key)
    response = post_step(client, filing, case.step, case.changes, "save")
    assert response.status_code == 302
    assert response.url == step_url(filing, case.step)
    assert {path: lookup(filing, path) for path in case.stored} == case.stored
    saved = reload(filing)
    assert case.step in saved.saved_steps and case.step not in saved.completed_steps
    assert saved.current_step == case.step
    assert saved.lock_version == filing.lock_version + 1
    # coming back later shows what was saved, and the saved message
    page, data = open_step(client, filing, case.step)
    assert {name: data.get(name) for name in case.changes} == case.changes
    assert "可以继续填写或稍后再来" in html(page)


YES_NO_FIELDS = {"details-functions_changed", "details-is_primary_department"}


@pytest.mark.parametrize("choice, stored", [("true", True), ("false", False)])
def test_yes_no_answers_are_shown_checked_when_the_page_is_opened_again(as_filer, choice, stored):
    filing, client = as_filer("s0-dept")
    post_step(client, filing, "unit", dict.fromkeys(YES_NO_FIELDS, choice))
    assert reload(filing).department.functions_changed is stored
    data = open_step(client, filing, "unit")[1]
    assert {name: data.get(name) for name in YES_NO_FIELDS} == dict.fromkeys(YES_NO_FIELDS, choice)


def test_saving_the_unit_step_unchanged_keeps_the_yes_no_answers(as_filer):
    """s1-dept has 否 / 是 from the seed; opening the unit step and pressing 保存 must not erase them."""
    filing, client = as_filer("s1-dept")
    assert post_step(client, filing, "unit").status_code == 302
    details = reload(filing).department
    assert (details.functions_changed, details.is_primary_department) == (False, True)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_save_and_continue_goes_to_the_next_step(as_filer, case):
    filing, client = as_filer(case.key)
    response = post_step(client, filing, case.step, case.changes, "continue")
    steps = STEPS[case.key]
    following = steps[steps.index(case.step) + 1] if case.step != steps[-1] else None
    assert response.status_code == 302
    assert response.url == (step_url(filing, following) if following else reverse("filings:check", args=[filing.pk]))
    saved = reload(filing)
    assert case.step in saved.completed_steps and case.step in saved.saved_steps
    assert saved.current_step == (following or "check")
    assert {path: lookup(filing, path) for path in case.stored} == case.stored


def test_leaving_and_coming_back_resumes_at_the_current_step(as_filer, client):
    filing, client = as_filer("s0-dept")
    post_step(client, filing, "unit", button="continue")
    post_step(client, filing, "budget", button="continue")
    client.logout()
    login(client, "cs_zyy")  # another browser, another day
    page = html(client.get(reverse("filings:tasks", args=[filing.pk])))
    assert f'href="{step_url(filing, "functions")}">继续填写：{STEP_LABELS["functions"]}</a>' in page


# --- bad input refused: 422, the message next to the field and in the summary, nothing saved ---------------


BAD = [
    BadCase("s0-dept", "budget", {"budget-income_total": "-5", "budget-prior_adjusted": "405.7"},
            "budget-income_total", "确保该值大于或等于0。"),
    BadCase("s0-dept", "budget", {"budget-income_local": "42万", "budget-prior_adjusted": "405.7"},
            "budget-income_local", "输入一个数字。"),
    BadCase("s0-dept", "budget", {"budget-prior_execution_rate": "约109%", "budget-prior_adjusted": "405.7"},
            "budget-prior_execution_rate", "输入一个数字。"),
    BadCase("s0-dept", "budget", {"budget-prior_actual": "389.2912345"},
            "budget-prior_actual", "确认小数不超过 6 位."),
    BadCase("s0-dept", "unit", {"details-staff_total": "abc", "header-contact_person": "王晓东"},
            "details-staff_total", "输入整数。"),
    BadCase("s0-dept", "unit", {"details-staff_extra": "-1", "header-contact_person": "王晓东"},
            "details-staff_extra", "确保该值大于或等于0。"),
    BadCase("s0-dept", "unit", {"header-unit_name": "院" * 201, "details-staff_total": "5"},
            "header-unit_name", "最多 200 个字，现有 201 个字。"),
    BadCase("s0-dept", "functions", {"functions-2-name": "", "functions-0-name": "行政管理与党建"},
            "functions-2-name", "这个字段是必填项。"),
    BadCase("s0-dept", "tasks",
            {"tasks-TOTAL_FORMS": "5", "tasks-4-order": "5", "tasks-4-content": "新增的任务内容",
             "tasks-4-amount_total": "10", "tasks-0-amount_total": "120.5"},
            "tasks-4-name", "这个字段是必填项。"),
    BadCase("s0-dept", "tasks", {"tasks-1-amount_fiscal": "-0.5"},
            "tasks-1-amount_fiscal", "确保该值大于或等于0。"),
    BadCase("s0-dept", "indicators", {"indicators-3-name": "", "indicators-0-value_text": "≤640万元"},
            "indicators-3-name", "请填写三级指标名称。"),
    BadCase("s4-dept", "budget", {"budget-funds_total": "-63008.58"},
            "budget-funds_total", "确保该值大于或等于0。"),
    BadCase("s2-dept", "tasks", {"totals-tasks_total_amount": "一万二", "tasks-0-amount_total": "3.74"},
            "totals-tasks_total_amount", "输入一个数字。"),
]


@pytest.mark.parametrize("case", BAD, ids=str)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(as_filer, case):
    filing, client = as_filer(case.key)
    before = snapshot(filing)
    response = post_step(client, filing, case.step, case.changes, "continue")
    page = html(response)
    assert response.status_code == 422
    field_id = f"id_{case.field}"
    assert case.message in message_next_to(page, field_id)
    assert (field_id, case.message) in [(anchor, message) for anchor, label, message in error_summary(page) if label]
    assert "尚未保存" in page
    assert snapshot(filing) == before
    # what the officer typed is all still there, the invalid text included
    data = form_data(response)
    assert {name: data.get(name) for name in case.changes} == case.changes


def test_the_summary_names_the_row_of_a_row_error(as_filer):
    filing, client = as_filer("s0-dept")
    response = post_step(client, filing, "functions", {"functions-2-name": ""})
    [(anchor, label, message)] = error_summary(html(response))
    assert anchor == "id_functions-2-name" and label.startswith("第 3 行") and message == "这个字段是必填项。"


def test_the_summary_counts_every_error_of_the_page(as_filer):
    filing, client = as_filer("s0-dept")
    response = post_step(client, filing, "budget", {"budget-income_total": "-1", "budget-expenditure_total": "x"})
    summary = error_summary(html(response))
    assert [anchor for anchor, _, _ in summary] == ["id_budget-income_total", "id_budget-expenditure_total"]
    assert "有 2 处需要修改，尚未保存" in html(response)


# --- numbers as officers paste them, HTML as plain text --------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("1,234.5", Decimal("12345000.00")),
    ("１２３４．５", Decimal("12345000.00")),
    ("1，234.5", Decimal("12345000.00")),
    (" 636.17 ", Decimal("6361700.00")),
    ("0", Decimal("0.00")),
    ("0.000001", Decimal("0.01")),
])
def test_pasted_amounts_are_accepted(as_filer, typed, stored):
    filing, client = as_filer("s0-dept")
    response = post_step(client, filing, "budget", {"budget-income_other": typed})
    assert response.status_code == 302
    assert reload(filing).department.income_other == stored


def test_pasted_amounts_in_task_rows_are_accepted(as_filer):
    filing, client = as_filer("s2-dept")
    response = post_step(client, filing, "tasks", {
        "tasks-1-amount_total": "１,０２０.5", "tasks-1-amount_fiscal": " 570.1 ", "tasks-1-amount_other": "450.4"})
    assert response.status_code == 302
    task = lookup(filing, "tasks.1")
    assert (task.amount_total, task.amount_fiscal, task.amount_other) == (
        Decimal("10205000.00"), Decimal("5701000.00"), Decimal("4504000.00"))


@pytest.mark.parametrize("typed, stored", [("117%", Decimal("117")), ("１１７％", Decimal("117")),
                                           (" 108.97 ", Decimal("108.97"))])
def test_execution_rate_accepts_a_percent_sign(as_filer, typed, stored):
    filing, client = as_filer("s0-dept")
    assert post_step(client, filing, "budget", {"budget-prior_execution_rate": typed}).status_code == 302
    assert reload(filing).department.prior_execution_rate == stored


def test_pasted_counts_are_accepted(as_filer):
    filing, client = as_filer("s0-dept")
    assert post_step(client, filing, "unit", {"details-staff_total": "１６", "details-staffing_quota": "1,016"}
                     ).status_code == 302
    details = reload(filing).department
    assert (details.staff_total, details.staffing_quota) == (16, 1016)


SCRIPT = "<script>alert(1)</script>"


def test_html_in_text_fields_is_stored_as_text_and_shown_escaped(as_filer):
    filing, client = as_filer("s0-dept")
    post_step(client, filing, "unit", {"header-contact_person": SCRIPT})
    post_step(client, filing, "goals", {"goals-overall_goal": f"目标{SCRIPT}"})
    post_step(client, filing, "functions", {"functions-0-name": f"职能{SCRIPT}"})
    post_step(client, filing, "indicators", {"indicators-0-name": f"经费{SCRIPT}", "indicators-0-value_text": SCRIPT})
    saved = reload(filing)
    assert saved.contact_person == SCRIPT
    assert saved.department.overall_goal == f"目标{SCRIPT}"
    assert lookup(filing, "functions.0.name") == f"职能{SCRIPT}"
    assert lookup(filing, "indicators.0.value_text") == SCRIPT
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    for key in ["unit", "goals", "functions", "indicators"]:
        response, data = open_step(client, filing, key)
        assert "<script>alert" not in html(response), key
        assert escaped in html(response), key
    assert form_data(open_step(client, filing, "unit")[0])["header-contact_person"] == SCRIPT
    check = html(client.get(reverse("filings:check", args=[filing.pk])))
    assert "<script>alert" not in check
    assert check.count(escaped) >= 4


def test_html_typed_into_an_invalid_form_is_re_rendered_escaped(as_filer):
    filing, client = as_filer("s0-dept")
    response = post_step(client, filing, "unit", {"header-contact_person": SCRIPT, "details-staff_total": SCRIPT})
    assert response.status_code == 422
    assert "<script>alert" not in html(response)
    assert form_data(response)["details-staff_total"] == SCRIPT


# --- rows: add, delete, reorder ---------------------------------------------------------------------------

def test_function_rows_are_added_deleted_and_reordered(as_filer):
    filing, client = as_filer("s0-dept")
    removed = lookup(filing, "functions.1")
    response = post_step(client, filing, "functions", {
        "functions-TOTAL_FORMS": "5",
        "functions-0-order": "30",  # 行政管理 moves to third place
        "functions-1-DELETE": "on",  # 医疗服务 removed
        "functions-2-order": "10",  # 信息化建设 first
        "functions-3-order": "20",  # 医保管理 second
        "functions-4-order": "40", "functions-4-name": "公共卫生",
        "functions-4-mid_term_goal": "医防融合", "functions-4-annual_goal": "居民健康档案建档率≥90%",
    })
    assert response.status_code == 302
    rows = list(FunctionItem.objects.filter(filing=filing).order_by("order"))
    assert [(row.order, row.name) for row in rows] == [
        (1, "信息化建设"), (2, "医保管理"), (3, "行政管理"), (4, "公共卫生")]
    assert rows[3].annual_goal == "居民健康档案建档率≥90%"
    assert not FunctionItem.objects.filter(pk=removed.pk).exists()
    # the page shows them in the new order
    data = open_step(client, filing, "functions")[1]
    assert [data[f"functions-{n}-name"] for n in range(4)] == ["信息化建设", "医保管理", "行政管理", "公共卫生"]
    assert [data[f"functions-{n}-order"] for n in range(4)] == ["1", "2", "3", "4"]


def test_a_blank_added_row_is_ignored_and_a_deleted_invalid_row_does_not_block(as_filer):
    filing, client = as_filer("s0-dept")
    response = post_step(client, filing, "tasks", {
        "tasks-TOTAL_FORMS": "6",
        "tasks-4-order": "5",  # an added row left blank
        "tasks-5-order": "6", "tasks-5-content": "写了一半", "tasks-5-amount_total": "-3", "tasks-5-DELETE": "on",
    })
    assert response.status_code == 302
    assert AnnualTask.objects.filter(filing=filing).count() == 4


def test_task_rows_are_added_with_amounts(as_filer):
    filing, client = as_filer("s2-dept")
    response = post_step(client, filing, "tasks", {
        "tasks-TOTAL_FORMS": "8", "tasks-7-order": "8", "tasks-7-name": "家庭医生签约服务",
        "tasks-7-amount_total": "12.5", "tasks-7-amount_fiscal": "10", "tasks-7-amount_other": "2.5",
    }, "continue")
    assert response.status_code == 302
    task = lookup(filing, "tasks.7")
    assert (task.order, task.name, task.amount_total, task.amount_other) == (
        8, "家庭医生签约服务", Decimal("125000.00"), Decimal("25000.00"))


def test_indicators_are_added_to_a_group_marked_not_applicable_and_their_reading_stored(as_filer):
    filing, client = as_filer("s0-dept")
    social, ecological = category(filing, "social_cost"), category(filing, "ecological_cost")
    response = post_step(client, filing, "indicators", {
        "indicators-TOTAL_FORMS": "15",
        "indicators-13-period": "annual", "indicators-13-category": str(social.pk), "indicators-13-order": "14",
        "indicators-13-name": "不适用", "indicators-13-value_text": "不适用",
        "indicators-13-note": "本部门不涉及社会成本",
        "indicators-14-period": "annual", "indicators-14-category": str(ecological.pk), "indicators-14-order": "15",
        "indicators-14-name": "医疗废物处置成本", "indicators-14-value_text": "≤ 30万元",
    })
    assert response.status_code == 302
    not_applicable = Indicator.objects.get(filing=filing, category=social)
    assert (not_applicable.not_applicable, not_applicable.value_kind, not_applicable.note) == (
        True, "not_applicable", "本部门不涉及社会成本")
    cost = Indicator.objects.get(filing=filing, category=ecological)
    assert (cost.order, cost.value_kind, cost.operator, cost.value_number, cost.value_unit) == (
        15, "quantitative", "≤", Decimal("30"), "万元")
    # the rows are shown in their groups, and the two E10 errors are gone
    page = html(open_step(client, filing, "indicators")[0])
    group = page[page.index('id="group-annual-ecological_cost"'):]
    assert "医疗废物处置成本" in group[:group.index('class="indicator-group')]
    check = html(client.get(reverse("filings:check", args=[filing.pk])))
    assert "社会成本指标”未填写" not in check and "生态环境成本指标”未填写" not in check


def test_an_added_indicator_with_an_error_is_shown_again_in_its_group(as_filer):
    filing, client = as_filer("s0-dept")
    social = category(filing, "social_cost")
    response = post_step(client, filing, "indicators", {
        "indicators-TOTAL_FORMS": "14", "indicators-13-period": "annual", "indicators-13-category": str(social.pk),
        "indicators-13-order": "14", "indicators-13-name": "", "indicators-13-value_text": "≤5万元",
    })
    page = html(response)
    assert response.status_code == 422
    group = page[page.index('id="group-annual-social_cost"'):]
    group = group[:group.index('class="indicator-group')]
    assert 'id="id_indicators-13-name"' in group and 'value="≤5万元"' in group and "请填写三级指标名称。" in group
    assert not Indicator.objects.filter(filing=filing, category=social).exists()


def test_indicators_are_deleted_and_reordered(as_filer):
    filing, client = as_filer("s0-dept")
    first, last = lookup(filing, "indicators.0"), lookup(filing, "indicators.12")
    response = post_step(client, filing, "indicators", {"indicators-0-DELETE": "on", "indicators-12-order": "0"})
    assert response.status_code == 302
    rows = list(filing.indicators.order_by("order"))
    assert len(rows) == 12 and first.pk not in [row.pk for row in rows]
    assert rows[0].pk == last.pk
    assert [row.order for row in rows] == list(range(1, 13))


def test_an_indicator_row_needs_a_second_level_category(as_filer):
    filing, client = as_filer("s0-dept")
    before = snapshot(filing)
    level1 = Category.objects.get(scheme_id=filing.scheme_id, code="output")
    response = post_step(client, filing, "indicators", {
        "indicators-TOTAL_FORMS": "14", "indicators-13-period": "annual", "indicators-13-category": str(level1.pk),
        "indicators-13-order": "14", "indicators-13-name": "门诊人次", "indicators-13-value_text": "≥1万人次",
    })
    assert response.status_code == 422
    assert snapshot(filing) == before


@pytest.mark.parametrize("tampered", ["abc", "999999"])
def test_a_tampered_indicator_category_is_refused_without_a_server_error(as_filer, tampered):
    """Bad input is never a server error (issue 4), even a hidden field changed by hand."""
    filing, client = as_filer("s0-dept")
    before = snapshot(filing)
    response = post_step(client, filing, "indicators", {"indicators-0-category": tampered})
    assert response.status_code == 422
    assert snapshot(filing) == before


def test_changing_the_money_unit_shows_the_same_amounts_in_yuan(as_filer):
    filing, client = as_filer("s0-dept")
    assert post_step(client, filing, "unit", {"header-money_unit": "yuan"}).status_code == 302
    data = open_step(client, filing, "budget")[1]
    assert (data["budget-prior_approved"], data["budget-income_total"]) == ("3572600", "6361700")
    assert post_step(client, filing, "budget", {"budget-prior_adjusted": "4057000.5"}).status_code == 302
    assert reload(filing).department.prior_adjusted == Decimal("4057000.50")
    response = post_step(client, filing, "budget", {"budget-prior_adjusted": "4057000.505"})
    assert response.status_code == 422  # finer than one 分


# --- stale pages ------------------------------------------------------------------------------------------

def test_a_page_saved_elsewhere_meanwhile_is_not_overwritten(as_filer):
    filing, client = as_filer("s0-dept")
    _, data = open_step(client, filing, "budget")
    assert post_step(client, filing, "unit", {"header-contact_person": "另一个浏览器"}).status_code == 302
    before = snapshot(filing)
    response = post_step(client, filing, "budget", {"budget-prior_adjusted": "405.7"}, "continue", data=data)
    page = html(response)
    assert response.status_code == 409
    assert STALE in page
    assert snapshot(filing) == before
    assert form_data(response)["budget-prior_adjusted"] == "405.7"
    # the page now carries the new version: saving again is allowed
    assert form_data(response)["lock_version"] == str(reload(filing).lock_version)
    assert client.post(step_url(filing, "budget"), {**form_data(response), "save": ""}).status_code == 302
    assert reload(filing).department.prior_adjusted == Decimal("4057000.00")


def test_a_missing_lock_version_is_treated_as_stale(as_filer):
    filing, client = as_filer("s0-dept")
    _, data = open_step(client, filing, "goals")
    data.pop("lock_version")
    before = snapshot(filing)
    response = post_step(client, filing, "goals", {"goals-overall_goal": "目标"}, data=data)
    assert response.status_code == 409 and STALE in html(response)
    assert snapshot(filing) == before


# --- the task list ----------------------------------------------------------------------------------------

def test_task_list_shows_each_steps_state(as_filer):
    filing, client = as_filer("s0-dept")
    tasks_url = reverse("filings:tasks", args=[filing.pk])
    states = step_states(html(client.get(tasks_url)))
    assert states == {STEP_LABELS[key]: "未开始" for key in STEPS["s0-dept"]}
    assert "开始填写" in html(client.get(tasks_url))

    def state(key):
        return step_states(html(client.get(tasks_url)))[STEP_LABELS[key]]

    post_step(client, filing, "functions", button="save")
    assert state("functions") == "填写中"
    post_step(client, filing, "functions", button="continue")
    assert state("functions") == "已完成"
    # 年度主要任务 has an error (A7: no amounts) whether saved or continued
    post_step(client, filing, "tasks", button="save")
    assert state("tasks") == "有问题"
    # 单位基本信息: continued with required facts missing → 有问题; filled in → 已完成
    post_step(client, filing, "unit", button="continue")
    assert state("unit") == "有问题"
    post_step(client, filing, "unit", CASES[0].changes, "continue")
    assert state("unit") == "已完成"
    assert state("budget") == "未开始"
    assert f'href="{step_url(filing, "budget")}">继续填写：{STEP_LABELS["budget"]}</a>' in html(client.get(tasks_url))


def test_task_list_links_every_step(as_filer):
    filing, client = as_filer("s4-dept")
    page = html(client.get(reverse("filings:tasks", args=[filing.pk])))
    for key in STEPS["s4-dept"]:
        assert f'href="{step_url(filing, key)}"' in page
    assert "部门职能分解" not in page and "年度主要任务" not in page  # not on the 湖南 form
    assert f'href="{reverse("filings:check", args=[filing.pk])}"' in page


def test_a_step_the_form_does_not_have_is_not_found(as_filer):
    filing, client = as_filer("s4-dept")
    assert client.get(step_url(filing, "functions")).status_code == 404
    assert client.get(step_url(filing, "nonsense")).status_code == 404


# --- check and submit ------------------------------------------------------------------------------------

def test_check_page_lists_errors_first_and_disables_submit(as_filer):
    filing, client = as_filer("s0-dept")
    page = html(client.get(reverse("filings:check", args=[filing.pk])))
    errors = len(validate_filing(reload(filing)).errors)
    kinds = re.findall(r'<div class="alert (alert-danger|alert-warning) py-2', page)
    assert errors >= 1 and kinds.count("alert-danger") == errors and "alert-warning" in kinds
    assert kinds == sorted(kinds)  # every error before the first warning
    assert re.search(r'<button type="submit" class="btn btn-success" id="submit-filing" disabled', page)
    assert f"还有 {errors} 项错误，改正后才能提交。" in page
    # each error links to its step and field
    assert f'href="{step_url(filing, "unit")}#field-function_basis"' in page
    # laid out like the printed table
    assert "636.17" in page and "医共体职工满意度" in page


def test_every_finding_link_on_the_check_page_points_at_something_on_the_step(as_filer):
    filing, client = as_filer("s0-dept")
    page = html(client.get(reverse("filings:check", args=[filing.pk])))
    broken = []
    for href in sorted(set(re.findall(r'class="alert-link" href="([^"]+)"', page))):
        path, _, anchor = href.partition("#")
        if anchor and f'id="{anchor}"' not in html(client.get(path)):
            broken.append(href)
    assert broken == []


def test_a_filing_without_errors_is_submitted_and_becomes_read_only(as_filer):
    filing, client = as_filer("s2-dept")
    check_url = reverse("filings:check", args=[filing.pk])
    page = html(client.get(check_url))
    assert re.search(r'id="submit-filing">提交</button>', page)
    response = client.post(reverse("filings:submit", args=[filing.pk]), {"expected_status": "draft"})
    assert response.status_code == 302 and response.url == check_url
    saved = reload(filing)
    user = get_user_model().objects.get(username="dp_bj")
    assert saved.status == FilingStatus.SUBMITTED
    assert saved.submitted_by == user and saved.submitted_at is not None
    transition = Transition.objects.get(filing=filing)
    assert (transition.from_status, transition.to_status, transition.actor) == ("draft", "submitted", user)
    # read-only for the filer from now on
    before = snapshot(filing)
    for key in STEPS["s2-dept"]:
        assert client.get(step_url(filing, key)).status_code == 403
    late = post_step(client, filing, "goals", data={"goals-overall_goal": "改", "lock_version": "0"})
    # a page left open before the submit: refused on the page, with what was typed still there
    assert late.status_code == 409 and "这份申报表已是“已提交”，不能再修改" in html(late)
    assert form_data(late)["goals-overall_goal"] == "改"
    assert snapshot(filing) == before
    page = html(client.get(check_url))
    assert 'id="submit-filing"' not in page and "已提交" in page and "集团本级填报人" in page
    assert "只能查看" in html(client.get(reverse("filings:tasks", args=[filing.pk])))
    # submitting twice is refused with a message, never an error page
    again = client.post(reverse("filings:submit", args=[filing.pk]), {"expected_status": "draft"})
    assert again.status_code == 302 and "已是“已提交”" in html(client.get(again.url))
    assert Transition.objects.filter(filing=filing).count() == 1


def test_a_filing_with_errors_is_not_submitted(as_filer):
    filing, client = as_filer("s0-dept")
    errors = len(validate_filing(reload(filing)).errors)
    response = client.post(reverse("filings:submit", args=[filing.pk]), {"expected_status": "draft"}, follow=True)
    assert f"还有 {errors} 项错误，改正后才能提交。" in html(response)
    saved = reload(filing)
    assert (saved.status, saved.submitted_at, saved.submitted_by) == (FilingStatus.DRAFT, None, None)
    assert not Transition.objects.filter(filing=filing).exists()


def test_submit_is_post_only(as_filer):
    filing, client = as_filer("s2-dept")
    assert client.get(reverse("filings:submit", args=[filing.pk])).status_code == 405
    assert reload(filing).status == FilingStatus.DRAFT


def test_the_last_step_continues_to_the_check_page(as_filer):
    filing, client = as_filer("s2-dept")
    response = post_step(client, filing, "indicators", button="continue")
    assert response.url == reverse("filings:check", args=[filing.pk])
    page = html(client.get(reverse("filings:tasks", args=[filing.pk])))
    assert f'href="{reverse("filings:check", args=[filing.pk])}">核对并提交</a>' in page


# --- a constant number of queries however many rows ------------------------------------------------------

VALUES = ["≥95%", "≤30万元", "2026年12月底前", "有效提高", "100人次", "不适用"]


def filing_with_indicators(count: int, year: int) -> Filing:
    unit = Unit.objects.get(code="327002001")
    user = get_user_model().objects.get(username="cs_zyy")
    filing = create_department_filing(unit, year, FormVariant.objects.get(code="dept-jiangxi"), user)
    level2 = list(Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False).order_by("pk"))
    rows = []
    for number in range(count):
        row = Indicator(filing=filing, category=level2[number % len(level2)], order=number + 1,
                        name=f"指标{number}", value_text=VALUES[number % len(VALUES)])
        row.apply_reading()
        rows.append(row)
    Indicator.objects.bulk_create(rows)
    # functions and tasks: as many as a filing may hold at most (filings/limits.py)
    FunctionItem.objects.bulk_create(FunctionItem(filing=filing, order=n, name=f"职能{n}")
                                     for n in range(min(count, MAX_FUNCTION_ROWS)))
    AnnualTask.objects.bulk_create(AnnualTask(filing=filing, order=n, name=f"任务{n}", amount_total=n)
                                   for n in range(min(count, MAX_TASK_ROWS)))
    return Filing.objects.get(pk=filing.pk)


def queries(client, method, url, data=None, status=200):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    assert response.status_code == status
    return len(captured)


@pytest.fixture
def small_and_large(client, demo):
    login(client, "cs_zyy")
    return filing_with_indicators(10, 2030), filing_with_indicators(100, 2031)


def test_indicator_step_queries_do_not_grow_with_rows(client, small_and_large):
    counts = []
    for filing in small_and_large:
        url = step_url(filing, "indicators")
        client.get(url)  # warm up
        get = queries(client, "get", url)
        data = {**form_data(client.get(url)), "save": ""}
        assert int(data["indicators-TOTAL_FORMS"]) == filing.indicators.count()
        data["indicators-0-value_text"] = "≥96%"
        post = queries(client, "post", url, data, status=302)
        counts.append((get, post))
    assert counts[0] == counts[1]
    assert Indicator.objects.get(filing=small_and_large[1], order=1).value_number == Decimal("96")


@pytest.mark.parametrize("key", ["tasks", "functions"])
def test_row_steps_queries_do_not_grow_with_rows(client, small_and_large, key):
    counts = []
    for filing in small_and_large:
        url = step_url(filing, key)
        client.get(url)
        get = queries(client, "get", url)
        post = queries(client, "post", url, {**form_data(client.get(url)), "save": ""}, status=302)
        counts.append((get, post))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["filings:check", "filings:tasks"])
def test_check_page_and_task_list_queries_do_not_grow_with_rows(client, small_and_large, name):
    counts = []
    for filing in small_and_large:
        url = reverse(name, args=[filing.pk])
        client.get(url)
        counts.append(queries(client, "get", url))
    assert counts[0] == counts[1]


# --- the live reading and the suggestions ----------------------------------------------------------------

@pytest.mark.parametrize("typed, shown", [
    ("≥95%", "≥ 95 %"),
    ("不低于 95 %", "≥ 95 %"),
    ("≦47.75万元", "≤ 47.75 万元"),
    ("2026年12月底前", "截止 2026年12月"),
    ("有效提高", "定性"),
    ("不适用", "不适用"),
])
def test_reading_shows_the_parsers_understanding(client, demo, typed, shown):
    login(client, "cs_zyy")
    response = client.get(reverse("filings:reading"), {"indicators-7-value_text": typed})
    assert response.status_code == 200
    assert shown in re.sub(r"<[^>]+>", "", html(response))


def test_reading_takes_a_bare_numbers_unit_from_the_rows_name(client, demo):
    login(client, "cs_zyy")
    alone = client.get(reverse("filings:reading"), {"indicators-7-value_text": "95"})
    with_name = client.get(reverse("filings:reading"),
                           {"indicators-7-value_text": "95", "indicators-7-name": "验收合格率（≥**%）"})
    assert "≥ 95 %" not in re.sub(r"<[^>]+>", "", html(alone))
    assert "≥ 95 %" in re.sub(r"<[^>]+>", "", html(with_name))


def test_reading_of_html_is_escaped(client, demo):
    login(client, "cs_zyy")
    response = client.get(reverse("filings:reading"), {"indicators-0-value_text": f"≥95%{SCRIPT}"})
    assert response.status_code == 200 and "<script>" not in html(response)


def suggestions(client, filing, **params):
    return client.get(reverse("filings:suggestions", args=[filing.pk]), params)


def test_suggestions_offer_the_library_for_a_category_filtered_by_q(as_filer):
    filing, client = as_filer("s0-dept")
    satisfaction = category(filing, "beneficiary_satisfaction")
    page = html(suggestions(client, filing, category=satisfaction.pk))
    assert 'data-name="患者满意度" data-value="≥85%"' in page
    assert page.index("患者满意度") < page.index("参保对象满意度")  # the unit's own sector (卫生健康) first
    page = html(suggestions(client, filing, category=satisfaction.pk, q="患者"))
    assert "患者满意度" in page and "患者对社工服务满意度" in page and "参保对象满意度" not in page
    page = html(suggestions(client, filing, category=satisfaction.pk, q="不存在的指标"))
    assert "没有找到含“不存在的指标”的服务对象满意度指标。" in page
    assert "请选择二级指标" in html(suggestions(client, filing))


def test_suggestions_offer_the_units_earlier_indicators(as_filer):
    filing, client = as_filer("s0-dept")
    copy = copy_filing(filing, 2027, get_user_model().objects.get(username="cs_zyy"), keep_amounts=False)
    satisfaction = category(copy, "beneficiary_satisfaction")
    page = html(suggestions(client, copy, category=satisfaction.pk, q="职工"))
    assert 'data-name="医共体职工满意度" data-value="≥78.86%" title="本单位 2026 年度"' in page
    assert 'title="本单位 2027 年度"' not in page  # not the filing's own rows


def test_suggestions_come_from_earlier_filings_only(as_filer):
    """Issue 4: suggestions "from the unit's previous filings" — a later year's filing is not one of them."""
    filing, client = as_filer("s0-dept")
    copy_filing(filing, 2027, get_user_model().objects.get(username="cs_zyy"), keep_amounts=False)
    page = html(suggestions(client, filing, category=category(filing, "beneficiary_satisfaction").pk))
    assert 'title="本单位 2027 年度"' not in page


def test_suggestions_of_a_filing_the_user_may_not_see_are_not_found(client, demo):
    login(client, "cs_zyy")
    filing = demo["s1-dept"]
    assert suggestions(client, filing, category=category(filing, "quantity").pk).status_code == 404


@pytest.mark.parametrize("tampered", ["abc", "-1", "1.5"])
def test_suggestions_with_a_tampered_category_are_no_server_error(as_filer, tampered):
    """Bad input is never a server error (issue 4)."""
    filing, client = as_filer("s0-dept")
    response = suggestions(client, filing, category=tampered)
    assert response.status_code in {200, 404}

"""The demo holds the twelve filings of the five seeds exactly as printed."""

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from filings.models import Filing, Indicator, Membership, Unit
from indicators.models import LibraryIndicator

# Counted by hand from ../shared/seeds: (period, 一级) -> (applicable rows, rows marked 不适用).
EXPECTED_COUNTS = {
    "s0-dept": {("annual", "成本指标"): (1, 0), ("annual", "产出指标"): (6, 0),
                ("annual", "效益指标"): (4, 0), ("annual", "满意度指标"): (2, 0)},
    "s1-dept": {("annual", "成本指标"): (2, 0), ("annual", "产出指标"): (8, 0),
                ("annual", "效益指标"): (3, 0), ("annual", "满意度指标"): (1, 0)},
    "s1-proj1": {("annual", "成本指标"): (1, 0), ("annual", "产出指标"): (11, 0),
                 ("annual", "效益指标"): (1, 0), ("annual", "满意度指标"): (1, 0)},
    "s2-dept": {("annual", "产出指标"): (46, 0), ("annual", "效益指标"): (14, 3),
                ("annual", "满意度指标"): (6, 1)},
    "s3-proj1": {("implementation", "产出指标"): (3, 0), ("implementation", "效益指标"): (1, 0),
                 ("implementation", "满意度指标"): (1, 0), ("annual", "产出指标"): (4, 0),
                 ("annual", "效益指标"): (2, 0), ("annual", "满意度指标"): (1, 0)},
    "s3-proj2": {("implementation", "产出指标"): (9, 0), ("implementation", "效益指标"): (2, 0),
                 ("implementation", "满意度指标"): (1, 0), ("annual", "产出指标"): (9, 0),
                 ("annual", "效益指标"): (2, 0), ("annual", "满意度指标"): (1, 0)},
    "s3-proj3": {("implementation", "产出指标"): (7, 0), ("implementation", "效益指标"): (1, 0),
                 ("implementation", "满意度指标"): (1, 0), ("annual", "产出指标"): (7, 0),
                 ("annual", "效益指标"): (1, 0), ("annual", "满意度指标"): (1, 0)},
    "s3-proj4": {("implementation", "产出指标"): (3, 0), ("implementation", "效益指标"): (2, 0),
                 ("implementation", "满意度指标"): (1, 0), ("annual", "产出指标"): (3, 0),
                 ("annual", "效益指标"): (3, 0), ("annual", "满意度指标"): (2, 0)},
    "s3-proj5": {("implementation", "产出指标"): (3, 0), ("implementation", "效益指标"): (1, 0),
                 ("implementation", "满意度指标"): (1, 0), ("annual", "产出指标"): (3, 0),
                 ("annual", "效益指标"): (1, 0), ("annual", "满意度指标"): (1, 0)},
    "s4-dept": {("annual", "产出指标"): (6, 0), ("annual", "效益指标"): (5, 0),
                ("annual", "满意度指标"): (1, 0)},
    "s4-proj1": {("annual", "产出指标"): (6, 0), ("annual", "效益指标"): (3, 1),
                 ("annual", "满意度指标"): (1, 0)},
    "s4-proj2": {("annual", "产出指标"): (5, 0), ("annual", "效益指标"): (4, 0),
                 ("annual", "满意度指标"): (1, 0)},
}


def seed_rows():
    for path in sorted((Path(settings.BASE_DIR) / "fixtures" / "seeds").glob("*.json")):
        yield from json.loads(path.read_text(encoding="utf-8"))["filings"]


def test_demo_holds_twelve_seed_filings_of_both_kinds(demo):
    assert sorted(demo) == sorted(EXPECTED_COUNTS)
    kinds = Counter(filing.kind for filing in demo.values())
    assert kinds == {"department": 4, "project": 8}


@pytest.mark.parametrize("key", sorted(EXPECTED_COUNTS))
def test_indicator_count_per_first_level_category(demo, key):
    counts = Counter()
    for indicator in demo[key].indicator_rows():
        applicable, not_applicable = counts[(indicator.period, indicator.level1.name)] or (0, 0)
        if indicator.not_applicable:
            counts[(indicator.period, indicator.level1.name)] = (applicable, not_applicable + 1)
        else:
            counts[(indicator.period, indicator.level1.name)] = (applicable + 1, not_applicable)
    assert dict(counts) == EXPECTED_COUNTS[key]


# Printed 二级 spellings in the seeds that differ from the scheme's own names (after dropping 指标 and spaces).
PRINTED_ALIASES = {
    "生态效益成本": "ecological_cost",
    "满意度": "beneficiary_satisfaction",
    "服务对象满意度指": "beneficiary_satisfaction",
    "社会公众或服务对象满意度": "beneficiary_satisfaction",
}


def printed_matches(printed: str, category) -> bool:
    key = "".join(printed.split()).removesuffix("指标")
    return key == category.name.removesuffix("指标") or PRINTED_ALIASES.get(key) == category.code


def test_every_indicator_is_stored_as_transcribed_in_order(demo):
    for data in seed_rows():
        stored = list(demo[data["key"]].indicator_rows().order_by("order"))
        assert [(i.period, i.name, i.value_text, i.standard) for i in stored] == [
            (row["period"], row["name"].strip(), row["value"], row.get("standard", ""))
            for row in data["indicators"]
        ]
        for indicator, row in zip(stored, data["indicators"], strict=True):
            assert printed_matches(row["level2"], indicator.category), (row, indicator.category)
            assert printed_matches(row["level1"], indicator.level1), (row, indicator.level1)


def test_reloading_keeps_edits_unless_reset(demo):
    filing = demo["s1-dept"]
    filing.contact_phone = "0792-0000000"
    filing.save()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert Filing.objects.get(pk=filing.pk).contact_phone == "0792-0000000"
    call_command("load_demo", "--reset", stdout=open("/dev/null", "w"))
    assert Filing.objects.get(source="seed:s1-dept").contact_phone == "18779276924"


def test_loading_twice_changes_nothing(demo):
    before = (Filing.objects.count(), Indicator.objects.count(), Unit.objects.count(),
              Membership.objects.count(), LibraryIndicator.objects.count())
    call_command("load_demo", stdout=open("/dev/null", "w"))
    after = (Filing.objects.count(), Indicator.objects.count(), Unit.objects.count(),
             Membership.objects.count(), LibraryIndicator.objects.count())
    assert before == after
    assert before[1] == 222


def test_jiangxi_department_keeps_printed_execution_rate(demo):
    details = demo["s1-dept"].department
    assert details.prior_execution_rate == Decimal("117")
    assert details.prior_approved == Decimal("4057000.00")
    assert details.prior_adjusted == Decimal("4057000.00")
    assert details.prior_actual == Decimal("5280200.00")
    assert details.prior_carryover == Decimal("0")
    assert details.function_basis == "柴办字[2019]52号"
    assert (details.staff_total, details.staff_administrative, details.staff_institutional,
            details.staff_extra) == (27, 7, 20, 2)
    assert details.functions_changed is False and details.is_primary_department is True


def test_unticked_boxes_and_blank_cells_stay_blank(demo):
    details = demo["s0-dept"].department
    assert details.functions_changed is None
    assert details.prior_adjusted is None and details.prior_carryover is None
    assert details.income_higher_grant is None
    assert details.expenditure_project == Decimal("0")
    tasks = list(demo["s0-dept"].tasks.all())
    assert len(tasks) == 4 and all(task.amount_total is None for task in tasks)
    assert [item.name for item in demo["s0-dept"].functions.all()] == ["行政管理", "医疗服务", "信息化建设", "医保管理"]


def test_shenzhen_tasks_sum_to_printed_total(demo):
    tasks = demo["s2-dept"].tasks.all()
    assert len(tasks) == 7
    assert sum(task.amount_total for task in tasks) == Decimal("124083300.00")
    assert demo["s2-dept"].department.tasks_total_amount == Decimal("124083300.00")
    assert all(task.amount_fiscal == task.amount_total and task.amount_other == 0 for task in tasks)


def test_yangquan_project_amounts_in_yuan_and_attributes(demo):
    filing = demo["s3-proj3"]
    project = filing.project
    assert filing.money_unit == "yuan"
    assert project.recurrence == "one_off" and project.period_years == 1
    assert project.implementation_total == Decimal("20467700") and project.annual_total == Decimal("19340000")
    assert project.implementation_other is None
    assert filing.competent_department_code == "063"
    assert str(filing.filled_on) == "2024-01-23" and str(filing.filled_time) == "11:15:32"
    assert demo["s3-proj2"].project.period_text == "99年"


def test_hunan_project_local_and_higher_level_funds(demo):
    filing = demo["s4-proj1"]
    assert filing.project.local_amount == Decimal("6000000.00")
    assert filing.project.higher_level_note == "中央4193.9、省1048.48"
    assert filing.project.annual_central is None and filing.project.annual_total is None
    assert filing.indicators.get(name="高血压患者管理人数").standard == "≥41400 人"


def test_printed_aliases_resolve_to_the_schemes_categories(demo):
    s0 = {i.name: i.category for i in demo["s0-dept"].indicators.all()}
    assert s0["公立医院人员支出占业务支出比"].code == "sustainable_impact"
    assert s0["医共体职工满意度"].code == "beneficiary_satisfaction"
    s4 = {i.name: i.category for i in demo["s4-dept"].indicators.all()}
    assert s4["为百姓提供卫生健康保障减少医疗成本"].code == "output_cost"
    assert s4["为百姓提供卫生健康保障减少医疗成本"].parent.name == "产出指标"
    assert s4["社会群众满意度"].code == "beneficiary_satisfaction"


def test_parsed_reading_is_stored_beside_the_printed_value(demo):
    rows = {i.name: i for i in demo["s1-proj1"].indicators.all()}
    row = rows["乡镇(街道、场)医保服务事项数"]
    assert (row.value_text, row.operator, row.value_number, row.value_unit) == (
        "≧20项", "≥", Decimal("20"), "项")
    cost = rows["基层医保经办服务能力建设补助资金"]
    assert (cost.operator, cost.value_number, cost.value_unit) == ("≤", Decimal("30"), "万元")
    assert rows["人员培训开展及时性"].value_kind == "qualitative"


def test_not_applicable_rows_are_marked(demo):
    marked = demo["s2-dept"].indicators.filter(not_applicable=True)
    assert sorted(i.category.code for i in marked) == [
        "ecological_benefit", "economic_benefit", "other_satisfaction", "sustainable_impact"]
    assert all(i.value_kind == "not_applicable" for i in marked)


def test_library_holds_every_applicable_seed_indicator(demo):
    names = set(LibraryIndicator.objects.values_list("name", flat=True))
    seed_names = {row["name"] for f in seed_rows() for row in f["indicators"] if row["name"] != "不适用"}
    assert seed_names <= names
    entry = LibraryIndicator.objects.get(name="参保对象满意度")
    assert (entry.category_code, entry.sector, entry.unit) == ("beneficiary_satisfaction", "医疗保障", "%")


def test_demo_users_have_roles_in_the_unit_tree(demo):
    roles = {(m.user.username, m.role) for m in Membership.objects.select_related("user")}
    assert {("cs_ybj", "filer"), ("cs_wjw", "reviewer"), ("cs_czj", "finance")} <= roles
    hospital = Unit.objects.get(code="327002001")
    finance = Unit.objects.get(code="360404")
    assert hospital in Unit.objects.subtree_of(finance)

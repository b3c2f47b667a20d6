import datetime
import itertools
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filings.money import from_yuan
from indicators.findings import Severity, Step
from indicators.models import Category
from indicators.validation import IndicatorContext, check_indicators

_pks = itertools.count(1)


@dataclass
class Row:
    category: Category | None
    name: str | None
    value_text: str | None
    period: str = "annual"
    note: str = ""
    pk: int | None = field(default_factory=lambda: next(_pks))
    not_applicable: bool = False

    def __post_init__(self):
        # as Indicator.apply_reading derives it
        texts = ((self.name or "").strip(), (self.value_text or "").strip())
        self.not_applicable = self.not_applicable or "不适用" in texts


def categories(scheme: str) -> dict[str, Category]:
    return {c.code: c for c in Category.objects.select_related("parent").filter(scheme__code=scheme)}


@pytest.fixture
def cost_first(db):
    return categories("cost-first")


@pytest.fixture
def cost_under_output(db):
    return categories("cost-under-output")


def context(cats, **overrides) -> IndicatorContext:
    values = dict(categories=list(cats.values()), kind="project", year=2025, money_unit="万元",
                  budget_totals={"annual": Decimal("30"), "implementation": Decimal("90")})
    return IndicatorContext(**values | overrides)


def complete_set(cats, period="annual") -> list[Row]:
    """A set that passes every rule in the cost-first scheme (the other scheme has output_cost instead)."""
    cost = "economic_cost" if "economic_cost" in cats else "output_cost"
    rows = [
        Row(cats[cost], "医保业务培训经费", "≤30万元", period),
        Row(cats["quantity"], "举办医保业务培训人次", "≥200人次", period),
        Row(cats["quality"], "培训考核合格率", "≥95%", period),
        Row(cats["timeliness"], "培训完成时间", "2025年12月前", period),
        Row(cats["social_benefit"], "经办业务差错", "较上年降低", period),
        Row(cats["beneficiary_satisfaction"], "参训人员满意度", "≥90%", period),
    ]
    if "social_cost" in cats:
        rows += [Row(cats["social_cost"], "不适用", "不适用", period),
                 Row(cats["ecological_cost"], "不适用", "不适用", period)]
    return rows


def without(rows, code):
    return [row for row in rows if row.category.code != code]


def check(rows, ctx):
    return check_indicators(rows, ctx)


def of(findings, code):
    return [f for f in findings if f.code == code]


def codes(findings):
    return {f.code for f in findings}


# --- the baseline ---------------------------------------------------------------------------------------------

def test_a_complete_set_has_no_findings(cost_first, cost_under_output):
    assert check(complete_set(cost_first), context(cost_first)) == []
    assert check(complete_set(cost_under_output), context(cost_under_output)) == []
    assert check(complete_set(cost_first), context(cost_first, kind="department")) == []


def test_findings_point_at_the_indicator_step_and_row(cost_first):
    rows = complete_set(cost_first)
    rows[1].value_text = "≥200"
    [finding] = check(rows, context(cost_first))
    assert (finding.step, finding.row, finding.row_kind, finding.field) == (
        Step.INDICATORS, rows[1].pk, "indicator", "value_text")


# --- E5 completeness -----------------------------------------------------------------------------------------

def test_e5_missing_required_second_level(cost_first):
    findings = check(without(complete_set(cost_first), "quality"), context(cost_first))
    assert [f.message for f in of(findings, "E5")] == [
        "年度指标中“质量指标”至少需要一条三级指标（不能为空或全部为“不适用”）。"]
    assert of(findings, "E5")[0].severity == Severity.ERROR


def test_e5_not_applicable_where_not_allowed(cost_first):
    rows = without(complete_set(cost_first), "quality") + [Row(cost_first["quality"], "不适用", "不适用")]
    messages = [f.message for f in of(check(rows, context(cost_first)), "E5")]
    assert "“质量指标”不能标为“不适用”，请填写具体的三级指标和指标值。" in messages
    assert len(messages) == 2  # and the category is still missing


def test_e5_first_level_needs_one_applicable_row(cost_first):
    rows = without(complete_set(cost_first), "social_benefit") + [
        Row(cost_first["economic_benefit"], "不适用", "不适用"), Row(cost_first["social_benefit"], "不适用", "")]
    assert [f.message for f in of(check(rows, context(cost_first)), "E5")] == [
        "年度指标中“效益指标”下至少需要一条适用的三级指标。"]


def test_e5_satisfaction_optional_when_no_one_is_served(cost_first):
    rows = without(complete_set(cost_first), "beneficiary_satisfaction")
    assert "满意度指标" in of(check(rows, context(cost_first)), "E5")[0].message
    assert not of(check(rows, context(cost_first, serves_beneficiaries=False)), "E5")


def test_e5_not_applicable_satisfaction_needs_a_reason(cost_first):
    rows = without(complete_set(cost_first), "beneficiary_satisfaction") + [
        Row(cost_first["other_satisfaction"], "主管部门满意度", "≥90%"),
        Row(cost_first["beneficiary_satisfaction"], "不适用", "不适用")]
    [finding] = of(check(rows, context(cost_first)), "E5")
    assert finding.field == "note" and "写明理由" in finding.message
    rows[-1].note = "本项目为内部运转经费，不直接面向服务对象。"
    assert not of(check(rows, context(cost_first)), "E5")


def test_e5_each_period_set_is_checked_and_an_empty_set_is_reported_once(cost_first):
    ctx = context(cost_first, periods=("implementation", "annual"))
    findings = of(check(complete_set(cost_first), ctx), "E5")
    assert [f.message for f in findings] == ["实施期绩效指标为空，请按指标体系填写三级指标。"]
    rows = complete_set(cost_first, "implementation") + without(complete_set(cost_first), "quantity")
    assert [f.message for f in of(check(rows, ctx), "E5")] == [
        "年度指标中“数量指标”至少需要一条三级指标（不能为空或全部为“不适用”）。"]


# --- E10 blank cost second levels ----------------------------------------------------------------------------

def test_e10_blank_social_cost(cost_first):
    findings = check(without(complete_set(cost_first), "social_cost"), context(cost_first))
    assert [f.message for f in of(findings, "E10")] == [
        "年度指标中“社会成本指标”未填写：请填写三级指标，不涉及的请注明“不适用”。"]


def test_e10_not_applicable_or_filled_is_fine(cost_first):
    rows = without(complete_set(cost_first), "social_cost") + [
        Row(cost_first["social_cost"], "项目实施对周边群众生活的影响", "无明显负面影响")]
    assert not of(check(rows, context(cost_first)), "E10")


def test_e10_only_in_the_cost_first_scheme(cost_under_output):
    assert not of(check(complete_set(cost_under_output), context(cost_under_output)), "E10")


# --- E6 row fields -------------------------------------------------------------------------------------------

def test_e6_name_and_value_present(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["quantity"], "  ", "≥3次"),
                                       Row(cost_first["quantity"], "培训期数", None)]
    findings = of(check(rows, context(cost_first)), "E6")
    assert [(f.field, f.message) for f in findings] == [
        ("name", "“数量指标”下未命名的指标未填写三级指标名称。"),
        ("value_text", "“培训期数”未填写指标值。"),
    ]


def test_e6_quantitative_value_needs_a_unit(cost_first):
    rows = complete_set(cost_first)
    rows[1].value_text = "≥200"
    [finding] = check(rows, context(cost_first))
    assert finding.code == "E6" and "≥200 缺少计量单位" in finding.message


@pytest.mark.parametrize("name, value, examples", [
    ("举办医保业务培训人次", "≥200", "写成“≥200人次”或“≥200个”这样的形式"),
    ("培训考核合格率", "≥95", "写成“≥95%”或“≥95‰”这样的形式"),
    ("资料印制费", "≤3", "写成“≤3万元”或“≤3万元/人”这样的形式"),
    ("满意度区间", "90-95", "写成“90~95人次”或“90~95个”这样的形式"),
    ("受益群众", "约100，全部覆盖", "写成“约100人次”或“约100个”这样的形式"),
])
def test_e6_missing_unit_says_what_to_write_with_the_rows_number(cost_first, name, value, examples):
    rows = complete_set(cost_first) + [Row(cost_first["quantity"], name, value)]
    [finding] = of(check(rows, context(cost_first)), "E6")
    assert finding.message.startswith(f"“{name}”的指标值 {value} 缺少计量单位：请在数值后写明单位，")
    assert examples in finding.message


@pytest.mark.parametrize("name, value", [
    ("培训人次（人次）", "≥200"), ("受益脱贫户满意度（≥**%）", "95"), ("项目总成本（≤**万元）", "≤30"),
    ("空气质量综合指数", "≤4.2"), ("基尼系数（全县）", "≤0.4"), ("放流鱼苗", "≥50万尾"), ("垃圾清运量", "3万吨"),
    ("参训人员", "约100人"), ("培训场次", "3~5场"), ("预算执行偏差率", "±5%以内"), ("优良天数比例提高", "≥2个百分点"),
])
def test_e6_accepts_every_value_the_reader_understands(cost_first, name, value):
    rows = complete_set(cost_first) + [Row(cost_first["quantity"], name, value)]
    assert not of(check(rows, context(cost_first)), "E6")


def test_e6_reads_the_unit_from_the_name_of_a_saved_row(cost_first):
    rows = complete_set(cost_first)
    rows[2] = replace(rows[2], name="培训考核合格率（≥**%）", value_text="95")
    assert check(rows, context(cost_first)) == []


def test_e6_bare_number_with_unit_and_not_applicable_rows_pass(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["quantity"], "补助单位", "1个"),
                                       Row(cost_first["economic_benefit"], "不适用", "")]
    assert not of(check(rows, context(cost_first)), "E6")


# --- E7 percentages ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, value", [("培训考核合格率", "≥120%"), ("培训考核合格率", "-5%")])
def test_e7_percent_out_of_range(cost_first, name, value):
    rows = complete_set(cost_first) + [Row(cost_first["quality"], name, value)]
    [finding] = of(check(rows, context(cost_first)), "E7")
    assert value in finding.message and "0–100%" in finding.message


@pytest.mark.parametrize("value, example", [("90%-120%", "90~100%"), ("-5%~10%", "0~10%"), ("≥120%", "≥95%")])
def test_e7_checks_both_ends_of_a_range(cost_first, value, example):
    rows = complete_set(cost_first) + [Row(cost_first["quality"], "设备完好率", value)]
    [finding] = of(check(rows, context(cost_first)), "E7")
    assert f"请改为 0–100 之间的百分比（如“{example}”）" in finding.message


def test_e7_accepts_ranges_tolerances_and_percentage_points(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["quality"], "设备完好率", "90%-95%"),
                                       Row(cost_first["quality"], "预算执行偏差率", "±5%以内"),
                                       Row(cost_first["social_benefit"], "优良天数比例", "≥2个百分点")]
    assert not of(check(rows, context(cost_first)), "E7")
    assert not of(check(rows, context(cost_first)), "W5")  # 百分点 is the unit of a change in a rate


def test_e7_growth_rates_are_exempt(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["social_benefit"], "门诊量增长率", "≥120%"),
                                       Row(cost_first["quality"], "达标率", "100%")]
    assert not of(check(rows, context(cost_first)), "E7")


def test_e7_satisfaction_above_100(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["other_satisfaction"], "职工满意度", "≥101%")]
    [finding] = of(check(rows, context(cost_first)), "E7")
    assert finding.message == "满意度指标“职工满意度”的指标值 ≥101% 超过 100%：满意度最高为 100%，请改为如“≥95%”。"


# --- E9 deadlines --------------------------------------------------------------------------------------------

def test_e9_deadline_outside_the_budget_year(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["timeliness"], "设备采购完成时间", "2024年12月前")]
    [finding] = of(check(rows, context(cost_first)), "E9")
    assert finding.message == ("“设备采购完成时间”的时间 2024年12月前（2024年12月31日）不在预算年度（2025年）内："
                               "请改为预算年度（2025年）内的时间，如“2025年12月底前”。")


def test_e9_deadlines_inside_the_year_pass(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["timeliness"], "经费支出完成时间", "第4季度"),
                                       Row(cost_first["timeliness"], "项目时间", "2025年1至12月份"),
                                       Row(cost_first["timeliness"], "验收时间", "在 2025 年 12 月 15 日前")]
    assert not of(check(rows, context(cost_first)), "E9")


@pytest.mark.parametrize("value, inside", [
    ("2025.03-2025.10", True), ("2025年3月至2025年10月", True), ("202503-202510", True), ("2025年3月-10月", True),
    ("2025.10", True), ("2024.07-2025.06", False), ("2025年3月-2026年6月", False),
])
def test_e9_periods_are_checked_at_both_ends(cost_first, value, inside):
    rows = complete_set(cost_first) + [Row(cost_first["timeliness"], "项目实施期", value)]
    findings = of(check(rows, context(cost_first)), "E9")
    assert (findings == []) == inside
    if not inside:
        day = "2024年7月1日" if value.startswith("2024") else "2026年6月30日"
        assert findings[0].message.startswith(f"“项目实施期”的时间 {value}（{day}）不在预算年度（2025年）内：")
        example = "2025年1月至6月" if value.startswith("2024") else "2025年3月至12月"
        assert findings[0].message.endswith(f"请改为预算年度（2025年）内的时间，如“{example}”。")


def test_e9_a_period_across_years_fits_a_project_period(cost_first):
    ctx = context(cost_first, periods=("implementation",), period_start=datetime.date(2025, 3, 1),
                  period_end=datetime.date(2026, 6, 30))
    rows = complete_set(cost_first, "implementation") + [
        Row(cost_first["timeliness"], "工程建设工期", "2025年3月-2026年6月", "implementation")]
    assert not of(check(rows, ctx), "E9")


def test_e9_implementation_set_uses_the_project_period(cost_first):
    ctx = context(cost_first, periods=("implementation", "annual"), period_years=3)
    rows = complete_set(cost_first, "implementation") + complete_set(cost_first)
    rows += [Row(cost_first["timeliness"], "平台建成时间", "2027年6月前", "implementation"),
             Row(cost_first["timeliness"], "平台建成时间", "2027年6月前", "annual")]
    [finding] = of(check(rows, ctx), "E9")
    assert finding.row == rows[-1].pk and "预算年度（2025年）" in finding.message
    late = [Row(cost_first["timeliness"], "平台运维时间", "2028年3月前", "implementation")]
    [finding] = of(check(rows[:-1] + late, ctx), "E9")
    assert "不在项目期（2025年1月1日至2027年12月31日）内" in finding.message
    assert finding.message.endswith("如“2027年3月底前”。")


def test_e9_start_of_a_period_and_impossible_dates(cost_first):
    ctx = context(cost_first, periods=("implementation", "annual"), period_start=datetime.date(2025, 3, 1),
                  period_end=datetime.date(2025, 12, 31))
    rows = complete_set(cost_first) + complete_set(cost_first, "implementation")
    rows += [Row(cost_first["timeliness"], "项目时间", "2025年1至12月份", "implementation"),
             Row(cost_first["timeliness"], "验收时间", "2025-02-30", "annual")]
    messages = [f.message for f in of(check(rows, ctx), "E9")]
    assert messages == [
        "“项目时间”的时间 2025年1至12月份（2025年1月1日）不在项目期（2025年3月1日至2025年12月31日）内："
        "请改为项目期（2025年3月1日至2025年12月31日）内的时间，如“2025年3月至12月”。",
        "“验收时间”的时间 2025-02-30 不是有效的日期，请核实。",
    ]


# --- A12 cost total, A14 money unit -------------------------------------------------------------------------

def test_a12_cost_sum_over_the_budget(cost_first):
    rows = without(complete_set(cost_first), "economic_cost") + [
        Row(cost_first["economic_cost"], "培训经费", "≤28万元"),
        Row(cost_first["economic_cost"], "资料印制费", "≤50000元"),
        Row(cost_first["economic_cost"], "经费下限", "≥10万元"),  # a floor: not part of the sum
    ]
    findings = check(rows, context(cost_first))
    assert [f.message for f in of(findings, "A12")] == [
        "年度成本指标金额合计 33万元（2 条），超过年度资金总额 30万元。"]
    assert of(findings, "A12")[0].severity == Severity.ERROR


def test_a12_counts_the_high_end_of_a_cost_range(cost_first):
    rows = without(complete_set(cost_first), "economic_cost") + [
        Row(cost_first["economic_cost"], "培训经费", "20-32万元")]
    [finding] = of(check(rows, context(cost_first)), "A12")
    assert finding.message == "年度成本指标金额合计 32万元（1 条），超过年度资金总额 30万元。"


def test_a12_reads_a_bare_wan_on_a_cost_as_money(cost_first):
    rows = without(complete_set(cost_first), "economic_cost") + [Row(cost_first["economic_cost"], "培训经费", "≤35万")]
    findings = check(rows, context(cost_first))
    assert codes(findings) == {"A12"}  # 35万元 over the 30万元 budget; no E6, no A14


def test_a12_tolerance_and_missing_totals(cost_first):
    rows = complete_set(cost_first)  # ≤30万元
    assert not of(check(rows, context(cost_first, budget_totals={"annual": Decimal("29.99")})), "A12")
    assert of(check(rows, context(cost_first, budget_totals={"annual": Decimal("29.98")})), "A12")
    assert not of(check(rows, context(cost_first, budget_totals={"annual": None})), "A12")
    assert not of(check(rows, context(cost_first, budget_totals={})), "A12")


def test_a14_money_in_another_unit(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["economic_cost"], "资料印制费", "≤3000元")]
    [finding] = of(check(rows, context(cost_first)), "A14")
    assert finding.message == "“资料印制费”的指标值单位“元”与申报表金额单位“万元”不一致：请换算为万元，写成“≤0.3万元”。"
    assert of(check(complete_set(cost_first), context(cost_first, money_unit="元")), "A14")


def test_a14_compound_units_are_unit_costs(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["economic_cost"], "人均培训成本", "≤50元/人次")]
    assert not of(check(rows, context(cost_first)), "A14")


# --- W3 satisfaction -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, reason", [("≥78.86%", "低于 80%"), ("≥90.125%", "小数超过 2 位")])
def test_w3_satisfaction_low_or_too_precise(cost_first, value, reason):
    rows = complete_set(cost_first) + [Row(cost_first["other_satisfaction"], "医共体职工满意度", value)]
    [finding] = check(rows, context(cost_first))
    assert (finding.code, finding.severity) == ("W3", Severity.WARNING)
    assert finding.message == f"“医共体职工满意度”的指标值 {value} {reason}，请核实。"


def test_w3_usual_satisfaction_passes(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["other_satisfaction"], "职工满意度", "≥85.5%")]
    assert not of(check(rows, context(cost_first)), "W3")


# --- W4 measurable values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, name, value, text", [
    ("ecological_benefit", "为卫生健康事业发展提供良好环境", "为卫生健康事业发展提供良好环境", "与指标名称相同"),
    ("quality", "有效保障医院正常运转", "有效保障", "重复了指标名称"),
    ("quality", "医院运行情况", "有效提高", "表述笼统"),
    ("quantity", "服务能力", "不断提升", "表述笼统"),
])
def test_w4_value_restates_the_name_or_is_vague(cost_first, code, name, value, text):
    rows = complete_set(cost_first) + [Row(cost_first[code], name, value)]
    [finding] = of(check(rows, context(cost_first)), "W4")
    assert text in finding.message


def test_w4_measurable_or_elsewhere_passes(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["quality"], "平均住院日", "较上年降低"),
                                       Row(cost_first["social_benefit"], "医疗服务质量", "有效提高"),
                                       Row(cost_first["quality"], "覆盖率达到100%", "100%")]
    assert not of(check(rows, context(cost_first)), "W4")


# --- W5 classification ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("code, name, value, text", [
    ("quantity", "医疗服务收入占比", "≥31.06%", "不宜放在数量指标下"),
    ("quality", "报告上报及时率", "≥95%", "应放在时效指标下"),
    ("timeliness", "诊疗人次占比", "≥65%", "不是时间要求"),
    ("economic_benefit", "节约资金", "≥10万元", "资金投入不是效益"),
    ("ecological_benefit", "慢病患者管理率", "≥60%", "与生态环境无关"),
    ("beneficiary_satisfaction", "收支平衡的医院数比例", "较上年提高", "不是满意度"),
    ("quality", "设备完好率", "≥95台", "应以 % 表示"),
    ("social_benefit", "2024年底完成医共体建设评审", "按年度完成", "早于预算年度（2025年）"),
])
def test_w5_classification_heuristics(cost_first, code, name, value, text):
    rows = complete_set(cost_first) + [Row(cost_first[code], name, value)]
    findings = of(check(rows, context(cost_first)), "W5")
    assert [text in f.message for f in findings] == [True]
    assert findings[0].field == "name"


def test_w5_well_placed_rows_pass(cost_first):
    rows = complete_set(cost_first) + [
        Row(cost_first["ecological_benefit"], "医疗废物规范处置率", "100%"),
        Row(cost_first["timeliness"], "资金拨付到位时长", "≤1个月"),
        Row(cost_first["timeliness"], "技术帮扶频次", "≥1次/半年"),
        Row(cost_first["quality"], "孕产妇死亡率", "≤12/100000"),
        Row(cost_first["social_benefit"], "门诊量", "较2024年提高"),
    ]
    assert not of(check(rows, context(cost_first)), "W5")


# --- W6 cost in money ----------------------------------------------------------------------------------------

def test_w6_no_money_cost_and_qualitative_cost(cost_under_output):
    rows = without(complete_set(cost_under_output), "output_cost") + [
        Row(cost_under_output["output_cost"], "为百姓提供卫生健康保障减少医疗成本", "有明显帮助")]
    findings = of(check(rows, context(cost_under_output)), "W6")
    assert [f.row for f in findings] == [None, rows[-1].pk]
    assert findings[0].message == "年度指标中没有以金额表示的成本指标（如“≤30万元”“≤50元/人次”），请补充。"
    assert "有明显帮助" in findings[1].message


def test_w6_unit_costs_count_as_money(cost_under_output):
    rows = without(complete_set(cost_under_output), "output_cost") + [
        Row(cost_under_output["output_cost"], "一般诊疗费", "10 元/人次")]
    assert not of(check(rows, context(cost_under_output, money_unit="元")), "W6")


# --- W7 count ------------------------------------------------------------------------------------------------

def test_w7_too_few_or_too_many(cost_first):
    rows = complete_set(cost_first)  # six applicable rows
    assert not of(check(rows, context(cost_first, kind="department")), "W7")
    [finding] = of(check(rows[1:], context(cost_first, kind="department")), "W7")
    assert finding.message == "年度指标共 5 条（不含“不适用”），部门整体绩效目标一般设 6–30 条。"
    many = rows + [Row(cost_first["quantity"], f"培训班{i}期数", "≥1期") for i in range(20)]
    assert of(check(many, context(cost_first)), "W7")  # 26 > 25 for a project


# --- W8 implementation vs annual -----------------------------------------------------------------------------

def test_w8_one_year_project_sets_differ(cost_first):
    ctx = context(cost_first, periods=("implementation", "annual"), one_year=True)
    rows = complete_set(cost_first, "implementation") + complete_set(cost_first)
    assert not of(check(rows, ctx), "W8")
    rows.append(Row(cost_first["sustainable_impact"], "医保经办能力", "较上年提高"))
    [finding] = of(check(rows, ctx), "W8")
    assert finding.message == "一年期项目的实施期指标与年度指标应当一致，但两者不同（仅年度有“医保经办能力”）。"


def test_w8_multi_year_project_sets_identical(cost_first):
    ctx = context(cost_first, periods=("implementation", "annual"), period_years=3)
    rows = complete_set(cost_first, "implementation") + complete_set(cost_first)
    assert "完全相同" in of(check(rows, ctx), "W8")[0].message
    rows[0] = replace(rows[0], value_text="≤90万元")
    assert not of(check(rows, ctx), "W8")
    assert not of(check(complete_set(cost_first), context(cost_first)), "W8")


# --- W11 duplicates ------------------------------------------------------------------------------------------

def test_w11_duplicate_names(cost_first):
    rows = complete_set(cost_first) + [Row(cost_first["quality"], "培训 考核合格率", "≥90%")]
    [finding] = of(check(rows, context(cost_first)), "W11")
    assert finding.row == rows[-1].pk and finding.message == "“培训 考核合格率”在年度指标中重复出现。"


def test_w11_same_name_in_the_other_set_is_fine(cost_first):
    ctx = context(cost_first, periods=("implementation", "annual"), one_year=True)
    assert not of(check(complete_set(cost_first, "implementation") + complete_set(cost_first), ctx), "W11")


# --- odd data ------------------------------------------------------------------------------------------------

def test_odd_rows_never_raise(cost_first):
    orphan = Category(code="quantity", name="数量指标")
    rows = [Row(orphan, None, None), Row(None, "", "1e999"), Row(cost_first["quality"], "比率", "9" * 400 + "%"),
            Row(cost_first["timeliness"], "时间", "第13季度"), Row(cost_first["economic_cost"], "经费", "≤1e999万元")]
    ctx = IndicatorContext(categories=list(cost_first.values()), kind="other", year=2025, money_unit="")
    assert codes(check(rows, ctx)) >= {"E6", "E7"}
    assert [f.message for f in check([], ctx)] == ["年度绩效指标为空，请按指标体系填写三级指标。"]
    assert [f.code for f in check([], context(cost_first, budget_totals={}))] == ["E5"]


alphabet = "0123456789.%万元年月日季度≥≤<>=不适用有效提高率满意度增长 -e/人次"
texts = st.one_of(st.none(), st.text(alphabet, max_size=12),
                  st.sampled_from(["不适用", "", "1e999", "≥78.86%", "2025年底", "2025-02-30", "9" * 40 + "万元"]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_rows_never_raise(cost_first, cost_under_output, data):
    cats = data.draw(st.sampled_from([cost_first, cost_under_output]))
    category = st.one_of(st.sampled_from(list(cats.values())), st.just(None),
                         st.just(Category(code="quality", name="质量指标")))
    row = st.builds(Row, category, texts, texts, st.sampled_from(["annual", "implementation", ""]),
                    st.text(max_size=3), st.one_of(st.none(), st.integers(1, 10**6)), st.booleans())
    ctx = IndicatorContext(
        categories=list(cats.values()),
        kind=data.draw(st.sampled_from(["department", "project", ""])),
        year=data.draw(st.integers(1, 9999)),
        money_unit=data.draw(st.sampled_from(["万元", "元", "wan", ""])),
        periods=data.draw(st.sampled_from([("annual",), ("implementation", "annual"), ()])),
        budget_totals=data.draw(st.dictionaries(st.sampled_from(["annual", "implementation"]),
                                                st.one_of(st.none(), st.decimals(allow_nan=True)))),
        period_start=data.draw(st.one_of(st.none(), st.dates())),
        period_end=data.draw(st.one_of(st.none(), st.dates())),
        period_years=data.draw(st.one_of(st.none(), st.integers(0, 20000))),
        one_year=data.draw(st.booleans()),
        serves_beneficiaries=data.draw(st.booleans()),
    )
    findings = check_indicators(data.draw(st.lists(row, max_size=12)), ctx)
    assert all(f.code and f.message for f in findings)


# --- the seed filings ----------------------------------------------------------------------------------------

def filing_context(filing) -> IndicatorContext:
    project = filing.project if filing.kind == "project" else None
    if project:
        totals = {"annual": project.annual_total, "implementation": project.implementation_total}
    else:
        totals = {"annual": filing.department.expenditure_total}
    return IndicatorContext(
        categories=list(Category.objects.select_related("parent").filter(scheme=filing.scheme)),
        kind=filing.kind,
        year=filing.year,
        money_unit=filing.get_money_unit_display(),
        periods=tuple(filing.variant.indicator_periods()),
        budget_totals={period: from_yuan(total, filing.money_unit) for period, total in totals.items()},
        period_start=project.start_date if project else None,
        period_end=project.end_date if project else None,
        period_years=project.period_years if project else None,
        one_year=bool(project and (project.recurrence == "one_off" or project.period_years == 1)),
        serves_beneficiaries=not filing.no_direct_beneficiaries,
    )


def seed_findings(filing, ctx=None):
    return check_indicators(list(filing.indicator_rows()), ctx or filing_context(filing))


def test_seed_codes_per_filing(demo):
    expected = {
        "s0-dept": {"E10", "W3", "W5"},
        "s1-dept": {"E10", "W4", "W5"},
        "s1-proj1": {"E10", "W4", "W5"},
        "s2-dept": {"W7"},
        "s3-proj1": {"E5", "W6", "W8"},
        "s3-proj2": {"W6"},
        "s3-proj3": {"W6", "W8"},
        "s3-proj4": {"E5", "W4", "W6", "W8"},
        "s3-proj5": {"E5", "W4", "W6"},
        "s4-dept": {"W4", "W6"},
        "s4-proj1": {"W4", "W5", "W6"},
        "s4-proj2": {"W4", "W6"},
    }
    assert {key: codes(seed_findings(filing)) for key, filing in demo.items()} == expected


def test_seed_000_blank_costs_and_low_satisfaction(demo):
    findings = seed_findings(demo["s0-dept"])
    assert [f.message for f in of(findings, "E10")] == [
        "年度指标中“社会成本指标”未填写：请填写三级指标，不涉及的请注明“不适用”。",
        "年度指标中“生态环境成本指标”未填写：请填写三级指标，不涉及的请注明“不适用”。",
    ]
    assert [f.message for f in of(findings, "W3")] == ["“医共体职工满意度”的指标值 ≥78.86% 低于 80%，请核实。"]
    assert any("2025年" in f.message for f in of(findings, "W5"))
    assert not of(findings, "E9")  # the date is in the name: a warning, not a deadline error


@pytest.mark.parametrize("key", ["s3-proj4", "s3-proj5"])
def test_seed_003_forms_4_and_5_have_no_cost_indicator(demo, key):
    assert [f.message for f in of(seed_findings(demo[key]), "E5")] == [
        "实施期指标中“成本指标”至少需要一条三级指标（不能为空或全部为“不适用”）。",
        "年度指标中“成本指标”至少需要一条三级指标（不能为空或全部为“不适用”）。",
    ]


def test_seed_003_form_1_sets_differ(demo):
    [finding] = of(seed_findings(demo["s3-proj1"]), "W8")
    assert "仅年度有“公立医院百元医”、“公立医院万元收”" in finding.message


def test_seed_004_tautologies_and_qualitative_cost(demo):
    findings = seed_findings(demo["s4-dept"])
    assert sorted(f.message for f in of(findings, "W4")) == [
        "“为卫生健康事业发展提供良好环境”的指标值与指标名称相同，无法衡量，请填写可衡量的目标值。",
        "“卫生健康事业可持续发展”的指标值与指标名称相同，无法衡量，请填写可衡量的目标值。",
    ]
    assert any("有明显帮助" in f.message for f in of(findings, "W6"))


def test_seed_001_cost_sum_equals_the_expenditure_total(demo):
    filing = demo["s1-dept"]
    ctx = filing_context(filing)
    assert ctx.budget_totals["annual"] == Decimal("494.95")
    assert not of(seed_findings(filing, ctx), "A12")
    tighter = replace(ctx, budget_totals={"annual": Decimal("494.93")})
    assert [f.message for f in of(seed_findings(filing, tighter), "A12")] == [
        "年度成本指标金额合计 494.95万元（2 条），超过年度预算总额 494.93万元。"]


def test_seed_002_uses_not_applicable_correctly(demo):
    assert not of(seed_findings(demo["s2-dept"]), "E5")

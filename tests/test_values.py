"""Parsing and formatting of 指标值 (indicators/values.py): every value printed in the five seed filings,
the OCR and notation variants, deadlines, and property tests."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.values import (
    MEASURE_WORDS,
    UNITS,
    Deadline,
    Target,
    TargetKind,
    format_target,
    normalize_operator,
    parse_target,
)

QN, QL, TM = TargetKind.QUANTITATIVE, TargetKind.QUALITATIVE, TargetKind.TIME


def qn(operator, number, unit="", remainder=""):
    return (QN, operator, Decimal(number), unit, remainder)


QUALITATIVE = (QL, "", None, "", "")
TIME = (TM, "", None, "", "")

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"

# Every distinct 指标值 and 绩效标准 in the indicator tables of seeds/000…004, exactly as printed
# (test_seed_table_is_complete checks this against the seed files).
SEED_VALUES = {
    "": (TargetKind.EMPTY, "", None, "", ""),  # blank cells
    # 000 九江市柴桑区总医院 (2026)
    "636.17万元": qn("=", "636.17", "万元"),
    "≥31.06%": qn("≥", "31.06", "%"),
    "16人": qn("=", "16", "人"),
    "≥75%": qn("≥", "75", "%"),
    "≥12.9%": qn("≥", "12.9", "%"),
    "≥16%": qn("≥", "16", "%"),
    "≥65%": qn("≥", "65", "%"),
    "按年度完成": QUALITATIVE,
    "<10%,或较上年降低": qn("<", "10", "%", "或较上年降低"),
    "≥60%": qn("≥", "60", "%"),
    "≥36.9%": qn("≥", "36.9", "%"),
    "较上年提高": QUALITATIVE,
    "≥78.86%": qn("≥", "78.86", "%"),
    # 001 九江市柴桑区医疗保障局 (2025): 部门整体
    "≦47.75万元": qn("≤", "47.75", "万元"),
    "≦447.2万元": qn("≤", "447.2", "万元"),
    "≥6次": qn("≥", "6", "次"),
    "≥200人次": qn("≥", "200", "人次"),
    "≥2000份": qn("≥", "2000", "份"),
    "≥4次": qn("≥", "4", "次"),
    "合规": QUALITATIVE,
    "健全并有效执行": QUALITATIVE,
    "按时上报": QUALITATIVE,
    "畅通": QUALITATIVE,
    "高效": QUALITATIVE,
    "及时": QUALITATIVE,
    "有效保障": QUALITATIVE,
    "≥95%": qn("≥", "95", "%"),
    # 001: 项目
    "≤30万元": qn("≤", "30", "万元"),
    "≧20项": qn("≥", "20", "项"),
    "≧16项": qn("≥", "16", "项"),
    "≧1人": qn("≥", "1", "人"),
    "≧2人": qn("≥", "2", "人"),
    "≥1人": qn("≥", "1", "人"),
    "100%": qn("=", "100", "%"),
    "内部管理制度健全": QUALITATIVE,
    "及时开展培训": QUALITATIVE,
    "及时完成建设": QUALITATIVE,
    "有效提高": QUALITATIVE,
    "有效提升": QUALITATIVE,
    # 002 深圳市大鹏新区医疗健康集团 (2023), 表12
    "≥ 3 个模块": qn("≥", "3", "个模块"),
    "≥ 1 个": qn("≥", "1", "个"),
    "≥ 2 个": qn("≥", "2", "个"),
    "≥ 10 人": qn("≥", "10", "人"),
    "≥ 13 人": qn("≥", "13", "人"),
    "≥ 3 项": qn("≥", "3", "项"),
    "≥ 2 批次": qn("≥", "2", "批次"),
    "≥ 15 万人次": qn("≥", "15", "万人次"),
    "≥ 3 人": qn("≥", "3", "人"),
    "≥ 75 个": qn("≥", "75", "个"),
    "≥ 23 家": qn("≥", "23", "家"),
    "≥ 500 人": qn("≥", "500", "人"),
    "≥ 100 人": qn("≥", "100", "人"),
    "≥ 120 人": qn("≥", "120", "人"),
    "≥ 8 人": qn("≥", "8", "人"),
    "≥90%": qn("≥", "90", "%"),
    ">90%": qn(">", "90", "%"),
    "≥80 分": qn("≥", "80", "分"),
    "在 2023 年 12 月前": TIME,
    "2023 年四季度": TIME,
    "在 2023 年 12 月 15 日前": TIME,
    "2023 年第 4 季度": TIME,
    "第 4 季度": TIME,
    "6 月份前": TIME,
    "≥1 次/半年": qn("≥", "1", "次/半年"),
    "2023 年 1 季度前": TIME,
    "10 元/人次": qn("=", "10", "元/人次"),
    "≤40000 元/家/年": qn("≤", "40000", "元/家/年"),
    "≤169000 元/人/年（平均）": qn("≤", "169000", "元/人/年", "（平均）"),
    "50000 元/人/年": qn("=", "50000", "元/人/年"),
    "60000 元/人/年": qn("=", "60000", "元/人/年"),
    "≤100%": qn("≤", "100", "%"),
    "5.6 元/人次": qn("=", "5.6", "元/人次"),
    "≤330 万元": qn("≤", "330", "万元"),
    "≤320 万元": qn("≤", "320", "万元"),
    "不适用": (TargetKind.NOT_APPLICABLE, "", None, "", ""),
    "有效加强": QUALITATIVE,
    "提高": QUALITATIVE,
    "正常运行": QUALITATIVE,
    "不断提升": QUALITATIVE,
    "≥85%": qn("≥", "85", "%"),
    # 003 阳泉市第四人民医院 (2024), five project forms, 实施期 and 年度 columns
    "1个": qn("=", "1", "个"),
    "较上年降低": QUALITATIVE,
    "2024年1至12月份": TIME,
    "较上年下降": QUALITATIVE,
    "≥98%": qn("≥", "98", "%"),
    "256人/年": qn("=", "256", "人/年"),
    "214人/年": qn("=", "214", "人/年"),
    "256人": qn("=", "256", "人"),
    "214人": qn("=", "214", "人"),
    "按月发放": QUALITATIVE,
    "11月前发放": TIME,
    "按照四项工资（薪级，岗位，基础性": QUALITATIVE,
    "按照四项工资（薪级、岗位、基础性绩效、保留）100%标准补助": QUALITATIVE,
    "按照5600元，4480元，3920元，3360": QUALITATIVE,
    "按照5600元，4480元，3920元，3360元四项标准发放": QUALITATIVE,
    "按照事业单位基本工资结构进行核算": QUALITATIVE,
    "按照事业单位基本工资结构进行核算发放": QUALITATIVE,
    "按照5600元、3920元、4480元、3360元标准发放": QUALITATIVE,
    "≥97%": qn("≥", "97", "%"),
    "资金下达后": QUALITATIVE,
    "4358.85平方米": qn("=", "4358.85", "平方米"),
    # 004 沅江市卫生健康局 (2024): 部门整体
    "≧548000人": qn("≥", "548000", "人"),
    "≧10656人": qn("≥", "10656", "人"),
    "全市医疗机构基本配置": QUALITATIVE,
    "≤12/100000": qn("≤", "12", "/100000"),
    "有明显帮助": QUALITATIVE,
    "≤1个月": qn("≤", "1", "个月"),
    "促进区域经济稳定发展": QUALITATIVE,
    "≥22次/年": qn("≥", "22", "次/年"),
    "为卫生健康事业发展提供良好环境": QUALITATIVE,
    "卫生健康事业可持续发展": QUALITATIVE,
    "≧90%": qn("≥", "90", "%"),
    # 004: two project forms (指标值 and 绩效标准 columns)
    "≥41400 人": qn("≥", "41400", "人"),
    "≥14800 人": qn("≥", "14800", "人"),
    "按时间进行": QUALITATIVE,
    "\u3000降低": QUALITATIVE,
    "促进经济稳定发展": QUALITATIVE,
    "不断提高": QUALITATIVE,
    "\u3000≥90%": qn("≥", "90", "%"),
    "19050万平方米": qn("=", "19050", "万平方米"),
    "260770人次": qn("=", "260770", "人次"),
    "维持零报告": QUALITATIVE,
    "降低": QUALITATIVE,
    "均得到救助治疗": QUALITATIVE,
    "环境中未查获感染性钉螺": QUALITATIVE,
}

# OCR damage and the other notations the parser accepts.
VARIANT_VALUES = {
    "405. 7": qn("=", "405.7"),
    "528. 02": qn("=", "528.02"),
    "494. 95万元": qn("=", "494.95", "万元"),
    "23,467,700元": qn("=", "23467700", "元"),
    "1,000": qn("=", "1000"),
    "550,000": qn("=", "550000"),
    "不低于95%": qn("≥", "95", "%"),
    "不少于 3 次": qn("≥", "3", "次"),
    "至少3个": qn("≥", "3", "个"),
    "大于等于80分": qn("≥", "80", "分"),
    "不超过30万元": qn("≤", "30", "万元"),
    "不高于5%": qn("≤", "5", "%"),
    "小于等于5%": qn("≤", "5", "%"),
    "超过90%": qn(">", "90", "%"),
    "高于90%": qn(">", "90", "%"),
    "低于5%": qn("<", "5", "%"),
    "小于1‰": qn("<", "1", "‰"),
    "等于100%": qn("=", "100", "%"),
    "30万元以内": qn("≤", "30", "万元"),
    "95%以上": qn("≥", "95", "%"),
    "10人及以上": qn("≥", "10", "人"),
    "3次以下": qn("≤", "3", "次"),
    "≥95%以上": qn("≥", "95", "%"),
    ">=90%": qn("≥", "90", "%"),
    "<=90%": qn("≤", "90", "%"),
    "＞＝90％": qn("≥", "90", "%"),
    "＞ ＝ 90 ％": qn("≥", "90", "%"),
    "＜10％": qn("<", "10", "%"),
    "＝100％": qn("=", "100", "%"),
    "≥９５％": qn("≥", "95", "%"),
    "12/100000": qn("=", "12", "/100000"),
    "47.750万元": qn("=", "47.75", "万元"),
    "0.50%": qn("=", "0.5", "%"),
    "100%标准补助": qn("=", "100", "%", "标准补助"),
    "<10%或较上年降低": qn("<", "10", "%", "或较上年降低"),
    "≥5 kg": qn("≥", "5", "千克"),
    "不 适 用": (TargetKind.NOT_APPLICABLE, "", None, "", ""),
    "\u3000": (TargetKind.EMPTY, "", None, "", ""),
    "  \t\n": (TargetKind.EMPTY, "", None, "", ""),
    "2025年底": TIME,
    "2025年底完成紧密型县域医共体建设评审": TIME,
    "三季度": TIME,
    "十二月前": TIME,
    "2023.12.31前": TIME,
    "≥有效提高": QUALITATIVE,
    "不低于上年": QUALITATIVE,
    "第一名": QUALITATIVE,
    # The unit is a known unit or measure word; the text after it is the remainder.
    "≥100人次完成培训工作": qn("≥", "100", "人次", "完成培训工作"),
    "3个月内完成全部建设任务并通过验收": qn("=", "3", "个月", "内完成全部建设任务并通过验收"),
    "≥3位专家": qn("≥", "3", "位", "专家"),
    "≥3只": qn("≥", "3", "只"),
    "≥3个项目": qn("≥", "3", "个", "项目"),
    "≥2家医院": qn("≥", "2", "家", "医院"),
    "3完成": qn("=", "3", "", "完成"),
    "5 kgs": qn("=", "5", "kgs"),  # an unknown Latin unit, kept as written
    "≥5km": qn("≥", "5", "公里"),
    "≤2 m²": qn("≤", "2", "平方米"),
    "≤12/10万人": qn("≤", "12", "/10万人"),
    "≥1次/季度": qn("≥", "1", "次/季度"),
    "10万人次以上": qn("≥", "10", "万人次"),
    "≥22次/年，全年覆盖": qn("≥", "22", "次/年", "全年覆盖"),
    "≤30万元/年": qn("≤", "30", "万元/年"),
    "≤5元/人次以内": qn("≤", "5", "元/人次"),
    # "，" between a digit and exactly three digits is a thousands separator; elsewhere it is punctuation.
    "1，234万元": qn("=", "1234", "万元"),
    "1，234，567元": qn("=", "1234567", "元"),
    "≥1，234 人": qn("≥", "1234", "人"),
    "1，234": qn("=", "1234"),
    "1，2345": qn("=", "1", "", "2345"),
    "5，12元": qn("=", "5", "", "12元"),
    "5、123": qn("=", "5", "", "123"),
    "12/100000、123": qn("=", "12", "/100000", "123"),
    # Negative numbers (growth rates may fall).
    "≥-5%": qn("≥", "-5", "%"),
    "-3%": qn("=", "-3", "%"),
    "－3%": qn("=", "-3", "%"),
    "≥ −2.50 %": qn("≥", "-2.5", "%"),
    "不低于-5%": qn("≥", "-5", "%"),
    "-1，500万元": qn("=", "-1500", "万元"),
    "-0": qn("=", "0"),
    "--5%": QUALITATIVE,
    # Quantitative values start with the operator or the number; a leading phrase keeps the value qualitative.
    "较上年下降-2%": QUALITATIVE,
}


def fields(target):
    return (target.kind, target.operator, target.number, target.unit, target.remainder)


@pytest.mark.parametrize(("text", "expected"), [*SEED_VALUES.items(), *VARIANT_VALUES.items()])
def test_parses_every_seed_value_and_notation(text, expected):
    target = parse_target(text)
    assert fields(target) == expected
    assert target.is_quantitative == (expected[0] == QN)
    assert (target.deadline is not None) == (expected[0] == TM)
    assert parse_target(format_target(target)) == target


def _seed_values():
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for indicator in node.get("indicators", ()):
                found.update(indicator[key] for key in ("value", "standard") if key in indicator)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    for path in sorted(SEEDS.glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def test_seed_table_is_complete():
    printed = _seed_values()
    assert len(printed) > 100  # the seed files were found and read
    missing = sorted(value for value in printed if value not in SEED_VALUES)
    assert not missing, f"seed values with no case in SEED_VALUES: {missing}"


def test_every_unit_is_read_whole_and_ends_before_the_remainder():
    for unit in sorted(UNITS | MEASURE_WORDS):
        assert fields(parse_target(f"≥3{unit}完成")) == qn("≥", "3", unit, "完成"), unit
        assert fields(parse_target(f"≥3{unit}")) == qn("≥", "3", unit), unit


def test_none_is_empty():
    assert parse_target(None) == Target(TargetKind.EMPTY, "", None, "", "")


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("≥ 3 个模块", "≥3个模块"),
        ("≦47.75万元", "≤47.75万元"),
        ("≤169000 元/人/年（平均）", "≤169000元/人/年（平均）"),
        ("<10%,或较上年降低", "<10%，或较上年降低"),
        ("　≥90%", "≥90%"),
        ("不低于95%", "≥95%"),
        ("30万元以内", "≤30万元"),
        ("100%", "100%"),
        ("=100%", "100%"),
        ("47.750万元", "47.75万元"),
        ("100.00%", "100%"),
        ("0.50", "0.5"),
        ("23,467,700元", "23467700元"),
        ("=6月", "=6月"),
        ("在 2023 年 12 月 15 日前", "在2023年12月15日前"),
        ("2023 年第 4 季度", "2023年第4季度"),
        ("　降低", "降低"),
        ("按照5600元，4480元，3920元，3360", "按照5600元，4480元，3920元，3360"),
        ("不 适 用", "不适用"),
        ("　", ""),
        ("≥100人次完成培训工作", "≥100人次，完成培训工作"),
        ("3个月内完成全部建设任务并通过验收", "3个月，内完成全部建设任务并通过验收"),
        ("1，234万元", "1234万元"),
        ("5、123", "5；123"),
        ("5，12元", "5；12元"),
        ("≥ −2.50 %", "≥-2.5%"),
        ("－3%", "-3%"),
        ("-0.00", "0"),
    ],
)
def test_format_writes_canonical_text(text, canonical):
    target = parse_target(text)
    assert format_target(target) == canonical == target.text


def test_format_writes_decimals_plainly():
    target = Target(TargetKind.QUANTITATIVE, "≥", Decimal("1E+2"), "%", "")
    assert format_target(target) == "≥100%"
    assert format_target(Target(TargetKind.QUANTITATIVE, "≤", Decimal("1E-7"), "", "")) == "≤0.0000001"
    assert format_target(Target(TargetKind.QUANTITATIVE, "≥", Decimal("-5.0"), "%", "")) == "≥-5%"


def test_a_remainder_starting_with_digits_is_not_joined_as_a_thousands_group():
    target = parse_target("≥5、123元")
    assert fields(target) == qn("≥", "5", "", "123元")
    assert target.text == "≥5；123元"
    assert parse_target(target.text) == target


def test_bare_month_keeps_its_equals_sign():
    # "6月" alone is a deadline, so the quantitative "=6月" must keep its operator to stay a number
    assert parse_target("6月").kind == TM
    target = parse_target("=6月")
    assert fields(target) == qn("=", "6", "月")
    assert parse_target(target.text) == target


@pytest.mark.parametrize(
    ("text", "operator"),
    [
        ("≧", "≥"), ("≥", "≥"), (">=", "≥"), ("＞＝", "≥"), ("不低于", "≥"), ("不少于", "≥"), ("至少", "≥"),
        ("以上", "≥"), ("及以上", "≥"), ("大于等于", "≥"),
        ("≦", "≤"), ("<=", "≤"), ("不高于", "≤"), ("不超过", "≤"), ("以内", "≤"), ("及以下", "≤"),
        (">", ">"), ("＞", ">"), ("超过", ">"), ("大于", ">"),
        ("<", "<"), ("＜", "<"), ("低于", "<"), ("小于", "<"),
        ("=", "="), ("＝", "="), ("等于", "="), (" ≥ ", "≥"),
        ("", ""), ("有效", ""), ("≥≥", ""), ("95%", ""),
    ],
)  # fmt: skip
def test_normalize_operator(text, operator):
    assert normalize_operator(text) == operator


# --- deadlines -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "deadline", "default_year", "last_day"),
    [
        ("在 2023 年 12 月前", Deadline(2023, 12, None, None), None, datetime.date(2023, 12, 31)),
        ("在 2023 年 12 月 15 日前", Deadline(2023, 12, 15, None), None, datetime.date(2023, 12, 15)),
        ("2023 年四季度", Deadline(2023, None, None, 4), None, datetime.date(2023, 12, 31)),
        ("2023 年第 4 季度", Deadline(2023, None, None, 4), 2020, datetime.date(2023, 12, 31)),
        ("2023 年 1 季度前", Deadline(2023, None, None, 1), None, datetime.date(2023, 3, 31)),
        ("2023年第二季度", Deadline(2023, None, None, 2), None, datetime.date(2023, 6, 30)),
        ("三季度", Deadline(None, None, None, 3), 2024, datetime.date(2024, 9, 30)),
        ("第 4 季度", Deadline(None, None, None, 4), None, None),
        ("第 4 季度", Deadline(None, None, None, 4), 2023, datetime.date(2023, 12, 31)),
        ("6 月份前", Deadline(None, 6, None, None), 2023, datetime.date(2023, 6, 30)),
        ("6 月份前", Deadline(None, 6, None, None), None, None),
        ("2月底前", Deadline(None, 2, None, None), 2024, datetime.date(2024, 2, 29)),
        ("11月前发放", Deadline(None, 11, None, None), 2024, datetime.date(2024, 11, 30)),
        ("十二月前", Deadline(None, 12, None, None), 2024, datetime.date(2024, 12, 31)),
        ("2024年1至12月份", Deadline(2024, 12, None, None, start_month=1), None, datetime.date(2024, 12, 31)),
        ("2024年1月至6月", Deadline(2024, 6, None, None, start_month=1), None, datetime.date(2024, 6, 30)),
        ("2025年底", Deadline(2025, 12, None, None), None, datetime.date(2025, 12, 31)),
        ("2024年度", Deadline(2024, None, None, None), None, datetime.date(2024, 12, 31)),
        ("2023.12.31前", Deadline(2023, 12, 31, None), None, datetime.date(2023, 12, 31)),
        ("2023-6-1", Deadline(2023, 6, 1, None), None, datetime.date(2023, 6, 1)),
        ("2023年13月", Deadline(2023, 13, None, None), None, None),
        ("2023年0月", Deadline(2023, 0, None, None), None, None),
        ("2023年2月30日前", Deadline(2023, 2, 30, None), None, None),
        ("第5季度", Deadline(None, None, None, 5), 2023, None),
    ],
)
def test_deadline_last_day(text, deadline, default_year, last_day):
    target = parse_target(text)
    assert target.kind == TM
    assert target.deadline == deadline
    assert target.deadline.last_day(default_year) == last_day


def test_own_year_wins_over_default_year():
    assert parse_target("在2023年12月前").deadline.last_day(2026) == datetime.date(2023, 12, 31)


@pytest.mark.parametrize(
    "deadline",
    [Deadline(10**30, 1), Deadline(-5, 1), Deadline(0, 12), Deadline(99999, 12), Deadline(2023, day=5)],
)
def test_impossible_deadlines_have_no_last_day(deadline):
    assert deadline.last_day() is None


def test_durations_and_frequencies_are_quantities_not_deadlines():
    assert fields(parse_target("≤1个月")) == qn("≤", "1", "个月")
    assert fields(parse_target("6个月")) == qn("=", "6", "个月")
    assert fields(parse_target("≥1 次/半年")) == qn("≥", "1", "次/半年")


@pytest.mark.parametrize(
    "text",
    ["99999999999999999999999年13月", "1e999", "9" * 5000, "9" * 5000 + "年", "1." + "0" * 5000, "\ud800",
     "≥\udfff%", "≥1\ud800", "2023年\ud800月", "..", "≥.", "≥", "第", "年底", "在", "(", "（", "，",
     "0", "00.00"],
)  # fmt: skip
def test_odd_inputs_never_raise_and_stay_stable(text):
    target = parse_target(text)
    assert parse_target(format_target(target)) == target


# --- properties ------------------------------------------------------------------------------------------

TOKENS = [
    "≥", "≤", "≧", "≦", ">=", "<=", "＞＝", "＞", "＜", "＝", "=", ">", "<",
    "不低于", "不超过", "至少", "低于", "以上", "以内", "及以下",
    "在", "于", "年", "年度", "月", "份", "日", "季度", "第", "四", "十二", "前", "底", "至",
    "万元", "元/人次", "人", "次/半年", "个模块", "个月", "%", "％", "‰", "/", "/100000", "kg",
    "，", ",", "、", "；", "或", "且", "（平均）", "(", ")", "（", " ", "　", "\t", ".", "．", "-", "－", "−",
    "0", "1", "2", "9", "12", "2023", "000", "234", "０", "５", "不适用", "有效提高", "较上年降低", "e",
    "人次", "个", "项目", "完成", "只", "m²", "半年", "万人",
    "±", "约", "大约", "左右", "~", "～", "至", "之间", "万", "亿", "千", "吨", "羽", "KM", "t", "M", "㎡", "m2",
    "百分比", "百分之", "百分点", "个百分点", "·", "2025.03", "2025.10", "202503", "2026年", "3月", "10月", ".03",
    "abc", "kgs", "微克", "万元", "元/株", "/株",
]  # fmt: skip
token_soup = st.lists(st.sampled_from(TOKENS), max_size=10).map("".join)
SOUP_CHARS = "0123456789０５．.,，、；-－− 　≥≤≧≦<>=＞＜＝%％/ekgmKMt²()（）±~～·" + (
    "年月日季度第前底至到以上内下万亿千元人次个或且并不适用一二四十只完成约左右羽吨百分之点"
)
char_soup = st.text(st.sampled_from(SOUP_CHARS))
any_text = st.one_of(st.text(), st.text(st.characters(categories=["Cs", "Nd", "Lo", "Zs", "Sm", "Po"])))
values = st.one_of(token_soup, char_soup, any_text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.none(), st.text(), st.text(st.characters(categories=["Cs"]))))
def test_parse_never_raises(text):
    assert isinstance(parse_target(text), Target)


@settings(max_examples=600, deadline=None)
@given(values)
def test_format_then_parse_is_stable(text):
    target = parse_target(text)
    assert parse_target(format_target(target)) == target


@settings(max_examples=300, deadline=None)
@given(values)
def test_text_is_the_formatted_target_and_numbers_are_decimal(text):
    target = parse_target(text)
    assert target.text == format_target(target)
    assert target.number is None or type(target.number) is Decimal
    assert (target.number is not None) == target.is_quantitative
    assert target.is_quantitative == (target.operator != "")
    assert (target.deadline is not None) == (target.kind == TM)

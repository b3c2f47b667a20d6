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
    NameHint,
    Target,
    TargetKind,
    format_target,
    normalize_operator,
    parse_target,
    read_name,
    with_unit,
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
    "abc", "kgs", "微克", "万元", "元/株", "/株", "—", "–", "正负", "+/-", "+-", "ＫＭ",
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


# --- the open unit vocabulary, 万/亿, ranges, tolerances, approximations, periods (issue 14) -------------------

def shape(target):
    return (target.kind, target.operator, target.number, target.unit, target.remainder, target.high,
            target.tolerance, target.approximate)


def q(operator, number, unit="", remainder="", high=None, tolerance=False, approximate=False):
    return (QN, operator, Decimal(number), unit, remainder, None if high is None else Decimal(high), tolerance,
            approximate)


@pytest.mark.parametrize(("text", "expected"), [
    # known units in other spellings
    ("≥100百分比", q("≥", "100", "%")), ("百分之95", q("=", "95", "%")), ("不低于百分之九十", QUALITATIVE),
    ("≥80M", q("≥", "80", "米")), ("5KM", q("=", "5", "公里")), ("3t", q("=", "3", "吨")),
    ("2kg", q("=", "2", "千克")), ("100㎡", q("=", "100", "平方米")), ("50m2", q("=", "50", "平方米")),
    ("≥500m³", q("≥", "500", "立方米")), ("15cm", q("=", "15", "厘米")), ("≥2MW", q("≥", "2", "兆瓦")),
    ("10kg/户", q("=", "10", "千克/户")), ("≥2个百分点", q("≥", "2", "百分点")), ("1.5百分点", q("=", "1.5", "百分点")),
    # 万/亿/千 with any unit
    ("3万吨", q("=", "3", "万吨")), ("1.2万人次", q("=", "1.2", "万人次")), ("5亿元", q("=", "5", "亿元")),
    ("≥2万亩", q("≥", "2", "万亩")), ("≥50万尾", q("≥", "50", "万尾")), ("12万t", q("=", "12", "万吨")),
    ("3千人", q("=", "3", "千人")), ("≥1万kWh", q("≥", "1", "万千瓦时")), ("250万", q("=", "250", "万")),
    # unknown unit words kept as the unit; a phrase after a known unit is the remainder
    ("≥3000羽", q("≥", "3000", "羽")), ("0起", q("=", "0", "起")), ("≥35微克/立方米", q("≥", "35", "微克/立方米")),
    ("5羽以上", q("≥", "5", "羽")), ("3羽，全部成活", q("=", "3", "羽", "全部成活")),
    ("3羽（平均）", q("=", "3", "羽", "（平均）")),
    ("3羽毛球拍子", q("=", "3", "", "羽毛球拍子")), ("3完成培训", q("=", "3", "", "完成培训")),
    ("5以上", q("≥", "5")), ("≥1套系统", q("≥", "1", "套", "系统")), ("≤5个工作日", q("≤", "5", "个工作日")),
    ("500元/人·月", q("=", "500", "元/人·月")),
    # ranges: number is the low end, operator ≥
    ("90%-95%", q("≥", "90", "%", high="95")), ("90-95%", q("≥", "90", "%", high="95")),
    ("90%至95%", q("≥", "90", "%", high="95")), ("3~5个", q("≥", "3", "个", high="5")),
    ("3～5个", q("≥", "3", "个", high="5")), ("60%-80%之间", q("≥", "60", "%", high="80")),
    ("10至20人", q("≥", "10", "人", high="20")), ("2000-2500元/平方米", q("≥", "2000", "元/平方米", high="2500")),
    # not ranges: the high end below the low one, two units, an operator before it
    ("95%-90%", q("=", "95", "%", "-90%")), ("3个-5人", q("=", "3", "个", "-5人")),
    ("≥90%-95%", q("≥", "90", "%", "-95%")),
    # tolerances: operator ≤, number the deviation
    ("±5%以内", q("≤", "5", "%", tolerance=True)), ("±5%", q("≤", "5", "%", tolerance=True)),
    ("正负面清单", QUALITATIVE), ("90%—95%", q("≥", "90", "%", high="95")),
    ("正负10%以内", q("≤", "10", "%", tolerance=True)), ("+/-2cm", q("≤", "2", "厘米", tolerance=True)),
    ("±约5%", QUALITATIVE),
    # approximations
    ("约100人", q("=", "100", "人", approximate=True)), ("100人左右", q("=", "100", "人", approximate=True)),
    ("大约500份", q("=", "500", "份", approximate=True)), ("约100人以上", q("≥", "100", "人", approximate=True)),
    ("约3~5个", q("≥", "3", "个", high="5", approximate=True)),
    # operator words
    ("达到95%以上", q("≥", "95", "%")), ("控制在30万元以内", q("≤", "30", "万元")), ("达到100%", q("≥", "100", "%")),
])  # fmt: skip
def test_reads_values_as_people_write_them(text, expected):
    target = parse_target(text)
    assert shape(target) == (expected if len(expected) == 8 else (*expected, None, False, False))
    assert parse_target(target.text) == target


@pytest.mark.parametrize(("text", "canonical"), [
    ("90%-95%", "90~95%"), ("±5%以内", "±5%"), ("100人左右", "约100人"), ("约100人以上", "≥约100人"),
    ("约3~5个", "约3~5个"), ("≥80M", "≥80米"), ("正负10%以内", "±10%"), ("60%-80%之间", "60~80%"),
])  # fmt: skip
def test_new_shapes_have_a_canonical_text(text, canonical):
    assert parse_target(text).text == canonical


@pytest.mark.parametrize(("text", "deadline"), [
    ("2025.03-2025.10", Deadline(2025, 10, start_month=3)),
    ("2025年3月-10月", Deadline(2025, 10, start_month=3)),
    ("2025年3月至2025年10月", Deadline(2025, 10, start_month=3)),
    ("202503-202510", Deadline(2025, 10, start_month=3)),
    ("2025年3月-2026年6月", Deadline(2026, 6, start_month=3, start_year=2025)),
    ("2023.07-2024.01", Deadline(2024, 1, start_month=7, start_year=2023)),
    ("2025年1月1日-12月31日", Deadline(2025, 12, 31, start_month=1)),
    ("2025-03-01至2025-10-31", Deadline(2025, 10, 31, start_month=3)),
    ("2023-2025年", Deadline(2025, start_month=1, start_year=2023)),
    ("2025.10", Deadline(2025, 10)),
    ("2025年3月—2025年10月", Deadline(2025, 10, start_month=3)),
    ("2025年3—10月", Deadline(2025, 10, start_month=3)),
    ("2025.06前", Deadline(2025, 6)),
])
def test_periods_have_a_start_and_end_at_their_deadline(text, deadline):
    target = parse_target(text)
    assert target.kind == TM and target.deadline == deadline
    assert target.deadline.is_period == (deadline.start_month is not None)


def test_period_first_and_last_day():
    deadline = parse_target("2025年3月-2026年6月").deadline
    assert deadline.first_day() == datetime.date(2025, 3, 1)
    assert deadline.last_day() == datetime.date(2026, 6, 30)
    assert parse_target("第4季度").deadline.first_day(2025) is None  # a plain deadline has no start
    assert Deadline(2025, 6, start_month=13).first_day() is None


@pytest.mark.parametrize(("text", "expected"), [
    ("2025.3", q("=", "2025.3")),  # a one-digit "month" after a dot is a decimal
    ("2025.10万元", q("=", "2025.1", "万元")),  # a unit makes it a number
    ("1900-2000元", q("≥", "1900", "元", high="2000")),  # years are followed by 年, not 元
])
def test_numbers_that_look_like_dates(text, expected):
    assert shape(parse_target(text)) == expected


def test_a_date_is_not_read_as_a_period():
    assert parse_target("2023-6-1").deadline == Deadline(2023, 6, 1)
    assert parse_target("2023.12.31前").deadline == Deadline(2023, 12, 31)


@pytest.mark.parametrize(("value", "name", "expected"), [
    ("95", "受益脱贫户满意度（≥**%）", q("≥", "95", "%")),
    (">=85", "种植作物成活率(≥**%)", q("≥", "85", "%")),
    ("≥85%", "种植作物成活率(≥**%)", q("≥", "85", "%")),
    ("180", "项目总成本（≤**万元）", q("≤", "180", "万元")),
    ("45.6", "补助资金(万元)", q("=", "45.6", "万元")),
    ("≥300", "培训人次（人次）", q("≥", "300", "人次")),
    ("100", "验收合格率（＝**%）", q("=", "100", "%")),
    ("≤28.40/株", "黄金蜜(葡萄)补助成本(≤**元/株)", q("≤", "28.4", "元/株")),
    ("≤90", "覆盖率（≥**%）", q("≤", "90", "%")),  # the value's own operator wins
    ("90-95", "满意度（≥**%）", q("≥", "90", "%", high="95")),
    ("50", "项目(工程)验收合格率", q("=", "50")),  # (工程) is no unit
    ("50", "培训情况（平均）", q("=", "50")),
    ("250万", "控制在预算成本内", q("=", "250", "万元")),
    ("0.5万/人", "人均补助金额", q("=", "0.5", "万元/人")),
    ("1.2亿", "年度预算资金", q("=", "1.2", "亿元")),
    ("250万", "服务人口", q("=", "250", "万")),
    ("3万吨", "项目总成本", q("=", "3", "万吨")),
])
def test_the_name_supplies_what_a_bare_number_lacks(value, name, expected):
    target = parse_target(value, name)
    assert shape(target) == expected
    assert parse_target(target.text) == target  # the reading is written out whole: no name needed to read it back


def test_name_hints():
    assert read_name("项目总成本（≤**万元）") == NameHint("≤", "万元", True)
    assert read_name("覆盖率（%）") == NameHint("", "%", False)
    assert read_name("满意度（≥**）") == NameHint("≥", "", False)
    assert read_name("满意度（≥）") == NameHint()
    assert read_name("资金(平均)") == NameHint(money=True)
    assert read_name(None) == NameHint()


def test_the_reading_tag_takes_the_name():
    from django.template import Context, Template

    template = Template("{% load filings_tags %}{% reading value name %}")
    html = template.render(Context({"value": "95", "name": "满意度（≥**%）"}))
    assert "≥ 95 %" in html and "未写计量单位" not in html
    assert "未写计量单位" in template.render(Context({"value": "95", "name": ""}))
    assert "90 至 95 %" in template.render(Context({"value": "90%-95%", "name": ""}))
    assert "偏差 ± 5 % 以内" in template.render(Context({"value": "±5%以内", "name": ""}))
    assert "约 100 人" in template.render(Context({"value": "100人左右", "name": ""}))
    assert "自 2025年3月 至 2026年6月" in template.render(Context({"value": "2025年3月-2026年6月", "name": ""}))


NAMES = st.one_of(
    st.just(""),
    st.sampled_from(["项目总成本（≤**万元）", "满意度（≥**%）", "补助资金(万元)", "覆盖率（%）", "补助成本(≤**元/株)",
                     "培训人次（人次）", "控制在预算成本内", "(≥**)", "资料(平均)"]),
    token_soup,
)


@settings(max_examples=400, deadline=None)
@given(values, NAMES)
def test_a_reading_with_a_name_writes_back_without_it(text, name):
    target = parse_target(text, name)
    assert parse_target(format_target(target)) == target
    assert isinstance(read_name(name), NameHint)


@pytest.mark.parametrize(("name", "value", "stored"), [
    ("受益脱贫户满意度（≥**%）", "95", ("quantitative", "≥", Decimal("95"), "%")),
    ("群众满意度", "90%-95%", ("quantitative", "≥", Decimal("90"), "%")),  # a range stores its low end
    ("预算执行偏差率", "±5%以内", ("quantitative", "≤", Decimal("5"), "%")),
    ("参训人员", "约100人", ("quantitative", "=", Decimal("100"), "人")),
    ("控制在预算成本内", "250万", ("quantitative", "=", Decimal("250"), "万元")),
    ("项目实施期", "2025.03-2025.10", ("time", "", None, "")),
])
def test_a_saved_row_stores_the_reading_made_with_its_name(name, value, stored):
    from filings.models import Indicator

    row = Indicator(name=name, value_text=value)
    row.apply_reading()
    number = None if row.value_number is None else row.value_number.normalize()
    assert (row.value_kind, row.operator, number, row.value_unit) == stored
    assert row.value_text == value  # kept as typed


@pytest.mark.parametrize(("text", "unit", "combined"), [
    ("≥95", "%", "≥95%"), ("≥95%", "%", "≥95%"), ("按时完成", "次", "按时完成"), ("≥200", "", "≥200"),
    ("100左右", "人", "约100人"), ("≥95（平均）", "%", "≥95%（平均）"), ("90-95", "%", "90~95%"), ("±5", "%", "±5%"),
    ("≥5", "KM", "≥5公里"), ("=24", "人/次", "24人/次"), ("≥95", "百分比", "≥95%"),
    ("=44,561", "44,561", "=44,56144,561"),  # a date serial in the unit column is no unit: appended, still no unit
])  # fmt: skip
def test_with_unit_places_a_unit_column_where_it_belongs(text, unit, combined):
    assert with_unit(text, unit) == combined


@pytest.mark.parametrize(("name", "value", "unit"), [
    ("补助对象人数", "5万", "万"), ("投资项目数量", "2万", "万"), ("资金使用人次", "3万", "万"),
    ("项目总成本", "250万", "万元"), ("补助标准", "0.5万", "万元"),
])
def test_a_bare_wan_is_money_only_on_a_name_that_is_no_count(name, value, unit):
    assert parse_target(value, name=name).unit == unit


def test_a_year_in_a_time_column_joined_with_its_unit_stays_a_year():
    from indicators.values import with_unit

    assert with_unit("2025", "年") == "2025年"
    assert parse_target(with_unit("2025", "年")).kind == TargetKind.TIME


@pytest.mark.parametrize("text", ["2025.10月前", "2025.10月", "2025.03月份"])
def test_a_dotted_month_written_with_yue_is_a_date(text):
    target = parse_target(text)
    assert target.kind == TargetKind.TIME and target.deadline.year == 2025


@pytest.mark.parametrize(("text", "month"), [("≤2025.10", 10), ("≤2025年10月", 10), ("不超过2025年6月", 6),
                                             ("≤2025.10.31", 10)])
def test_a_dated_month_after_an_operator_is_a_deadline_not_a_decimal(text, month):
    target = parse_target(text)
    assert target.kind == TargetKind.TIME and (target.deadline.year, target.deadline.month) == (2025, month)
    assert parse_target(format_target(target)) == target

"""A 表样's layout as data: the stored variants parse, and a broken layout is refused with every problem named."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from filings.layouts.description import LayoutError, parse_layout
from filings.layouts.extras import ExtraField
from filings.models import FormVariant
from filings.reference import variant_files


@pytest.mark.parametrize("variant", variant_files(), ids=lambda v: v["code"])
def test_every_shipped_variant_has_a_valid_layout(variant, db):
    layout = parse_layout(variant["layout"], variant["kind"])
    assert layout.block("indicators") is not None
    assert layout.steps()[-1] == "indicators"


def test_the_seed_variants_in_the_database_describe_themselves(demo):
    yangquan = FormVariant.objects.get(code="proj-yangquan")
    assert yangquan.indicator_periods() == ["implementation", "annual"]
    assert yangquan.shows("overview") and not yangquan.shows("start_date")
    assert yangquan.label("implementation_goal") == "实施期目标"
    assert yangquan.printed_title == "项目支出绩效目标表"
    assert FormVariant.objects.get(code="dept-jiangxi").description.steps() == [
        "unit", "budget", "functions", "tasks", "goals", "indicators"]


def test_a_broken_layout_names_every_problem_in_chinese(db):
    broken = {
        "extra_fields": [{"key": "1x", "on": "indicator", "label": "计量单位"},
                         {"key": "kind", "on": "indicator", "label": "指标值类型", "type": "choice"}],
        "blocks": [
            {"type": "fields", "step": "project", "rows": [[{"label": "项目名称", "fields": ["nmae"]}]]},
            {"type": "tasks", "columns": [{"field": "name", "label": "任务"}]},
            {"type": "chart"},
        ],
    }
    with pytest.raises(LayoutError) as raised:
        parse_layout(broken, "project")
    text = "\n".join(raised.value.problems)
    assert "key 应以字母开头" in text
    assert "choices 应列出各选项文字" in text
    assert "未知的字段“nmae”" in text
    assert "项目支出表不能有年度主要任务" in text
    assert "type 应为" in text
    assert "必须有且只有一个绩效指标块" in text


def test_extra_columns_must_be_declared_for_the_table_they_appear_in(db):
    layout = {
        "extra_fields": [{"key": "unit", "on": "task", "label": "计量单位"}],
        "blocks": [{"type": "indicators", "columns": [
            {"field": "level2", "label": "二级指标"}, {"field": "name", "label": "三级指标"},
            {"field": "extra.unit", "label": "计量单位"}]}],
    }
    with pytest.raises(LayoutError, match="此表不能有字段“extra.unit”"):
        parse_layout(layout, "department")
    layout["extra_fields"][0]["on"] = "indicator"
    parsed = parse_layout(json.loads(json.dumps(layout)), "department")
    assert [c.field for c in parsed.columns("indicators")] == ["level2", "name", "extra.unit"]


def test_an_admin_saving_an_invalid_layout_gets_the_problems_on_the_field(db):
    from django.core.exceptions import ValidationError

    from filings.reference import load_schemes, load_variants

    load_schemes()
    load_variants()
    variant = FormVariant.objects.get(code="proj-hunan")
    variant.layout = {"blocks": []}
    with pytest.raises(ValidationError) as raised:
        variant.full_clean()
    assert "至少要有一个栏目块" in str(raised.value.message_dict["layout"])


@pytest.mark.parametrize(("type_", "typed", "stored", "shown"), [
    ("number", "1,200.50", "1200.5", "1200.5"),
    ("money", "1.5", "15000.00", "1.5"),
    ("date", "2026/3/1", "2026-03-01", "2026-03-01"),
    ("choice", "定量", "定量", "定量"),
    ("text", "  台  ", "台", "台"),
])
def test_a_typed_extra_field_stores_plain_json_and_shows_it_back(type_, typed, stored, shown):
    extra = ExtraField("x", "indicator", "栏目", type_, ("定量", "定性") if type_ == "choice" else ())
    assert extra.clean(typed, "wan") == stored
    assert extra.display(stored, "wan") == shown


@pytest.mark.parametrize(("type_", "typed", "message"), [
    ("number", "约十个", "应为数字"),
    ("money", "0.0000001", "最多精确到分"),
    ("date", "明年", "应为日期"),
    ("choice", "半定量", "应为：定量、定性"),
])
def test_a_wrong_value_for_an_extra_field_gets_a_chinese_message(type_, typed, message):
    from django.core.exceptions import ValidationError

    extra = ExtraField("x", "indicator", "栏目", type_, ("定量", "定性") if type_ == "choice" else ())
    with pytest.raises(ValidationError, match=message):
        extra.clean(typed, "wan")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(
                        st.sampled_from(["type", "step", "rows", "label", "fields", "columns", "field", "sums",
                                         "total", "parts", "checks", "extra_fields", "key", "on", "role", "blocks",
                                         "aliases", "totals", "captions", "periods", "print", "choices"]),
                        children, max_size=5), max_leaves=20)


@given(layout=st.dictionaries(st.sampled_from(["blocks", "extra_fields", "checks", "title"]), JSON, max_size=4))
def test_any_json_an_administrator_types_is_a_layout_or_a_chinese_refusal(layout):
    for kind in ("department", "project"):
        try:
            parse_layout(layout, kind)
        except LayoutError as error:
            assert error.problems and all(isinstance(problem, str) for problem in error.problems)


@pytest.mark.parametrize("layout", [
    {"blocks": [{"type": [1]}]},
    {"checks": [[1]], "blocks": []},
    {"extra_fields": [{"key": "u", "on": ["indicator"], "label": "单位"}], "blocks": []},
    {"blocks": [{"type": "indicators", "columns": [{"field": "name", "label": "三级", "aliases": 5}]}]},
    {"blocks": [{"type": "fields", "rows": [[{"label": "x", "fields": ["unit_name"]}]],
                 "sums": [{"total": ["a"], "parts": ["unit_name"]}]}]},
])
def test_values_of_the_wrong_type_are_refused_in_chinese(layout):
    with pytest.raises(LayoutError):
        parse_layout(layout, "department")


def test_a_layout_without_a_kind_is_refused_in_chinese():
    with pytest.raises(LayoutError, match="请先选择表类型"):
        parse_layout({"blocks": []}, "")


def test_a_number_own_field_is_stored_without_an_exponent_and_money_is_never_negative():
    from django.core.exceptions import ValidationError

    assert ExtraField("x", "indicator", "分值", "number").clean("0.0000001") == "0.0000001"
    assert ExtraField("x", "indicator", "分值", "number").clean("１２ ５") == "125"  # full-width digits, a space
    with pytest.raises(ValidationError, match="不能为负数"):
        ExtraField("x", "filing", "金额", "money").clean("-5", "wan")

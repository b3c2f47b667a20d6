"""A used 表样 may be relabelled and extended, but not changed so that what its filings hold loses its place."""

import copy

import pytest

from filings.layouts.changes import data_losing_changes
from filings.layouts.description import LayoutError
from filings.models import AnnualTask, Filing, FormVariant, Indicator, ProjectDetails

UNIT_COLUMN = {"field": "extra.unit", "label": "计量单位"}


def variant(code) -> FormVariant:
    return FormVariant.objects.get(code=code)


def edited(v: FormVariant) -> dict:
    return copy.deepcopy(v.layout)


def block(layout, type_, step=None):
    return next(b for b in layout["blocks"] if b["type"] == type_ and (step is None or b.get("step") == step))


def drop_entry(layout, field):
    for b in layout["blocks"]:
        if "rows" in b:
            b["rows"] = [[e for e in row if field not in e.get("fields", [])] for row in b["rows"]]
            b["rows"] = [row for row in b["rows"] if row]


def test_relabelling_reordering_and_adding_a_field_lose_nothing(demo):
    yangquan = variant("proj-yangquan")
    layout = edited(yangquan)
    narrative = block(layout, "fields", "narrative")
    narrative["rows"][0][0]["label"] = "项目基本概况"
    narrative["rows"].reverse()
    narrative["rows"].append([{"label": "项目编码", "fields": ["code"]}])
    block(layout, "indicators")["columns"][3]["optional"] = True

    assert data_losing_changes(yangquan, layout) == []


def test_dropping_a_field_some_filings_filled_is_refused_with_their_number(demo):
    yangquan = variant("proj-yangquan")
    filled = ProjectDetails.objects.filter(filing__variant=yangquan).exclude(overview="").count()
    assert filled >= 2
    layout = edited(yangquan)
    drop_entry(layout, "overview")

    assert data_losing_changes(yangquan, layout) == [
        f"已有 {filled} 份申报表在“项目概况”中填写了内容，不能删除该栏目；可以复制为新表样后修改。"]


def test_dropping_a_field_nobody_filled_is_allowed(demo):
    yangquan = variant("proj-yangquan")
    Filing.objects.filter(variant=yangquan).update(filled_time=None)
    layout = edited(yangquan)
    drop_entry(layout, "filled_time")

    assert data_losing_changes(yangquan, layout) == []


def test_a_period_or_a_table_with_rows_cannot_go(demo):
    yangquan = variant("proj-yangquan")
    layout = edited(yangquan)
    block(layout, "indicators")["periods"] = ["annual"]
    block(layout, "indicators").pop("captions", None)
    layout["checks"] = []
    drop_entry(layout, "implementation_goal")
    for name in ("implementation_total", "implementation_central", "implementation_provincial",
                 "implementation_municipal", "implementation_self_raised", "implementation_other"):
        drop_entry(layout, name)
    problems = data_losing_changes(yangquan, layout)
    assert any("份申报表填写了“实施期" in problem and "不能删除该期间的指标" in problem for problem in problems)
    assert any("“实施期资金总额”" in problem for problem in problems)

    jiangxi = variant("dept-jiangxi")
    layout = edited(jiangxi)
    layout["blocks"] = [b for b in layout["blocks"] if b["type"] != "tasks"]
    with_tasks = AnnualTask.objects.filter(filing__variant=jiangxi).values("filing").distinct().count()
    assert data_losing_changes(jiangxi, layout) == [
        f"已有 {with_tasks} 份申报表填写了“年度主要任务”，不能删除该表格；可以复制为新表样后修改。"]


def test_a_column_with_values_cannot_go_but_an_empty_one_can(demo):
    hunan = variant("proj-hunan")
    layout = edited(hunan)
    columns = block(layout, "indicators")["columns"]
    block(layout, "indicators")["columns"] = [c for c in columns if c["field"] != "standard"]
    label = next(c["label"] for c in columns if c["field"] == "standard")
    assert data_losing_changes(hunan, layout) == [
        f"已有 2 份申报表在“{label}”中填写了内容，不能删除该栏目；可以复制为新表样后修改。"]

    Indicator.objects.filter(filing__variant=hunan).update(standard="")
    assert data_losing_changes(hunan, layout) == []


@pytest.fixture
def with_own_fields(demo):
    """proj-hunan with its own fields: 计量单位 (indicator column), 指标性质 (a choice), 部门预算编码 (header)."""
    hunan = variant("proj-hunan")
    layout = edited(hunan)
    layout["extra_fields"] = [
        {"key": "unit", "on": "indicator", "label": "计量单位", "type": "text"},
        {"key": "nature", "on": "indicator", "label": "指标性质", "type": "choice", "choices": ["定量", "定性"]},
        {"key": "budget_code", "on": "filing", "label": "部门预算编码", "type": "text"},
    ]
    block(layout, "indicators")["columns"] += [UNIT_COLUMN, {"field": "extra.nature", "label": "指标性质"}]
    block(layout, "fields")["rows"].append([{"label": "部门预算编码", "fields": ["extra.budget_code"]}])
    hunan.layout = layout
    hunan.save()
    filings = list(Filing.objects.filter(variant=hunan).order_by("pk"))
    for filing in filings:
        first = filing.indicators.order_by("pk").first()
        first.extra = {"unit": "人次", "nature": "定量"}
        first.save()
    last = filings[-1].indicators.order_by("pk").last()
    last.extra = {"unit": "", "nature": "定性"}
    last.save()
    Filing.objects.filter(pk=filings[0].pk).update(extra={"budget_code": "430981-001"})
    return variant("proj-hunan")


def test_an_own_column_with_values_cannot_go_nor_change_its_type(with_own_fields):
    hunan = with_own_fields
    layout = edited(hunan)
    indicators = block(layout, "indicators")
    indicators["columns"] = [c for c in indicators["columns"] if c["field"] != "extra.unit"]
    assert data_losing_changes(hunan, layout) == [
        "已有 2 份申报表在“计量单位”中填写了内容，不能删除该栏目；可以复制为新表样后修改。"]

    layout = edited(hunan)
    layout["extra_fields"][0]["type"] = "number"
    assert data_losing_changes(hunan, layout) == [
        "已有 2 份申报表在“计量单位”中填写了内容，不能更改该栏目的类型；可以复制为新表样后修改。"]

    layout["extra_fields"][0]["type"] = "longtext"  # every text is a valid long text
    layout["extra_fields"][0]["label"] = "单位"
    assert data_losing_changes(hunan, layout) == []


def test_a_choice_stored_values_use_cannot_go_but_new_choices_can_come(with_own_fields):
    hunan = with_own_fields
    layout = edited(hunan)
    layout["extra_fields"][1]["choices"] = ["定量", "半定量"]
    assert data_losing_changes(hunan, layout) == [
        "已有 1 份申报表在“指标性质”中选择了“定性”，不能删除该选项；可以复制为新表样后修改。"]

    layout["extra_fields"][1]["choices"] = ["定量", "定性", "半定量"]
    assert data_losing_changes(hunan, layout) == []


def test_an_own_header_field_with_a_value_cannot_go(with_own_fields):
    hunan = with_own_fields
    layout = edited(hunan)
    drop_entry(layout, "extra.budget_code")
    assert data_losing_changes(hunan, layout) == [
        "已有 1 份申报表在“部门预算编码”中填写了内容，不能删除该栏目；可以复制为新表样后修改。"]


def test_an_unused_variant_and_an_invalid_layout(demo):
    hunan = variant("proj-hunan")
    copy_ = FormVariant.objects.create(code="proj-hunan-2", name="复制", kind="project",
                                       default_scheme=hunan.default_scheme, layout=edited(hunan))
    layout = edited(hunan)
    layout["blocks"] = [b for b in layout["blocks"] if b["type"] == "indicators"]
    assert data_losing_changes(copy_, layout) == []
    with pytest.raises(LayoutError):
        data_losing_changes(copy_, {"blocks": []})


def clone(filing, copies):
    for number in range(copies):
        source = Filing.objects.get(pk=filing.pk)
        rows = list(source.indicators.all())
        details = source.project
        source.pk = None
        source.source = f"clone-{number}"
        source.save()
        details.pk = None
        details.filing = source
        details.save()
        for row in rows:
            row.pk, row.filing = None, source
        Indicator.objects.bulk_create(rows)


def test_the_check_costs_the_same_queries_for_two_or_twenty_filings(with_own_fields, django_assert_num_queries):
    hunan = with_own_fields
    layout = edited(hunan)
    drop_entry(layout, "annual_goal")
    drop_entry(layout, "extra.budget_code")
    layout["extra_fields"][1]["choices"] = ["定量"]
    indicators = block(layout, "indicators")
    indicators["columns"] = [c for c in indicators["columns"] if c["field"] not in {"standard", "extra.unit"}]
    with django_assert_num_queries(4):  # the stored layout, then filings, details, indicators
        before = data_losing_changes(hunan, layout)
    clone(Filing.objects.filter(variant=hunan).first(), 18)
    with django_assert_num_queries(4):
        after = data_losing_changes(hunan, layout)
    assert len(before) == len(after) >= 4
    assert before != after

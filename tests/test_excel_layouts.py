"""The official workbook follows the variant's layout description (issue 13): a new arrangement as data, with the
variant's own typed fields, exports as described and comes back without loss."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from filings.exports.excel.official import workbook_bytes
from filings.exports.excel.preview import build_preview
from filings.exports.excel.template_import import apply_import, read_upload
from filings.models import AnnualTask, EventKind, FormVariant, Indicator
from filings.services import create_department_filing
from indicators.models import Category

from .test_excel_export import find
from .test_excel_import import cell, edited, snapshot, upload, without_names_and_marker

TITLE = "部门整体绩效目标申报表"
# Blocks in another order than any seed (goals first, the indicators before the tasks, the budget last), labels
# renamed, and the variant's own fields: a header code, a date kept off the sheet, two indicator columns, a task one.
LAYOUT = json.loads("""{
 "title": "部门整体绩效目标申报表",
 "extra_fields": [
  {"key": "budget_code", "on": "filing", "label": "部门预算编码"},
  {"key": "approved_on", "on": "filing", "label": "批复日期", "type": "date"},
  {"key": "unit", "on": "indicator", "label": "计量单位"},
  {"key": "kind", "on": "indicator", "label": "指标类型", "type": "choice", "choices": ["定量", "定性"]},
  {"key": "reserve", "on": "task", "label": "预留资金", "type": "money"}
 ],
 "blocks": [
  {"type": "fields", "step": "goals", "rows": [[{"label": "本年度整体目标", "fields": ["overall_goal"]}]]},
  {"type": "fields", "step": "unit", "rows": [
   [{"label": "预算单位", "fields": ["unit_name"]}, {"label": "部门预算编码", "fields": ["extra.budget_code"]}],
   [{"label": "联系人", "fields": ["contact_person"]}, {"label": "联系电话", "fields": ["contact_phone"]}]]},
  {"type": "indicators", "columns": [
   {"field": "level2", "label": "二级"}, {"field": "name", "label": "指标名称", "weight": 2},
   {"field": "value_text", "label": "目标值"}, {"field": "extra.unit", "label": "计量单位"},
   {"field": "extra.kind", "label": "定量/定性"}]},
  {"type": "tasks", "caption": "重点任务", "columns": [
   {"field": "name", "label": "任务"}, {"field": "amount_total", "label": "金额"},
   {"field": "extra.reserve", "label": "预留资金"}]},
  {"type": "fields", "step": "budget", "group": "收支（{money_unit}）", "rows": [
   [{"label": "收入", "fields": ["income_total"]}, {"label": "支出", "fields": ["expenditure_total"]}]]},
  {"type": "signoff", "rows": [[{"label": "填报人", "fields": ["handler"]},
                               {"label": "填报日期", "fields": ["filled_on"]},
                               {"label": "联系电话", "fields": ["contact_phone"]}]]}
 ]
}""")


@pytest.fixture
def variant(demo):
    source = FormVariant.objects.get(code="dept-jiangxi")
    return FormVariant.objects.create(code="dept-new", name=f"{TITLE}（试行）", kind="department",
                                      default_scheme=source.default_scheme, default_money_unit="wan", layout=LAYOUT)


def user():
    return get_user_model().objects.get(username="admin")


def filled(demo, variant, year=2031):
    filing = create_department_filing(demo["s1-dept"].unit, year, variant, user())
    filing.contact_person, filing.contact_phone, filing.handler = "王小明", "0792-1234567", "李四"
    filing.filled_on = datetime.date(2031, 1, 15)
    filing.extra = {"budget_code": "360402-001", "approved_on": "2031-02-01"}
    filing.save()
    details = filing.department
    details.overall_goal, details.income_total, details.expenditure_total = "全年目标。", Decimal("4000000.00"), None
    details.save()
    AnnualTask.objects.create(filing=filing, order=1, name="公共卫生服务", amount_total=Decimal("1200000.00"),
                              extra={"reserve": "15000.00"})
    level2 = list(Category.objects.filter(scheme=filing.scheme, parent__isnull=False).order_by("parent__order",
                                                                                               "order")[:2])
    for order, (category, name, value, extra) in enumerate([
        (level2[0], "服务人次", "≥5000", {"unit": "人次", "kind": "定量"}),
        (level2[1], "服务质量", "明显提升", {"kind": "定性"}),
    ], start=1):
        indicator = Indicator(filing=filing, category=category, order=order, name=name, value_text=value, extra=extra)
        indicator.apply_reading()
        indicator.save()
    return filing


def empty_draft(demo, variant):
    return create_department_filing(demo["s1-dept"].unit, 2032, variant, user())


def rows_of(sheet, *texts):
    return [find(sheet, text)[0][0] for text in texts]


def test_a_layout_as_data_exports_with_its_own_arrangement_labels_and_typed_fields(demo, variant):
    workbook = load_workbook(io.BytesIO(workbook_bytes(filled(demo, variant))))
    main, extra = workbook.worksheets[:2]
    assert main["A1"].value == TITLE
    order = rows_of(main, "本年度整体目标", "预算单位", "二级", "任务", "收支（万元）", "填报人")
    assert order == sorted(order)
    header = order[2]
    labels = [main.cell(header, col).value for col in range(1, main.max_column + 1)]
    assert [label for label in labels if label] == ["一级指标", "二级", "指标名称", "目标值", "计量单位", "定量/定性"]
    assert cell(workbook, "pb_extra_budget_code").value == "360402-001"
    (row, col), = find(main, "服务人次")
    assert [main.cell(row, c).value for c in range(col, main.max_column + 1) if main.cell(row, c).value] == [
        "服务人次", "≥5000", "人次", "定量"]
    (row, col), = find(main, "公共卫生服务")
    amounts = [main.cell(row, c) for c in range(col + 1, main.max_column + 1) if main.cell(row, c).value is not None]
    assert [(c.value, c.number_format) for c in amounts] == [(120, "#,##0.00####"), (1.5, "#,##0.00####")]
    assert len(find(main, "联系电话")) == 1  # placed twice in the layout, one cell in the workbook: the first place
    assert not find(main, "单位负责人（签字）")
    (row, _), = find(extra, "批复日期")
    assert extra.cell(row, 2).value == datetime.datetime(2031, 2, 1)
    assert extra.cell(row, 2).number_format == "yyyy-mm-dd"


def test_a_layout_as_data_comes_back_without_loss_with_and_without_the_names(demo, variant):
    source = filled(demo, variant)
    target = empty_draft(demo, variant)
    result = read_upload(upload(workbook_bytes(source)), target)
    assert result.ok, [str(p) for p in result.problems]
    preview = build_preview(target, result.data)
    assert ("部门预算编码", "", "360402-001") in [(c.label, c.old, c.new) for c in preview.diff.fields]
    apply_import(target, result.data, target.lock_version, user=user())
    assert snapshot(target) == snapshot(source)
    assert target.events.get(kind=EventKind.IMPORTED).data["fields"].count("extra.budget_code") == 1
    assert target.indicators.get(name="服务人次").extra == {"unit": "人次", "kind": "定量"}

    again = create_department_filing(demo["s1-dept"].unit, 2033, variant, user())
    result = read_upload(upload(edited(source, without_names_and_marker)), again)
    assert result.ok, [str(p) for p in result.problems]
    apply_import(again, result.data, again.lock_version, user=user())
    assert snapshot(again) == snapshot(source)


def test_a_wrong_choice_in_a_variant_column_is_refused_with_its_cell(demo, variant):
    filing = filled(demo, variant)

    def change(workbook):
        main = workbook.worksheets[0]
        (row, col), = find(main, "定性")
        main.cell(row, col).value = "半定量"

    problems = read_upload(upload(edited(filing, change)), filing).problems
    assert [(p.sheet, p.column, p.message) for p in problems] == [
        (TITLE, "F", "指标类型应为：定量、定性，不能是“半定量”")]
    assert problems[0].row and f"第 {problems[0].row} 行 F 列" in str(problems[0])


def test_a_bad_header_value_of_the_variant_names_its_cell(demo, variant):
    filing = filled(demo, variant)
    problems = read_upload(upload(edited(filing, lambda wb: setattr(cell(wb, "pb_extra_approved_on"), "value",
                                                                     "明年"))), filing).problems
    assert [(p.sheet, p.column) for p in problems] == [("其他栏目", "B")]
    assert "批复日期应为日期" in problems[0].message


def test_values_the_layout_no_longer_places_are_kept_and_come_back(demo, variant):
    source = filled(demo, variant)
    source.extra["old_code"] = "旧编码"  # a header field of the variant's earlier layout
    source.save()
    Indicator.objects.filter(filing=source, name="服务质量").update(extra={"kind": "定性", "weight": "10"})
    Indicator.objects.filter(filing=source, name="服务人次").update(standard="上年实际")
    workbook = load_workbook(io.BytesIO(workbook_bytes(source)))
    main, extra = workbook.worksheets[:2]
    assert find(extra, "自定义栏目（old_code）") and find(main, "自定义栏目（weight）") and find(main, "绩效标准")
    target = empty_draft(demo, variant)
    result = read_upload(upload(workbook_bytes(source)), target)
    assert result.ok, [str(p) for p in result.problems]
    apply_import(target, result.data, target.lock_version, user=user())
    assert snapshot(target) == snapshot(source)


def test_deleting_a_row_of_the_other_sheet_clears_that_value(demo, variant):
    filing = filled(demo, variant)

    def change(workbook):
        extra = workbook["其他栏目"]
        (row, _), = find(extra, "批复日期")
        extra.delete_rows(row)

    result = read_upload(upload(edited(filing, change)), filing)
    assert result.ok, [str(p) for p in result.problems]
    changes = [(c.label, c.old, c.new) for c in build_preview(filing, result.data).diff.fields]
    assert changes == [("批复日期", "2031-02-01", "")]
    apply_import(filing, result.data, filing.lock_version, user=user())
    filing.refresh_from_db()
    assert filing.extra == {"budget_code": "360402-001"}


def test_the_consolidated_export_has_a_column_per_own_field_label_of_the_exported_variants(demo, variant):
    from filings.exports.excel.consolidated import INDICATOR_COLUMNS, SUMMARY_COLUMNS, write_consolidated
    from filings.models import Filing

    ours = filled(demo, variant)
    hunan = demo["s4-proj1"].variant
    hunan.layout = {**hunan.layout, "extra_fields": [
        {"key": "measure", "on": "indicator", "label": "计量单位"},  # the same label as ours: one column
        {"key": "weight", "on": "indicator", "label": "权重", "type": "number"},
        {"key": "reserve", "on": "filing", "label": "预留资金", "type": "money"}]}
    hunan.save()
    project = demo["s4-proj1"]
    first = project.indicators.order_by("pk").first()
    Indicator.objects.filter(pk=first.pk).update(extra={"measure": "公里", "weight": "10"})
    Filing.objects.filter(pk=project.pk).update(extra={"reserve": "25000.00"})
    stream = io.BytesIO()
    write_consolidated(Filing.objects.filter(pk__in=[ours.pk, project.pk]), stream)
    workbook = load_workbook(stream)
    rows = list(workbook["指标"].iter_rows(values_only=True))
    assert list(rows[0]) == [name for name, _ in INDICATOR_COLUMNS] + ["计量单位", "指标类型", "权重"]
    own = {row[11]: row[-3:] for row in rows[1:]}
    assert own["服务人次"] == ("人次", "定量", None) and own["服务质量"] == (None, "定性", None)
    assert own[first.name] == ("公里", None, 10)
    summary = list(workbook["申报表"].iter_rows())
    assert [c.value for c in summary[0]][len(SUMMARY_COLUMNS):] == ["部门预算编码", "批复日期", "预留资金（元）"]
    by_pk = {row[0].value: row[len(SUMMARY_COLUMNS):] for row in summary[1:]}
    assert [c.value for c in by_pk[ours.pk]] == ["360402-001", "2031-02-01", None]
    reserve = by_pk[project.pk][2]
    assert (reserve.value, reserve.number_format) == (25000, "#,##0.00")


def test_values_the_layout_no_longer_declares_come_back_by_their_labels_when_the_names_are_lost(demo, variant):
    source = filled(demo, variant)
    source.extra["old_code"] = "旧编码"
    source.save()
    Indicator.objects.filter(filing=source, name="服务质量").update(extra={"kind": "定性", "weight": "10"})
    target = empty_draft(demo, variant)
    result = read_upload(upload(edited(source, without_names_and_marker)), target)
    assert result.ok, [str(p) for p in result.problems]
    apply_import(target, result.data, target.lock_version, user=user())
    assert snapshot(target) == snapshot(source)


def test_a_layout_without_the_value_column_still_reads_its_own_export(demo):
    scheme = FormVariant.objects.get(code="dept-jiangxi").default_scheme
    bare = FormVariant.objects.create(code="dept-bare", name="简表", kind="department", default_scheme=scheme,
                                      layout={"title": "简表", "extra_fields": LAYOUT["extra_fields"][3:4],
                                              "blocks": [{"type": "indicators", "columns": [
                                                  {"field": "level2", "label": "二级指标"},
                                                  {"field": "name", "label": "三级指标"},
                                                  {"field": "extra.kind", "label": "类型"}]}]})
    source = filled(demo, bare)
    for indicator in source.indicators.all():
        indicator.value_text = ""
        indicator.apply_reading()
        indicator.save()
    target = empty_draft(demo, bare)
    imported = read_upload(upload(workbook_bytes(source)), target)
    assert imported.ok, [str(p) for p in imported.problems]
    apply_import(target, imported.data, target.lock_version, user=user())
    assert snapshot(target) == snapshot(source)


def test_a_row_wider_than_the_sheet_goes_on_as_the_next_row_and_the_signature_line_is_left_out(demo):
    from filings.exports.excel.spec import InfoRow, layout_for

    four = [{"label": label, "fields": [name]} for label, name in (
        ("经办人", "handler"), ("联系人", "contact_person"), ("联系电话", "contact_phone"), ("填报日期", "filled_on"))]
    variant = FormVariant(code="x", name="x", kind="department", layout={"blocks": [
        {"type": "fields", "rows": [four]},
        {"type": "indicators", "columns": [{"field": "level2", "label": "二级指标"},
                                           {"field": "name", "label": "三级"}]},
        {"type": "signoff", "rows": [[{"label": "单位负责人（签字）", "sign": True},
                                      {"label": "单位负责人", "fields": ["unit_head"]}]]}]})
    layout = layout_for("department", variant, "wan")
    rows = [[entry.label for entry in block.entries] for block in layout.blocks if isinstance(block, InfoRow)]
    assert rows == [["经办人", "联系人", "联系电话"], ["填报日期"]]  # 3 × (label + value) fill the 6 columns
    assert "unit_head" in {spec.name for spec in layout.extra_fields()}  # on 其他栏目 when it holds a value

"""Importing a filled template (issue 8 parts 3 and 5): round trip, preview, one transaction, bad input, safety."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from filings.checked import STORED
from filings.exports.excel.official import workbook_bytes
from filings.exports.excel.preview import build_preview
from filings.exports.excel.template_import import ImportRefused, apply_import, read_upload
from filings.models import AnnualTask, Filing, FormVariant, FunctionItem, Indicator
from filings.services import create_department_filing, create_project_filing
from filings.wizard import steps_for

from .pages import html, login
from .test_excel_export import SEEDS, find

BOOKKEEPING = {"id", "kind", "unit", "year", "status", "revision", "lock_version", "position", "copied_from",
               "source", "created_by", "created_at", "updated_at", "submitted_at", "submitted_by", "current_step",
               "saved_steps", "completed_steps", *STORED}


def snapshot(filing) -> dict:
    """Every data field of the filing, its details, functions, tasks and indicators (rows in printed order)."""
    filing = Filing.objects.with_related().get(pk=filing.pk)
    state = {f.name: getattr(filing, f.attname) for f in Filing._meta.concrete_fields if f.name not in BOOKKEEPING}
    details = filing.department if filing.kind == "department" else filing.project
    state["details"] = {f.name: getattr(details, f.attname) for f in type(details)._meta.concrete_fields
                        if f.name != "filing"}

    def rows(queryset):
        names = [f.attname for f in queryset.model._meta.concrete_fields if f.name not in {"id", "filing", "order"}]
        return [tuple(getattr(row, name) for name in names) for row in queryset]

    state["functions"] = rows(FunctionItem.objects.filter(filing=filing).order_by("order", "pk"))
    state["tasks"] = rows(AnnualTask.objects.filter(filing=filing).order_by("order", "pk"))
    state["indicators"] = rows(Indicator.objects.filter(filing=filing).order_by(
        "period", "category__parent__order", "category__order", "order", "pk"))
    return state


def upload(data: bytes, name="申报表.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def edited(filing, change) -> bytes:
    workbook = load_workbook(io.BytesIO(workbook_bytes(filing)))
    change(workbook)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def cell(workbook, name):
    (title, coordinate), = workbook.defined_names[name].destinations
    return workbook[title][coordinate.replace("$", "")]


def acting_user():
    return get_user_model().objects.get(username="admin")


def empty_draft_for(source, same_variant=False) -> Filing:
    """A fresh draft in the source's unit; of another variant of the same kind unless asked otherwise."""
    user = get_user_model().objects.get(username="admin")
    variants = FormVariant.objects.filter(kind=source.kind)
    variant = source.variant if same_variant else variants.exclude(pk=source.variant_id).first()
    if source.kind == "department":
        return create_department_filing(source.unit, source.year + 10, variant, user)
    return create_project_filing(source.unit, source.year, variant, "待导入的项目", user)


def imported(data: bytes, target: Filing) -> Filing:
    result = read_upload(upload(data), target)
    assert result.ok, [str(p) for p in result.problems]
    return apply_import(target, result.data, target.lock_version, user=acting_user())


@pytest.mark.parametrize("key", SEEDS)
def test_round_trip_into_an_empty_draft_gives_identical_data(demo, key):
    source = demo[key]
    target = empty_draft_for(source)
    assert snapshot(target) != snapshot(source)
    imported(workbook_bytes(source), target)
    after, expected = snapshot(target), snapshot(source)
    assert after == expected
    amounts = [v for v in after["details"].values() if isinstance(v, Decimal)]
    assert amounts and all(isinstance(v, Decimal) for v in amounts)
    assert [row[4] for row in after["indicators"]] == [row[4] for row in expected["indicators"]]  # 指标值 verbatim


def test_an_empty_draft_of_every_variant_survives_the_round_trip(demo):
    user = get_user_model().objects.get(username="admin")
    for variant in FormVariant.objects.all():
        if variant.kind == "department":
            source = create_department_filing(demo["s0-dept"].unit, 2040 + variant.pk, variant, user)
        else:
            source = create_project_filing(demo["s1-proj1"].unit, 2030, variant, "空白项目", user)
        target = empty_draft_for(source)
        imported(workbook_bytes(source), target)
        assert snapshot(target) == snapshot(source), variant.code


@pytest.mark.parametrize("key", ["s0-dept", "s4-proj1"])
def test_after_an_import_every_step_of_the_wizard_counts_as_started_and_the_user_lands_on_the_check(demo, key):
    source = demo[key]
    target = empty_draft_for(source)
    assert target.saved_steps == []
    imported(workbook_bytes(source), target)
    target.refresh_from_db()
    wizard_steps = [step.key for step in steps_for(target)]
    assert wizard_steps and target.saved_steps == wizard_steps  # the same steps, in the wizard's order
    assert target.current_step == "check"


def test_columns_and_tables_the_variant_does_not_print_survive_the_round_trip(demo):
    filing = demo["s4-dept"]  # 湖南: no 绩效标准 or 说明 column, no functions or tasks
    first, second = filing.indicators.order_by("pk")[:2]
    Indicator.objects.filter(pk=first.pk).update(standard="历史标准", note="按上年实际")
    Indicator.objects.filter(pk=second.pk).update(note="=理由见附件")
    FunctionItem.objects.create(filing=filing, order=1, name="公共卫生", mid_term_goal="中期", annual_goal="年度")
    AnnualTask.objects.create(filing=filing, order=1, name="基本公卫", related_goal="家庭医生签约",
                              amount_total=Decimal("6000000.00"))
    target = empty_draft_for(filing)
    imported(workbook_bytes(filing), target)
    assert snapshot(target) == snapshot(filing)
    assert target.functions.count() == 1 and target.indicators.filter(note="=理由见附件").exists()


def without_names_and_marker(workbook):
    for name in list(workbook.defined_names):
        del workbook.defined_names[name]
    del workbook["系统信息"]


@pytest.mark.parametrize("key", SEEDS)
def test_round_trip_by_printed_labels_when_the_names_and_the_marker_sheet_are_lost(demo, key):
    source = demo[key]
    target = empty_draft_for(source, same_variant=True)
    imported(edited(source, without_names_and_marker), target)
    assert snapshot(target) == snapshot(source)


@pytest.mark.parametrize("key", SEEDS)
def test_the_own_export_previews_as_unchanged(demo, key):
    filing = demo[key]
    result = read_upload(upload(workbook_bytes(filing)), filing)
    assert result.ok
    preview = build_preview(filing, result.data)
    assert preview.unchanged, (preview.diff.fields, preview.diff.rows, preview.diff.indicators)


def test_preview_lists_changes_and_apply_writes_them(demo):
    filing = demo["s1-dept"]

    def change(workbook):
        cell(workbook, "pb_contact_person").value = "王小明"
        cell(workbook, "pb_prior_carryover").value = 12.5
        main = workbook.worksheets[0]
        (row, column), = find(main, "参保对象满意度")
        main.cell(row, column + 2).value = "≥96%"
        row, column = find(main, filing.tasks.order_by("order").last().name)[0]  # the task comes before 成本 rows
        for offset in range(6):
            main.cell(row, column + offset).value = None

    data = edited(filing, change)
    before = snapshot(filing)
    result = read_upload(upload(data), filing)
    preview = build_preview(filing, result.data)
    assert snapshot(filing) == before  # nothing is written by reading or previewing
    # the same diff as the changes page: what the filing is now → what it would be after the import
    changes = {c.label: (c.old, c.new) for c in preview.diff.fields}
    assert changes == {"联系人／填表人": ("曹丽芳", "王小明"), "上年年末结转结余数": ("0 万元", "12.5 万元")}
    last_task = filing.tasks.order_by("order").last().name
    assert [(r.section, r.status, r.name) for r in preview.diff.rows] == [("tasks", "removed", last_task)]
    assert [(i.status, i.name, i.old_value, i.new_value, i.changes) for i in preview.diff.indicators] == [
        ("changed", "参保对象满意度", "≥95%", "≥96%", [])]
    assert [(t.label, t.old_count, t.new_count) for t in preview.tables] == [
        ("部门职能分解", filing.functions.count(), filing.functions.count()),
        ("年度主要任务", filing.tasks.count(), filing.tasks.count() - 1),
        ("绩效指标", filing.indicators.count(), filing.indicators.count())]
    apply_import(filing, result.data, filing.lock_version, user=acting_user())
    after = Filing.objects.with_related().get(pk=filing.pk)
    assert after.contact_person == "王小明" and after.department.prior_carryover == Decimal("125000.00")
    assert after.tasks.count() == 1 and after.indicators.filter(value_text="≥96%").exists()
    assert after.lock_version == filing.lock_version + 1


def test_a_filing_saved_after_the_preview_is_not_overwritten(demo):
    filing = demo["s1-proj1"]
    result = read_upload(upload(edited(filing, lambda wb: setattr(cell(wb, "pb_annual_goal"), "value", "新目标"))),
                         filing)
    seen = filing.lock_version
    Filing.objects.filter(pk=filing.pk).update(lock_version=seen + 1)  # the wizard saved a step meanwhile
    before = snapshot(filing)
    with pytest.raises(ImportRefused, match="已被修改"):
        apply_import(filing, result.data, seen, user=acting_user())
    assert snapshot(filing) == before


def test_a_failure_while_writing_leaves_nothing_behind(demo):
    filing = demo["s2-dept"]
    result = read_upload(upload(workbook_bytes(filing)), filing)
    result.data["fields"]["overall_goal"] = "改过的目标"
    result.data["indicators"]["rows"][-1]["category"] = -1  # a category that vanished after the preview
    before = snapshot(filing)
    with pytest.raises(ImportRefused):
        apply_import(filing, result.data, filing.lock_version, user=acting_user())
    assert snapshot(filing) == before


def test_rows_added_below_a_table_and_aliases_are_read(demo):
    filing = demo["s0-dept"]  # cost-first scheme

    def change(workbook):
        main = workbook.worksheets[0]
        (row, _), = find(main, "生态环境成本指标")
        main.cell(row, 2).value = "生态效益成本指标"  # the alias printed in seed 000
        main.cell(row, 3).value = "废弃物处置成本"
        main.cell(row, 5).value = "≤1万元"
        last = main.max_row + 1
        main.cell(last, 3).value = "患者满意度"  # appended under the last 二级 (其他满意度指标)
        main.cell(last, 5).value = "≥90%"

    imported(edited(filing, change), filing)
    added = {i.name: i.category.code for i in filing.indicators.select_related("category")}
    assert added["废弃物处置成本"] == "ecological_cost"
    assert added["患者满意度"] == "other_satisfaction"

    older = demo["s2-dept"]  # cost-under-output scheme

    def older_names(workbook):
        main = workbook.worksheets[0]
        (row, _), = find(main, "生态效益指标")
        main.cell(row, 2).value = "环境效益指标"  # the 佳县 name of 生态效益指标

    moved = [i.name for i in older.indicators.filter(category__code="ecological_benefit")]
    imported(edited(older, older_names), older)
    assert [i.name for i in older.indicators.filter(category__code="ecological_benefit")] == moved


def test_a_new_project_filing_is_made_from_a_file(client, demo):
    source = demo["s3-proj1"]
    login(client, "yq_sy")
    count = Filing.objects.count()
    response = client.post(reverse("filings:import_new"), {"unit": source.unit_id,
                                                           "file": upload(workbook_bytes(source))})
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert f"将为 <strong>{source.unit.name}</strong> 新建 2024 年度的项目支出绩效目标申报表" in page
    assert Filing.objects.count() == count  # only the confirmation creates it
    response = client.post(response["Location"])
    created = Filing.objects.order_by("-pk").first()
    assert response.status_code == 302 and response["Location"] == reverse("filings:check", args=[created.pk])
    assert Filing.objects.count() == count + 1
    expected = snapshot(source)
    assert snapshot(created) == expected
    assert (created.unit_id, created.year, created.status) == (source.unit_id, source.year, "draft")


def test_no_second_department_filing_for_a_unit_and_year(client, demo):
    login(client, "cs_zyy")
    count = Filing.objects.count()
    response = client.post(reverse("filings:import_new"), {"unit": demo["s0-dept"].unit_id,
                                                           "file": upload(workbook_bytes(demo["s0-dept"]))})
    assert response.status_code == 422
    assert "已有 2026 年度的部门整体支出绩效目标申报表" in html(response)
    assert Filing.objects.count() == count


def test_upload_preview_and_confirm_through_the_pages(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    page = html(client.get(reverse("filings:tasks", args=[filing.pk])))
    assert reverse("filings:import_xlsx", args=[filing.pk]) in page
    assert reverse("filings:xlsx", args=[filing.pk]) in page
    data = edited(filing, lambda wb: setattr(cell(wb, "pb_overall_goal"), "value", "全面提升县域医疗服务能力。"))
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload(data)})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = html(client.get(preview_url))
    assert "确认导入" in page and "全面提升县域医疗服务能力。" in page and "年度总体目标" in page
    assert Filing.objects.get(pk=filing.pk).department.overall_goal == ""
    response = client.post(preview_url)
    assert response.status_code == 302 and response["Location"] == reverse("filings:check", args=[filing.pk])
    page = html(client.get(response["Location"]))
    assert "核对结果" in page and "已从“申报表.xlsx”导入" in page
    assert Filing.objects.get(pk=filing.pk).department.overall_goal == "全面提升县域医疗服务能力。"
    version = Filing.objects.get(pk=filing.pk).lock_version
    response = client.post(preview_url)  # a second click on 确认导入 gets the result, and imports nothing again
    assert response.status_code == 302 and response["Location"] == reverse("filings:check", args=[filing.pk])
    assert "这个文件已经导入" in html(client.get(response["Location"]))
    assert Filing.objects.get(pk=filing.pk).lock_version == version


def test_a_preview_belongs_to_its_filing_and_its_user(client, demo):
    filing, other = demo["s1-dept"], demo["s1-proj1"]
    login(client, "cs_ybj")
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload(workbook_bytes(filing))})
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("filings:import_xlsx_preview", args=[other.pk, token]))
    assert response["Location"] == reverse("filings:import_xlsx", args=[other.pk])
    assert Filing.objects.get(pk=other.pk).lock_version == other.lock_version


def test_submitted_filings_cannot_be_imported_into(client, demo):
    filing = demo["s1-dept"]
    Filing.objects.filter(pk=filing.pk).update(status="submitted")
    login(client, "cs_ybj")
    tasks = reverse("filings:tasks", args=[filing.pk])
    assert client.get(reverse("filings:import_xlsx", args=[filing.pk])).url == tasks
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload(workbook_bytes(filing))})
    assert response.status_code == 302 and response.url == tasks
    assert "不能再导入 Excel" in html(client.get(tasks))


def test_preview_and_apply_cost_the_same_queries_for_small_and_large_files(client, demo):
    filing = demo["s1-proj1"]
    login(client, "cs_ybj")

    def more_rows(workbook):
        main = workbook.worksheets[0]
        start = main.max_row + 1
        for n in range(40):
            main.cell(start + n, 3).value = f"新增满意度指标{n}"
            main.cell(start + n, 5).value = "≥90%"

    counts = []
    for data in (workbook_bytes(filing), edited(filing, more_rows)):
        current = Filing.objects.get(pk=filing.pk)
        response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload(data)})
        with CaptureQueriesContext(connection) as preview:
            assert client.get(response["Location"]).status_code == 200
        with CaptureQueriesContext(connection) as applied:
            assert client.post(response["Location"]).status_code == 302
        assert Filing.objects.get(pk=filing.pk).lock_version == current.lock_version + 1
        counts.append((len(preview), len(applied)))
    assert Filing.objects.get(pk=filing.pk).indicators.count() == 14 + 40
    assert counts[0] == counts[1]


# --- bad input: a clear message with sheet, row and column, nothing saved ---------------------------------------------

MAIN_JIANGXI = "部门整体支出绩效目标设置申报表"


def set_named(name, value):
    return lambda workbook: setattr(cell(workbook, name), "value", value)


def merge_into_label(workbook):
    main = workbook.worksheets[0]
    main.unmerge_cells("A4:B4")
    main.unmerge_cells("C4:F4")
    main.merge_cells("A4:F4")


def merge_across_indicator_columns(workbook):
    main = workbook.worksheets[0]
    (row, column), = find(main, "参保对象满意度")
    main.unmerge_cells(start_row=row, start_column=column, end_row=row, end_column=column + 1)
    main.unmerge_cells(start_row=row, start_column=column + 2, end_row=row, end_column=column + 3)
    main.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + 3)


def unknown_level2(workbook):
    main = workbook.worksheets[0]
    (row, column), = find(main, "经济效益指标")
    main.cell(row, column).value = "不存在的指标"


def value_without_name(workbook):
    main = workbook.worksheets[0]
    (row, column), = find(main, "参保对象满意度")
    main.cell(row, column).value = None


def task_amount_as_text(workbook):
    main = workbook.worksheets[0]
    (row, column), = find(main, "总额")
    main.cell(row + 1, column).value = "四十七万"


def no_indicator_header(workbook):
    main = workbook.worksheets[0]
    for row, column in find(main, "三级指标"):
        main.cell(row, column).value = "指标"


BAD_CELLS = [
    ("text-for-amount", set_named("pb_prior_approved", "四百万"), "“批复数”应填写数字，而不是“四百万”", "C"),
    ("finer-than-fen", set_named("pb_prior_actual", 12.3456789), "金额最多精确到分", "C"),
    ("negative", set_named("pb_income_total", -5), "金额不能为负数", "C"),
    ("bool", set_named("pb_functions_changed", "可能"), "请填写“是”或“否”", "B"),
    ("count", set_named("pb_staff_total", 3.5), "应填写不小于 0 的整数", "B"),
    ("too-long", set_named("pb_contact_person", "长" * 60), "最多 50 个字", "B"),
    ("money-unit", set_named("pb_money_unit", "美元"), "金额单位应为“元”或“万元”", "F"),
    ("merged-value", merge_into_label, "所在的单元格被合并进了 A4:F4", "C"),
    ("merged-table", merge_across_indicator_columns, "的位置不对：表格中只有“一级指标”“二级指标”可以上下合并", "C"),
    ("unknown-level2", unknown_level2, "没有二级指标“不存在的指标”", "B"),
    ("no-name", value_without_name, "请填写三级指标名称", "C"),
    ("task-text", task_amount_as_text, "应填写数字，而不是“四十七万”", "D"),
]


@pytest.mark.parametrize("key, change, message, column", BAD_CELLS, ids=[case[0] for case in BAD_CELLS])
def test_bad_cells_are_reported_with_sheet_row_and_column_and_nothing_is_saved(client, demo, key, change, message,
                                                                             column):
    filing = demo["s1-dept"]
    before = snapshot(filing)
    login(client, "cs_ybj")
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload(edited(filing, change))})
    assert response.status_code == 422
    problems = read_upload(upload(edited(filing, change)), filing).problems
    located = [p for p in problems if message in p.message]
    assert located, [str(p) for p in problems]
    assert (located[0].sheet, located[0].column) == (MAIN_JIANGXI, column) and located[0].row
    assert f"第 {located[0].row} 行" in html(response) and message in html(response).replace("&quot;", "\"")
    assert snapshot(filing) == before


def test_a_project_file_with_bad_date_and_choice(demo):
    filing = demo["s3-proj1"]

    def change(workbook):
        cell(workbook, "pb_filled_on").value = "2024年13月45日"
        cell(workbook, "pb_recurrence").value = "偶尔"
        cell(workbook, "pb_period_years").value = 99999  # on the 其他栏目 sheet; the column holds up to 32767

    problems = [str(p) for p in read_upload(upload(edited(filing, change)), filing).problems]
    assert any("应填写日期" in p and "第 " in p for p in problems), problems
    assert any("请填写“一次性项目”、“经常性项目”之一" in p for p in problems), problems
    located = "工作表“其他栏目” 第 3 行 B 列："
    assert any(p.startswith(located) and "应填写不小于 0 的整数" in p for p in problems), problems


def test_tasks_typed_below_the_printed_totals_are_not_lost_silently(demo):
    filing = demo["s2-dept"]

    def change(workbook):
        main = workbook.worksheets[0]
        (row, _), = find(main, "金额合计")
        main.cell(row + 1, 1).value = "新增任务"

    problems = read_upload(upload(edited(filing, change)), filing).problems
    assert [p.message for p in problems] == ["“金额合计”下面的行不会被导入：请把年度主要任务填在“金额合计”一行之上"]


def test_the_wrong_kind_of_form_is_refused(demo):
    problems = read_upload(upload(workbook_bytes(demo["s0-dept"])), demo["s1-proj1"]).problems
    assert [p.message for p in problems] == ["这是部门整体支出绩效目标申报表的文件，不能导入到项目支出绩效目标申报表。"]


def test_a_sheet_without_the_indicator_table_is_refused(demo):
    problems = read_upload(upload(edited(demo["s1-dept"], no_indicator_header)), demo["s1-dept"]).problems
    assert any("找不到绩效指标表" in p.message for p in problems)


def xlsx(build) -> bytes:
    workbook = Workbook()
    build(workbook)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def rezipped(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return stream.getvalue()


def bomb() -> bytes:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    return stream.getvalue()


def macro_enabled(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").replace(
            b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml").replace(
            b"application/vnd.openxmlformats-officedocument.sheet.macroEnabled", b"application/vnd.ms-excel.sheet"
            b".macroEnabled")
    return rezipped(data, {"[Content_Types].xml": types})


def many_rows(workbook):
    for row in range(1, 2003):
        workbook.active.cell(row, 1).value = row


LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
          b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol2;</workbook>')


def export_of(key):
    return lambda demo: workbook_bytes(demo[key])


BAD_FILES = [
    ("pdf", lambda demo: b"%PDF-1.7 not a spreadsheet", "x.xlsx", "只能导入 .xlsx 格式"),
    ("xls", lambda demo: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "x.xls", "旧版 .xls"),
    ("wrong-extension", export_of("s1-dept"), "x.csv", "只能导入 .xlsx 格式"),
    ("empty", lambda demo: b"", "x.xlsx", "文件是空的"),
    ("truncated", lambda demo: workbook_bytes(demo["s1-dept"])[:3000], "x.xlsx", "文件已损坏"),
    ("zip-bomb", lambda demo: bomb(), "x.xlsx", "疑似“压缩炸弹”"),
    ("word", lambda demo: rezipped(workbook_bytes(demo["s1-dept"]), {}, {"word/document.xml": b"<w/>"})
     .replace(b"xl/workbook.xml", b"xl/workbook.xmm"), "x.xlsx", "这不是 .xlsx 文件"),
    ("macros", lambda demo: rezipped(workbook_bytes(demo["s1-dept"]), {}, {"xl/vbaProject.bin": b"\0" * 10}),
     "x.xlsx", "含有宏"),
    ("macro-type", lambda demo: macro_enabled(workbook_bytes(demo["s1-dept"])), "x.xlsx", "含有宏"),
    ("entities", lambda demo: rezipped(workbook_bytes(demo["s1-dept"]), {"xl/workbook.xml": LAUGHS}), "x.xlsx",
     "文件已损坏"),
    ("too-many-rows", lambda demo: xlsx(many_rows), "x.xlsx", "超过了 2000 行"),
    ("foreign-workbook", lambda demo: xlsx(lambda wb: setattr(wb.active["A1"], "value", "工资表")), "x.xlsx",
     "无法识别表样"),
    ("too-big", lambda demo: b"PK" + b"\0" * (5 * 1024 * 1024), "x.xlsx", "文件太大"),
]


@pytest.mark.parametrize("key, build, name, message", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_files_get_a_clear_message_and_nothing_is_saved(client, demo, key, build, name, message):
    filing = demo["s1-dept"]
    before = snapshot(filing)
    login(client, "cs_ybj")
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload(build(demo), name)})
    assert response.status_code == 422
    page = html(response)
    assert "没有导入任何内容" in page
    problems = read_upload(upload(build(demo), name), filing).problems
    assert problems and all(p.message for p in problems)
    assert message in " ".join(p.message for p in problems)
    assert snapshot(filing) == before


def test_formulas_are_not_evaluated(demo):
    filing = demo["s1-dept"]

    def change(workbook):
        cell(workbook, "pb_prior_carryover").value = "=1+2"  # a formula without a cached value
        cell(workbook, "pb_contact_person").value = '=HYPERLINK("http://example.invalid","x")'

    result = read_upload(upload(edited(filing, change)), filing)
    assert result.ok
    assert result.data["fields"]["prior_carryover"] is None and result.data["fields"]["contact_person"] == ""

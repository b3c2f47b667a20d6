"""The Excel import preview is the changes page's diff: the filing now → the snapshot the file would make of it
(`filings.exports.excel.preview`), and that snapshot is what `apply_import` then writes."""

import pytest
from django.urls import reverse

from filings.diff import diff_snapshots
from filings.exports.excel.official import workbook_bytes
from filings.exports.excel.preview import build_preview, current_snapshot, imported_snapshot
from filings.exports.excel.template_import import apply_import, read_upload
from filings.models import Filing

from .pages import html, login
from .test_excel_export import find
from .test_excel_import import acting_user, cell, edited, upload


def parsed(filing, data: bytes | None = None, target="same") -> dict:
    result = read_upload(upload(data if data is not None else workbook_bytes(filing)),
                         filing if target == "same" else target)
    assert result.ok, [str(p) for p in result.problems]
    return result.data


def many_changes(filing):
    """A field, a task removed, an indicator's value changed, one renamed, two appended, one emptied."""
    tasks = list(filing.tasks.order_by("order"))

    def change(workbook):
        cell(workbook, "pb_contact_person").value = "王小明"
        main = workbook.worksheets[0]
        (row, column), = find(main, "参保对象满意度")
        main.cell(row, column + 2).value = "≥96%"
        row, column = find(main, tasks[-1].name)[0]
        for offset in range(6):
            main.cell(row, column + offset).value = None
        last = main.max_row + 1
        for n in range(2):
            main.cell(last + n, 3).value = f"新增满意度指标{n}"
            main.cell(last + n, 5).value = "≥90%"

    return edited(filing, change)


@pytest.mark.parametrize("key", ["s1-dept", "s0-dept", "s3-proj1", "s4-dept"])
def test_the_imported_snapshot_is_what_the_import_writes(demo, key):
    filing = demo[key]
    data = parsed(filing, many_changes(filing) if key == "s1-dept" else None)
    expected = imported_snapshot(filing, data)
    apply_import(filing, data, filing.lock_version, user=acting_user())
    written = current_snapshot(Filing.objects.with_related().get(pk=filing.pk), data)
    left = diff_snapshots(written, expected, data["money_unit"])
    assert left.is_empty, (left.fields, left.rows, left.indicators)


def test_the_preview_lists_every_field_row_and_indicator_the_import_changes(demo):
    filing = demo["s1-dept"]
    preview = build_preview(filing, parsed(filing, many_changes(filing)))
    diff = preview.diff
    assert [(c.label, c.old, c.new) for c in diff.fields] == [("联系人／填表人", "曹丽芳", "王小明")]
    assert [(r.status, r.name) for r in diff.rows] == [("removed", filing.tasks.order_by("order").last().name)]
    indicators = {(i.status, i.name, i.old_value, i.new_value) for i in diff.indicators}
    assert indicators == {("changed", "参保对象满意度", "≥95%", "≥96%"), ("added", "新增满意度指标0", "", "≥90%"),
                          ("added", "新增满意度指标1", "", "≥90%")}
    assert not preview.unchanged


def test_a_new_filing_from_a_file_previews_everything_as_added(demo):
    source = demo["s3-proj1"]
    data = parsed(source, target=None)
    preview = build_preview(None, data)
    diff = preview.diff
    assert {i.status for i in diff.indicators} == {"added"}
    assert len(diff.indicators) == source.indicators.count()
    assert {c.label: c.new for c in diff.fields}["项目名称"] == source.project.name
    assert all(c.old == "" for c in diff.fields)
    assert current_snapshot(None, data) == {}


def test_the_preview_page_shows_the_changes_page_s_tables_and_the_confirmation(client, demo):
    filing = demo["s1-dept"]
    login(client, "cs_ybj")
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload(many_changes(filing))})
    page = html(client.get(response["Location"]))
    for part in ("changed-fields", "changed-rows", "changed-indicators", "导入后", "王小明", "新增满意度指标1",
                 "≥96%", "确认导入", "年度主要任务 2 行 → 1 行"):
        assert part in page, part
    changes = html(client.get(reverse("filings:changes", args=[filing.pk])))
    assert "{%" not in page and "{#" not in page and "{#" not in changes

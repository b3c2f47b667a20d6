"""Excel round trip in the browser (issue 8, "Done when"): the filer of s0-dept downloads the Excel file, uploads it
with three mistakes and reads the three messages with sheet, row and column; then uploads a corrected file, reads the
preview, confirms and lands on the check page with the validation report. Screenshots: artifacts/screenshots/excel-*.
"""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from filings.models import Filing

from .helpers import shoot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SHEET = "部门整体支出绩效目标设置申报表"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def named(workbook, name):
    (title, coordinate), = workbook.defined_names[name].destinations
    return workbook[title][coordinate.replace("$", "")]


def saved(workbook) -> bytes:
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(page, name: str, data: bytes):
    page.get_by_label("Excel 文件（.xlsx）").set_input_files({"name": name, "mimeType": XLSX, "buffer": data})
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()


def test_upload_with_mistakes_then_a_correct_file(page, demo):
    filing = demo["s0-dept"]
    sign_in(page, "cs_zyy")
    page.goto(page.base_url + reverse("filings:tasks", args=[filing.pk]))
    with page.expect_download() as download:
        page.get_by_role("link", name="下载Excel").click()
    assert download.value.suggested_filename == "2026-九江市柴桑区总医院.xlsx"
    original = Path(download.value.path()).read_bytes()

    workbook = load_workbook(io.BytesIO(original))
    named(workbook, "pb_prior_approved").value = "三百五十七万"
    named(workbook, "pb_functions_changed").value = "也许"
    main = workbook[SHEET]
    level2 = next(c for row in main.iter_rows() for c in row if c.value == "经济效益指标")
    level2.value = "经济效益类"
    mistakes = [
        (named(workbook, "pb_prior_approved").row, "C", "“批复数”应填写数字，而不是“三百五十七万”"),
        (named(workbook, "pb_functions_changed").row, "B", "请填写“是”或“否”，而不是“也许”"),
        (level2.row, "B", "没有二级指标“经济效益类”"),
    ]
    page.get_by_role("link", name="导入Excel").click()
    expect(page.get_by_role("heading", name=f"导入Excel：{filing}")).to_be_visible()
    upload(page, "有错误的申报表.xlsx", saved(workbook))
    problems = page.locator(".problems-table tbody tr")
    expect(problems).to_have_count(3)
    expect(page.locator(".import-problems")).to_contain_text("文件中有 3 处问题，没有导入任何内容")
    texts = sorted(problems.all_inner_texts())
    for row, column, message in mistakes:
        matching = [t for t in texts if f"第 {row} 行" in t and f"{column} 列" in t and message in t and SHEET in t]
        assert matching, (row, column, message, texts)
    shoot(page, "excel-import-mistakes")
    assert Filing.objects.get(pk=filing.pk).department.overall_goal == ""

    workbook = load_workbook(io.BytesIO(original))
    named(workbook, "pb_overall_goal").value = "建成紧密型县域医共体，基层诊疗量占比不低于65%。"
    named(workbook, "pb_contact_person").value = "桑梓尧（财务科）"
    upload(page, "改好的申报表.xlsx", saved(workbook))
    expect(page.get_by_role("heading", name="确认导入")).to_be_visible()
    changes = page.locator(".changed-fields table")  # the changes page's diff: 原来 → 导入后
    expect(changes).to_contain_text("年度总体目标")
    expect(changes).to_contain_text("建成紧密型县域医共体，基层诊疗量占比不低于65%。")
    expect(changes.locator("tr", has_text="联系人")).to_contain_text("桑梓尧（财务科）")
    expect(page.locator(".diff-counts")).to_contain_text(
        "改动的栏目 2 项；行：新增 0、删除 0、修改 0；指标：新增 0、删除 0、修改 0")
    expect(page.locator(".changed-rows, .changed-indicators")).to_have_count(0)
    shoot(page, "excel-import-preview")
    assert Filing.objects.get(pk=filing.pk).department.overall_goal == ""

    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="核对并提交")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("已从“改好的申报表.xlsx”导入")
    expect(page.locator("#report-title")).to_contain_text("核对结果：错误")
    expect(page.locator(".printed-form")).to_contain_text("建成紧密型县域医共体，基层诊疗量占比不低于65%。")
    shoot(page, "excel-import-result")
    saved_filing = Filing.objects.get(pk=filing.pk)
    assert saved_filing.department.overall_goal == "建成紧密型县域医共体，基层诊疗量占比不低于65%。"
    assert saved_filing.contact_person == "桑梓尧（财务科）"

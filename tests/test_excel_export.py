"""One filing as .xlsx in its official layout (issue 8 part 1): merged cells, borders, numbers, print setup, safety."""

import io
import zipfile
from decimal import Decimal
from urllib.parse import quote

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from filings.exports.excel.official import header_text, workbook_bytes
from filings.models import Indicator

from .pages import login

SEEDS = ["s0-dept", "s1-dept", "s1-proj1", "s2-dept", "s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5",
         "s4-dept", "s4-proj1", "s4-proj2"]
TITLES = {"dept-jiangxi": "部门整体支出绩效目标设置申报表", "dept-mof88": "部门整体支出绩效目标表",
          "dept-hunan": "部门整体支出绩效目标表", "proj-jiangxi": "项目支出绩效目标申报表",
          "proj-yangquan": "项目支出绩效目标表", "proj-hunan": "项目支出绩效目标表"}
SIDE_BY_SIDE = {"proj-yangquan", "proj-mof88"}


def exported(filing):
    return load_workbook(io.BytesIO(workbook_bytes(filing)))


def named(workbook, name):
    (title, coordinate), = workbook.defined_names[name].destinations
    return workbook[title][coordinate.replace("$", "")]


def find(sheet, text):
    """(row, column) of every cell whose value is exactly ``text``."""
    return [(cell.row, cell.column) for row in sheet.iter_rows() for cell in row if cell.value == text]


def merge_at(sheet, row, column):
    return next((m for m in sheet.merged_cells.ranges
                 if m.min_row == row and m.min_col == column), None)


@pytest.mark.parametrize("key", SEEDS)
def test_every_seed_exports_to_its_official_layout(demo, key):
    filing = demo[key]
    workbook = exported(filing)
    main, extra, meta = workbook.worksheets
    assert main["A1"].value == TITLES[filing.variant.code]
    assert main["A2"].value == f"（{filing.year}年度）"
    assert named(workbook, "pb_money_unit").value == filing.get_money_unit_display()
    assert extra.title == "其他栏目" and extra.sheet_state == "visible"
    assert meta.sheet_state == "hidden"
    facts = {row[0]: row[1] for row in meta.iter_rows(values_only=True)}
    assert facts["format"] == "perfbudget-filing" and facts["variant"] == filing.variant.code
    assert (facts["kind"], facts["scheme"], facts["money_unit"]) == (filing.kind, filing.scheme.code,
                                                                      filing.money_unit)


@pytest.mark.parametrize("key", SEEDS)
def test_level1_and_level2_cells_are_merged_over_their_rows_in_the_schemes_order(demo, key):
    filing = demo[key]
    main = exported(filing).worksheets[0]
    header = find(main, "三级指标")[0][0]
    periods = ["implementation", "annual"] if filing.variant.code in SIDE_BY_SIDE else ["annual"]
    assert len(find(main, "三级指标")) == len(periods)
    indicators = list(filing.indicators.order_by("order", "pk"))
    row = header + 1
    categories = list(filing.scheme.categories.select_related("parent").order_by("parent__order", "order"))
    for parent in (c for c in categories if c.parent_id is None):
        start = row
        for child in (c for c in categories if c.parent_id == parent.pk):
            columns = [[i for i in indicators if i.period == p and i.category_id == child.pk] for p in periods]
            height = max(1, *(len(rows) for rows in columns))
            for number, rows in enumerate(columns):
                level2_col = 2 + number * (main.max_column - 1) // len(periods)
                assert main.cell(row, level2_col).value == child.name
                if height > 1:
                    merged = merge_at(main, row, level2_col)
                    assert (merged.max_row, merged.max_col) == (row + height - 1, level2_col)
                names = [main.cell(row + offset, level2_col + 1).value for offset in range(len(rows))]
                assert names == [i.name for i in rows]
                values = [main.cell(row + offset, level2_col + 1 + 1).value for offset in range(len(rows))]
                if filing.variant.code in SIDE_BY_SIDE:  # one column each: 三级 then 指标值
                    assert values == [i.value_text or None for i in rows]
            row += height
        assert main.cell(start, 1).value == parent.name
        if row - 1 > start:
            assert merge_at(main, start, 1).max_row == row - 1


NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def borders_in_file(data: bytes) -> dict[str, set[str]]:
    """cell reference -> the sides with a border, as stored in the file (not as openpyxl re-derives merged cells)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    sides = [{side for side in ("left", "right", "top", "bottom")
              if (element := border.find(f"m:{side}", NS)) is not None and element.get("style")}
             for border in styles.find("m:borders", NS)]
    border_of_style = [int(xf.get("borderId", 0)) for xf in styles.find("m:cellXfs", NS)]
    return {cell.get("r"): sides[border_of_style[int(cell.get("s", 0))]] for cell in sheet.iter(f"{{{NS['m']}}}c")}


@pytest.mark.parametrize("key", ["s0-dept", "s2-dept", "s3-proj2", "s4-proj1"])
def test_every_cell_of_a_merged_range_has_a_border_in_the_file(demo, key):
    data = workbook_bytes(demo[key])
    stored = borders_in_file(data)
    main = load_workbook(io.BytesIO(data)).worksheets[0]
    checked = 0
    for merged in main.merged_cells.ranges:
        if merged.min_row <= 3:
            continue  # the title rows are not part of the table
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                reference = f"{get_column_letter(column)}{row}"
                assert stored.get(reference) == {"left", "right", "top", "bottom"}, (merged.coord, reference)
                checked += 1
    assert checked > 50


def test_amounts_are_numbers_in_the_filings_money_unit_with_a_number_format(demo):
    workbook = exported(demo["s0-dept"])  # 万元
    approved = named(workbook, "pb_prior_approved")
    assert approved.data_type == "n" and Decimal(str(approved.value)) == Decimal("357.26")
    assert approved.number_format == "#,##0.00####"
    rate = named(workbook, "pb_prior_execution_rate")
    assert Decimal(str(rate.value)) == Decimal("108.97") and rate.number_format == "0.00"
    staff = named(workbook, "pb_staffing_quota")
    assert staff.value == 16 and staff.number_format == "0"
    workbook = exported(demo["s3-proj1"])  # 元
    total = named(workbook, "pb_annual_total")
    assert total.value == 550000 and total.number_format == "#,##0.00"
    filled = named(workbook, "pb_filled_on")
    assert filled.is_date and filled.value.date().isoformat() == "2024-01-26"


def test_an_amount_finer_than_the_display_unit_keeps_every_digit(demo):
    filing = demo["s1-dept"]
    filing.department.prior_carryover = Decimal("477550.01")  # 47.755001 万元
    filing.department.save()
    cell = named(exported(filing), "pb_prior_carryover")
    assert Decimal(str(cell.value)) == Decimal("47.755001")


def test_the_printed_totals_of_the_annual_tasks_are_a_row_of_numbers(demo):
    main = exported(demo["s2-dept"]).worksheets[0]
    (row, column), = find(main, "金额合计")
    amounts = [main.cell(row, c).value for c in range(column + 1, main.max_column + 1) if main.cell(row, c).value]
    assert [Decimal(str(a)) for a in amounts] == [Decimal("12408.33"), Decimal("12408.33")]
    header = find(main, "总额")[0]
    first_task = main.cell(header[0] + 1, header[1]).value
    assert isinstance(first_task, (int, float)) and main.cell(header[0] + 1, header[1]).number_format == "#,##0.00####"


@pytest.mark.parametrize("key, orientation", [("s0-dept", "portrait"), ("s3-proj1", "landscape"),
                                              ("s4-proj1", "portrait")])
def test_print_setup(demo, key, orientation):
    filing = demo[key]
    workbook = exported(filing)
    main = workbook.worksheets[0]
    setup = main.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, orientation, 1, 0)
    assert main.sheet_properties.pageSetUpPr.fitToPage
    header = find(main, "三级指标")[0][0]
    assert main.print_title_rows == f"${header - 1}:${header}"
    assert f"（{filing.year}年度）" in main.oddHeader.center.text
    assert "&P" in main.oddFooter.center.text and "&N" in main.oddFooter.center.text
    assert all(main.column_dimensions[letter].width >= 10 for letter in "ABCDEF")
    assert main.print_area.endswith(f"${main.max_row}")
    goal = named(workbook, "pb_annual_goal" if filing.kind == "project" else "pb_overall_goal")
    assert goal.alignment.wrap_text
    if goal.value and len(goal.value) > 60:
        assert main.row_dimensions[goal.row].height > 30  # a long text gets a taller row


def test_page_header_text_escapes_ampersands():
    assert header_text("卫生&健康\x07局") == "卫生&&健康局"


def test_labels_follow_the_form_variant(demo):
    hunan = exported(demo["s4-proj1"]).worksheets[0]
    for label in ["项目支出名称", "预算部门", "项目支出实施期", "实施期绩效目标", "本年度绩效目标", "本年度绩效指标",
                  "绩效标准", "填表人", "单位负责人", "年度本级预算金额", "该项目支出上级资金"]:
        assert find(hunan, label), label
    yangquan = exported(demo["s3-proj1"]).worksheets[0]
    (caption_row, _), = find(yangquan, "实施期绩效指标")
    assert find(yangquan, "年度绩效指标")[0][0] == caption_row  # side by side
    for label in ["主管部门及代码", "项目属性", "项目期", "项目资金（元）", "其中：中央财政资金", "单位自筹",
                  "项目概况", "负责人", "经办人", "联系电话", "填报日期"]:
        assert find(yangquan, label), label
    jiangxi = exported(demo["s0-dept"]).worksheets[0]
    (row, column), = find(jiangxi, "上年预算（万元）")
    assert merge_at(jiangxi, row, column).max_row == row + 2
    for label in ["部门职能分解", "部门中期目标", "对应年度绩效目标和内容", "编制控制数", "执行率（%）"]:
        assert find(jiangxi, label), label
    assert find(exported(demo["s4-dept"]).worksheets[0], "年度预算申请（万元）")


def test_fields_the_variant_does_not_print_are_kept_on_the_second_sheet(demo):
    filing = demo["s2-dept"]  # 88号式: no unit facts
    filing.department.function_basis = "深鹏办〔2020〕1号"
    filing.department.save()
    workbook = exported(filing)
    assert not find(workbook.worksheets[0], "部门职能依据（三定方案批文号）")
    extra = workbook["其他栏目"]
    (row, column), = find(extra, "部门职能依据（三定方案批文号）")
    assert extra.cell(row, column + 1).value == "深鹏办〔2020〕1号"


FORMULAS = {"name": '=HYPERLINK("http://example.invalid","点击")', "value": "-5%", "indicator": "+1",
            "contact": "@SUM(A1:A3)"}


def test_formula_like_text_stays_text_and_control_characters_are_stripped(demo):
    filing = demo["s4-proj1"]
    filing.project.name = FORMULAS["name"]
    filing.project.annual_goal = "完成\x07基本公共卫生服务"
    filing.project.save()
    filing.contact_person = FORMULAS["contact"]
    filing.save()
    indicator = filing.indicators.order_by("pk").first()
    Indicator.objects.filter(pk=indicator.pk).update(name=FORMULAS["indicator"], value_text=FORMULAS["value"])
    data = workbook_bytes(filing)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert "\x07" not in sheet_xml
    workbook = load_workbook(io.BytesIO(data))
    for text in FORMULAS.values():
        (row, column), = find(workbook.worksheets[0], text)
        cell = workbook.worksheets[0].cell(row, column)
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert named(workbook, "pb_annual_goal").value == "完成基本公共卫生服务"


def test_anyone_who_may_see_the_filing_downloads_it_with_its_name(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_wjw")  # the reviewer of the parent unit
    response = client.get(reverse("filings:xlsx", args=[filing.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"filename*=utf-8''{quote('2026-九江市柴桑区总医院.xlsx')}" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["A1"].value == "部门整体支出绩效目标设置申报表"
    login(client, "yq_sy")  # a filer of another region
    assert client.get(reverse("filings:xlsx", args=[filing.pk])).status_code == 404


def test_the_download_costs_the_same_number_of_queries_for_a_small_and_a_large_filing(client, demo):
    filing = demo["s1-proj1"]
    login(client, "cs_ybj")
    url = reverse("filings:xlsx", args=[filing.pk])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    template = filing.indicators.order_by("pk").first()
    Indicator.objects.bulk_create(
        Indicator(filing=filing, period=template.period, category=template.category, order=100 + n,
                  name=f"新增指标{n}", value_text=f"≥{n}个", value_kind="quantitative") for n in range(40))
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200 and b"xl/workbook.xml" in response.content
    assert len(large) == len(small)

"""Formula-like text stays text; control characters and bad sheet titles are cleaned."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from filings.exports.excel.cells import put, sheet_title, write_only_cell


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "＝1+1", "=cmd|' /C calc'!A0", "\t=1",
                                  "#N/A", "#DIV/0!"])
def test_formula_like_text_is_stored_as_text(text):
    workbook = Workbook()
    put(workbook.active["A1"], text)
    stream = io.BytesIO()
    workbook.save(stream)
    assert workbook.active["A1"].data_type == "s"
    cell = load_workbook(io.BytesIO(stream.getvalue()))["Sheet"]["A1"]
    assert cell.data_type == "s"
    assert cell.value == text
    assert cell.quotePrefix


def test_plain_values_are_unchanged_and_control_characters_stripped():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("数据")
    sheet.append([write_only_cell(sheet, "产出\x07指标"), write_only_cell(sheet, Decimal("12.50"), "#,##0.00"),
                  write_only_cell(sheet, "≥95%")])
    stream = io.BytesIO()
    workbook.save(stream)
    row = [cell for cell in load_workbook(io.BytesIO(stream.getvalue()))["数据"][1]]
    assert [cell.value for cell in row] == ["产出指标", 12.5, "≥95%"]
    assert row[1].number_format == "#,##0.00"
    assert not row[2].quotePrefix


def test_float_is_refused():
    with pytest.raises(TypeError):
        put(Workbook().active["A1"], 0.1)


@pytest.mark.parametrize(("name", "expected"), [
    ("沅江市卫生健康局/2024[项目]", "沅江市卫生健康局_2024_项目_"),
    ("", "Sheet"),
    ("History", "History_"),
    ("一" * 40, "一" * 31),
])
def test_sheet_titles_are_valid(name, expected):
    assert sheet_title(name) == expected


def test_sheet_titles_are_unique():
    assert sheet_title("项目", {"项目"}) == "项目(2)"
    assert sheet_title("一" * 40, {"一" * 31}) == "一" * 28 + "(2)"

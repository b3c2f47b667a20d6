"""Real .xlsx and .docx files holding any table shape, with real merged cells, for the table tests.

``merges``: (first_row, first_col, last_row, last_col), 0-based and inclusive. The text of a merged range is the
grid's text at its top-left cell; the grid should hold "" in the other cells of the range (what reading gives back).
"""

import io
import zipfile

from docx import Document
from openpyxl import Workbook

Merge = tuple[int, int, int, int]


def xlsx_bytes(grid: list[list], merges: list[Merge] = (), sheet_title: str = "Sheet1") -> bytes:
    """A workbook of one sheet; cells that are not text (numbers, dates) are written as they are."""
    return xlsx_sheets_bytes([(sheet_title, grid, merges)])


def xlsx_sheets_bytes(sheets: list[tuple[str, list[list], list[Merge]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, grid, merges in sheets:
        sheet = workbook.create_sheet(title)
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                if value not in ("", None):
                    sheet.cell(r, c, value)
        for first_row, first_col, last_row, last_col in merges:
            sheet.merge_cells(start_row=first_row + 1, start_column=first_col + 1, end_row=last_row + 1,
                              end_column=last_col + 1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def fill_cell(cell, text: str) -> None:
    """A cell's text, one paragraph per line (as typed with Enter in Word)."""
    lines = str(text).split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def fill_table(table, grid: list[list[str]], merges: list[Merge]) -> None:
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text:
                fill_cell(table.cell(r, c), text)
    for first_row, first_col, last_row, last_col in merges:
        table.cell(first_row, first_col).merge(table.cell(last_row, last_col))


def docx_bytes(tables: list[tuple[list[list[str]], list[Merge]]]) -> bytes:
    """A Word document with the tables in order, a paragraph before each (as in a printed form)."""
    document = Document()
    for number, (grid, merges) in enumerate(tables, start=1):
        document.add_paragraph(f"表{number}")
        width = max((len(row) for row in grid), default=1)
        fill_table(document.add_table(rows=len(grid), cols=width), grid, merges)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replaced(data: bytes, parts: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The package with some parts' bytes replaced (None: left out) and others added, stored or deflated as usual."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = parts.get(entry.filename, source.read(entry.filename))
            if content is not None:
                target.writestr(entry.filename, content)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def part(data: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(name)

"""The tables of an uploaded .xlsx: every worksheet with content, opened the way the Excel import opens a workbook."""

import io

from ..exports.excel.reader import open_workbook
from .grids import GridBudget, SourceTable, source_table
from .printed import cell_text


class NamedBytes(io.BytesIO):
    """Checked bytes handed to ``open_workbook`` as the upload they came from."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


def workbook_tables(data: bytes, name: str) -> list[SourceTable]:
    workbook = open_workbook(NamedBytes(data, name))
    budget, tables = GridBudget(), []
    for sheet in workbook.worksheets:
        label = f"工作表“{sheet.title}”" + ("（隐藏）" if sheet.sheet_state != "visible" else "")
        table = source_table(label, sheet_grid(sheet, label, budget))
        if table:
            tables.append(table)
    return tables


def sheet_grid(sheet, label: str, budget: GridBudget) -> list[list[str]]:
    # The cells the file holds, not every coordinate of the used range: asking a worksheet for a cell creates it,
    # and a sheet with one cell at A1 and one at BH2000 would create 120,000 of them.
    texts = {}
    for (row, column), cell in sheet._cells.items():
        text = cell_text(cell)
        if text:
            texts[row, column] = text
    if not texts:
        return []
    rows = max(row for row, _ in texts)
    columns = max(column for _, column in texts)
    budget.check(label, rows, columns)
    grid = [[""] * columns for _ in range(rows)]
    for (row, column), text in texts.items():
        grid[row - 1][column - 1] = text
    return grid

"""A table read from a file, as a grid of text the way Excel copies it."""

import re
from dataclasses import dataclass

from ..exports.excel.container import MAX_COLUMNS, MAX_ROWS, UnreadableFile

MAX_GRID_CELLS = 200_000  # cells of all the grids of one file together (merged cells counted one by one)

# Header words of an indicator table: a row with two of them (一级指标 … 三级指标, 指标值 …) is its header.
HEADER_WORDS = ("一级指标", "二级指标", "三级指标", "指标名称", "指标内容", "指标值", "目标值", "绩效指标")
HEADER_CELL = 30  # characters: a longer cell is a sentence that mentions the words, not a header
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SourceTable:
    """One table of an uploaded file.

    ``grid``: rows of cell texts, all rows as long; a merged range holds its text in its top-left cell and "" in
    the others (as Excel copies a merged range); trailing empty rows and columns are left out.
    ``looks_like_indicators``: the table has an indicator header row (the upload page pre-selects it)."""

    label: str  # for the user: 工作表“项目支出”, 第2个表格（12行×6列）
    grid: list[list[str]]
    looks_like_indicators: bool

    @property
    def size(self) -> tuple[int, int]:
        return len(self.grid), len(self.grid[0]) if self.grid else 0


def trimmed(grid: list[list[str]]) -> list[list[str]]:
    """The grid without trailing empty rows and columns, every row as long as the longest one with content."""
    rows = list(grid)
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, text in enumerate(row) if text), default=0) for row in rows), default=0)
    return [(row + [""] * width)[:width] for row in rows]


def looks_like_indicators(grid: list[list[str]]) -> bool:
    for row in grid:
        found = {word for text in row if len(text) <= HEADER_CELL and ("指标" in text or "目标" in text)
                 for word in HEADER_WORDS if word in SPACES.sub("", text)}
        if len(found) >= 2:
            return True
    return False


class GridBudget:
    """Refuses a file whose tables together would make too many grid cells (merged ranges count every cell)."""

    def __init__(self):
        self.cells = 0

    def check_rows(self, where: str, rows: int, columns: int) -> None:
        """While a table is being read: refuse as soon as it is too big, before it is all in memory."""
        if rows > MAX_ROWS or columns > MAX_COLUMNS or self.cells + rows * columns > MAX_GRID_CELLS:
            self.check(where, rows, columns)

    def check(self, where: str, rows: int, columns: int) -> None:
        """Count a whole table's grid, refusing it if it is too big."""
        if rows > MAX_ROWS:
            raise UnreadableFile(f"{where}有 {rows} 行，超过了 {MAX_ROWS} 行的上限。")
        if columns > MAX_COLUMNS:
            raise UnreadableFile(f"{where}有 {columns} 列，超过了 {MAX_COLUMNS} 列的上限。")
        self.cells += rows * columns
        if self.cells > MAX_GRID_CELLS:
            raise UnreadableFile(f"文件中表格的单元格太多（超过 {MAX_GRID_CELLS:,} 个），请只保留绩效目标表后再上传。")


def source_table(label: str, grid: list[list[str]]) -> SourceTable | None:
    """The table, or None when it has no content."""
    grid = trimmed(grid)
    if not grid:
        return None
    return SourceTable(label, grid, looks_like_indicators(grid))

"""The printed form's table of indicators: 一级 and 二级 cells merged over their rows, in the scheme's order.

Shared by the check page, the review page and the exports, so they all lay indicators out alike. A table has one
set of 三级/指标值 columns per period printed side by side (阳泉's 实施期 and 年度 columns share the 一级 cell and
the rows of each 二级).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from indicators.models import Category

# How many "lines" (see `row_weight`) one block of rows may take before a PDF page could not hold it whole.
PAGE_BLOCK_LINES = 26


@dataclass
class TableRow:
    level1: Category
    level1_span: int  # rows the 一级 cell spans; 0 on the rows it covers
    level2: Category
    level2_span: int
    indicators: tuple  # one per period column set; None where that period has no row here
    continued: bool = False  # the first row of a block that continues the 一级 group printed above it
    level2_continued: bool = False  # ... and of a block that continues a 二级 group

    @property
    def indicator(self):
        return self.indicators[0]


def side_by_side_table(indicators, categories: list[Category], periods: Sequence[str]) -> list[TableRow]:
    """Rows of every 二级 of the scheme (a 二级 without 三级 rows prints one empty row), periods side by side."""
    by_key: dict[tuple[str, int], list] = {}
    for indicator in indicators:
        by_key.setdefault((indicator.period, indicator.category_id), []).append(indicator)
    rows: list[TableRow] = []
    for parent in (c for c in categories if c.parent_id is None):
        start = len(rows)
        for child in (c for c in categories if c.parent_id == parent.pk):
            columns = [by_key.get((period, child.pk), []) for period in periods]
            height = max(1, *(len(column) for column in columns))
            for index in range(height):
                cells = tuple(column[index] if index < len(column) else None for column in columns)
                rows.append(TableRow(parent, 0, child, height if index == 0 else 0, cells))
        if len(rows) > start:
            rows[start].level1_span = len(rows) - start
    return rows


def indicator_table(indicators, categories: list[Category], period: str) -> list[TableRow]:
    return side_by_side_table(indicators, categories, [period])


def _split_where(rows: list[TableRow], starts) -> list[list[TableRow]]:
    """The rows cut before every row for which ``starts(row)`` holds."""
    groups: list[list[TableRow]] = []
    for row in rows:
        if starts(row) or not groups:
            groups.append([])
        groups[-1].append(row)
    return groups


def level1_blocks(rows: list[TableRow]) -> list[list[TableRow]]:
    """The rows cut into one block per 一级 group (one <tbody> each)."""
    return _split_where(rows, lambda row: row.level1_span)


def row_weight(row: TableRow) -> int:
    """A rough height of a printed row in lines: long names and values wrap."""
    texts = [row.level2.name] + [
        text for indicator in row.indicators if indicator is not None
        for text in (indicator.name, indicator.value_text, getattr(indicator, "standard", ""))
    ]
    return max(1, *((len(text or "") + 19) // 20 for text in texts))


def page_blocks(rows: list[TableRow], limit: int = PAGE_BLOCK_LINES) -> list[list[TableRow]]:
    """Blocks small enough for one page, so no merged cell is ever cut by a page break.

    A 一级 group taller than ``limit`` is cut between its 二级 groups, and a 二级 group taller than ``limit`` between
    its rows; spans are recomputed inside each block, and a block that continues a group repeats its labels
    (marked ``continued`` / ``level2_continued``).
    """
    blocks: list[list[TableRow]] = []
    for group in level1_blocks(rows):
        current: list[TableRow] = []
        used = 0
        for level2_rows in _split_where(group, lambda row: row.level2_span):
            weight = sum(row_weight(row) for row in level2_rows)
            if current and used + weight > limit:
                blocks.append(_respan(current))
                current, used = [], 0
            for row in level2_rows:
                if current and used + row_weight(row) > limit:
                    blocks.append(_respan(current))
                    current, used = [], 0
                current.append(row)
                used += row_weight(row)
        if current:
            blocks.append(_respan(current))
    return blocks


def _respan(block: list[TableRow]) -> list[TableRow]:
    """The block's rows with 一级/二级 spans counted inside the block only."""
    rows = [replace(row, level1_span=0, level2_span=0) for row in block]
    rows[0].level1_span = len(rows)
    rows[0].continued = not block[0].level1_span
    rows[0].level2_continued = not block[0].level2_span
    start = 0
    for index in range(1, len(rows) + 1):
        if index == len(rows) or block[index].level2_span:
            rows[start].level2_span = index - start
            start = index
    return rows

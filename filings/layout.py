"""The printed form's table of indicators: 一级 and 二级 cells merged over their rows, in the scheme's order.

Shared by the check page, the review page and the exports, so they all lay indicators out alike.
"""

from dataclasses import dataclass

from indicators.models import Category


@dataclass
class TableRow:
    level1: Category
    level1_span: int  # rows the 一级 cell spans; 0 on the rows it covers
    level2: Category
    level2_span: int
    indicator: object | None  # None for a 二级 printed without any 三级 row


def indicator_table(indicators, categories: list[Category], period: str) -> list[TableRow]:
    by_category: dict[int, list] = {}
    for indicator in indicators:
        if indicator.period == period:
            by_category.setdefault(indicator.category_id, []).append(indicator)
    rows: list[TableRow] = []
    for parent in (c for c in categories if c.parent_id is None):
        start = len(rows)
        for child in (c for c in categories if c.parent_id == parent.pk):
            members = by_category.get(child.pk) or [None]
            for index, indicator in enumerate(members):
                rows.append(TableRow(parent, 0, child, len(members) if index == 0 else 0, indicator))
        if len(rows) > start:
            rows[start].level1_span = len(rows) - start
    return rows

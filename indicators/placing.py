"""Placing pasted or imported rows in the filing's scheme: each row's printed 一级/二级 names to a 二级 category.

`resolve_categories` maps the names (aliases included) with a `CategoryResolver` (two queries in all); a name that
cannot be placed becomes a problem of its row, or is placed by the user's choice in the preview.
"""

from .hierarchy import UnknownCategory
from .paste import LEVEL1, LEVEL2, PastedRow, PasteResult, Problem, ReadOptions


def resolve_categories(result: PasteResult, resolver, options: ReadOptions | None = None) -> PasteResult:
    """Map every row's 一级/二级 to a category of the resolver's scheme; unknown names become problems.

    `options.categories` holds the user's choices for names the resolver cannot place."""
    failed: set[int] = set()  # lines whose written 二级 could not be placed
    for row in result.rows:
        if row.problems or not row.level2:
            continue
        if LEVEL2 in row.filled and row.level2_line in failed:
            row.problems.append(Problem(f"沿用第{row.level2_line}行的二级指标，请先改正第{row.level2_line}行。",
                                        row.line, result.column(LEVEL2)))
            continue
        problem = _resolve(result, row, resolver)
        if problem is not None:
            row.problems.append(problem)
            if LEVEL2 not in row.filled:
                failed.add(row.line)
    return result


def _resolve(result: PasteResult, row: PastedRow, resolver) -> Problem | None:
    try:
        row.category = resolver.resolve(row.level1, row.level2)
        return None
    except UnknownCategory:
        pass
    try:
        category = resolver.resolve("", row.level2)
    except UnknownCategory:
        return Problem(f"指标体系“{resolver.scheme.name}”中没有二级指标“{row.level2}”。可用的二级指标："
                       f"{_level2_names(resolver)}。", row.line, result.column(LEVEL2))
    if LEVEL1 in row.filled:
        # A blank 一级 cell under another 一级 (湖南 prints 满意度 rows so): the 二级 says where the row belongs.
        row.category = category
        row.filled.discard(LEVEL1)
        return None
    return Problem(f"二级指标“{row.level2}”不属于一级指标“{row.level1}”；在指标体系“{resolver.scheme.name}”中它属于"
                   f"“{category.parent.name}”。", row.line, result.column(LEVEL1))


def _level2_names(resolver) -> str:
    groups: dict[str, list[str]] = {}
    for category in resolver.level2:
        groups.setdefault(category.parent.name, []).append(category.name)
    return "；".join(f"{parent}：{'、'.join(names)}" for parent, names in groups.items())

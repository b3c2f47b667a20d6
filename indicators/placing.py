"""Placing pasted or imported rows in the filing's scheme: each row's printed 一级/二级 names to a 二级 category.

`resolve_categories` maps the names with a `CategoryResolver` (`resolver_for(filing)`: the aliases of the filing's
region first, then the national ones; two queries in all). Names are compared without their annotations (（必填）,
★, footnotes, explanations in brackets). The 二级 decides: a written 一级 that says something else is shown, not
refused. A name that still cannot be placed is chosen once by the user in the preview (`options.categories`, for
every row with that name); until then its rows have a problem and the name is in `result.unplaced`. When such rows
would fit the other scheme (成本 under 产出, or 成本 as 一级), `result.scheme_switch` offers it.
"""

from .models import normalize_category_name
from .paste import LEVEL1, LEVEL2, PastedRow, PasteResult, Problem, ReadOptions


def resolve_categories(result: PasteResult, resolver, options: ReadOptions | None = None) -> PasteResult:
    """Map every row's 一级/二级 to a category of the resolver's scheme; names it cannot place become problems and
    choices (`result.unplaced`), and the other scheme is offered when they would fit it."""
    options = options or ReadOptions()
    chosen = {normalize_category_name(name): code for name, code in options.categories.items()}
    failed: set[int] = set()  # lines whose written 二级 could not be placed
    read_as: dict[tuple[str, str], list] = {}  # (printed name, what it was read as) -> (line, detail)s
    fits_elsewhere: dict[int, int] = {}  # scheme id -> rows the resolver's scheme cannot place but it can
    for row in result.rows:
        if row.skipped or not row.level2:
            continue  # rows with other problems are placed too: the preview shows every row's reading
        if LEVEL2 in row.filled and row.level2_line in failed:
            row.problems.append(Problem(f"沿用第{row.level2_line}行的二级指标，请先改正第{row.level2_line}行。",
                                        row.line, result.column(LEVEL2)))
            _unplaced_name(result, row.level2).append(row.line)  # the choice for the name places this row too
            continue
        if _place(result, row, resolver, chosen, read_as):
            continue
        if LEVEL2 not in row.filled:
            failed.add(row.line)
        elsewhere = resolver.place_elsewhere(row.level1, row.level2)
        if elsewhere is not None:
            fits_elsewhere[elsewhere[0]] = fits_elsewhere.get(elsewhere[0], 0) + 1
        _mark_unplaced(result, row, resolver, _other_scheme(resolver, elsewhere[0]) if elsewhere else None)
    _note_readings(result, read_as)
    if fits_elsewhere:
        result.scheme_switch = _other_scheme(resolver, max(fits_elsewhere, key=fits_elsewhere.get))
    return result


def _place(result: PasteResult, row: PastedRow, resolver, chosen: dict[str, str], read_as) -> bool:
    key = normalize_category_name(row.level2)
    if key in chosen:
        category = resolver.by_code(chosen[key])
        if category is not None:
            row.category = category
            return True
    placement = resolver.place(row.level1, row.level2)
    if placement is None:
        return False
    row.category = placement.category
    written_level1 = row.level1 and LEVEL1 not in row.filled
    if placement.level1_differs and written_level1:
        read_as.setdefault((f"一级指标“{row.level1}”", "与二级指标不符，已按二级指标放入"), []).append(
            (row.line, f"“{row.level2}”→{placement.category.parent.name}"))
    elif placement.level1_differs:
        # A blank 一级 cell under another 一级 (湖南 prints 满意度 rows so): the 二级 says where the row belongs.
        row.filled.discard(LEVEL1)
    if placement.by_alias:
        read_as.setdefault((f"二级指标“{row.level2}”", f"按“{placement.category.name}”读取"), []).append(
            (row.line, ""))
    return True


def _mark_unplaced(result: PasteResult, row: PastedRow, resolver, other_scheme) -> None:
    name = row.level2
    lines = _unplaced_name(result, name)
    lines.append(row.line)
    printed = next(printed for printed, found in result.unplaced.items() if found is lines)
    choose = (f"在预览的“把‘{printed}’放到：”处选择它对应的二级指标（选择对所有写作“{printed}”的行有效）。"
              f"可用的二级指标：{_level2_names(resolver)}。")
    if other_scheme is not None:
        hint = (f"这是指标体系“{other_scheme.name}”的写法，本申报表用的是“{resolver.scheme.name}”。"
                f"可以一键切换指标体系，或{choose}")
    else:
        hint = f"请{choose}"
    row.problems.append(Problem(f"指标体系“{resolver.scheme.name}”中没有二级指标“{name}”。{hint}",
                                row.line, result.column(LEVEL2)))


def _unplaced_name(result: PasteResult, name: str) -> list[int]:
    """The lines of `result.unplaced` for a name, under the first printed form of it (投入指标 and 投入指标（必填） are
    one choice)."""
    key = normalize_category_name(name)
    printed = next((printed for printed in result.unplaced if normalize_category_name(printed) == key), name)
    return result.unplaced.setdefault(printed, [])


def _note_readings(result: PasteResult, read_as: dict[tuple[str, str], list[tuple[int, str]]]) -> None:
    """One note per name read another way than printed, listing its lines: the user sees what was understood."""
    for (printed, reading), found in read_as.items():
        lines = [line for line, _ in found]
        where = "、".join(str(line) for line in lines[:10]) + ("等" if len(lines) > 10 else "")
        details = "，".join(dict.fromkeys(detail for _, detail in found if detail))
        result.notes.append(Problem(f"{printed}（第{where}行）{reading}" + (f"：{details}" if details else "") + "。"))


def _other_scheme(resolver, scheme_id: int):
    return resolver.others[scheme_id][0].scheme  # loaded with the categories: no query


def _level2_names(resolver) -> str:
    groups: dict[str, list[str]] = {}
    for category in resolver.level2:
        groups.setdefault(category.parent.name, []).append(category.name)
    return "；".join(f"{parent}：{'、'.join(names)}" for parent, names in groups.items())

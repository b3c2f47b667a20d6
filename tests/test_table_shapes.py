"""Every table shape of tests/tables/shapes.py pasted as Excel copies it: each row lands in its category with its
value, 说明 and own columns as expected, and whatever is ambiguous is shown to the user (a column to choose, a row
problem, a name to place) instead of being dropped or misread."""

import pytest

from indicators.hierarchy import CategoryResolver
from indicators.models import Scheme
from indicators.paste import ReadOptions, grid_to_text, parse_paste
from indicators.placing import resolve_categories

from .tables.shapes import SHAPES, Ask, Row


def test_there_are_at_least_thirty_shapes_of_many_regions():
    assert len(SHAPES) >= 30
    assert len({shape.name for shape in SHAPES}) == len(SHAPES)
    assert len({shape.region.split()[0] for shape in SHAPES}) >= 12


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_shape(db, shape):
    resolver = CategoryResolver(Scheme.objects.get(code=shape.scheme))
    options = ReadOptions(**shape.options)
    result = resolve_categories(parse_paste(grid_to_text(shape.grid), options=options), resolver, options)
    rows = [item for item in shape.expected if isinstance(item, Row)]
    asks = [item for item in shape.expected if isinstance(item, Ask)]
    assert not result.problems, [str(problem) for problem in result.problems]
    got = [Row(row.category.code, row.name, row.value, row.note, row.extra) for row in result.addable]
    assert got == rows
    assert len([row for row in result.rows if row.skipped]) == shape.skipped, [
        (row.line, row.skipped) for row in result.rows if row.skipped
    ]
    problems = [problem for row in result.rows for problem in row.problems]
    for ask in asks:
        if ask.kind == "column":
            (use,) = [use for use in result.uses if use.index == ask.where]
            assert use.needs_choice and ask.words in use.reason + use.header
            assert any(problem.column == ask.where + 1 for problem in problems)
        elif ask.kind == "row":
            assert any(problem.line == ask.where and ask.words in problem.message for problem in problems), [
                str(problem) for problem in problems
            ]
        else:  # a name to place: chosen once in the preview for every row with it
            assert ask.where in result.unplaced
            assert any(ask.where in problem.message for problem in problems), [str(problem) for problem in problems]
    # nothing is blocked without the user being told why, and every column with content has a use
    assert bool(problems) == bool(asks), [str(problem) for problem in problems]
    used = {use.index for use in result.uses}
    for row in result.rows:
        assert {index for index, cell in enumerate(shape.grid[row.line - 1]) if cell.strip()} <= used, row.line


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_merges_fit_the_grid(shape):
    """Merged ranges lie inside the table, do not overlap, and only their top-left cell holds text (as Excel copies
    them), so that .xlsx and .docx files built from a shape read back to the same grid."""
    width = max(len(line) for line in shape.grid)
    covered = set()
    for first_row, first_col, last_row, last_col in shape.merges:
        assert 0 <= first_row <= last_row < len(shape.grid) and 0 <= first_col <= last_col < width
        cells = {(r, c) for r in range(first_row, last_row + 1) for c in range(first_col, last_col + 1)}
        assert len(cells) > 1 and not cells & covered
        covered |= cells
        for r, c in cells - {(first_row, first_col)}:
            assert c >= len(shape.grid[r]) or not shape.grid[r][c]

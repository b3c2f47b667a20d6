"""A worksheet as the importer reads it: values, merged ranges, labels and where a problem is."""

import unicodedata
from dataclasses import dataclass

from openpyxl.utils import get_column_letter, range_boundaries


@dataclass(frozen=True)
class Problem:
    """Something the upload gets wrong, with where (sheet, row, column) when it is about a cell."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    @property
    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"{self.column} 列")
        return " ".join(parts)

    def __str__(self):
        return f"{self.location}：{self.message}" if self.location else self.message


def label_key(value) -> str:
    """The comparable form of a printed label: NFKC, no spaces, no trailing colon or asterisk."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).rstrip(":*").lstrip("*")


@dataclass(frozen=True)
class Merge:
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.min_col)}{self.min_row}:{get_column_letter(self.max_col)}{self.max_row}"


class Sheet:
    def __init__(self, worksheet):
        self.ws = worksheet
        self.title = worksheet.title
        self.max_row = worksheet.max_row
        self.max_col = worksheet.max_column
        self.values: dict[tuple[int, int], object] = {}
        self.formats: dict[tuple[int, int], str] = {}
        for cells in worksheet.iter_rows():
            for cell in cells:
                if cell.value is not None:
                    self.values[(cell.row, cell.column)] = cell.value
                    if not isinstance(cell.value, str):
                        self.formats[(cell.row, cell.column)] = cell.number_format or "General"
        self.merges: list[Merge] = []
        self.covering: dict[tuple[int, int], Merge] = {}
        for merged in worksheet.merged_cells.ranges:
            min_col, min_row, max_col, max_row = range_boundaries(merged.coord)
            merge = Merge(min_row, min_col, max_row, max_col)
            self.merges.append(merge)
            for row in range(min_row, max_row + 1):
                for col in range(min_col, max_col + 1):
                    self.covering[(row, col)] = merge

    def raw(self, row: int, col: int):
        return self.values.get((row, col))

    def value(self, row: int, col: int):
        """The cell's value; inside a merged range, the value of the range's first cell."""
        merge = self.covering.get((row, col))
        if merge is not None:
            return self.raw(merge.min_row, merge.min_col)
        return self.raw(row, col)

    def number_format(self, row: int, col: int) -> str:
        merge = self.covering.get((row, col))
        if merge is not None:
            row, col = merge.min_row, merge.min_col
        return self.formats.get((row, col), "General")

    def merge_at(self, row: int, col: int) -> Merge | None:
        return self.covering.get((row, col))

    def end_col(self, row: int, col: int) -> int:
        merge = self.covering.get((row, col))
        return merge.max_col if merge else col

    def next_cell(self, row: int, col: int) -> int:
        """The column of the cell right of the (possibly merged) cell at (row, col)."""
        return self.end_col(row, col) + 1

    def problem(self, message: str, row: int | None = None, col: int | None = None) -> Problem:
        return Problem(message, self.title, row, get_column_letter(col) if col else "")

    def find_labels(self, keys: set[str], rows: range | None = None) -> dict[str, list[tuple[int, int]]]:
        """Where cells whose text is one of ``keys`` are, in reading order (row by row)."""
        found: dict[str, list[tuple[int, int]]] = {}
        for (row, col), raw in sorted(self.values.items()):
            if isinstance(raw, str) and (rows is None or row in rows):
                key = label_key(raw)
                if key in keys:
                    found.setdefault(key, []).append((row, col))
        return found

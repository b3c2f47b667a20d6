"""Reading indicator tables pasted from Excel, WPS or Word: text in, rows and per-line problems out.

`parse_paste` needs no database: it splits the text into rows (tab-separated cells; Excel quotes a cell that
holds a line break), skips header rows, fills blank 一级/二级 cells from the row above (merged cells), and says
what is wrong with which line and column. `resolve_categories` then maps each row's 一级/二级 names (aliases
included) to the categories of the filing's scheme (indicators/placing.py).
Nothing here raises on bad input; a result with problems is simply not added.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from .models import normalize_category_name
from .values import NOT_APPLICABLE_TEXT, Target, parse_target

MAX_CHARS = 100_000
MAX_ROWS = 300
MAX_CELL = 100  # the length of the filings' Indicator text columns (tests/test_text_limits.py checks they agree)

LEVEL1, LEVEL2, NAME, VALUE, STANDARD = "level1", "level2", "name", "value", "standard"
# Columns that are read into a row's fields besides the five above: an operator or a unit printed apart (joined to
# the 指标值), the printed 定量/定性 type (checked against the reading), the 说明 (note), a column left out.
OPERATOR, UNIT, KIND, NOTE, IGNORE = "operator", "unit", "kind", "note", "ignore"
EXTRA_PREFIX = "extra."  # "extra.<key>": one of the variant's own indicator columns
LABELS = {LEVEL1: "一级指标", LEVEL2: "二级指标", NAME: "三级指标", VALUE: "指标值", STANDARD: "绩效标准",
          OPERATOR: "指标性质（计算符号）", UNIT: "计量单位", KIND: "指标类型（定量/定性）", NOTE: "说明",
          IGNORE: "不导入"}
# The normalised 一级 names of both schemes: a first column holding them is the 一级 column.
LEVEL1_NAMES = frozenset({"产出", "成本", "效益", "满意度"})

SKIPPED_BY_USER = "已选择跳过这一行。"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")


@dataclass(frozen=True)
class Problem:
    """Something the user must fix (or, as a note, should know); line and column count from 1 as pasted."""

    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self):
        where = "" if self.line is None else f"第{self.line}行" + (f"第{self.column}列" if self.column else "")
        return f"{where}：{self.message}" if where else self.message


@dataclass(frozen=True)
class ReadOptions:
    """What the form and the user's choices in the preview say about how to read a table.

    `columns`, `categories`, `edits` and `skipped` come from the preview form: they are re-posted with the text, so
    the preview itself keeps no state on the server."""

    with_standard: bool = False  # the variant has the 绩效标准 column
    last_set: bool = False  # of a table naming the indicator columns twice, read the right-hand set (年度)
    own_columns: tuple[tuple[str, str], ...] = ()  # the variant's own indicator columns: ("extra.<key>", label)
    columns: dict[int, str] = field(default_factory=dict)  # 0-based column -> use the user chose (a LABELS key)
    categories: dict[str, str] = field(default_factory=dict)  # printed 二级 name -> 二级 category code chosen
    edits: dict[int, dict[str, str]] = field(default_factory=dict)  # line -> field -> text typed in the preview
    skipped: frozenset[int] = frozenset()  # lines the user chose to skip

    def use_labels(self) -> dict[str, str]:
        """Every use a column can be given, with its label: the row fields, the variant's own columns, 不导入."""
        uses = {key: label for key, label in LABELS.items() if key != STANDARD or self.with_standard}
        return uses | dict(self.own_columns)


@dataclass(frozen=True)
class ColumnUse:
    """Where the content of one column of the table goes, as the preview shows it (and lets the user change)."""

    index: int  # 0-based column of the table
    header: str  # the header as printed ("" without a header row)
    use: str  # a key of ReadOptions.use_labels()
    reason: str = ""  # why the reader chose this use, for the preview ("表头“计量单位”")
    needs_choice: bool = False  # content the reader could not place: nothing is added until the user chooses
    chosen: bool = False  # the use was chosen by the user


@dataclass
class PastedRow:
    """One row of the pasted table as read, merged cells filled in from the rows above."""

    line: int
    level1: str = ""
    level2: str = ""
    name: str = ""
    value: str = ""
    standard: str = ""
    filled: set[str] = field(default_factory=set)  # fields taken from the row above
    level2_line: int = 0  # the line where this row's 二级 is written
    problems: list[Problem] = field(default_factory=list)
    skipped: str = ""  # why the row is read but not added (a printed empty group, or the user's choice)
    category: object = None  # the scheme's 二级 Category, set by resolve_categories
    note: str = ""  # the 说明, with the content of columns the form has no place for ("权重：10")
    extra: dict[str, str] = field(default_factory=dict)  # the variant's own columns: key (without "extra.") -> text
    kind: str = ""  # the printed 定量/定性 type, when the table has such a column
    edited: set[str] = field(default_factory=set)  # fields typed in the preview (ReadOptions.edits)

    @property
    def target(self) -> Target:
        return parse_target(self.value)

    @property
    def addable(self) -> bool:
        return not self.problems and not self.skipped


@dataclass
class PasteResult:
    rows: list[PastedRow] = field(default_factory=list)  # every table row read, in order
    problems: list[Problem] = field(default_factory=list)  # about the text as a whole
    notes: list[Problem] = field(default_factory=list)  # what was skipped on purpose
    columns: dict[str, int] = field(default_factory=dict)  # field -> column index (0-based) in the text
    uses: list[ColumnUse] = field(default_factory=list)  # every column with content, where it goes
    unplaced: dict[str, list[int]] = field(default_factory=dict)  # printed 二级 name -> lines: a choice is needed
    scheme_switch: object = None  # the other Scheme, when rows fit it and not the filing's (set by resolution)

    @property
    def errors(self) -> list[Problem]:
        return self.problems + [problem for row in self.rows for problem in row.problems]

    @property
    def addable(self) -> list[PastedRow]:
        return [row for row in self.rows if row.addable]

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.addable)

    @property
    def skipped_by_user(self) -> list[PastedRow]:
        return [row for row in self.rows if row.skipped == SKIPPED_BY_USER]

    def column(self, name: str) -> int | None:
        """The 1-based column of a field in the pasted text, for messages."""
        return self.columns[name] + 1 if name in self.columns else None


# --- cells and records -------------------------------------------------------------------------------------------

def _join_lines(text: str) -> str:
    """A cell's lines as one line: joined without a space, except between two ASCII letters or digits."""
    parts = [part.strip() for part in text.split("\n")]
    joined = ""
    for part in filter(None, parts):
        if joined and joined[-1].isascii() and joined[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            joined += " "
        joined += part
    return joined


def clean_cell(text: str) -> str:
    """A cell as stored: one line, NBSP as a space, no spaces (full-width or not) at either end."""
    return _join_lines(text.replace("\xa0", " ")).strip()


def _records(text: str) -> list[tuple[int, list[str]]]:
    """(first line, cells) per record. Excel quotes cells with line breaks; text that is not valid CSV (a stray
    quote from Word) is read literally, one record a line."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", strict=True)
        records, line = [], 1
        for cells in reader:
            records.append((line, cells))
            line = reader.line_num + 1
        return records
    except csv.Error:
        return [(number, line.split("\t")) for number, line in enumerate(text.split("\n"), start=1)]


def _header_field(cell: str) -> str | None:
    key = "".join(cell.split())
    if key.startswith("一级指标"):
        return LEVEL1
    if key.startswith("二级指标"):
        return LEVEL2
    if key.startswith("三级指标") or key == "指标名称":
        return NAME
    if key.startswith(("指标值", "目标值", "年度指标值", "实施期指标值")):
        return VALUE
    if key.startswith("绩效标准"):
        return STANDARD
    return None


def _header_columns(cells: list[str], last_set: bool = False) -> dict[str, int] | None:
    """The columns named by a header row (一级指标, 二级指标, 三级指标, 指标值 …), or None if it is not one.

    A header may name the 二级/三级/指标值 columns twice (阳泉 prints 实施期 and 年度 side by side): the first
    set is taken, or with `last_set` the last one.
    """
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = _header_field(cell)
        if name and (name not in columns or (last_set and name != LEVEL1)):
            columns[name] = index
    return columns if len(columns.keys() & {LEVEL1, LEVEL2, NAME, VALUE}) >= 2 else None


def _guess_columns(records, with_standard: bool) -> dict[str, int] | None:
    """Columns of a table without a header, from its width: 3 = 二级/三级/指标值, 4 = 一级 first, 5 = + 绩效标准."""
    used = [[i for i, cell in enumerate(cells) if cell] for _, cells in records]
    first = min(indexes[0] for indexes in used)  # columns blank in every row (a merged title column) go
    width = max(indexes[-1] for indexes in used) + 1 - first
    if width < 3:
        return None
    if width == 3 or (width == 4 and with_standard and not _is_level1_column(records, first)):
        names = [LEVEL2, NAME, VALUE, STANDARD]
    else:
        names = [LEVEL1, LEVEL2, NAME, VALUE, STANDARD]
    if not with_standard:
        names.remove(STANDARD)
    return {name: first + offset for offset, name in enumerate(names)}


def _is_level1_column(records, index: int) -> bool:
    """Whether a column holds 一级 names. 成本 and 满意度 are 二级 names too (88号; seed 000 writes 满意度指标 as a
    二级): with only those, the column is 一级 when the next one reads like 二级 names (ending in 指标)."""
    names = {normalize_category_name(cells[index]) for _, cells in records if cells[index]}
    if names & {"产出", "效益"}:
        return True
    following = ["".join(cells[index + 1].split()) for _, cells in records if len(cells) > index + 1]
    return bool(names & LEVEL1_NAMES) and all(not text or text.endswith("指标") for text in following)


# --- parsing -----------------------------------------------------------------------------------------------------

def _prepare(text) -> str:
    text = "" if text is None else str(text)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_paste(text, with_standard: bool = False, last_set: bool = False,
                options: ReadOptions | None = None) -> PasteResult:
    """Read pasted indicator rows (tab-separated text as Excel, WPS and Word copy a table).

    `with_standard`: the form variant has the 绩效标准 column. `last_set`: from a header naming the indicator
    columns twice (实施期 and 年度 side by side), read the right-hand set (for the 年度 editor). `options` (which
    then carries both) adds the variant's own columns and the user's choices in the preview.
    """
    options = options or ReadOptions(with_standard=with_standard, last_set=last_set)
    text = _prepare(text)
    result = PasteResult()
    if not text.strip():
        result.problems.append(Problem("请先把表格粘贴到文本框里。"))
        return result
    if len(text) > MAX_CHARS:
        result.problems.append(Problem(f"粘贴的内容太长（{len(text)}字）。一次最多粘贴{MAX_CHARS}字，请分几次粘贴。"))
        return result
    if "\t" not in text:
        result.problems.append(Problem(
            "粘贴的内容不是表格：没有找到分隔各列的制表符。请在Excel、WPS或Word的表格中选中一级指标至指标值各列，"
            "复制后粘贴到这里。"))
        return result
    return read_table(_records(text), options, result)


def grid_to_text(grid: list[list[str]]) -> str:
    """A table read from a file as the text Excel would copy: tab-separated, a cell with a tab, a line break or a
    quote quoted. `parse_paste(grid_to_text(grid))` reads the grid cell for cell."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(
        [["" if cell is None else str(cell) for cell in row] for row in grid])
    return out.getvalue()


def read_table(records: list[tuple[int, list[str]]], options: ReadOptions, result: PasteResult | None = None
               ) -> PasteResult:
    """Read a table given as (line, cells) records: find the header and the columns, then read every row."""
    result = result if result is not None else PasteResult()
    with_standard, last_set = options.with_standard, options.last_set
    records = [(line, [clean_cell(cell) for cell in cells]) for line, cells in records]
    records = [(line, cells) for line, cells in records if any(cells)]
    header_at = next((i for i, (_, cells) in enumerate(records) if _header_columns(cells)), None)
    ignored: set[int] = set()  # columns whose content is left out; content in any other unread column is an error
    if header_at is not None:
        result.notes += [Problem("在表头之前，已跳过。", line) for line, _ in records[:header_at]]
        header_line, header = records[header_at]
        result.columns = _header_columns(header, last_set)
        records = [(line, cells) for line, cells in records[header_at + 1:] if not _header_columns(cells)]
        _check_header(result, header_line, header, with_standard)
        # The columns the header names but this paste does not take (the other set, 备注 …), not the title column.
        ignored = {i for i, cell in enumerate(header) if cell and not cell.endswith("绩效指标")}
        if result.problems:
            return result
    if not records:
        result.problems.append(Problem("粘贴的表格里没有指标行。"))
        return result
    if len(records) > MAX_ROWS:
        result.problems.append(Problem(f"粘贴的表格有{len(records)}行，一次最多{MAX_ROWS}行，请分几次粘贴。"))
        return result
    if header_at is None:
        result.columns = _guess_columns(records, with_standard) or {}
        if not result.columns:
            result.problems.append(Problem(
                "粘贴的表格不到三列。至少需要二级指标、三级指标、指标值三列（一级指标可省略）。"))
            return result
    _read_rows(result, records, ignored, options)
    return result


def _check_header(result: PasteResult, line: int, header: list[str], with_standard: bool) -> None:
    columns = result.columns
    missing = [LABELS[name] for name in (LEVEL2, NAME, VALUE) if name not in columns]
    if missing:
        result.problems.append(Problem(f"表头中没有“{'”“'.join(missing)}”列。", line))
    standard = columns.pop(STANDARD) if STANDARD in columns and not with_standard else None
    for index, cell in enumerate(header):
        if index == standard:
            result.notes.append(Problem("本表样没有绩效标准栏，这一列不导入。", line, index + 1))
        elif cell and index not in columns.values() and not cell.endswith("绩效指标"):  # not the merged title
            result.notes.append(Problem(f"“{cell}”列不导入。", line, index + 1))


def _read_rows(result: PasteResult, records, ignored: set[int], options: ReadOptions) -> None:
    columns = result.columns
    used = set(columns.values())
    expected = "、".join(LABELS[name] for name in sorted(columns, key=columns.get))
    above = PastedRow(line=0)
    for line, cells in records:
        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        row = PastedRow(line, cell(LEVEL1), cell(LEVEL2), cell(NAME), cell(VALUE), cell(STANDARD), level2_line=line)
        _apply_edits(row, options.edits.get(line, {}))
        extra = [i for i, text in enumerate(cells) if text and i not in used and i not in ignored]
        if extra:
            row.problems.append(Problem(f"这一格有内容，但不在要导入的列（{expected}）中。请只复制指标表的各行。",
                                        line, extra[0] + 1))
        _fill_from_above(result, row, above)
        _check_cells(result, row)
        if line in options.skipped:
            row.skipped, row.problems = SKIPPED_BY_USER, []
        result.rows.append(row)
        above = row


EDITABLE = (LEVEL1, LEVEL2, NAME, VALUE, STANDARD, NOTE)


def _apply_edits(row: PastedRow, edits: dict[str, str]) -> None:
    """What the user typed in the preview for this line replaces the cells as read."""
    for name, text in edits.items():
        if name in EDITABLE:
            setattr(row, name, clean_cell(text))
            row.edited.add(name)


def _fill_from_above(result: PasteResult, row: PastedRow, above: PastedRow) -> None:
    """Blank 一级/二级 cells are merged cells: they repeat the row above."""
    if not row.level1 and above.level1 and LEVEL1 in result.columns:
        row.level1 = above.level1
        row.filled.add(LEVEL1)
    if row.level2:
        return
    column = result.column(LEVEL2)
    if not above.level2:
        row.problems.append(Problem("二级指标为空，上面也没有可沿用的二级指标。合并单元格的第一行须写明二级指标。",
                                    row.line, column))
    elif LEVEL1 not in row.filled and above.level1 and (
            normalize_category_name(row.level1) != normalize_category_name(above.level1)):
        row.problems.append(Problem(
            f"二级指标为空，但一级指标“{row.level1}”与上一行的“{above.level1}”不同，"
            f"不能沿用上一行的二级指标“{above.level2}”。请写明二级指标。", row.line, column))
    else:
        row.level2, row.level2_line = above.level2, above.level2_line
        row.filled.add(LEVEL2)


def _check_cells(result: PasteResult, row: PastedRow) -> None:
    if not row.name:
        if normalize_category_name(row.value) == NOT_APPLICABLE_TEXT:
            row.name = NOT_APPLICABLE_TEXT
        elif row.value or row.standard:
            row.problems.append(Problem("有指标值，但三级指标为空。请写明三级指标，或删去这一行。",
                                        row.line, result.column(NAME)))
        elif row.level2:
            row.skipped = f"二级指标“{row.level2}”下没有三级指标，已跳过。"
        else:
            row.skipped = "只有一级指标，已跳过。"
    for name in (NAME, VALUE, STANDARD):
        text = getattr(row, name)
        if len(text) > MAX_CELL:
            row.problems.append(Problem(f"{LABELS[name]}有{len(text)}字，最多{MAX_CELL}字。",
                                        row.line, result.column(name)))

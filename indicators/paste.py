"""Reading indicator tables pasted from Excel, WPS or Word (or read from a file): text in, rows and per-line problems
out.

`parse_paste` needs no database: it splits the text into rows (tab-separated cells; Excel quotes a cell that
holds a line break), finds the header anywhere in the first rows (over up to three rows, merged cells included,
names from indicators/columns.py) or guesses the columns of a table without one, and gives every column with
content a use (`result.uses`): a row field, the variant's own column, the 说明, the other period's column, or a
choice the user must make. Operator, value and unit printed apart are joined into one 指标值. Blank 一级/二级 cells
are filled from the row above (merged cells). `resolve_categories` then maps each row's 一级/二级 names to the
categories of the filing's scheme (indicators/placing.py).
Nothing here raises on bad input; a result with problems is simply not added.
"""

import csv
import io
import re
from dataclasses import dataclass, field, replace

from . import columns as vocab
from .columns import KIND, LEVEL1, LEVEL2, NAME, OPERATOR, STANDARD, UNIT, VALUE
from .models import normalize_category_name
from .values import NOT_APPLICABLE_TEXT, Target, normalize_operator, parse_target, with_unit

MAX_CHARS = 100_000
MAX_ROWS = 300
MAX_CELL = 100  # the length of the filings' Indicator text columns (tests/test_text_limits.py checks they agree)
MAX_NOTE = 300  # the length of Indicator.note

# The row fields LEVEL1, LEVEL2, NAME, VALUE, STANDARD and the columns read into them besides (indicators/columns.py):
# an operator or a unit printed apart (joined to the 指标值), the printed 定量/定性 type (checked against the
# reading). Two more uses: the 说明 (note: "表头：内容"), a column left out (only by the user's choice).
NOTE, IGNORE = "note", "ignore"
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
    # The editor's period ("implementation" | "annual") when known: of columns printed per period (中期指标值 and
    # 年度指标值), the ones of this period are read. "" reads the 年度 ones with last_set, else the left-hand ones.
    period: str = ""
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
    period: str = ""  # the period a column left out belongs to (the 年度 指标值 while reading the 实施期 ones)


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
        return parse_target(self.value, name=self.name)

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

# --- the header ----------------------------------------------------------------------------------------------------

HEADER_SCAN = 40  # the header is looked for among the first rows: a whole form copied has its 项目 lines first
MAX_HEADER_ROWS = 3  # a header split over up to three rows ("绩效指标" / "指标值" over sub-columns)
CORE = frozenset({LEVEL1, LEVEL2, NAME, VALUE})
READ = (LEVEL1, LEVEL2, NAME, VALUE, STANDARD, OPERATOR, UNIT, KIND)  # uses read into a row's fields
NOTE_ROLES = frozenset({vocab.WEIGHT, vocab.DIRECTION, vocab.EXPLANATION, vocab.REMARK})


@dataclass
class _Column:
    """One column of the table as its header rows name it."""

    index: int
    label: str = ""  # the header as printed, the bottom-most cell of the column's own
    role: str | None = None  # a role of indicators/columns.py; None for no header or a header not known
    period: str = ""  # IMPLEMENTATION or ANNUAL when the header says so
    content: bool = False  # any data row has text in the column


def _known(cell: str) -> bool:
    return vocab.classify_header(cell)[0] is not None


def _headerish(cells: list[str]) -> bool:
    """A row that reads as (part of) a header: at least half its cells are header names."""
    texts = [cell for cell in cells if cell]
    return bool(texts) and 2 * sum(map(_known, texts)) >= len(texts)


def _roles(columns: list[_Column]) -> set[str]:
    return {column.role for column in columns if column.role}


def _combine(rows: list[list[str]]) -> list[_Column]:
    """The columns named by header rows: a blank cell of an upper row under a merge spanning from the left repeats
    that cell; the lowest cell that names a field decides, the others add the period (年度, 实施期 …)."""
    width = max(len(cells) for cells in rows)
    grid = [cells + [""] * (width - len(cells)) for cells in rows]
    spread = [cells[:] for cells in grid]
    for r in range(len(grid) - 1):
        for c in range(1, width):
            if not grid[r][c] and spread[r][c - 1] and any(grid[k][c] for k in range(r + 1, len(grid))):
                spread[r][c] = spread[r][c - 1]
    columns = []
    for c in range(width):
        column = _Column(c)
        for r in reversed(range(len(grid))):
            text = spread[r][c]
            if not text:
                continue
            role, period = vocab.classify_header(text)
            if not column.label and grid[r][c]:
                column.label = text
            if role not in (None, vocab.GROUP) and column.role in (None, vocab.GROUP):
                column.role = role
            elif role == vocab.GROUP and column.role is None:
                column.role = role
            column.period = column.period or period
        if not column.label:  # only text spread from the left: the column is named by its group
            column.label = next((spread[r][c] for r in reversed(range(len(grid))) if spread[r][c]), "")
        columns.append(column)
    return columns


def _find_header(records) -> tuple[int, int, list[_Column]] | None:
    """(first, last record, columns) of the header rows, or None for a table without a header."""
    for start in range(min(len(records), HEADER_SCAN)):
        if not _header_start(records[start][1]):
            continue
        end = start
        while end + 1 < len(records) and end + 1 - start < MAX_HEADER_ROWS and _headerish(records[end + 1][1]):
            end += 1
        for last in range(start, end + 1):
            columns = _combine([cells for _, cells in records[start:last + 1]])
            if len(_roles(columns) & CORE) >= 2 and (last == end or not _is_sub_header(records[last + 1][1])):
                return start, last, columns
    return None


def _header_start(cells: list[str]) -> bool:
    """The first header row: it names the fields, or only spans them ("绩效指标", "年度绩效指标", "指标值" …); a
    项目 line such as "年度目标 | 完成年度检查" is not one."""
    texts = [cell for cell in cells if cell]
    return _headerish(cells) and (all(map(_known, texts)) or _is_repeated_header(cells))


def _is_sub_header(cells: list[str]) -> bool:
    """A header row below the one naming the fields: only periods, groups and fields the row above lacks."""
    return _headerish(cells) and len({vocab.classify_header(cell)[0] for cell in cells if cell} & CORE) < 2


def _is_repeated_header(cells: list[str]) -> bool:
    return _headerish(cells) and len({vocab.classify_header(cell)[0] for cell in cells if cell} & CORE) >= 2


def _section_period(cells: list[str]) -> str:
    """The period of a title row between stacked tables ("年度绩效指标" above the year's header), else ""."""
    texts = [cell for cell in cells if cell]
    if len(texts) != 1:
        return ""
    role, period = vocab.classify_header(texts[0])
    return period if role == vocab.GROUP else ""


# --- where each column goes -----------------------------------------------------------------------------------------

def _content_role(records, index: int) -> str | None:
    """OPERATOR, KIND or DIRECTION for a column whose every cell says so (指标性质 holds either), else None."""
    texts = [cells[index] for _, cells in records if index < len(cells) and cells[index]]
    texts = [text for text in texts if text not in vocab.PLACEHOLDERS]
    if not texts:
        return None
    if all(text in vocab.KIND_WORDS for text in texts):
        return KIND
    if all(text in vocab.DIRECTION_WORDS for text in texts):
        return vocab.DIRECTION
    if all(normalize_operator(text) or text in vocab.KIND_WORDS for text in texts) and any(
            normalize_operator(text) for text in texts):
        return OPERATOR
    return None


def _unit_column(records, index: int) -> bool:
    texts = [cells[index] for _, cells in records if index < len(cells) and cells[index]]
    return bool(texts) and all(text in vocab.PLACEHOLDERS or vocab.unit_like(text) for text in texts) and any(
        text not in vocab.PLACEHOLDERS for text in texts)


def _own_column(options: ReadOptions, label: str) -> str | None:
    """The variant's own column whose label the header is ("权重" for "权重（%）")."""
    key = vocab.header_key(label)
    bare = re.sub(r"\(.*\)$", "", key)
    for use, own_label in options.own_columns:
        own = vocab.header_key(own_label)
        if own in (key, bare) or re.sub(r"\(.*\)$", "", own) in (key, bare):
            return use
    return None


def _two_periods(options: ReadOptions) -> bool:
    """Whether the form has both 实施期 and 年度 editors (the 年度 one reads the right-hand set, `last_set`)."""
    return options.last_set or options.period != vocab.ANNUAL  # "" (not said): as before, both


def _wanted_period(options: ReadOptions) -> str:
    return options.period or (vocab.ANNUAL if options.last_set else vocab.IMPLEMENTATION)


def _header_uses(columns: list[_Column], records, options: ReadOptions) -> list[ColumnUse]:
    wanted = _wanted_period(options)
    uses: dict[int, ColumnUse] = {}
    for column in columns:
        if column.role not in CORE and column.label and (own := _own_column(options, column.label)):
            # the 表样 has a column of this name (乌海 keeps 指标方向, 计量单位 and 分值 apart): it goes there
            uses[column.index] = ColumnUse(column.index, column.label, own, f"表头“{column.label}”：本表样有这一栏")
        elif column.role == vocab.NATURE:
            column.role = _content_role(records, column.index) or OPERATOR
        elif column.role == vocab.DIRECTION and _content_role(records, column.index) == OPERATOR:
            column.role = OPERATOR  # 乌海 prints the sign under 指标方向
        elif column.role == STANDARD and not options.with_standard:
            column.role = vocab.EXPLANATION
    for role in READ:
        candidates = [column for column in columns if column.role == role and column.index not in uses]
        if not candidates:
            continue
        if len(candidates) > 1 and not _two_periods(options):
            # a form with one set of indicators: the first column is read, the others (中期目标 beside 年度目标,
            # 取值依据 beside 绩效标准) have no other editor to go to, so their content goes to 说明
            wanted_here = [column for column in candidates if column.period == wanted]
            chosen = (wanted_here or candidates)[0]
            uses[chosen.index] = ColumnUse(chosen.index, chosen.label, role, f"表头“{chosen.label}”")
            for column in candidates:
                if column is chosen:
                    continue
                if column.period and column.period != wanted:  # 中期目标 beside 年度目标: seen, not imported
                    uses[column.index] = ColumnUse(
                        column.index, column.label, IGNORE,
                        f"表头“{column.label}”：本表样只填{vocab.PERIOD_LABELS.get(wanted, '年度')}指标，这一列不导入"
                        "（如需保留，请改为“说明”）")
                else:
                    uses[column.index] = ColumnUse(
                        column.index, column.label, NOTE,
                        f"表头“{column.label}”：与第{chosen.index + 1}列同为{LABELS[role]}，本表样只有一栏，放入说明")
            continue
        if len(candidates) > 1:  # 实施期 and 年度 side by side; untagged, the left-hand set is the 实施期 one
            for position, column in enumerate(candidates):
                column.period = column.period or (vocab.ANNUAL if position == len(candidates) - 1 and position
                                                  else vocab.IMPLEMENTATION)
        matching = [column for column in candidates if column.period == wanted]
        chosen = matching[0] if matching else candidates[-1 if wanted == vocab.ANNUAL else 0]
        reason = f"表头“{chosen.label}”"
        uses[chosen.index] = ColumnUse(chosen.index, chosen.label, role, reason)
        for column in candidates:
            if column is not chosen:
                uses[column.index] = _other_period(column, role)
    periods = {column.period for column in columns if column.period}
    for column in columns:
        if column.index in uses:
            continue
        label = column.label
        if not column.content:
            if label:
                reason = "标题列，没有内容" if column.role == vocab.GROUP else "这一列没有内容"
                uses[column.index] = ColumnUse(column.index, label, IGNORE, reason)
            continue
        if column.role in NOTE_ROLES or column.role == STANDARD or (column.role is None and label):
            if column.period and column.period != wanted and wanted in periods:
                uses[column.index] = _other_period(column, NOTE)
            else:
                known = "本表样没有这一栏" if column.role else "不是本表样认识的栏目"
                reason = f"表头“{label}”：{known}，放入说明"
                uses[column.index] = ColumnUse(column.index, label, NOTE, reason)
        else:
            uses[column.index] = _unknown_column(column.index, label, records, uses)
    return [uses[index] for index in sorted(uses)]


def _other_period(column: _Column, role: str) -> ColumnUse:
    label = vocab.PERIOD_LABELS.get(column.period, "另一期")
    return ColumnUse(column.index, column.label, IGNORE, f"属于{label}指标：在{label}指标中粘贴时才导入",
                     period=column.period)


def _unknown_column(index: int, label: str, records, uses: dict[int, ColumnUse]) -> ColumnUse:
    """A column with content and no header the reader knows: guessed from its content, or left to the user."""
    taken = {use.use for use in uses.values()}
    role = _content_role(records, index)
    if role == vocab.DIRECTION:
        return ColumnUse(index, label, NOTE, "内容是指标方向（正向/反向），放入说明")
    if role and role not in taken:
        return ColumnUse(index, label, role, f"按内容判断：{LABELS[role]}")
    if LEVEL1 not in taken and _level1_names(records, index):  # "绩效指标" printed over the 一级 column
        return ColumnUse(index, label, LEVEL1, f"按内容判断：{LABELS[LEVEL1]}")
    if UNIT not in taken and _unit_column(records, index) and index - 1 in uses and uses[index - 1].use == VALUE and (
            _bare_numbers(records, index - 1)):
        return ColumnUse(index, label, UNIT, "按内容判断：计量单位")
    return ColumnUse(index, label, NOTE, "不知道这一列是什么，请选择用途", needs_choice=True)


def _guess_uses(records, options: ReadOptions) -> list[ColumnUse] | None:
    """Where the columns of a table without a header go: operator, 定量/定性 and unit columns by their content,
    the others by their count (3 = 二级/三级/指标值, 4 = 一级 first, 5 = + 绩效标准)."""
    used = sorted({i for _, cells in records for i, cell in enumerate(cells) if cell})
    first, last = used[0], used[-1]  # columns blank in every row (a merged title column) are left out
    uses: dict[int, ColumnUse] = {}
    wider = last + 1 - first > (5 if options.with_standard else 4)  # more columns than the fields: look at content
    for index in used if wider else ():
        role = _content_role(records, index)
        if role in (OPERATOR, KIND) and role not in {use.use for use in uses.values()} and index < last:
            uses[index] = ColumnUse(index, "", role, f"按内容判断：{LABELS[role]}")
    texts = [index for index in range(first, last + 1) if index not in uses]
    operator = next((index for index, use in uses.items() if use.use == OPERATOR), None)
    unit = None
    if operator is not None and operator + 2 in texts and _unit_column(records, operator + 2):
        unit = operator + 2
    elif (len(texts) >= 5 or len(texts) == 4 and not _is_level1_column(records, *texts[:2])) and _unit_column(
            records, texts[-1]) and _bare_numbers(records, texts[-2]):  # 二级/三级/95/% or 一级/二级/三级/95/%
        unit = texts[-1]
    if unit is not None:
        uses[unit] = ColumnUse(unit, "", UNIT, "按内容判断：计量单位")
        texts.remove(unit)
    if len(texts) < 3:
        return None
    if len(texts) == 3 or (len(texts) == 4 and options.with_standard and not _is_level1_column(records, *texts[:2])):
        names = [LEVEL2, NAME, VALUE, STANDARD]
    else:
        names = [LEVEL1, LEVEL2, NAME, VALUE, STANDARD]
    if not options.with_standard:
        names.remove(STANDARD)
    for index, name in zip(texts, names, strict=False):
        uses[index] = ColumnUse(index, "", name, f"按列的位置判断：{LABELS[name]}")
    for index in texts[len(names):]:
        if index in used:
            uses[index] = _unknown_column(index, "", records, uses)
    return [uses[index] for index in sorted(uses)]


def _level1_names(records, index: int) -> bool:
    names = {normalize_category_name(cells[index]) for _, cells in records if len(cells) > index and cells[index]}
    return bool(names) and names <= LEVEL1_NAMES and bool(names & {"产出", "效益"})


def _bare_numbers(records, index: int) -> bool:
    """Most cells of a column are numbers without a unit: the column after it may be their unit."""
    texts = [cells[index] for _, cells in records if index < len(cells) and cells[index]]
    bare = [text for text in texts if (target := parse_target(text)).is_quantitative and not target.unit]
    return bool(texts) and 2 * len(bare) > len(texts)


def _is_level1_column(records, index: int, following: int) -> bool:
    """Whether a column holds 一级 names. 成本 and 满意度 are 二级 names too (88号; seed 000 writes 满意度指标 as a
    二级): with only those, the column is 一级 when the next one reads like 二级 names (ending in 指标)."""
    names = {normalize_category_name(cells[index]) for _, cells in records if len(cells) > index and cells[index]}
    if names & {"产出", "效益"}:
        return True
    after = ["".join(cells[following].split()) for _, cells in records if len(cells) > following]
    return bool(names & LEVEL1_NAMES) and all(not text or text.endswith("指标") for text in after)


def _apply_choices(uses: list[ColumnUse], options: ReadOptions, records) -> list[ColumnUse]:
    """The user's choice per column (options.columns) overrides the guess; a field chosen for one column leaves
    the column that had it to be chosen again."""
    labels = options.use_labels()
    by_index = {use.index: use for use in uses}
    for index, choice in sorted(options.columns.items()):
        if choice not in labels or not isinstance(index, int) or index < 0:
            continue
        header = by_index[index].header if index in by_index else ""
        if choice in READ:
            for other in list(by_index.values()):
                if other.use == choice and other.index != index:
                    by_index[other.index] = replace(other, use=NOTE, reason="这一列原来的用途已给了另一列，请选择用途",
                                                    needs_choice=True, chosen=False)
        by_index[index] = ColumnUse(index, header, choice, "你的选择", chosen=True)
    content = {i for _, cells in records for i, cell in enumerate(cells) if cell}
    return [use for index, use in sorted(by_index.items())
            if not (use.needs_choice and index not in content)]


# --- reading ---------------------------------------------------------------------------------------------------------

def read_table(records: list[tuple[int, list[str]]], options: ReadOptions, result: PasteResult | None = None
               ) -> PasteResult:
    """Read a table given as (line, cells) records: find the header and the columns, then read every row."""
    result = result if result is not None else PasteResult()
    records = [(line, [clean_cell(cell) for cell in cells]) for line, cells in records]
    records = [(line, cells) for line, cells in records if any(cells)]
    header = _find_header(records)
    columns: list[_Column] = []
    sections: dict[int, str] = {}  # line -> period of the stacked table the row belongs to
    if header is not None:
        start, end, columns = header
        result.notes += [Problem("在表头之前，已跳过。", line) for line, _ in records[:start]]
        header_line = records[start][0]
        tags = {column.period for column in columns if column.period}
        section = tags.pop() if len(tags) == 1 else ""
        data = []
        for line, cells in records[end + 1:]:
            if _is_repeated_header(cells):  # a table over several pages repeats its header (or a row reads so)
                result.notes.append(Problem(f"读作重复的表头（{'、'.join(filter(None, cells))[:60]}），已跳过；"
                                            "如这其实是一行指标，请在下面的编辑器中直接添加。", line))
                continue
            if period := _section_period(cells):
                result.notes.append(Problem(f"读作“{next(filter(None, cells))}”各行的标题，已跳过。", line))
                section = period
                continue
            sections[line] = section
            data.append((line, cells))
        records = data
    if not records:
        result.problems.append(Problem("粘贴的表格里没有指标行。"))
        return result
    if len(records) > MAX_ROWS:
        result.problems.append(Problem(f"粘贴的表格有{len(records)}行，一次最多{MAX_ROWS}行，请分几次粘贴。"))
        return result
    if header is not None:
        content = {i for _, cells in records for i, cell in enumerate(cells) if cell}
        width = max(len(columns), max(content) + 1)
        columns += [_Column(index) for index in range(len(columns), width)]
        for column in columns:
            column.content = column.index in content
        uses = _header_uses(columns, records, options)
    else:
        uses = _guess_uses(records, options)
        if uses is None:
            result.problems.append(Problem(
                "粘贴的表格不到三列。至少需要二级指标、三级指标、指标值三列（一级指标可省略）。"))
            return result
    result.uses = _apply_choices(uses, options, records)
    result.columns = {use.use: use.index for use in result.uses if use.use in READ}
    if header is not None:
        missing = [LABELS[name] for name in (LEVEL2, NAME, VALUE) if name not in result.columns]
        if missing:
            result.problems.append(Problem(f"表头中没有“{'”“'.join(missing)}”列。", header_line))
            return result
    _read_rows(result, records, options, _other_sections(records, sections, options))
    return result


def _other_sections(records, sections: dict[int, str], options: ReadOptions) -> dict[int, str]:
    """Stacked tables (湖南 prints 长期 then 年度 indicators, each under its own title): line -> the other period."""
    if len(set(sections.values()) - {""}) < 2:
        return {}
    wanted = options.period or (vocab.ANNUAL if options.last_set else sections[records[0][0]] or vocab.IMPLEMENTATION)
    return {line: period for line, period in sections.items() if period and period != wanted}


def _read_rows(result: PasteResult, records, options: ReadOptions, other: dict[int, str]) -> None:
    columns = result.columns
    notes = [use for use in result.uses if use.use == NOTE and not use.needs_choice]
    extras = [use for use in result.uses if use.use.startswith(EXTRA_PREFIX)]
    unplaced = [use for use in result.uses if use.needs_choice]
    above = PastedRow(line=0)
    for line, cells in records:
        def cell(name, cells=cells):
            index = columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        def at(index, cells=cells):
            return cells[index] if index < len(cells) else ""

        value = combine_value(cell(OPERATOR), cell(VALUE), cell(UNIT))
        _note_left_apart(result, line, cell(OPERATOR), cell(UNIT), value)
        row = PastedRow(line, cell(LEVEL1), cell(LEVEL2), cell(NAME), value, cell(STANDARD), level2_line=line)
        row.note = "；".join(f"{use.header}：{at(use.index)}" if use.header else at(use.index)
                             for use in notes if at(use.index))
        row.extra = {use.use.removeprefix(EXTRA_PREFIX): at(use.index) for use in extras if at(use.index)}
        row.kind = vocab.KIND_WORDS.get(cell(KIND), cell(KIND))
        if row.kind and row.kind not in ("定量", "定性"):  # 数量型, 约束性 …: not a type we check, so kept in 说明
            kind_header = next((use.header for use in result.uses if use.use == KIND), "") or LABELS[KIND]
            row.note = "；".join(filter(None, [row.note, f"{kind_header}：{row.kind}"]))
        _apply_edits(row, options.edits.get(line, {}))
        for use in unplaced:
            if at(use.index):
                named = f"（表头“{use.header}”）" if use.header else ""
                row.problems.append(Problem(
                    f"这一格有内容，但读不出这一列{named}是什么。请在上方为第{use.index + 1}列选择用途"
                    "（例如“说明”或“不导入”），选好后这一行才能添加。", line, use.index + 1))
        if len(row.note) > MAX_NOTE:
            row.problems.append(Problem(
                f"说明有{len(row.note)}字（由{'、'.join(use.header or f'第{use.index + 1}列' for use in notes)}合成），"
                f"最多{MAX_NOTE}字。请在预览中删减说明，或把其中一列选为“不导入”。", line, notes[0].index + 1))
        _fill_from_above(result, row, above)
        _check_cells(result, row)
        if line in other:
            label = vocab.PERIOD_LABELS[other[line]]
            row.skipped, row.problems = f"属于{label}指标，已跳过；在{label}指标中粘贴时导入。", []
        elif line in options.skipped:
            row.skipped, row.problems = SKIPPED_BY_USER, []
        else:
            _check_kind(result, row)
        result.rows.append(row)
        above = row


_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")


def combine_value(operator: str, value: str, unit: str) -> str:
    """One 指标值 from an operator, a value and a unit printed in columns of their own: "≥", "95", "%" → "≥95%".
    Operator words are read (大于等于 → ≥); a placeholder ("—", "/", "无") is nothing; a value that already has
    its operator or unit keeps it (no "≥≥95%%"); the unit goes after the number ("95以上", "%" → "95%以上")."""
    if not value:
        return value
    if operator in vocab.PLACEHOLDERS or operator in vocab.KIND_WORDS or operator in vocab.DIRECTION_WORDS:
        operator = ""  # 定性, 正向 in an operator column say nothing about the value's sign
    unit = "" if unit in vocab.PLACEHOLDERS else unit
    # The operator first: with its unit a bare "12" could read as a month ("12月"), which takes no operator.
    target = parse_target(value)
    if operator and (target.is_quantitative or len(_NUMBER.findall(value)) == 1):
        symbol = normalize_operator(operator)
        written = target.operator != "=" or value.lstrip().startswith(("=", "＝"))
        if not (target.is_quantitative and written) and symbol != "=" and not value.startswith(operator):
            value = (symbol or operator) + value  # an operator the reader does not know is shown as printed
    return _with_unit(value, unit) if unit else value


def _with_unit(value: str, unit: str) -> str:
    target = parse_target(value)
    if target.is_quantitative and value.rstrip()[-1:].isdigit():
        return with_unit(value, unit)
    numbers = list(_NUMBER.finditer(value))
    if target.kind in ("time", "not_applicable") or target.unit or len(numbers) != 1:
        return value  # a date, 不适用, a value with its unit, or text with no single number: as printed
    end = numbers[0].end()
    return value if value[end:].startswith(unit) else value[:end] + unit + value[end:]


def _note_left_apart(result: PasteResult, line: int, operator: str, unit: str, value: str) -> None:
    """An operator or unit that could not join the value ("≥" before "有效提高") is said, not lost silently."""
    left = [text for text in (operator, unit) if text and text not in vocab.PLACEHOLDERS
            and text not in vocab.KIND_WORDS and normalize_operator(text) != "=" and text not in value
            and not (normalize_operator(text) and normalize_operator(text) in value)]
    if left and value:
        result.notes.append(Problem(f"“{'”“'.join(left)}”没有并入指标值“{value}”（指标值里没有可以接上的数字）；"
                                    "如需要，请在预览中改写指标值。", line, result.column(VALUE)))


def _check_kind(result: PasteResult, row: PastedRow) -> None:
    """The printed 定量/定性 type against the reading: a note, never a block (the value may be right)."""
    if row.kind not in ("定量", "定性") or not row.value or row.name == NOT_APPLICABLE_TEXT:
        return
    quantitative = row.target.is_quantitative
    if row.kind == "定量" and not quantitative:
        result.notes.append(Problem(f"表中注明“定量”，但指标值“{row.value}”读不出数字；请核对指标值。",
                                    row.line, result.column(VALUE)))
    elif row.kind == "定性" and quantitative:
        result.notes.append(Problem(f"表中注明“定性”，但指标值“{row.value}”读作数值；请核对指标值。",
                                    row.line, result.column(VALUE)))


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

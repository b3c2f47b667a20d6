"""What the official spreadsheet layout of a filing holds: the variant's layout description, as cells.

`layout_for` builds the sheet's `Layout` from ``variant.description`` (`filings.layouts.description`): each
``fields`` block gives info rows (label cells followed by value cells; a ``group`` puts them under one label merged
down the first column), each ``functions``/``tasks``/``indicators`` block a row table with the description's
columns, ``totals`` the task table's printed 金额合计, ``signoff`` info rows after the tables. Every value cell is
registered as a workbook defined name ``pb_<field>`` (``pb_extra_<key>`` for a variant's own field) and every
table's header row as ``pb_table_<table>``, so the reader finds them after rows were inserted; it falls back to the
printed labels when the names were lost.

The sheet follows the data as well as the description: an optional column appears when some row holds a value in
it, a table or a 金额合计 the data holds is written though the layout does not print it (where the writer puts such a
table: before the first block of a later step), a variant's own table column the layout does not place is added
when rows hold values in it, and fields the layout does not place but that hold data go to a second sheet
(其他栏目), so an export keeps every field.

Two rules keep the spreadsheet to one cell per field: an entry whose fields were all placed earlier is left out
(the first place is where a field is entered), and a ``signoff`` block that holds a place to sign by hand without a
stored value (``sign: true`` and no fields, e.g. 单位负责人（签字）) is the paper's signature line, which the workbook
leaves out; the fields of such a block go to 其他栏目 when they hold values, as every field not placed does.
"""

import re
from dataclasses import dataclass, field

from ...layouts.catalogue import ROW_COLUMNS, FieldSpec, data_fields, details_model, model_field_spec
from ...layouts.description import STEPS, TABLE_OWNER, Block, FormLayout
from ...layouts.extras import ExtraField
from ...models import FilingKind, FormVariant
from ...models.indicators import Period
from ...money import MoneyUnit

__all__ = ["FieldSpec", "data_fields", "details_model", "model_field_spec"]  # one catalogue, in filings.layouts

FORMAT_MARK = "perfbudget-filing"
FORMAT_VERSION = 1
META_SHEET = "系统信息"
EXTRA_SHEET = "其他栏目"
NAME_PREFIX = "pb_"
EXTRA_PREFIX = "extra."
EXTRA_NAME_PREFIX = NAME_PREFIX + "extra_"
TOTALS_LABEL = "金额合计"
TOTAL_FIELDS = ("tasks_total_amount", "tasks_total_fiscal", "tasks_total_other")
AMOUNT_COLUMNS = ("amount_total", "amount_fiscal", "amount_other")
# A value kept under a key the variant's layout does not declare (a 表样 changed since): shown and read back as text.
UNDECLARED_LABEL = "自定义栏目（{key}）"
UNDECLARED_PATTERN = re.compile(r"^自定义栏目\((\w+)\)$")  # after label_key (NFKC, no spaces)


def extra_label(spec: FieldSpec, money_unit: str) -> str:
    """The label of a field on the 其他栏目 sheet: its model name, with the money unit for amounts."""
    return f"{spec.label}（{MoneyUnit(money_unit).label}）" if spec.kind == "money" else spec.label


def undeclared_extra(key: str, on: str) -> ExtraField:
    """A stored extra value whose key the layout does not declare, kept as text under a label naming its key."""
    return ExtraField(key, on, UNDECLARED_LABEL.format(key=key), "longtext", max_length=10000)


def extra_key(name: str) -> str | None:
    return name.removeprefix(EXTRA_PREFIX) if name.startswith(EXTRA_PREFIX) else None


# --- the layout ------------------------------------------------------------------------------------------------


@dataclass
class Entry:
    """A label cell and the value cells that follow it on the same row."""

    label: str
    fields: list[FieldSpec]


@dataclass
class InfoRow:
    entries: list[Entry]


@dataclass
class Group:
    """Info rows under one label merged down the first column (上年预算, 项目资金 …)."""

    label: str
    rows: list[InfoRow]


@dataclass
class Column:
    key: str  # the row field it holds (``extra.<key>`` for a variant's own column)
    label: str
    kind: str = "text"  # text | longtext | money, or an extra field's type
    aliases: tuple = ()
    weight: int = 1  # share of spare grid columns
    extra: ExtraField | None = None  # a variant's own column: how its values are typed and checked


@dataclass
class Table:
    key: str  # functions | tasks | indicators
    caption: str
    columns: list[Column]
    groups: list[str] = field(default_factory=list)  # indicators: the periods side by side
    group_captions: list[str] = field(default_factory=list)
    totals: list[FieldSpec] = field(default_factory=list)  # tasks: the printed 金额合计 under the money columns
    totals_label: str = TOTALS_LABEL

    def totals_pairs(self) -> list[tuple[int, FieldSpec]]:
        """(column index, total field) of the 金额合计 row: the totals in order under the money columns."""
        money = [index for index, column in enumerate(self.columns) if column.kind == "money" and not column.extra]
        return list(zip(money, self.totals, strict=False))


@dataclass
class Layout:
    kind: str
    variant: FormVariant
    title: str
    grid: int
    landscape: bool
    blocks: list  # InfoRow | Group | Table, in order; sign-off rows are InfoRows after the tables
    fields: dict[str, FieldSpec]  # every data field of the kind, and the variant's own header fields
    extras: dict[str, ExtraField] = field(default_factory=dict)  # by name (extra.<key>): header, task, indicator
    description: FormLayout | None = None

    def placed_fields(self) -> list[FieldSpec]:
        placed = []
        for block in self.blocks:
            rows = block.rows if isinstance(block, Group) else [block] if isinstance(block, InfoRow) else []
            placed += [spec for row in rows for entry in row.entries for spec in entry.fields]
            if isinstance(block, Table):
                placed += [spec for _, spec in block.totals_pairs()]
        return placed

    def extra_fields(self) -> list[FieldSpec]:
        placed = {spec.name for spec in self.placed_fields()}
        return [spec for name, spec in self.fields.items() if name not in placed]

    def table(self, key: str) -> Table | None:
        return next((b for b in self.blocks if isinstance(b, Table) and b.key == key), None)

    def info_entries(self) -> list[Entry]:
        entries = []
        for block in self.blocks:
            rows = block.rows if isinstance(block, Group) else [block] if isinstance(block, InfoRow) else []
            entries += [entry for row in rows for entry in row.entries]
        return entries


# The columns of a table its layout does not describe (a table the data holds though the variant does not print it)
# and the labels the reader also knows a column by.
DEFAULT_COLUMNS = {
    "functions": [
        Column("name", "部门职能分解", aliases=("职能",)),
        Column("mid_term_goal", "部门中期目标", "longtext", aliases=("中期目标",)),
        Column("annual_goal", "部门年度绩效目标", "longtext", aliases=("年度绩效目标",)),
    ],
    "tasks": [
        Column("name", "年度主要任务", aliases=("任务名称", "年度主要任务名称")),
        Column("content", "主要内容", "longtext", aliases=("主要内容", "工作内容"), weight=2),
        Column("related_goal", "对应年度绩效目标和内容", "longtext", weight=2),
        Column("amount_total", "总额", "money", aliases=("预算金额总额", "金额总额")),
        Column("amount_fiscal", "其中：财政拨款", "money", aliases=("财政拨款",)),
        Column("amount_other", "其中：其他资金", "money", aliases=("其他资金",)),
    ],
    "indicators": [
        Column("level2", "二级指标", aliases=("二级",)),
        Column("name", "三级指标", weight=3, aliases=("三级",)),
        Column("value_text", "指标值", weight=2, aliases=("目标值", "指标值及单位", "指标值（目标值）")),
        Column("standard", "绩效标准", aliases=("绩效标准／取值依据", "取值依据")),
        Column("note", "说明", aliases=("备注",)),
    ],
}
DEFAULT_OPTIONAL = {"tasks": {"related_goal"}, "indicators": {"standard", "note"}}
DEFAULT_CAPTIONS = {"functions": "部门职能分解", "tasks": "年度主要任务", "indicators": "绩效指标"}
LEVEL1_COLUMN = Column("level1", "一级指标", aliases=("一级",))


def extra_column(extra: ExtraField, label: str = "", aliases=(), weight: int = 1) -> Column:
    return Column(extra.name, label or extra.label, extra.type, tuple(aliases), weight, extra)


def described_columns(description: FormLayout, key: str, extras: dict[str, ExtraField]) -> list[tuple[Column, bool]]:
    """(column, optional) of a table as its layout describes it, else the default columns."""
    block = description.block(key)
    if block is None:
        return [(column, column.key in DEFAULT_OPTIONAL.get(key, set())) for column in DEFAULT_COLUMNS[key]]
    kinds = ROW_COLUMNS[key]
    result = []
    for column in block.columns:
        if column.field in extras:
            result.append((extra_column(extras[column.field], column.label, column.aliases, column.weight),
                           column.optional))
        else:
            result.append((Column(column.field, column.label, kinds[column.field], column.aliases, column.weight),
                           column.optional))
    return result


def table_columns(description: FormLayout, key: str, extras: dict[str, ExtraField], needed: set[str]) -> list[Column]:
    """The columns a table is written with: the described ones (an optional one only when ``needed``), then the
    built-in and the variant's own columns of this table that the layout does not place but ``needed`` names."""
    columns = [column for column, optional in described_columns(description, key, extras)
               if not optional or column.key in needed]
    keys = {column.key for column in columns}
    for column in DEFAULT_COLUMNS[key]:  # a built-in column the layout leaves out, while rows hold values in it
        if column.key not in keys and column.key in needed:
            columns.append(column)
            keys.add(column.key)
    owner = TABLE_OWNER.get(key)
    for name, extra in extras.items():
        if extra.on == owner and name not in keys and name in needed:
            columns.append(extra_column(extra))
            keys.add(name)
    for name in sorted(needed):
        known = name in extras and extras[name].on == owner
        if owner and extra_key(name) and name not in keys and not known:
            columns.append(extra_column(undeclared_extra(extra_key(name), owner)))
    return columns


def reading_columns(layout: "Layout", key: str) -> list[Column]:
    """Every column the reader knows in a table: the described ones, the defaults, the variant's own."""
    description = layout.description
    columns = [column for column, _ in described_columns(description, key, layout.extras)]
    if description.block(key) is not None:
        keys = {column.key for column in columns}
        columns += [column for column in DEFAULT_COLUMNS[key] if column.key not in keys]
    keys = {column.key for column in columns}
    owner = TABLE_OWNER.get(key)
    columns += [extra_column(extra) for name, extra in layout.extras.items()
                if extra.on == owner and name not in keys]
    return columns


def table_starts(layout: "Layout", key: str) -> list[Column]:
    """The first column(s) a table is printed with, as written and as the defaults: a row starting with one of
    them starts that table."""
    if key == "indicators":
        return [LEVEL1_COLUMN]
    table = layout.table(key)
    first = table.columns[0] if table is not None else described_columns(layout.description, key, layout.extras)[0][0]
    return [first, DEFAULT_COLUMNS[key][0]]


def indicator_table(description: FormLayout, extras: dict[str, ExtraField], needed: set[str]) -> Table:
    """The 绩效指标 table; ``needed`` names the optional columns the data needs."""
    periods = description.indicator_periods()
    block = description.block("indicators")
    columns = [LEVEL1_COLUMN] + table_columns(description, "indicators", extras, needed) * len(periods)
    captions = [block.caption_of(period) if block else f"{Period(period).label}绩效指标" for period in periods]
    caption = (block.caption if block else "绩效指标") if len(periods) > 1 else captions[0]
    return Table("indicators", caption, columns, groups=periods, group_captions=captions)


def row_table(description: FormLayout, key: str, extras, fields, needed: set[str], totals: bool) -> Table:
    block = description.block(key)
    table = Table(key, block.caption if block else DEFAULT_CAPTIONS[key],
                  table_columns(description, key, extras, needed))
    if key == "tasks":
        names = list(block.totals) if block is not None and block.totals else list(TOTAL_FIELDS) if totals else []
        table.totals = [fields[name] for name in names]
        if block is not None:
            table.totals_label = block.totals_label
    return table


def layout_for(kind: str, variant: FormVariant, money_unit: str, columns: dict[str, set[str]] | None = None,
               tables: set[str] = frozenset(), totals: bool = False, extra_keys: set[str] = frozenset()) -> Layout:
    """The layout of a filing of this kind and variant, from the variant's layout description.

    ``columns`` names the optional columns the data needs per table (indicators: standard, note; tasks:
    related_goal; any table: a variant's own column ``extra.<key>`` the layout does not place), ``tables`` the row
    tables the data needs though the variant does not print them, ``totals`` whether a printed 金额合计 is stored
    though the variant has no such row, ``extra_keys`` the keys of header values (``Filing.extra``) the layout does
    not declare.
    """
    columns = columns or {}
    description = variant.description
    extras = {extra.name: extra for extra in description.extras}
    fields = data_fields(kind)
    fields |= {extra.name: extra.spec for extra in description.extras_on("filing")}
    for key in sorted(extra_keys):
        if f"{EXTRA_PREFIX}{key}" not in fields:
            fields[f"{EXTRA_PREFIX}{key}"] = undeclared_extra(key, "filing").spec
    unit_label = MoneyUnit(money_unit).label
    steps = STEPS[kind]
    present = {block.type for block in description.blocks}
    pending = [key for key in ("functions", "tasks")
               if kind == FilingKind.DEPARTMENT and key not in present and key in tables]
    blocks: list = []
    placed: set[str] = set()
    grid = 6
    for block in description.blocks:
        for key in list(pending):
            if steps.index(block.step) > steps.index(key):
                pending.remove(key)
                blocks.append(row_table(description, key, extras, fields, columns.get(key, set()), totals))
        if block.type == "indicators":
            blocks.append(indicator_table(description, extras, columns.get("indicators", set())))
        elif block.type in {"functions", "tasks"}:
            blocks.append(row_table(description, block.type, extras, fields, columns.get(block.type, set()), totals))
        elif block.type == "signoff" and any(entry.sign and not entry.fields for entry in block.entries):
            continue  # the paper's signature line
        else:
            rows = info_rows(block, fields, placed, grid - (1 if block.group else 0))
            if rows and block.group:
                blocks.append(Group(block.group_label(unit_label), rows))
            else:
                blocks += rows
    for table in (b for b in blocks if isinstance(b, Table)):
        placed |= {spec.name for _, spec in table.totals_pairs()}
    tables_ = [b for b in blocks if isinstance(b, Table)]
    grid = max(grid, *(len(t.columns) for t in tables_))
    landscape = any(len(t.groups) > 1 for t in tables_)
    return Layout(kind, variant, variant.printed_title, grid, landscape, blocks, fields, extras, description)


def info_rows(block: Block, fields: dict[str, FieldSpec], placed: set[str], width: int) -> list[InfoRow]:
    """A fields or signoff block's rows, each entry with the fields not placed before it; a row too wide for the
    sheet (each entry takes a label cell and a cell per field) goes on as the next row."""
    rows = []
    for described in block.rows:
        entries = []
        for item in described:
            specs = [fields[name] for name in item.fields if name not in placed]
            if not specs:
                continue
            placed |= {spec.name for spec in specs}
            entries.append(Entry(item.label, specs))
        row: list[Entry] = []
        for entry in entries:
            if row and sum(1 + len(e.fields) for e in row) + 1 + len(entry.fields) > width:
                rows.append(InfoRow(row))
                row = []
            row.append(entry)
        if row:
            rows.append(InfoRow(row))
    return rows

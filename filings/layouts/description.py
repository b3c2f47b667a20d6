"""The layout of one 表样 as validated data: the title, the ordered blocks, the variant's own fields and checks.

The JSON stored on `FormVariant.layout` looks like this (every key but ``blocks`` optional)::

    {"title": "项目支出绩效目标表",
     "extra_fields": [{"key": "unit", "on": "indicator", "label": "计量单位", "type": "text"}],
     "checks": ["execution_rate"],
     "blocks": [
       {"type": "fields", "step": "project", "rows": [[{"label": "项目名称", "fields": ["name"]}]]},
       {"type": "fields", "step": "funds", "group": "项目资金（{money_unit}）", "rows": [...],
        "sums": [{"total": "annual_total", "parts": ["annual_fiscal", "annual_other"]}]},
       {"type": "tasks", "caption": "年度主要任务", "columns": [{"field": "name", "label": "任务名称"}, ...],
        "totals": ["tasks_total_amount", "tasks_total_fiscal", "tasks_total_other"]},
       {"type": "indicators", "periods": ["annual"], "captions": {"annual": "年度绩效指标"},
        "columns": [{"field": "level2", "label": "二级指标"}, {"field": "name", "label": "三级指标"},
                    {"field": "value_text", "label": "指标值"}, {"field": "extra.unit", "label": "计量单位"}]},
       {"type": "signoff", "rows": [[{"label": "单位负责人（签字）", "sign": true}]]}]}

A row is a list of entries; an entry is a label followed by the value(s) of one or more fields (``joiner`` between
them when printed in one cell). ``group`` puts the rows under one label merged down the first column, where
``{money_unit}`` stands for the filing's money unit. A new arrangement, new labels, columns, sources and fields are
data; a new *type* of block needs code.

``print`` (on a block, an entry or a column) holds what only the printed form (check page, review page, PDF) reads,
where it arranges things differently from the Excel sheet; the wizard and the workbook never look at it::

    block:  {"print": {"rows": [[entry, null], ...],   # the printed rows instead of "rows" (null: an empty cell)
                       "after": [[entry]],             # rows printed below the group, outside its merged label
                       "style": "inline",              # label and value in one cell: “批复数 357.26”
                       "separator": "：",              # between them in an inline cell (default one space)
                       "spans": [2, 1],                # the columns the two entries of an inline row span
                       "table": "own",                 # a table of its own with a wide label column
                       "if_filled": true}}             # printed only when one of its fields holds a value
    entry:  {"print": {"label": "单位负责人签字", "if_filled": true, "joiners": [" ", " 至 "], "blank": true}}
    column: {"print": {"label": "主要内容"}}

``joiners`` are put before the second, third … value, each only when that value is not empty (“一年 2025-01-01 至
2025-12-31”); without them the values that are not empty are joined by ``joiner``. ``blank`` prints a line to write
on where a sign-off entry has no value (an entry with ``sign`` has one anyway).
"""

import functools
import json
from dataclasses import dataclass, field

from .catalogue import ROW_COLUMNS, data_fields
from .extras import DEFAULT_LENGTH, OWNERS, TYPES, ExtraField

STEPS = {
    "department": ["unit", "budget", "functions", "tasks", "goals", "indicators"],
    "project": ["project", "funds", "narrative", "goals", "indicators"],
}
BLOCK_TYPES = {"fields": "栏目", "functions": "部门职能分解", "tasks": "年度主要任务", "indicators": "绩效指标",
               "signoff": "签章栏"}
TABLE_STEPS = {"functions": "functions", "tasks": "tasks", "indicators": "indicators"}
TABLE_OWNER = {"tasks": "task", "indicators": "indicator"}
# Named checks a layout can switch on; each is a rule in `filings.validation` (a new check needs code).
CHECKS = {
    "execution_rate": "上年执行率按实际支出与预算计算",
    "carryover": "上年结转结余与执行情况一致",
    "staffing": "人员总数与各类编制人数核对（含编外）",
    "staffing_without_extra": "人员总数与各类编制人数核对（不含编外）",
    "task_budget": "年度主要任务金额合计与预算一致",
    "task_split": "任务金额等于财政拨款与其他资金之和",
    "one_year_funds": "年度资金不超过实施期资金",
}
ROLES = {"": "", "unit": "计量单位（与指标值一起读）"}
PERIOD_LABELS = {"implementation": "实施期", "annual": "年度"}


class LayoutError(ValueError):
    """An invalid layout: every problem found, each a Chinese sentence naming where it is."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems))


@dataclass(frozen=True)
class Entry:
    label: str
    fields: tuple[str, ...] = ()
    joiner: str = " "
    sign: bool = False  # a place to sign by hand (盖章、签字), with or without a stored value
    print_label: str = ""  # what the printed form calls it, where that differs (print.label)
    if_filled: bool = False  # printed only when it holds a value (print.if_filled)
    joiners: tuple[str, ...] = ()  # printed before the 2nd, 3rd … value when that value is not empty (print.joiners)
    blank: bool = False  # a line to write on where it has no value (print.blank)

    @property
    def printed_label(self) -> str:
        return self.print_label or self.label


@dataclass(frozen=True)
class Sum:
    total: str
    parts: tuple[str, ...]
    code: str = "A1"  # the finding code of a sum that does not add up


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    aliases: tuple[str, ...] = ()
    weight: int = 1
    optional: bool = False  # shown only when some row holds a value in it
    print_label: str = ""

    @property
    def printed_label(self) -> str:
        return self.print_label or self.label


PRINT_STYLES = ("cells", "inline")


@dataclass(frozen=True)
class BlockPrint:
    """How the printed form arranges a fields block where it differs from the Excel sheet (the block's ``print``)."""

    rows: tuple | None = None  # rows of Entry or None (an empty cell); None: the block's own rows
    after: tuple = ()
    style: str = "cells"
    separator: str = " "
    spans: tuple[int, int] = (1, 2)
    table: str = ""  # "own": a table of its own with a wide label column
    if_filled: bool = False


@dataclass(frozen=True)
class Block:
    type: str
    step: str
    rows: tuple[tuple[Entry, ...], ...] = ()
    group: str = ""
    sums: tuple[Sum, ...] = ()
    caption: str = ""
    columns: tuple[Column, ...] = ()
    totals: tuple[str, ...] = ()
    totals_label: str = "金额合计"
    periods: tuple[str, ...] = ()
    captions: dict = field(default_factory=dict, hash=False, compare=False)
    print: BlockPrint = BlockPrint()

    @property
    def printed_rows(self) -> tuple:
        return self.print.rows if self.print.rows is not None else self.rows

    @property
    def entries(self) -> list[Entry]:
        return [entry for row in self.rows for entry in row]

    def group_label(self, money_unit_label: str) -> str:
        return self.group.replace("{money_unit}", money_unit_label)

    def caption_of(self, period: str) -> str:
        return self.captions.get(period) or f"{PERIOD_LABELS[period]}绩效指标"


@dataclass(frozen=True)
class FormLayout:
    kind: str
    blocks: tuple[Block, ...]
    title: str = ""
    extras: tuple[ExtraField, ...] = ()
    checks: frozenset = frozenset()

    # --- what the callers ask ----------------------------------------------------------------------------
    def placed_fields(self) -> list[str]:
        """Every field placed in an entry or a totals row, in order of the form."""
        names = []
        for block in self.blocks:
            names += [name for entry in block.entries for name in entry.fields]
            names += list(block.totals)
        return names

    def shows(self, name: str) -> bool:
        return name in self.placed_fields()

    def label(self, name: str, default: str = "") -> str:
        """The label of the entry that holds this field alone (or first)."""
        for block in self.blocks:
            for entry in block.entries:
                if entry.fields and entry.fields[0] == name:
                    return entry.label
        return default

    def block(self, type_: str) -> Block | None:
        return next((b for b in self.blocks if b.type == type_), None)

    def blocks_of(self, step: str) -> list[Block]:
        return [b for b in self.blocks if b.step == step]

    def steps(self) -> list[str]:
        """The wizard's steps in the kind's order, those that have a block (goals and indicators always)."""
        present = {b.step for b in self.blocks} | {"goals", "indicators"}
        first = STEPS[self.kind][0]
        return [step for step in STEPS[self.kind] if step in present or step == first]

    def step_fields(self, step: str) -> list[str]:
        return [name for block in self.blocks_of(step) for name in
                [n for entry in block.entries for n in entry.fields] + list(block.totals)]

    def indicator_periods(self) -> list[str]:
        block = self.block("indicators")
        return list(block.periods) if block else ["annual"]

    def columns(self, type_: str) -> list[Column]:
        block = self.block(type_)
        return list(block.columns) if block else []

    @property
    def indicator_unit_key(self) -> str:
        """The key of the indicator rows' own field that holds the 计量单位, if the form prints it in a column."""
        return next((extra.key for extra in self.extras if extra.role == "unit"), "")

    def extras_on(self, owner: str) -> list[ExtraField]:
        return [extra for extra in self.extras if extra.on == owner]

    def extra(self, name: str) -> ExtraField | None:
        key = name.removeprefix("extra.")
        return next((extra for extra in self.extras if extra.key == key), None)

    def sums(self) -> list[Sum]:
        return [total for block in self.blocks for total in block.sums]


def title_without_region(name: str) -> str:
    """A variant's name without the region note in brackets at its end: the printed title when a layout has none."""
    if name.endswith("）") and "（" in name:
        return name[:name.rindex("（")].strip() or name
    return name


# --- parsing and checking -----------------------------------------------------------------------------------

def parse_layout(data, kind: str) -> FormLayout:
    """The layout described by ``data`` for a form of ``kind``; raises LayoutError naming every problem.

    Only LayoutError: a value of a type the checks below do not expect (a list where a name belongs, a number where
    a list belongs …) is such a problem too, never a server error."""
    if kind not in STEPS:
        raise LayoutError(["请先选择表类型（部门整体支出或项目支出），再检查布局。"])
    try:
        return _parse_layout(data, kind)
    except LayoutError:
        raise
    except (TypeError, AttributeError, KeyError, ValueError, IndexError):
        raise LayoutError(["表样布局中有值的类型不对（如栏目名称、字段名应为文字，rows、fields、columns、parts "
                           "应为列表）。请对照“布局说明”的示例检查。"]) from None


def stored_layout(data, kind: str) -> FormLayout:
    """`parse_layout` of a variant's stored layout, remembered by its JSON text: every page reads its variant's layout,
    and a FormLayout is immutable (frozen dataclasses of tuples). A changed layout is a new text, so never stale."""
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        return parse_layout(data, kind)
    if json.loads(text) != data:  # e.g. tuples, which JSON would turn into lists: parse what was given
        return parse_layout(data, kind)
    return _remembered_layout(text, kind)


@functools.lru_cache(maxsize=256)
def _remembered_layout(text: str, kind: str) -> FormLayout:
    return parse_layout(json.loads(text), kind)


def _parse_layout(data, kind: str) -> FormLayout:
    problems: list[str] = []
    if not isinstance(data, dict):
        raise LayoutError(["表样布局应为一个 JSON 对象（{…}）。"])
    unknown = set(data) - {"title", "extra_fields", "checks", "blocks", "notes"}
    if unknown:
        problems.append(f"表样布局中有不认识的键：{'、'.join(sorted(unknown))}。")
    extras = _extras(data.get("extra_fields", []), problems)
    checks = data.get("checks", [])
    if not isinstance(checks, list) or any(check not in CHECKS for check in checks):
        problems.append(f"checks 只能是以下核对规则的列表：{'、'.join(CHECKS)}。")
        checks = []
    known = set(data_fields(kind)) | {extra.name for extra in extras if extra.on == "filing"}
    raw_blocks = data.get("blocks")
    blocks = []
    if not isinstance(raw_blocks, list) or not raw_blocks:
        problems.append("表样布局至少要有一个栏目块（blocks）。")
        raw_blocks = []
    for number, raw in enumerate(raw_blocks, start=1):
        block = _block(raw, kind, f"第 {number} 块", known, extras, problems)
        if block:
            blocks.append(block)
    _check_whole(kind, blocks, problems)
    title = data.get("title", "")
    if not isinstance(title, str) or len(title) > 100:
        problems.append("标题应为不超过 100 个字的文字。")
    if problems:
        raise LayoutError(problems)
    return FormLayout(kind, tuple(blocks), title, tuple(extras), frozenset(checks))


def _extras(raw, problems) -> list[ExtraField]:
    if not isinstance(raw, list):
        problems.append("extra_fields 应为列表。")
        return []
    extras, seen = [], set()
    for number, item in enumerate(raw, start=1):
        where = f"自定义栏目第 {number} 项"
        if not isinstance(item, dict):
            problems.append(f"{where}应为对象。")
            continue
        key, label, type_ = item.get("key"), item.get("label"), item.get("type", "text")
        if not isinstance(key, str) or not key.isascii() or not key.replace("_", "").isalnum() or not key[:1].isalpha():
            problems.append(f"{where}的 key 应以字母开头，只含字母、数字和下划线。")
            continue
        if key in seen:
            problems.append(f"{where}的 key “{key}”重复。")
        seen.add(key)
        if item.get("on") not in OWNERS:
            problems.append(f"{where}（{key}）的 on 应为 {'、'.join(OWNERS)} 之一（表头、任务行、指标行）。")
            continue
        if type_ not in TYPES:
            problems.append(f"{where}（{key}）的 type 应为 {'、'.join(TYPES)} 之一。")
            continue
        if not isinstance(label, str) or not label.strip() or len(label) > 60:
            problems.append(f"{where}（{key}）要有不超过 60 个字的名称（label）。")
            continue
        choices = item.get("choices", [])
        if type_ == "choice" and (not isinstance(choices, list) or not choices
                                  or not all(isinstance(c, str) and c.strip() for c in choices)):
            problems.append(f"{where}（{key}）是选项，choices 应列出各选项文字。")
            continue
        max_length = item.get("max_length")
        if max_length is not None and (not isinstance(max_length, int) or not 1 <= max_length <= 10000
                                       or type_ not in DEFAULT_LENGTH):
            problems.append(f"{where}（{key}）的 max_length 只用于文字栏目，应为 1 到 10000 之间的整数。")
            continue
        role = item.get("role", "")
        if role not in ROLES or (role and (item["on"] != "indicator" or type_ != "text")):
            problems.append(f"{where}（{key}）的 role 只能是 \"unit\"（指标行的文字栏目，填写计量单位）。")
            continue
        if role and any(extra.role == role for extra in extras):
            problems.append(f"{where}（{key}）：只能有一个栏目的 role 是 \"{role}\"。")
            continue
        extras.append(ExtraField(key, item["on"], label.strip(), type_, tuple(choices) if type_ == "choice" else (),
                                 bool(item.get("required", False)), max_length, str(item.get("help", "")), role))
    return extras


def _entry(raw, where, known, problems, empty_cells=False) -> Entry | None:
    if raw is None and empty_cells:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("label"), str):
        problems.append(f"{where}应为带 label（栏目名称）的对象。")
        return None
    fields = raw.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(name, str) for name in fields):
        problems.append(f"{where}（{raw['label']}）的 fields 应为字段名列表。")
        return None
    for name in fields:
        if name not in known:
            problems.append(f"{where}（{raw['label']}）：未知的字段“{name}”。")
    sign = bool(raw.get("sign", False))
    if not fields and not sign:
        problems.append(f"{where}（{raw['label']}）没有字段：请填写 fields，或用 \"sign\": true 表示签字处。")
    printed = _print_object(raw, where, {"label", "if_filled", "joiners", "blank"}, problems)
    label, joiners = printed.get("label", ""), printed.get("joiners", [])
    if not isinstance(label, str) or len(label) > 60:
        problems.append(f"{where}（{raw['label']}）的 print.label 应为不超过 60 个字的文字。")
        label = ""
    if (not isinstance(joiners, list) or not all(isinstance(j, str) and len(j) <= 10 for j in joiners)
            or (joiners and len(joiners) != len(fields) - 1)):
        problems.append(f"{where}（{raw['label']}）的 print.joiners 应为 {max(len(fields) - 1, 0)} 段文字"
                        "（放在第二个及以后各字段的值之前）。")
        joiners = []
    return Entry(raw["label"], tuple(fields), str(raw.get("joiner", " ")), sign, label,
                 bool(printed.get("if_filled", False)), tuple(joiners), bool(printed.get("blank", False)))


def _print_object(raw, where, allowed, problems) -> dict:
    """The ``print`` object of a block, entry or column (what only the printed form reads), checked for its keys."""
    printed = raw.get("print", {})
    if not isinstance(printed, dict):
        problems.append(f"{where}的 print 应为对象。")
        return {}
    unknown = set(printed) - allowed
    if unknown:
        problems.append(f"{where}的 print 中有不认识的键：{'、'.join(sorted(unknown))}"
                        f"（可用：{'、'.join(sorted(allowed))}）。")
    return printed


def _rows(raw, where, known, problems, empty_cells=False) -> tuple:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}的 rows 应为非空的行列表。")
        return ()
    rows = []
    for row_number, row in enumerate(raw, start=1):
        if not isinstance(row, list) or not row:
            problems.append(f"{where}第 {row_number} 行应为非空的栏目列表。")
            continue
        entries = [_entry(item, f"{where}第 {row_number} 行第 {n} 项", known, problems, empty_cells)
                   for n, item in enumerate(row, start=1)]
        if empty_cells:
            if all(entry is None for entry in entries):
                problems.append(f"{where}第 {row_number} 行只有空格子。")
            rows.append(tuple(entries))
        else:
            rows.append(tuple(entry for entry in entries if entry))
    return tuple(rows)


def _columns(raw, type_, where, extras, problems) -> tuple:
    allowed = set(ROW_COLUMNS[type_]) | {e.name for e in extras if e.on == TABLE_OWNER.get(type_)}
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}的 columns 应为非空的列列表。")
        return ()
    columns, seen = [], set()
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not all(isinstance(item.get(key), str) for key in ("field", "label")):
            problems.append(f"{where}第 {number} 列应为带 field 和 label 的对象。")
            continue
        if item["field"] not in allowed:
            problems.append(f"{where}第 {number} 列（{item['label']}）：此表不能有字段“{item['field']}”"
                            f"（可用：{'、'.join(sorted(allowed))}）。")
            continue
        if item["field"] in seen:
            problems.append(f"{where}：字段“{item['field']}”有两列。")
        seen.add(item["field"])
        weight = item.get("weight", 1)
        if not isinstance(weight, int) or not 1 <= weight <= 6:
            problems.append(f"{where}第 {number} 列的 weight 应为 1 到 6 的整数。")
            weight = 1
        aliases = item.get("aliases", [])
        printed = _print_object(item, f"{where}第 {number} 列", {"label"}, problems)
        print_label = printed.get("label", "")
        if not isinstance(print_label, str) or len(print_label) > 60:
            problems.append(f"{where}第 {number} 列的 print.label 应为不超过 60 个字的文字。")
            print_label = ""
        columns.append(Column(item["field"], item["label"], tuple(a for a in aliases if isinstance(a, str)),
                              weight, bool(item.get("optional", False)), print_label))
    if "name" not in seen:
        problems.append(f"{where}必须有名称列（field 为 name）。")
    return tuple(columns)


def _block(raw, kind, where, known, extras, problems) -> Block | None:
    if not isinstance(raw, dict) or raw.get("type") not in BLOCK_TYPES:
        problems.append(f"{where}的 type 应为 {'、'.join(BLOCK_TYPES)} 之一。")
        return None
    type_ = raw["type"]
    where = f"{where}（{BLOCK_TYPES[type_]}）"
    if kind == "project" and type_ in {"functions", "tasks"}:
        problems.append(f"{where}：项目支出表不能有{BLOCK_TYPES[type_]}。")
        return None
    step = raw.get("step") or TABLE_STEPS.get(type_) or STEPS[kind][0]
    if step not in STEPS[kind] or (type_ in TABLE_STEPS and step != TABLE_STEPS[type_]):
        problems.append(f"{where}的 step 应为 {'、'.join(STEPS[kind])} 之一（表格块不能换步骤）。")
        return None
    if type_ in {"fields", "signoff"}:
        rows = _rows(raw.get("rows"), where, known, problems)
        sums = _sums(raw.get("sums", []), where, known, problems)
        group = raw.get("group", "")
        printed = _block_print(raw, where, known, problems) if type_ == "fields" else _signoff_print(
            raw, where, known, problems)
        return Block(type_, step, rows, group if isinstance(group, str) else "", sums, print=printed)
    if "print" in raw:
        problems.append(f"{where}：只有栏目块和签章栏可以有 print（表格的列可以有 print.label）。")
    columns = _columns(raw.get("columns"), type_, where, extras, problems)
    caption = raw.get("caption", BLOCK_TYPES[type_])
    if type_ == "indicators":
        periods = raw.get("periods", ["annual"])
        if kind == "department":
            valid = periods == ["annual"]
        else:
            valid = periods in (["annual"], ["implementation", "annual"])
        if not valid:
            problems.append(f"{where}的 periods 应为 [\"annual\"]"
                            + ("或 [\"implementation\", \"annual\"]（实施期与年度）。" if kind == "project" else "。"))
            periods = ["annual"]
        captions = raw.get("captions", {})
        if not isinstance(captions, dict) or set(captions) - set(periods):
            problems.append(f"{where}的 captions 应按期间（{'、'.join(periods)}）给出表名。")
            captions = {}
        if "level2" not in {c.field for c in columns}:
            problems.append(f"{where}必须有二级指标列（field 为 level2）。")
        return Block(type_, step, caption=caption, columns=columns, periods=tuple(periods), captions=dict(captions))
    totals = raw.get("totals", [])
    if totals and (type_ != "tasks" or not isinstance(totals, list) or any(name not in known for name in totals)):
        problems.append(f"{where}的 totals 只用于年度主要任务，应列出金额合计的字段。")
        totals = []
    return Block(type_, step, caption=caption, columns=columns, totals=tuple(totals),
                 totals_label=str(raw.get("totals_label", "金额合计")))


def _block_print(raw, where, known, problems) -> BlockPrint:
    printed = _print_object(raw, where, {"rows", "after", "style", "separator", "spans", "table", "if_filled"},
                            problems)
    rows = _rows(printed["rows"], f"{where}的 print.rows ", known, problems, True) if "rows" in printed else None
    after = _rows(printed["after"], f"{where}的 print.after ", known, problems) if "after" in printed else ()
    style = printed.get("style", "cells")
    if style not in PRINT_STYLES:
        problems.append(f"{where}的 print.style 应为 {'、'.join(PRINT_STYLES)} 之一。")
        style = "cells"
    separator = printed.get("separator", " ")
    if not isinstance(separator, str) or len(separator) > 4:
        problems.append(f"{where}的 print.separator 应为不超过 4 个字的文字。")
        separator = " "
    spans = printed.get("spans", [1, 2])
    if spans not in ([1, 2], [2, 1]):
        problems.append(f"{where}的 print.spans 应为 [1, 2] 或 [2, 1]（一行两项时各占几列）。")
        spans = [1, 2]
    table = printed.get("table", "")
    if table not in ("", "own"):
        problems.append(f"{where}的 print.table 只能是 \"own\"（单独成表）。")
        table = ""
    if (after or style == "inline") and not raw.get("group"):
        problems.append(f"{where}：print.after 和 print.style 只用于有合并标签（group）的栏目块。")
    return BlockPrint(rows, after, style, separator, tuple(spans), table, bool(printed.get("if_filled", False)))


def _signoff_print(raw, where, known, problems) -> BlockPrint:
    printed = _print_object(raw, where, {"rows"}, problems)
    rows = _rows(printed["rows"], f"{where}的 print.rows ", known, problems) if "rows" in printed else None
    return BlockPrint(rows)


def _sums(raw, where, known, problems) -> tuple:
    if not isinstance(raw, list):
        problems.append(f"{where}的 sums 应为列表。")
        return ()
    sums = []
    for item in raw:
        if (not isinstance(item, dict) or item.get("total") not in known or not isinstance(item.get("parts"), list)
                or not item["parts"] or any(part not in known for part in item["parts"])):
            problems.append(f"{where}的 sums 每项应为 {{\"total\": 合计字段, \"parts\": [各项字段]}}。")
            continue
        code = item.get("code", "A1")
        if not isinstance(code, str) or not code.isalnum() or len(code) > 8:
            problems.append(f"{where}的 sums 中 code 应为核对结果编码，如 A1。")
            continue
        sums.append(Sum(item["total"], tuple(item["parts"]), code))
    return tuple(sums)


def _check_whole(kind, blocks, problems):
    types = [block.type for block in blocks]
    if types.count("indicators") != 1:
        problems.append("表样布局必须有且只有一个绩效指标块。")
    for type_ in ("functions", "tasks"):
        if types.count(type_) > 1:
            problems.append(f"{BLOCK_TYPES[type_]}块只能有一个。")

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
"""

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

    def always_shows_column(self, type_: str, name: str) -> bool:
        """Whether the table of this type has a column for the field that is not optional (e.g. 绩效标准)."""
        return any(column.field == name and not column.optional for column in self.columns(type_))

    def extras_on(self, owner: str) -> list[ExtraField]:
        return [extra for extra in self.extras if extra.on == owner]

    def extra(self, name: str) -> ExtraField | None:
        key = name.removeprefix("extra.")
        return next((extra for extra in self.extras if extra.key == key), None)

    def sums(self) -> list[Sum]:
        return [total for block in self.blocks for total in block.sums]


# --- parsing and checking -----------------------------------------------------------------------------------

def parse_layout(data, kind: str) -> FormLayout:
    """The layout described by ``data`` for a form of ``kind``; raises LayoutError naming every problem."""
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
        extras.append(ExtraField(key, item["on"], label.strip(), type_, tuple(choices) if type_ == "choice" else (),
                                 bool(item.get("required", False)), max_length, str(item.get("help", ""))))
    return extras


def _entry(raw, where, known, problems) -> Entry | None:
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
    return Entry(raw["label"], tuple(fields), str(raw.get("joiner", " ")), sign)


def _rows(raw, where, known, problems) -> tuple:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}的 rows 应为非空的行列表。")
        return ()
    rows = []
    for row_number, row in enumerate(raw, start=1):
        if not isinstance(row, list) or not row:
            problems.append(f"{where}第 {row_number} 行应为非空的栏目列表。")
            continue
        entries = [_entry(item, f"{where}第 {row_number} 行第 {n} 项", known, problems)
                   for n, item in enumerate(row, start=1)]
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
        columns.append(Column(item["field"], item["label"], tuple(a for a in aliases if isinstance(a, str)),
                              weight, bool(item.get("optional", False))))
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
        return Block(type_, step, rows, group if isinstance(group, str) else "", sums)
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

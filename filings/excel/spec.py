"""What the official spreadsheet layout of a filing holds, per form variant: shared by the writer and the reader.

A sheet is a title, info rows (label cells followed by value cells, optionally grouped under a label merged down the
first column), row tables (部门职能分解, 年度主要任务, 绩效指标) and sign-off rows. Every value cell is registered
as a workbook defined name ``pb_<field>`` and every table's header row as ``pb_table_<table>``, so the reader finds
them after rows were inserted; it falls back to the printed labels when the names were lost.

Fields a variant does not print but that hold data go to a second sheet (其他栏目), so an export keeps every field.
"""

import re
from dataclasses import dataclass, field

from django.db import models

from ..models import DepartmentDetails, Filing, FilingKind, FormVariant, ProjectDetails
from ..models.indicators import Period
from ..money import MoneyField, MoneyUnit
from ..templatetags.filings_tags import label, shows

FORMAT_MARK = "perfbudget-filing"
FORMAT_VERSION = 1
META_SHEET = "系统信息"
EXTRA_SHEET = "其他栏目"
NAME_PREFIX = "pb_"

FILING_FIELDS = [
    "unit_name", "competent_department", "competent_department_code", "contact_person", "contact_phone",
    "responsible_person", "handler", "unit_head", "filled_on", "filled_time", "no_direct_beneficiaries",
]


@dataclass(frozen=True)
class FieldSpec:
    """One stored field: where it lives (the filing or its details), what kind of value, what it is called."""

    name: str
    owner: str  # "filing" | "details"
    kind: str  # text | longtext | int | money | percent | bool | date | time | choice
    label: str
    max_length: int | None = None
    choices: tuple = ()  # (value, display) pairs
    nullable: bool = True
    max_value: int | None = None  # whole numbers: what the column holds

    @property
    def defined_name(self) -> str:
        return NAME_PREFIX + self.name

    @property
    def blank(self):
        """The stored value of an empty cell."""
        if self.kind in {"text", "longtext", "choice"}:
            return ""
        if self.kind == "bool" and not self.nullable:
            return False
        return None


def details_model(kind: str):
    return DepartmentDetails if kind == FilingKind.DEPARTMENT else ProjectDetails


def model_field_spec(model, name: str, label_text: str = "") -> FieldSpec:
    f = model._meta.get_field(name)
    owner = "filing" if model is Filing else "details"
    if isinstance(f, MoneyField):
        kind = "money"
    elif isinstance(f, models.DecimalField):
        kind = "percent"
    elif isinstance(f, models.IntegerField):
        kind = "int"
    elif isinstance(f, models.BooleanField):
        kind = "bool"
    elif isinstance(f, models.DateField):
        kind = "date"
    elif isinstance(f, models.TimeField):
        kind = "time"
    elif f.choices:
        kind = "choice"
    elif isinstance(f, models.TextField):
        kind = "longtext"
    else:
        kind = "text"
    max_value = 32767 if isinstance(f, models.SmallIntegerField | models.PositiveSmallIntegerField) else None
    return FieldSpec(name, owner, kind, label_text or str(f.verbose_name), getattr(f, "max_length", None),
                     tuple((value, str(display)) for value, display in (f.choices or [])), f.null, max_value)


def data_fields(kind: str) -> dict[str, FieldSpec]:
    """Every field a filing of this kind holds as data (not its identity, state or bookkeeping), by name."""
    specs = {name: model_field_spec(Filing, name) for name in FILING_FIELDS}
    for f in details_model(kind)._meta.concrete_fields:
        if f.name != "filing":
            specs[f.name] = model_field_spec(details_model(kind), f.name)
    return specs


def extra_label(spec: FieldSpec, money_unit: str) -> str:
    """The label of a field on the 其他栏目 sheet: its model name, with the money unit for amounts."""
    return f"{spec.label}（{MoneyUnit(money_unit).label}）" if spec.kind == "money" else spec.label


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
    key: str  # the row field it holds
    label: str
    kind: str = "text"  # text | longtext | money
    aliases: tuple = ()
    weight: int = 1  # share of spare grid columns


@dataclass
class Table:
    key: str  # functions | tasks | indicators
    caption: str
    columns: list[Column]
    groups: list[str] = field(default_factory=list)  # indicators: the periods side by side
    group_captions: list[str] = field(default_factory=list)
    totals: list[FieldSpec] = field(default_factory=list)  # tasks: the printed 金额合计 (总额, 财政拨款, 其他资金)


@dataclass
class Layout:
    kind: str
    variant: FormVariant
    title: str
    grid: int
    landscape: bool
    blocks: list  # InfoRow | Group | Table, in order; sign-off rows are InfoRows after the tables
    fields: dict[str, FieldSpec]  # every data field of the kind

    def placed_fields(self) -> list[FieldSpec]:
        placed = []
        for block in self.blocks:
            rows = block.rows if isinstance(block, Group) else [block] if isinstance(block, InfoRow) else []
            placed += [spec for row in rows for entry in row.entries for spec in entry.fields]
            if isinstance(block, Table):
                placed += block.totals
        return placed

    def extra_fields(self) -> list[FieldSpec]:
        placed = {spec.name for spec in self.placed_fields()}
        return [spec for name, spec in self.fields.items() if name not in placed]

    def table(self, key: str) -> Table | None:
        return next((b for b in self.blocks if isinstance(b, Table) and b.key == key), None)


def form_title(variant: FormVariant) -> str:
    """The printed title: the variant's name without the region note in brackets at its end."""
    return re.sub(r"（[^（）]*）$", "", variant.name).strip() or variant.name


def indicator_periods(kind: str, variant: FormVariant) -> list[str]:
    if kind == FilingKind.PROJECT and variant.has_implementation_period:
        return [Period.IMPLEMENTATION, Period.ANNUAL]
    return [Period.ANNUAL]


INDICATOR_COLUMNS = {
    "level2": Column("level2", "二级指标", aliases=("二级",)),
    "name": Column("name", "三级指标", weight=3, aliases=("三级",)),
    "value_text": Column("value_text", "指标值", weight=2, aliases=("目标值", "指标值及单位", "指标值（目标值）")),
    "standard": Column("standard", "绩效标准", aliases=("绩效标准／取值依据", "取值依据")),
    "note": Column("note", "说明", aliases=("备注",)),
}
LEVEL1_COLUMN = Column("level1", "一级指标", aliases=("一级",))


def indicator_table(kind: str, variant: FormVariant, optional: set[str]) -> Table:
    """The 绩效指标 table; ``optional`` names the extra columns (standard, note) the data needs."""
    periods = indicator_periods(kind, variant)
    keys = ["level2", "name", "value_text"]
    if variant.has_performance_standard or "standard" in optional:
        keys.append("standard")
    if "note" in optional:
        keys.append("note")
    columns = [LEVEL1_COLUMN] + [INDICATOR_COLUMNS[key] for key in keys] * len(periods)
    labels = variant.labels or {}
    captions = [labels.get(f"{period}_indicators", f"{Period(period).label}绩效指标") for period in periods]
    caption = "绩效指标" if len(periods) > 1 else captions[0]
    return Table("indicators", caption, columns, groups=periods, group_captions=captions)


FUNCTION_COLUMNS = [
    Column("name", "部门职能分解", aliases=("职能",)),
    Column("mid_term_goal", "部门中期目标", "longtext", aliases=("中期目标",)),
    Column("annual_goal", "部门年度绩效目标", "longtext", aliases=("年度绩效目标",)),
]


TASK_NAME_COLUMN = Column("name", "年度主要任务", aliases=("任务名称", "年度主要任务名称"))
TABLE_STARTS = {"functions": FUNCTION_COLUMNS[0], "tasks": TASK_NAME_COLUMN, "indicators": LEVEL1_COLUMN}


def task_table(variant: FormVariant, optional: set[str]) -> Table:
    facts = variant.has_unit_facts
    columns = [
        TASK_NAME_COLUMN,
        Column("content", "工作内容" if facts else "主要内容", "longtext", weight=2,
               aliases=("主要内容", "工作内容")),
    ]
    if facts or "related_goal" in optional:
        columns.append(Column("related_goal", "对应年度绩效目标和内容", "longtext", weight=2))
    columns += [
        Column("amount_total", "总额", "money", aliases=("预算金额总额", "金额总额")),
        Column("amount_fiscal", "其中：财政拨款", "money", aliases=("财政拨款",)),
        Column("amount_other", "其中：其他资金", "money", aliases=("其他资金",)),
    ]
    return Table("tasks", "年度主要任务", columns)


TOTALS_LABEL = "金额合计"


TOTAL_FIELDS = ("tasks_total_amount", "tasks_total_fiscal", "tasks_total_other")


def layout_for(kind: str, variant: FormVariant, money_unit: str, columns: dict[str, set[str]] | None = None,
               tables: set[str] = frozenset(), totals: bool = False) -> Layout:
    """The layout of a filing of this kind and variant.

    ``columns`` names the optional columns the data needs per table (indicators: standard, note; tasks:
    related_goal), ``tables`` the row tables the data needs though the variant does not print them, ``totals``
    whether a printed 金额合计 is stored though the variant has no such row.
    """
    columns = columns or {}
    fields = data_fields(kind)
    if kind == FilingKind.DEPARTMENT:
        blocks, grid = department_blocks(variant, fields, money_unit, columns, tables, totals), 6
    else:
        blocks, grid = project_blocks(variant, fields, money_unit, columns), 6
    tables = [b for b in blocks if isinstance(b, Table)]
    grid = max(grid, *(len(t.columns) for t in tables))
    landscape = any(len(t.groups) > 1 for t in tables)
    return Layout(kind, variant, form_title(variant), grid, landscape, blocks, fields)


def _row(*entries) -> InfoRow:
    return InfoRow([Entry(text, list(specs)) for text, *specs in entries])


def department_blocks(variant, f, money_unit, optional, tables, non_empty_totals) -> list:
    unit_label = MoneyUnit(money_unit).label
    jiangxi = variant.budget_layout == FormVariant.Budget.JIANGXI
    hunan = variant.budget_layout == FormVariant.Budget.HUNAN
    blocks: list = [_row(("部门（单位）名称", f["unit_name"]))]
    if not variant.has_unit_facts and variant.budget_layout == FormVariant.Budget.NONE:
        blocks.append(_row(("主管部门", f["competent_department"])))
    if variant.has_unit_facts:
        blocks += [
            _row(("联系人", f["contact_person"]), ("联系电话", f["contact_phone"])),
            _row(("部门职能依据（三定方案批文号）", f["function_basis"])),
            _row(("部门职能简述", f["function_summary"])),
            _row(("近三年单位职能是否出现过重大变化", f["functions_changed"]),
                 ("部门是否为一级预算主管部门", f["is_primary_department"])),
            _row(("所属部门领域", f["sector"]), ("直属部门包括", f["subordinate_units"])),
            _row(("内设职能部门", f["internal_department_count"]), ("编制控制数", f["staffing_quota"])),
            _row(("在职人员总数", f["staff_total"]), ("其中：行政编制人数", f["staff_administrative"])),
            _row(("事业编制人数", f["staff_institutional"]), ("编外人数", f["staff_extra"])),
        ]
    elif hunan:
        blocks.append(_row(("部门职能·职责概述", f["function_summary"])))
    if jiangxi:
        blocks += [
            Group(f"上年预算（{unit_label}）", [
                _row(("批复数", f["prior_approved"]), ("调整数", f["prior_adjusted"])),
                _row(("实际支出数", f["prior_actual"]), ("执行率（%）", f["prior_execution_rate"])),
                _row(("年末结转结余数", f["prior_carryover"])),
            ]),
            Group(f"当年预算（{unit_label}）", [
                _row(("收入合计", f["income_total"]), ("其中：上级财政拨款", f["income_higher_grant"])),
                _row(("本级财政安排", f["income_local"]), ("其他", f["income_other"])),
                _row(("支出合计", f["expenditure_total"]), ("其中：人员经费", f["expenditure_personnel"])),
                _row(("公用经费", f["expenditure_public"]), ("项目经费", f["expenditure_project"])),
            ]),
            _row(("其他需要说明的事项", f["other_notes"])),
        ]
    elif hunan:
        blocks.append(Group(f"年度预算申请（{unit_label}）", [
            _row(("资金总额", f["funds_total"])),
            _row(("按收入性质分：合计", f["income_total"]), ("按支出性质分：合计", f["expenditure_total"])),
            _row(("其中：一般公共预算", f["income_general_budget"]), ("其中：基本支出", f["expenditure_basic"])),
            _row(("政府性基金拨款", f["income_government_fund"]), ("项目支出", f["expenditure_project"])),
            _row(("纳入专户管理的非税收入拨款", f["income_special_account"]), ("其他资金", f["income_other"])),
        ]))
    if variant.has_function_breakdown or "functions" in tables:
        blocks.append(Table("functions", "部门职能分解", list(FUNCTION_COLUMNS)))
    if variant.has_annual_tasks or "tasks" in tables:
        tasks = task_table(variant, optional.get("tasks", set()))
        if variant.task_amount_split or non_empty_totals:
            tasks.totals = [f[name] for name in TOTAL_FIELDS]
        blocks.append(tasks)
    blocks.append(_row(("整体绩效目标" if hunan else "年度总体目标", f["overall_goal"])))
    blocks.append(indicator_table(FilingKind.DEPARTMENT, variant, optional.get("indicators", set())))
    return blocks


BY_LEVEL_SOURCES = [("central", "其中：中央财政资金"), ("provincial", "省级财政资金"),
                    ("municipal", "市县（区）财政资金"), ("self_raised", "单位自筹"), ("other", "其他资金")]
FISCAL_OTHER_SOURCES = [("fiscal", "其中：财政拨款"), ("other", "其他资金")]


def project_blocks(variant, f, money_unit, optional) -> list:
    unit_label = MoneyUnit(money_unit).label
    v = variant
    blocks: list = [_row((label(v, "name", "项目名称"), f["name"]))]
    department = (label(v, "competent_department", "主管部门"), f["competent_department"])
    if shows(v, "competent_department_code"):
        department = ("主管部门及代码", f["competent_department_code"], f["competent_department"])
    entries = [department]
    if shows(v, "implementing_unit"):
        entries.append(("实施单位", f["implementing_unit"]))
    blocks.append(_row(*entries))
    attributes = [name for name in ("novelty", "recurrence") if shows(v, name)]
    entries = []
    if attributes and len({label(v, name, "项目属性") for name in attributes}) == 1:
        entries.append((label(v, attributes[0], "项目属性"), *(f[name] for name in attributes)))
    else:
        entries += [(label(v, name, "项目属性"), f[name]) for name in attributes]
    if shows(v, "period_text"):
        entries.append((label(v, "period_text", "项目期"), f["period_text"]))
    for start in range(0, len(entries), 2):
        blocks.append(_row(*entries[start:start + 2]))
    dates = [(label(v, name, default), f[name]) for name, default in
             (("start_date", "项目开始日期"), ("end_date", "项目结束日期")) if shows(v, name)]
    if dates:
        blocks.append(_row(*dates))
    if v.funding_layout == FormVariant.Funding.LOCAL_AND_HIGHER:
        blocks.append(_row(("年度本级预算金额", f["local_amount"]), ("该项目支出上级资金", f["higher_level_note"])))
    else:
        sources = BY_LEVEL_SOURCES if v.funding_layout == FormVariant.Funding.BY_LEVEL else FISCAL_OTHER_SOURCES
        scopes = ["implementation", "annual"] if v.has_implementation_period else ["annual"]
        totals = {"implementation": "实施期资金总额", "annual": "年度资金总额"}
        rows = [_row(*((totals[scope], f[f"{scope}_total"]) for scope in scopes))]
        rows += [_row(*((text, f[f"{scope}_{source}"]) for scope in scopes)) for source, text in sources]
        blocks.append(Group(f"项目资金（{unit_label}）", rows))
    if v.has_project_narrative:
        blocks += [_row((f[name].label, f[name])) for name in ("overview", "basis", "necessity", "safeguards", "plan")]
    if shows(v, "implementation_goal"):
        blocks.append(_row((label(v, "implementation_goal", "实施期总体目标"), f["implementation_goal"])))
    blocks.append(_row((label(v, "annual_goal", "年度总体目标"), f["annual_goal"])))
    blocks.append(indicator_table(FilingKind.PROJECT, v, optional.get("indicators", set())))
    signoff = [(label(v, name, default), f[name]) for name, default in (
        ("responsible_person", "负责人"), ("handler", "经办人"), ("contact_person", "联系人"),
        ("contact_phone", "联系电话"), ("filled_on", "填报日期"), ("filled_time", "填报时间"),
        ("unit_head", "单位负责人"),
    ) if shows(v, name)]
    for start in range(0, len(signoff), 2):
        blocks.append(_row(*signoff[start:start + 2]))
    return blocks

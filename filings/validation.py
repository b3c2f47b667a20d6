"""Rules about a filing's own fields and amounts (domain.md §4 A1–A11, A15; §7.1 E1, W9, W10).

Each rule takes a `FilingFacts` and yields findings; `validate_filing` runs them together with the indicator-set
rules of `indicators.validation`, so every caller (wizard, check page, review, command, import) gets one report.
Amounts are compared in 元 with a tolerance of 0.01 in the filing's money unit, and shown in that unit.
"""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone

from indicators.findings import Finding, Report, Severity, Step
from indicators.models import Category
from indicators.validation import IndicatorContext, check_indicators

from .layouts.description import FormLayout, Sum
from .layouts.extras import ExtraField
from .models import AnnualTask, DepartmentDetails, Filing, FilingKind, FormVariant, Indicator, ProjectDetails
from .models.project import Recurrence
from .money import MoneyField, MoneyUnit, format_amount, from_yuan, to_yuan

ERROR, WARNING = Severity.ERROR, Severity.WARNING
HUNDRED = Decimal(100)


@dataclass
class FilingFacts:
    """Everything the rules read, loaded once."""

    filing: Filing
    variant: FormVariant
    department: DepartmentDetails | None
    project: ProjectDetails | None
    tasks: list[AnnualTask]
    indicators: list
    categories: list[Category]
    siblings: list[Filing] = field(default_factory=list)  # other project filings of the unit and year

    @property
    def layout(self) -> FormLayout:
        """The variant's layout description: which sums, checks, periods and own fields apply."""
        return self.variant.description

    @property
    def unit(self) -> str:
        return self.filing.money_unit

    @property
    def tolerance(self) -> Decimal:
        return to_yuan("0.01", self.unit)

    def money(self, amount: Decimal | None) -> str:
        """An amount in 元 written in the filing's unit with the unit's name: 405.7万元."""
        return f"{format_amount(amount or Decimal(0), self.unit, grouping=True)}{MoneyUnit(self.unit).label}"

    def differs(self, a: Decimal | None, b: Decimal | None) -> bool:
        return abs((a or 0) - (b or 0)) > self.tolerance


def finding(code, severity, message, step, field_name="", row=None, row_kind="") -> Finding:
    return Finding(code, severity, message, step, field_name, row, row_kind)


def total_of(*amounts: Decimal | None) -> Decimal:
    return sum((amount for amount in amounts if amount is not None), Decimal(0))


def verbose(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


# --- where a field is entered, and what the form calls it ----------------------------------------------------

FIELD_STEPS = {
    **dict.fromkeys(["overall_goal", "implementation_goal", "annual_goal"], Step.GOALS),
    **dict.fromkeys(["overview", "basis", "necessity", "safeguards", "plan"], Step.NARRATIVE),
}


def _placed_step(layout: FormLayout, name: str) -> Step | None:
    """The step of the first block that places the field (its entry or a totals row), if any block does."""
    for block in layout.blocks:
        if name in block.totals or any(name in entry.fields for entry in block.entries):
            return Step(block.step)
    return None


def _step_of(name: str, facts: FilingFacts) -> Step:
    placed = _placed_step(facts.layout, name)
    if placed is not None:
        return placed
    if name in FIELD_STEPS:
        return FIELD_STEPS[name]
    if name.startswith(("income_", "expenditure_", "prior_", "funds_total")):
        return Step.BUDGET
    if name.startswith(("implementation_", "annual_", "local_amount")):
        return Step.FUNDS
    return Step.PROJECT if facts.filing.kind == FilingKind.PROJECT else Step.UNIT


def _entry_label(layout: FormLayout, name: str, default: str) -> str:
    """What the form calls a field it places in an entry of its own (a joint entry such as 主管部门及代码 names
    more than this field, so the field's own name is kept)."""
    label = layout.label(name)
    entry = next((entry for block in layout.blocks for entry in block.entries
                  if entry.fields and entry.fields[0] == name), None)
    return label if label and entry is not None and len(entry.fields) == 1 else default


# --- E1 required fields, E11 the variant's own fields ------------------------------------------------------

PROJECT_PERIOD = "period"


def required_fields(facts: FilingFacts) -> Iterator[Finding]:
    details = facts.department or facts.project
    for name in facts.variant.required_fields:
        if name == PROJECT_PERIOD:
            project = facts.project
            if project and not (project.period_text.strip() or (project.start_date and project.end_date)):
                yield finding("E1", ERROR, "请填写项目期（如“1年”）或完整的项目起止日期。", Step.PROJECT,
                              "period_text")
            continue
        owner = next((obj for obj in (facts.filing, details) if obj is not None and _has_field(obj, name)), None)
        if owner is None:
            continue
        value = getattr(owner, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            label = _entry_label(facts.layout, name, verbose(type(owner), name))
            yield finding("E1", ERROR, f"请填写“{label}”。", _step_of(name, facts), name)


def _has_field(obj, name: str) -> bool:
    return any(f.name == name for f in obj._meta.concrete_fields)


def _extra_values(obj) -> dict:
    values = getattr(obj, "extra", None)
    return values if isinstance(values, dict) else {}


def _extra_problem(extra: ExtraField, stored, required: bool) -> str:
    """Why a stored value of the variant's own field does not do: blank though required, or no longer valid
    (say the choices or the length changed after it was saved). Empty when it does."""
    if stored is None or (isinstance(stored, str) and not stored.strip()):
        return f"未填写“{extra.label}”" if required else ""
    try:
        extra.clean(stored, MoneyUnit.YUAN)  # stored money is in 元
    except ValidationError as error:
        return f"“{extra.label}”已保存的值不符合要求：{''.join(error.messages).rstrip('。')}，请重新填写"
    return ""


def own_fields(facts: FilingFacts) -> Iterator[Finding]:  # E11
    """The variant's own fields the layout places: the required ones filled, every stored value still valid."""
    layout = facts.layout
    for extra in layout.extras_on("filing"):
        if layout.shows(extra.name):
            problem = _extra_problem(extra, _extra_values(facts.filing).get(extra.key), extra.required)
            if problem:
                yield finding("E11", ERROR, f"{problem}。", _step_of(extra.name, facts), extra.name)
    task_columns = {column.field for column in layout.columns("tasks")}
    for extra in layout.extras_on("task"):
        if extra.name not in task_columns or not facts.department:
            continue
        for task in facts.tasks:
            problem = _extra_problem(extra, _extra_values(task).get(extra.key), extra.required)
            if problem:
                yield finding("E11", ERROR, f"年度主要任务“{task.name or '（未命名）'}”{problem}。", Step.TASKS,
                              extra.name, task.pk, "task")
    indicator_columns = {column.field for column in layout.columns("indicators")}
    periods = layout.indicator_periods() if facts.project else ["annual"]
    for extra in layout.extras_on("indicator"):
        if extra.name not in indicator_columns:
            continue
        for row in facts.indicators:
            if row.period not in periods:
                continue
            # A 不适用 row has nothing to describe: only what it does hold is checked.
            required = extra.required and not row.not_applicable
            problem = _extra_problem(extra, _extra_values(row).get(extra.key), required)
            if problem:
                where = SCOPE_LABELS.get(row.period, "") if len(periods) > 1 else ""
                yield finding("E11", ERROR, f"{where}指标“{row.name or '（未命名）'}”{problem}。", Step.INDICATORS,
                              extra.name, row.pk, "indicator")


# --- sums the layout names (A1, A2, A9, A10 for the seed variants) ----------------------------------------------

@dataclass(frozen=True)
class SumTerm:
    name: str
    label: str  # the field's name in a sentence
    value: Decimal | None
    money: bool


def _term(facts: FilingFacts, name: str, part: bool) -> SumTerm | None:
    """One field of a sum as a number; None when the field holds no number (a sum over text is not checked)."""
    if name.startswith("extra."):
        extra = facts.layout.extra(name)
        if extra is None or extra.type not in {"number", "money"}:
            return None
        stored = _extra_values(facts.filing).get(extra.key)
        value = extra.python(stored)
        if value is None and stored not in (None, ""):
            return None  # unreadable: reported by E11, the sum is not checked on a guess
        return SumTerm(name, extra.label, value, extra.type == "money")
    owner = next((obj for obj in (facts.department or facts.project, facts.filing)
                  if obj is not None and _has_field(obj, name)), None)
    if owner is None:
        return None
    model_field = type(owner)._meta.get_field(name)
    if not isinstance(model_field, models.DecimalField | models.IntegerField):
        return None
    value = getattr(owner, name)
    label = _part_label(type(owner), name) if part else verbose(type(owner), name)
    return SumTerm(name, label, None if value is None else Decimal(value), isinstance(model_field, MoneyField))


def _part_label(model, name: str) -> str:
    """A part's name without what the sentence already says (其中：, the 实施期/年度 scope)."""
    label = verbose(model, name).removeprefix("其中：")
    return label.split("：", 1)[-1]


def _sum_findings(facts: FilingFacts, total_sum: Sum, step: Step) -> Iterator[Finding]:
    """total = Σ parts, when the total and at least one part are filled. With one part, the two are equal."""
    total = _term(facts, total_sum.total, part=False)
    parts = [_term(facts, name, part=len(total_sum.parts) > 1) for name in total_sum.parts]
    if total is None or any(part is None for part in parts):
        return
    if total.value is None or all(part.value is None for part in parts):
        return
    money = total.money or any(part.money for part in parts)

    def shown(value):
        return facts.money(value) if money else _plain(value or Decimal(0))

    parts_sum = total_of(*(part.value for part in parts))
    if not (facts.differs(total.value, parts_sum) if money else total.value != parts_sum):
        return
    if len(parts) == 1:
        [part] = parts
        yield finding(total_sum.code, ERROR, f"{part.label} {shown(part.value)} 与{total.label} {shown(total.value)} "
                      "不相等。", step, part.name)
        return
    labels = " + ".join(f"{part.label} {shown(part.value)}" for part in parts if part.value is not None)
    yield finding(total_sum.code, ERROR, f"{total.label} {shown(total.value)} 不等于 {labels} = {shown(parts_sum)}。",
                  step, total.name)


def layout_sums(facts: FilingFacts) -> Iterator[Finding]:
    """Every sum of the layout's blocks, with the sum's finding code; it points at the step placing the total."""
    if not (facts.department or facts.project):
        return
    for block in facts.layout.blocks:
        for total_sum in block.sums:
            step = _placed_step(facts.layout, total_sum.total) or Step(block.step)
            yield from _sum_findings(facts, total_sum, step)


def balanced_budget(facts):  # A3
    details, layout = facts.department, facts.layout
    if not details or not (layout.shows("income_total") and layout.shows("expenditure_total")):
        return
    if details.income_total is not None and details.expenditure_total is not None:
        if facts.differs(details.income_total, details.expenditure_total):
            yield finding("A3", ERROR, f"收入合计 {facts.money(details.income_total)} 与支出合计 "
                          f"{facts.money(details.expenditure_total)} 不相等。", _step_of("expenditure_total", facts),
                          "expenditure_total")


# --- the named checks a layout switches on (`CHECKS` in filings.layouts.description) ---------------------------

def _checks(facts: FilingFacts, name: str) -> bool:
    return name in facts.layout.checks


def execution_rate(facts):  # A4, and the A5 warning on a rate above 100%
    details = facts.department
    if not details or not _checks(facts, "execution_rate") or details.prior_actual is None:
        return
    base_field = "prior_adjusted" if details.prior_adjusted is not None else "prior_approved"
    base = getattr(details, base_field)
    if not base:
        yield finding("A4", WARNING, f"{verbose(DepartmentDetails, base_field)}为空或为 0，无法核对执行率。",
                      _step_of(base_field, facts), base_field)
        return
    computed = (details.prior_actual / base * HUNDRED).quantize(Decimal("0.01"), ROUND_HALF_UP)
    formula = f"{_plain(from_yuan(details.prior_actual, facts.unit))} ÷ {_plain(from_yuan(base, facts.unit))}"
    printed = details.prior_execution_rate
    if printed is None:
        yield finding("A4", ERROR, f"请填写执行率，按表中数字应为 {_plain(computed)}%（{formula}）。",
                      _step_of("prior_execution_rate", facts), "prior_execution_rate")
    elif _disagrees(printed, computed):
        yield finding("A4", ERROR, f"执行率应为 {_plain(computed)}%（{formula}），表中填写为 {_plain(printed)}%。",
                      _step_of("prior_execution_rate", facts), "prior_execution_rate")


def _disagrees(printed: Decimal, computed: Decimal) -> bool:
    """A rate printed with fewer decimals (117%) is compared at its own precision; 0.01 points tolerance."""
    places = max(0, -printed.normalize().as_tuple().exponent)
    rounded = computed.quantize(Decimal(1).scaleb(-min(places, 2)), ROUND_HALF_UP)
    return abs(printed - rounded) > Decimal("0.01")


def carryover(facts):  # A5
    details = facts.department
    if not details or not _checks(facts, "carryover") or details.prior_actual is None:
        return
    base = details.prior_adjusted if details.prior_adjusted is not None else details.prior_approved
    if not base or details.other_notes.strip():
        return
    overspent = details.prior_actual - base
    expected = max(-overspent, Decimal(0))
    if overspent > facts.tolerance:
        rate = _plain((details.prior_actual / base * HUNDRED).quantize(Decimal("0.01"), ROUND_HALF_UP))
        yield finding("A5", WARNING, f"上年执行率 {rate}% 超过 100%：实际支出超出预算 {facts.money(overspent)}，"
                      "请在“其他需要说明的事项”中说明资金来源。", _step_of("other_notes", facts), "other_notes")
    elif details.prior_carryover is not None and facts.differs(details.prior_carryover, expected):
        yield finding("A5", WARNING, f"年末结转结余数 {facts.money(details.prior_carryover)} 与预算减实际支出 "
                      f"{facts.money(expected)} 不一致，请说明原因。", _step_of("prior_carryover", facts),
                      "prior_carryover")


def staffing(facts):  # A6: "staffing" counts 编外 in 在职人员总数, "staffing_without_extra" does not
    details = facts.department
    with_extra = _checks(facts, "staffing")
    if not details or not (with_extra or _checks(facts, "staffing_without_extra")):
        return
    administrative, institutional, extra = (details.staff_administrative, details.staff_institutional,
                                            details.staff_extra)
    if administrative is None or institutional is None:
        return
    established = administrative + institutional
    if details.staff_total is not None:
        if with_extra:
            expected = established + (extra or 0)
            formula = f"{administrative} + 事业编制 {institutional} + 编外 {extra or 0}"
            differs = details.staff_total != expected
        else:
            expected, formula = established, f"{administrative} + 事业编制 {institutional}"
            differs = details.staff_total < expected
        if differs:
            yield finding("A6", WARNING, f"在职人员总数 {details.staff_total} 与行政编制 {formula} = {expected} 不符。",
                          _step_of("staff_total", facts), "staff_total")
    if details.staffing_quota is not None and established > details.staffing_quota:
        yield finding("A6", WARNING, f"行政编制与事业编制人数合计 {established} 超过编制控制数 "
                      f"{details.staffing_quota}。", _step_of("staffing_quota", facts), "staffing_quota")


# --- annual tasks ------------------------------------------------------------------------------------------

def task_budget(facts):  # A7
    details = facts.department
    if not details or not _checks(facts, "task_budget"):
        return
    if not facts.tasks:
        yield finding("A7", ERROR, "请填写年度主要任务。", Step.TASKS)
        return
    budget_field = next((name for name in ("expenditure_total", "funds_total", "income_total")
                         if getattr(details, name) is not None), None)
    budget = getattr(details, budget_field) if budget_field else None
    blank = [task for task in facts.tasks if task.amount_total is None]
    if len(blank) == len(facts.tasks):
        against = ""
        if budget_field:
            against = f"，无法与{verbose(DepartmentDetails, budget_field)} {facts.money(budget)} 核对"
        yield finding("A7", ERROR, f"年度主要任务均未填预算金额（共 {len(blank)} 项）{against}。", Step.TASKS,
                      "amount_total")
        return
    for task in blank:
        yield finding("A7", ERROR, f"年度主要任务“{task.name}”未填预算金额。", Step.TASKS, "amount_total",
                      task.pk, "task")
    if budget_field is None:
        return
    tasks_sum = total_of(*(task.amount_total for task in facts.tasks))
    if facts.differs(tasks_sum, budget):
        yield finding("A7", ERROR, f"年度主要任务预算金额合计 {facts.money(tasks_sum)} 与"
                      f"{verbose(DepartmentDetails, budget_field)} {facts.money(budget)} 不相等。",
                      Step.TASKS, "amount_total")


def task_split(facts):  # A8
    if not facts.department or not _checks(facts, "task_split"):
        return
    for task in facts.tasks:
        if task.amount_total is None or (task.amount_fiscal is None and task.amount_other is None):
            continue
        if facts.differs(task.amount_total, total_of(task.amount_fiscal, task.amount_other)):
            yield finding("A8", ERROR, f"任务“{task.name}”总额 {facts.money(task.amount_total)} 不等于财政拨款 "
                          f"{facts.money(task.amount_fiscal)} + 其他资金 {facts.money(task.amount_other)}。",
                          Step.TASKS, "amount_total", task.pk, "task")
    details = facts.department
    for printed_field, row_field, label in (("tasks_total_amount", "amount_total", "总额"),
                                            ("tasks_total_fiscal", "amount_fiscal", "财政拨款"),
                                            ("tasks_total_other", "amount_other", "其他资金")):
        printed = getattr(details, printed_field)
        if printed is None:
            continue
        rows_sum = total_of(*(getattr(task, row_field) for task in facts.tasks))
        if facts.differs(printed, rows_sum):
            yield finding("A8", ERROR, f"金额合计（{label}）填写为 {facts.money(printed)}，各任务之和为 "
                          f"{facts.money(rows_sum)}。", _placed_step(facts.layout, printed_field) or Step.TASKS,
                          printed_field)


# --- project funds ---------------------------------------------------------------------------------------

SCOPE_LABELS = {"implementation": "实施期", "annual": "年度"}


def one_year_funds(facts):  # A11
    project = facts.project
    if not project or not _checks(facts, "one_year_funds"):
        return
    period_total, annual_total = project.implementation_total, project.annual_total
    if period_total is None or annual_total is None:
        return
    if annual_total - period_total > facts.tolerance:
        yield finding("A11", ERROR, f"年度资金总额 {facts.money(annual_total)} 超过实施期资金总额 "
                      f"{facts.money(period_total)}。", _step_of("annual_total", facts), "annual_total")
    elif is_one_year(project) and facts.differs(annual_total, period_total):
        yield finding("A11", ERROR, f"一次性（1年）项目的实施期资金总额 {facts.money(period_total)} 应等于年度资金"
                      f"总额 {facts.money(annual_total)}。", _step_of("implementation_total", facts),
                      "implementation_total")


def is_one_year(project: ProjectDetails) -> bool:
    return project.recurrence == Recurrence.ONE_OFF or project.period_years == 1


# --- sign-off and cross-project checks -------------------------------------------------------------------

def filled_date(facts):  # A15
    filled_on = facts.filing.filled_on
    if filled_on is None:
        return
    if filled_on > timezone.localdate():
        yield finding("A15", WARNING, f"填报日期 {filled_on:%Y-%m-%d} 晚于今天。", _step_of("filled_on", facts),
                      "filled_on")
    elif filled_on >= datetime.date(facts.filing.year, 1, 1):
        yield finding("A15", WARNING, f"填报日期 {filled_on:%Y-%m-%d} 已在 {facts.filing.year} 预算年度内，"
                      "绩效目标通常应在编制预算时（年度开始前）填报。", _step_of("filled_on", facts), "filled_on")


def same_person(facts):  # W9
    filing = facts.filing
    for filler, head in (("contact_person", "unit_head"), ("handler", "responsible_person")):
        a, b = getattr(filing, filler).strip(), getattr(filing, head).strip()
        if a and a == b:
            yield finding("W9", WARNING, f"{verbose(Filing, filler)}与{verbose(Filing, head)}为同一人（{a}）。",
                          _step_of(head, facts), head)


TOTAL_IN_TEXT = re.compile(r"(?:共计|合计|总计)\s*([0-9][0-9,，]*(?:\.[0-9]+)?)\s*(万元|元)")


def narrative_totals(facts):  # W10
    project = facts.project
    if not project:
        return
    totals = {label: total for label, total in (("实施期资金总额", project.implementation_total),
                                                ("年度资金总额", project.annual_total)) if total is not None}
    if not totals:
        return
    for name in ("overview", "basis", "necessity", "safeguards", "plan"):
        for number, unit in TOTAL_IN_TEXT.findall(getattr(project, name)):
            try:
                stated = to_yuan(number.replace("，", ""), MoneyUnit.WAN if unit == "万元" else MoneyUnit.YUAN)
            except ArithmeticError:
                continue  # a figure finer than a fen is no total anyone would compare
            if all(facts.differs(stated, total) for total in totals.values()):
                compared = "、".join(f"{label} {facts.money(total)}" for label, total in totals.items())
                yield finding("W10", WARNING, f"“{verbose(ProjectDetails, name)}”中写明共计 {number}{unit}，与"
                              f"{compared}均不一致。", Step.NARRATIVE, name)


def overlapping_projects(facts):  # W10
    project = facts.project
    if not project:
        return
    for other in facts.siblings:
        other_project = getattr(other, "project", None)
        if other.pk == facts.filing.pk or other_project is None:
            continue
        if other_project.name.strip() and other_project.name.strip() == project.name.strip():
            yield finding("W10", WARNING, f"本单位同年度另有同名项目“{other_project.name}”。", Step.PROJECT, "name")
            continue
        mine, theirs = project.implementation_total, other_project.implementation_total
        if mine and theirs and mine > theirs and project.annual_total and not facts.differs(
            mine - theirs, project.annual_total
        ):
            yield finding("W10", WARNING, f"实施期资金总额 {facts.money(mine)} 恰为项目“{other_project.name}”的 "
                          f"{facts.money(theirs)} 加本项目年度资金 {facts.money(project.annual_total)}，"
                          "可能重复计列。", Step.FUNDS, "implementation_total")


FILING_RULES = [
    required_fields, own_fields, layout_sums, balanced_budget, execution_rate, carryover, staffing, task_budget,
    task_split, one_year_funds, filled_date, same_person, narrative_totals, overlapping_projects,
]


# --- running everything ------------------------------------------------------------------------------------

def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def indicator_context(facts: FilingFacts) -> IndicatorContext:
    filing, project, details = facts.filing, facts.project, facts.department
    budgets: dict[str, Decimal | None] = {}
    if project:
        budgets = {"annual": project.annual_total, "implementation": project.implementation_total}
    elif details:
        budgets = {"annual": next((v for v in (details.expenditure_total, details.funds_total,
                                               details.tasks_total_amount, details.income_total) if v is not None),
                                  None)}
    return IndicatorContext(
        categories=facts.categories,
        kind=filing.kind,
        year=filing.year,
        money_unit=MoneyUnit(filing.money_unit).label,
        periods=tuple(facts.layout.indicator_periods()) if project else ("annual",),
        budget_totals={period: from_yuan(value, filing.money_unit) for period, value in budgets.items()},
        period_start=project.start_date if project else None,
        period_end=project.end_date if project else None,
        period_years=project.period_years if project else None,
        one_year=bool(project and is_one_year(project)),
        serves_beneficiaries=not filing.no_direct_beneficiaries,
        unit_key=facts.layout.indicator_unit_key,
    )


def load_facts(filing: Filing, categories: list[Category] | None = None, siblings: list | None = None) -> FilingFacts:
    """Read a filing's rows; uses prefetched rows, categories and sibling projects when the caller has them."""
    if categories is None:
        categories = list(Category.objects.filter(scheme_id=filing.scheme_id).select_related("parent"))
    if siblings is None and filing.kind == FilingKind.PROJECT:
        siblings = list(Filing.objects.projects().filter(unit_id=filing.unit_id, year=filing.year)
                        .exclude(pk=filing.pk).select_related("project"))
    siblings = [other for other in siblings or [] if other.pk != filing.pk]
    return FilingFacts(
        filing=filing,
        variant=filing.variant,
        department=getattr(filing, "department", None) if filing.kind == FilingKind.DEPARTMENT else None,
        project=getattr(filing, "project", None) if filing.kind == FilingKind.PROJECT else None,
        tasks=_rows(filing, "tasks", filing.tasks.all()),
        indicators=_rows(filing, "indicators", filing.indicators.select_related("category__parent")),
        categories=categories,
        siblings=siblings,
    )


def _rows(filing: Filing, name: str, queryset) -> list:
    prefetched = getattr(filing, "_prefetched_objects_cache", {})
    return list(prefetched[name] if name in prefetched else queryset)


def validate_filing(filing: Filing, categories: list[Category] | None = None, siblings: list | None = None) -> Report:
    """The one report of a filing: its own rules and the indicator-set rules, errors first."""
    facts = load_facts(filing, categories, siblings)
    findings = [f for rule in FILING_RULES for f in rule(facts)]
    findings += check_indicators(facts.indicators, indicator_context(facts))
    return Report(findings)


def validate_many(filings) -> dict[int, Report]:
    """Reports for many filings with a fixed number of queries: rows prefetched, categories read once per scheme,
    each project checked against the other projects of its unit and year among `filings`."""
    filings = list(filings_for_validation(filings))
    share_variants(filings)
    schemes = {filing.scheme_id for filing in filings}
    categories: dict[int, list[Category]] = {}
    for category in Category.objects.filter(scheme_id__in=schemes).select_related("parent"):
        categories.setdefault(category.scheme_id, []).append(category)
    projects: dict[tuple, list[Filing]] = {}
    for filing in filings:
        if filing.kind == FilingKind.PROJECT:
            projects.setdefault((filing.unit_id, filing.year), []).append(filing)
    return {
        filing.pk: validate_filing(filing, categories.get(filing.scheme_id, []),
                                   projects.get((filing.unit_id, filing.year), []))
        for filing in filings
    }


def share_variants(filings) -> None:
    """One variant object per variant among the filings, so each layout is parsed once, not once per filing."""
    shared = {}
    for filing in filings:
        filing.variant = shared.setdefault(filing.variant_id, filing.variant)


def _row_prefetches():
    return ("tasks", Prefetch("indicators", Indicator.objects.select_related("category__parent")))


def filings_for_validation(queryset):
    """The filings of a queryset with everything validate_filing reads, in a fixed number of queries."""
    return queryset.select_related("variant", "scheme", "unit", "department", "project").prefetch_related(
        *_row_prefetches())


def read_rows(filing: Filing) -> Filing:
    """Read the rows of a loaded filing that validate_filing reads (tasks; indicators in their order, with their
    categories) and the printed form prints (also the 职能 rows), once: a page that validates and prints the filing
    reads each table once."""
    prefetch_related_objects([filing], "tasks", "functions", "indicators")
    rows = filing.indicators.all()
    categories = {c.pk: c for c in Category.objects.filter(
        pk__in={row.category_id for row in rows}).select_related("parent")}
    for row in rows:  # one Category object per category, not one per row
        row.category = categories[row.category_id]
    return filing

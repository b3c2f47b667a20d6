"""Rules about a filing's set of 三级 indicators (completeness, values, cost, time, quality warnings).

Plain data in, findings out: the rows only need the attributes of `IndicatorLike`, so wizard forms, imports
and saved filings are checked alike, and this module never imports the filings app.

Each rule is one function taking the filing's indicator sets and a `_Run` (the context read once); `RULES` lists
them in the order they run. Codes and thresholds are documented in docs/validation.md.
"""

import datetime
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Protocol

from .findings import Finding, Severity, Step
from .models import Category
from .values import (
    MONEY_NAME_WORDS,
    NOT_APPLICABLE_TEXT,
    Deadline,
    Target,
    TargetKind,
    format_target,
    parse_target,
    with_unit,
)


class IndicatorLike(Protocol):
    pk: int | None
    period: str  # "annual" | "implementation"
    category: Category  # a 二级 category with .parent (its 一级) loaded
    name: str
    value_text: str
    not_applicable: bool
    note: str


@dataclass(frozen=True)
class IndicatorContext:
    categories: Sequence[Category]  # every category of the filing's scheme, 一级 and 二级, parents loaded
    kind: str  # "department" | "project"
    year: int  # the budget year
    money_unit: str  # the filing's money unit label: "万元" | "元"
    periods: tuple[str, ...] = ("annual",)  # the indicator sets the form has: ("implementation", "annual")
    budget_totals: dict[str, Decimal | None] = field(default_factory=dict)  # per period, in money_unit
    period_start: datetime.date | None = None  # 项目期 (projects)
    period_end: datetime.date | None = None
    period_years: int | None = None
    one_year: bool = False  # 一次性项目 or a 项目期 of one year
    serves_beneficiaries: bool = True  # False when the filing is marked 不直接面向服务对象
    unit_key: str = ""  # the row's own field (``extra``) that holds the 计量单位, when the form prints it apart


# --- thresholds and word lists -------------------------------------------------------------------------------

PERIOD_LABELS = {"annual": "年度", "implementation": "实施期"}
MONEY_FACTORS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
MONEY_UNIT_CODES = {"yuan": "元", "wan": "万元"}  # a context built from the stored code still works
TOLERANCE = Decimal("0.01")  # in the filing's money unit
CAPPED_OPERATORS = {"≤", "<", "="}  # a cost target that caps the amount; ≥ / > say nothing about the total
SATISFACTION_FLOOR = Decimal(80)
SATISFACTION_MAX_DECIMALS = 2
COUNT_LIMITS = {"department": (6, 30), "project": (5, 25)}

AMOUNT_COST_CODES = {"economic_cost", "output_cost"}
COST_CODES = AMOUNT_COST_CODES | {"social_cost", "ecological_cost"}
BENEFIT_CODES = {"economic_benefit", "social_benefit", "ecological_benefit", "sustainable_impact"}
SATISFACTION_CODES = {"beneficiary_satisfaction", "other_satisfaction"}
VAGUE_CHECKED_CODES = {"quantity", "quality"}

GROWTH_WORDS = ("增幅", "增长", "增速", "涨幅", "降幅", "下降率", "下降幅度", "增加率", "变化率", "变动率",
                "同比", "环比")
RATE_ENDINGS = ("率", "占比", "比例", "比重")
NOT_RATE_ENDINGS = ("效率", "频率")  # end in 率 but are no share of a whole
# Measures with no unit at all: an index or coefficient (空气质量综合指数 ≤4.2, 基尼系数 ≤0.4).
DIMENSIONLESS_ENDINGS = ("指数", "系数", "比值", "倍数")
TIME_NAME_WORDS = ("完成时间", "及时", "时限", "进度", "时效", "期限")
# Any of these in a 时效 row's name, value or unit makes it read as a time requirement.
TIME_HINTS = ("时间", "时限", "时效", "及时", "按时", "进度", "期限", "日期", "周期", "频次", "频率", "定期",
              "年", "季", "月", "周", "天", "日", "小时", "分钟", "前", "后")
ECOLOGY_WORDS = ("生态", "环境", "环保", "绿化", "绿色", "节能", "节水", "减排", "排放", "污染", "能耗", "能源",
                 "水质", "水体", "水源", "污水", "用水", "水资源", "水土", "空气", "大气", "碳", "废", "垃圾",
                 "噪声", "土壤", "森林", "植被", "湿地")  # not a bare 水: it would match 水平
VAGUE_LEADS = ("有效", "不断", "进一步", "持续", "逐步", "促进", "全面", "稳步")
VAGUE_WORDS = VAGUE_LEADS + ("提高", "提升", "加强", "增强", "保障", "改善", "推进", "推动", "优化", "完善",
                             "稳定", "明显", "显著", "大幅", "较好", "良好", "得到", "降低", "减少", "发展")

_VAGUE_PATTERN = re.compile("|".join(sorted(VAGUE_WORDS, key=len, reverse=True)))
_PUNCTUATION = re.compile(r"[\s，,、。.；;：:！!？?（）()“”\"'《》…\-—]+")
# A calendar year written before 年, not a baseline (较2024年, 比2024年, 与2024年).
_YEAR = re.compile(r"(?<![0-9较比与])((?:19|20)[0-9]{2})年")
_TRAILING_BRACKET = re.compile(r"[（(][^（()）]*[)）]$")


# --- the rows and sets as the rules see them ---------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    pk: int | None
    category: Category | None  # the context's category of the row's code when known
    code: str
    parent_code: str
    category_name: str
    name: str
    value: str
    target: Target
    not_applicable: bool
    note: str

    @property
    def applicable(self) -> bool:
        return not self.not_applicable

    @property
    def label(self) -> str:
        return f"“{self.name}”" if self.name else f"“{self.category_name or '未分类'}”下未命名的指标"

    @property
    def is_satisfaction(self) -> bool:
        return self.code in SATISFACTION_CODES or "满意度" in self.name

    @property
    def unit(self) -> str:
        return self.target.unit if self.target.is_quantitative else ""

    def finding(self, code: str, severity: Severity, message: str, field_name: str = "value_text") -> Finding:
        return Finding(code, severity, message, Step.INDICATORS, field=field_name, row=self.pk, row_kind="indicator")


@dataclass(frozen=True)
class _Set:
    period: str
    rows: tuple[_Row, ...]

    @property
    def label(self) -> str:
        return PERIOD_LABELS.get(self.period, self.period)

    @property
    def applicable_rows(self) -> list[_Row]:
        return [row for row in self.rows if row.applicable]

    def finding(self, code: str, severity: Severity, message: str) -> Finding:
        return Finding(code, severity, message, Step.INDICATORS)


class _Run:
    """The context read once: categories by code, each 二级's 一级, the money unit, the date windows."""

    def __init__(self, context: IndicatorContext):
        self.context = context
        categories = [c for c in (context.categories or ()) if isinstance(c, Category)]
        self.level1 = [c for c in categories if c.parent_id is None]
        self.level2 = [c for c in categories if c.parent_id is not None]
        self.by_code = {c.code: c for c in categories}
        level1_codes = {c.pk: c.code for c in self.level1}
        self.parent_code = {c.code: level1_codes.get(c.parent_id, "") for c in self.level2}
        self.money_unit = MONEY_UNIT_CODES.get(context.money_unit, context.money_unit or "")

    def children(self, level1_code: str) -> list[Category]:
        return [c for c in self.level2 if self.parent_code.get(c.code) == level1_code]

    def expected(self, category: Category) -> bool:
        """Whether the set must cover this category: 满意度 may be left out when no one is served directly."""
        level1 = category.code if category.parent_id is None else self.parent_code.get(category.code, "")
        return self.context.serves_beneficiaries or level1 != "satisfaction"

    def window(self, period: str) -> tuple[datetime.date, datetime.date | None, str]:
        """First and last day a deadline of this set may fall on (None: open), and how to name the span."""
        year = self.context.year
        budget_year = (_safe_date(year, 1, 1), _safe_date(year, 12, 31))
        if period != "implementation" or budget_year[0] is None:
            return budget_year[0] or datetime.date.min, budget_year[1], f"预算年度（{year}年）"
        start = self.context.period_start or budget_year[0]
        end = self.context.period_end
        years = self.context.period_years
        if end is None and isinstance(years, int) and years >= 1:
            end = _safe_date(year + years - 1, 12, 31)
        span = f"{_day(start)}至{_day(end)}" if end else f"{_day(start)}起"
        return start, end, f"项目期（{span}）"


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _compact(text: str) -> str:
    return "".join(text.split())


def _plain(number: Decimal) -> str:
    """A number as written by people: no exponent, no trailing zeros."""
    if not number.is_finite():
        return str(number)
    written = format(number, "f")
    return written.rstrip("0").rstrip(".") if "." in written else written


def _safe_date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except (ValueError, OverflowError, TypeError):
        return None


def _day(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        return None
    number = Decimal(value)
    return number if number.is_finite() else None


def _read_row(row: IndicatorLike, run: _Run) -> _Row:
    category = getattr(row, "category", None)
    code = _text(getattr(category, "code", ""))
    known = run.by_code.get(code)
    parent_code = run.parent_code.get(code, "")
    # only a parent already loaded: reading an unloaded one would query the database
    if not parent_code and isinstance(category, Category) and Category.parent.is_cached(category):
        parent_code = _text(getattr(category.parent, "code", ""))
    name = _text(getattr(row, "name", ""))
    value = _text(getattr(row, "value_text", ""))
    own = getattr(row, "extra", None)
    unit = own.get(run.context.unit_key, "") if run.context.unit_key and isinstance(own, dict) else ""
    target = parse_target(with_unit(value, unit if isinstance(unit, str) else ""), name)
    return _Row(
        pk=getattr(row, "pk", None),
        category=known or category,
        code=code,
        parent_code=parent_code,
        category_name=_text(getattr(known or category, "name", "")),
        name=name,
        value=value,
        target=target,
        not_applicable=bool(getattr(row, "not_applicable", False))
        or name == NOT_APPLICABLE_TEXT
        or target.kind == TargetKind.NOT_APPLICABLE,
        note=_text(getattr(row, "note", "")),
    )


def _group(rows: Sequence[IndicatorLike], run: _Run) -> list[_Set]:
    by_period = {period: [] for period in dict.fromkeys(run.context.periods or ())}
    for source in rows or ():
        period = _text(getattr(source, "period", ""))
        if period in by_period:
            by_period[period].append(_read_row(source, run))
    return [_Set(period, tuple(period_rows)) for period, period_rows in by_period.items()]


def _is_money(unit: str) -> bool:
    return unit in MONEY_FACTORS


def _is_money_rate(unit: str) -> bool:
    """A pure money unit or one per something (元/人次, 元/家/年): a cost stated in money either way."""
    return _is_money(unit.split("/", 1)[0])


def _is_rate_name(name: str) -> bool:
    stem = _TRAILING_BRACKET.sub("", name)
    return stem.endswith(RATE_ENDINGS) and not stem.endswith(NOT_RATE_ENDINGS)


def _is_money_name(name: str) -> bool:
    return any(word in name for word in MONEY_NAME_WORDS)


def _is_dimensionless_name(name: str) -> bool:
    return _TRAILING_BRACKET.sub("", name).endswith(DIMENSIONLESS_ENDINGS)


def _is_growth_name(name: str) -> bool:
    return any(word in name for word in GROWTH_WORDS)


def _is_vague(value: str) -> bool:
    text = _PUNCTUATION.sub("", value)
    if not text or any(ch.isdigit() for ch in text):
        return False
    return text.startswith(VAGUE_LEADS) or not _VAGUE_PATTERN.sub("", text)


def _decimals(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


Rule = Callable[[list[_Set], _Run], Iterable[Finding]]


# --- errors ----------------------------------------------------------------------------------------------------

def completeness(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """E5: each set covers the required 一级/二级 with applicable rows; 不适用 only where the scheme allows it."""
    for indicator_set in sets:
        if not indicator_set.rows:
            message = f"{indicator_set.label}绩效指标为空，请按指标体系填写三级指标。"
            yield indicator_set.finding("E5", Severity.ERROR, message)
            continue
        yield from _missing_categories(indicator_set, run)
        yield from _misused_not_applicable(indicator_set, run)


def _missing_categories(indicator_set: _Set, run: _Run) -> Iterable[Finding]:
    label = indicator_set.label
    codes = {row.code for row in indicator_set.applicable_rows}
    parents = {row.parent_code for row in indicator_set.applicable_rows}
    missing = [c for c in run.level2 if c.is_required and run.expected(c) and c.code not in codes]
    for category in missing:
        yield indicator_set.finding(
            "E5", Severity.ERROR, f"{label}指标中“{category.name}”至少需要一条三级指标（不能为空或全部为“不适用”）。"
        )
    reported = {run.parent_code.get(c.code) for c in missing}
    for category in run.level1:
        if category.is_required and run.expected(category) and category.code not in parents | reported:
            yield indicator_set.finding(
                "E5", Severity.ERROR, f"{label}指标中“{category.name}”下至少需要一条适用的三级指标。"
            )


def _misused_not_applicable(indicator_set: _Set, run: _Run) -> Iterable[Finding]:
    for row in indicator_set.rows:
        if not row.not_applicable or row.category is None:
            continue
        if not getattr(row.category, "allows_not_applicable", True):
            yield row.finding(
                "E5", Severity.ERROR, f"“{row.category_name}”不能标为“不适用”，请填写具体的三级指标和指标值。", "name"
            )
        elif (getattr(row.category, "not_applicable_needs_reason", False) and not row.note
              and run.context.serves_beneficiaries):
            yield row.finding(
                "E5", Severity.ERROR, f"“{row.category_name}”标为“不适用”时须在说明中写明理由。", "note"
            )


def cost_subcategories(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """E10: under 成本 as a 一级, every 二级 is filled or marked 不适用, never left blank (seed 000)."""
    if "cost" not in {c.code for c in run.level1}:
        return
    for indicator_set in sets:
        if not indicator_set.rows:
            continue
        present = {row.code for row in indicator_set.rows if row.name or row.value or row.not_applicable}
        for category in run.children("cost"):
            # a required one (经济成本) missing is already an E5 finding
            if not category.is_required and category.code not in present:
                yield indicator_set.finding(
                    "E10", Severity.ERROR,
                    f"{indicator_set.label}指标中“{category.name}”未填写：请填写三级指标，不涉及的请注明“不适用”。",
                )


def row_fields(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """E6: each row has a name and a value; a quantitative value has operator, number and unit."""
    for indicator_set in sets:
        for row in indicator_set.rows:
            if not row.name and not row.not_applicable:
                yield row.finding("E6", Severity.ERROR, f"{row.label}未填写三级指标名称。", "name")
            if row.not_applicable:
                continue
            if not row.value:
                yield row.finding("E6", Severity.ERROR, f"{row.label}未填写指标值。")
            elif row.target.is_quantitative and not row.target.unit and not _is_dimensionless_name(row.name):
                yield row.finding("E6", Severity.ERROR, _missing_unit_message(row, run))


def _missing_unit_message(row: _Row, run: _Run) -> str:
    """Say what to write, with the row's own operator and number: “≥200” becomes “≥200人次” or “≥200个”."""
    if _is_rate_name(row.name):
        units = ("%", "‰")
    elif _is_money_name(row.name) or row.code in COST_CODES:
        units = (run.money_unit or "万元", f"{run.money_unit or '元'}/人")
    elif row.code == "timeliness":
        units = ("个工作日", "个月")
    else:
        units = ("人次", "个")
    first, second = (format_target(replace(row.target, unit=unit, remainder="")) for unit in units)
    return (f"{row.label}的指标值 {row.value} 缺少计量单位：请在数值后写明单位，写成“{first}”或“{second}”这样的形式"
            f"（单位按实际填写，如 %、人、个、万元）。")


def percent_range(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """E7: a percentage lies within 0–100 (growth rates exempt); satisfaction never above 100%."""
    for indicator_set in sets:
        for row in indicator_set.applicable_rows:
            if row.unit != "%" or _is_growth_name(row.name) or row.target.tolerance:
                continue
            low, number = min(row.target.numbers), max(row.target.numbers)  # both ends of a range
            example = _percent_example(row.target)
            if row.is_satisfaction and number > 100:
                yield row.finding(
                    "E7", Severity.ERROR,
                    f"满意度指标{row.label}的指标值 {row.value} 超过 100%：满意度最高为 100%，请改为如“{example}”。",
                )
            elif number > 100 or low < 0:
                yield row.finding(
                    "E7", Severity.ERROR,
                    f"{row.label}的指标值 {row.value} 超出 0–100% 的范围：请改为 0–100 之间的百分比（如“{example}”），"
                    f"或改用合适的单位；增幅、增长率类指标请在名称中写明“增长率”或“增幅”。",
                )


def _percent_example(target: Target) -> str:
    """The row's own value within 0–100%: “≥120%” becomes “≥95%”, “90%-120%” becomes “90~100%”."""
    if target.high is not None:
        low, high = max(target.number, Decimal(0)), min(target.high, Decimal(100))
        if low < high:
            return format_target(replace(target, number=low, high=high, remainder=""))
    return format_target(replace(target, number=Decimal(95), high=None, remainder=""))


def deadlines(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """E9: a dated value lies inside the budget year (年度) or the 项目期 (实施期)."""
    for indicator_set in sets:
        start, end, span = run.window(indicator_set.period)
        for row in indicator_set.applicable_rows:
            if row.target.kind == TargetKind.TIME and row.target.deadline is not None:
                message = _deadline_problem(row, row.target.deadline, (start, end, span), run.context.year)
                if message:
                    yield row.finding("E9", Severity.ERROR, message)


def _deadline_problem(row: _Row, deadline: Deadline, window, year: int) -> str:
    start, end, span = window
    last = deadline.last_day(default_year=year)
    if last is None:
        return f"{row.label}的时间 {row.value} 不是有效的日期，请核实。"
    first = deadline.first_day(default_year=year)
    if deadline.is_period and first is None:
        return f"{row.label}的时间 {row.value} 不是有效的日期，请核实。"
    outside = [day for day in (first, last) if day is not None and (day < start or (end is not None and day > end))]
    if outside:
        example = _deadline_example(deadline, first, last, (start, end))
        return f"{row.label}的时间 {row.value}（{_day(outside[0])}）不在{span}内：请改为{span}内的时间，如“{example}”。"
    return ""


def _deadline_example(deadline: Deadline, first, last, window) -> str:
    """The row's deadline or period moved into the window: “2024年12月前” becomes “2025年12月底前”."""
    start, end = window
    end = end or _safe_date(start.year, 12, 31) or start
    if deadline.is_period and first is not None:
        first, last = max(first, start), min(last, end)
        if first > last:
            first, last = start, end
        if first.year == last.year:
            return f"{first.year}年{first.month}月至{last.month}月"
        return f"{first.year}年{first.month}月至{last.year}年{last.month}月"
    year = start.year if last < start else end.year
    if deadline.quarter is not None and 1 <= deadline.quarter <= 4:
        quarter_end = _safe_date(year, deadline.quarter * 3, 1)
        if quarter_end is not None and start <= quarter_end <= end:
            return f"{year}年第{deadline.quarter}季度"
    moved = _safe_date(year, last.month, 1)
    if moved is None or not start <= moved <= end:
        moved = end
    return f"{moved.year}年{moved.month}月底前"


def cost_total(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """A12: money-type cost indicators that cap an amount add up to no more than the related budget."""
    factor = MONEY_FACTORS.get(run.money_unit)
    if factor is None:
        return
    for indicator_set in sets:
        total = _decimal((run.context.budget_totals or {}).get(indicator_set.period))
        capped = [
            row for row in indicator_set.applicable_rows
            if row.code in AMOUNT_COST_CODES and _is_money(row.unit) and not row.target.tolerance
            and (row.target.operator in CAPPED_OPERATORS or row.target.is_range)  # a range caps at its high end
        ]
        if total is None or not capped:
            continue
        amount = sum((row.target.upper * MONEY_FACTORS[row.unit] / factor for row in capped), Decimal(0))
        if amount > total + TOLERANCE:
            yield indicator_set.finding(
                "A12", Severity.ERROR,
                f"{indicator_set.label}成本指标金额合计 {_plain(amount)}{run.money_unit}（{len(capped)} 条），"
                f"超过{_budget_label(indicator_set, run)} {_plain(total)}{run.money_unit}。",
            )


def _budget_label(indicator_set: _Set, run: _Run) -> str:
    if run.context.kind == "department":
        return "年度预算总额"
    return f"{indicator_set.label}资金总额"


def money_unit(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """A14: an amount is written in the filing's money unit."""
    if run.money_unit not in MONEY_FACTORS:
        return
    for indicator_set in sets:
        for row in indicator_set.applicable_rows:
            if _is_money(row.unit) and row.unit != run.money_unit:
                factor = MONEY_FACTORS[row.unit] / MONEY_FACTORS[run.money_unit]
                converted = replace(row.target, unit=run.money_unit, remainder="", number=row.target.number * factor,
                                    high=None if row.target.high is None else row.target.high * factor)
                yield row.finding(
                    "A14", Severity.ERROR,
                    f"{row.label}的指标值单位“{row.unit}”与申报表金额单位“{run.money_unit}”不一致："
                    f"请换算为{run.money_unit}，写成“{format_target(converted)}”。",
                )


# --- warnings --------------------------------------------------------------------------------------------------

def satisfaction_values(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """W3: a satisfaction target below 80% or with false precision."""
    for indicator_set in sets:
        for row in indicator_set.applicable_rows:
            if not row.is_satisfaction or row.unit != "%" or row.target.tolerance:
                continue
            reasons = []
            if row.target.number < SATISFACTION_FLOOR:
                reasons.append(f"低于 {SATISFACTION_FLOOR}%")
            if _decimals(row.target.number) > SATISFACTION_MAX_DECIMALS:
                reasons.append(f"小数超过 {SATISFACTION_MAX_DECIMALS} 位")
            if reasons:
                message = f"{row.label}的指标值 {row.value} {'、'.join(reasons)}，请核实。"
                yield row.finding("W3", Severity.WARNING, message)


def measurable_values(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """W4: a value that restates the name, or only vague verbs on 数量/质量."""
    for indicator_set in sets:
        for row in indicator_set.applicable_rows:
            message = _restated_name(row) or _vague_value(row)
            if message:
                yield row.finding("W4", Severity.WARNING, message)


def _restated_name(row: _Row) -> str:
    value, name = _compact(row.value), _compact(row.name)
    if row.target.is_quantitative or len(value) < 2 or value not in name:
        return ""
    if value == name:
        return f"{row.label}的指标值与指标名称相同，无法衡量，请填写可衡量的目标值。"
    return f"{row.label}的指标值“{row.value}”只是重复了指标名称中的文字，无法衡量，请填写可衡量的目标值。"


def _vague_value(row: _Row) -> str:
    if row.code not in VAGUE_CHECKED_CODES or row.target.kind != TargetKind.QUALITATIVE or not _is_vague(row.value):
        return ""
    return f"{row.label}的指标值“{row.value}”表述笼统，数量、质量指标应写明数值或可核查的标准。"


def classification(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """W5: rows that look filed under the wrong category, or carry a year before the period."""
    for indicator_set in sets:
        for row in indicator_set.applicable_rows:
            for heuristic in CLASSIFICATION_HEURISTICS:
                message = heuristic(row, indicator_set, run)
                if message:
                    yield row.finding("W5", Severity.WARNING, message, "name")


def _rate_under_quantity(row: _Row, indicator_set: _Set, run: _Run) -> str:
    if row.code == "quantity" and (_is_rate_name(row.name) or row.name.endswith("比")):
        return f"{row.label}是比率、占比类指标，不宜放在数量指标下（可归入质量或效益指标）。"
    return ""


def _time_name_elsewhere(row: _Row, indicator_set: _Set, run: _Run) -> str:
    if row.code and row.code != "timeliness" and any(word in row.name for word in TIME_NAME_WORDS):
        return f"{row.label}是时间、进度类指标，应放在时效指标下。"
    return ""


def _not_a_time_measure(row: _Row, indicator_set: _Set, run: _Run) -> str:
    if row.code != "timeliness" or row.target.kind == TargetKind.TIME:
        return ""
    if any(hint in text for hint in TIME_HINTS for text in (row.name, row.value, row.unit)):
        return ""
    return f"{row.label}放在时效指标下，但名称和指标值都不是时间要求（完成时限、及时性、频次等），请核实分类。"


def _money_under_benefit(row: _Row, indicator_set: _Set, run: _Run) -> str:
    if (row.code in BENEFIT_CODES or row.parent_code == "benefit") and _is_money(row.unit):
        return f"{row.label}的指标值 {row.value} 是金额：资金投入不是效益，请写明带来的效果。"
    return ""


def _not_ecological(row: _Row, indicator_set: _Set, run: _Run) -> str:
    if row.code == "ecological_benefit" and not any(word in row.name for word in ECOLOGY_WORDS):
        return f"{row.label}放在生态效益指标下，但与生态环境无关，请核实分类。"
    return ""


def _not_satisfaction(row: _Row, indicator_set: _Set, run: _Run) -> str:
    if row.code in SATISFACTION_CODES and row.name and "满意" not in row.name:
        return f"{row.label}放在满意度指标下，但不是满意度，请写明调查对象（如患者满意度）。"
    return ""


def _rate_not_in_percent(row: _Row, indicator_set: _Set, run: _Run) -> str:
    unit = row.unit
    # ‰ and per-N bases (12/100000) are rates too
    if _is_rate_name(row.name) and row.target.is_quantitative and unit not in ("%", "‰", "百分点") and (
        not unit.startswith("/")
    ):
        return f"{row.label}是比率类指标，指标值 {row.value} 应以 % 表示。"
    return ""


def _year_before_period(row: _Row, indicator_set: _Set, run: _Run) -> str:
    start, _end, span = run.window(indicator_set.period)
    texts = [row.name] if row.target.kind == TargetKind.TIME else [row.name, row.value]  # dated values: E9
    early = sorted({int(year) for text in texts for year in _YEAR.findall(text) if int(year) < start.year})
    if early:
        return f"{row.label}中的“{early[0]}年”早于{span}，请核实。"
    return ""


CLASSIFICATION_HEURISTICS = (
    _rate_under_quantity, _time_name_elsewhere, _not_a_time_measure, _money_under_benefit, _not_ecological,
    _not_satisfaction, _rate_not_in_percent, _year_before_period,
)


def cost_amounts(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """W6: a set without any cost in money, and cost indicators whose value is no amount at all."""
    for indicator_set in sets:
        if not indicator_set.rows:
            continue
        rows = indicator_set.applicable_rows
        if not any(row.code in AMOUNT_COST_CODES and _is_money_rate(row.unit) for row in rows):
            yield indicator_set.finding(
                "W6", Severity.WARNING,
                f"{indicator_set.label}指标中没有以金额表示的成本指标（如“≤30万元”“≤50元/人次”），请补充。",
            )
        for row in rows:
            if row.code in COST_CODES and row.target.kind == TargetKind.QUALITATIVE:
                yield row.finding(
                    "W6", Severity.WARNING,
                    f"成本指标{row.label}的指标值“{row.value}”不是金额，请写明成本金额或单位成本。",
                )


def indicator_count(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """W7: too few or too many applicable indicators in a set."""
    limits = COUNT_LIMITS.get(run.context.kind)
    if limits is None:
        return
    low, high = limits
    kind = "部门整体" if run.context.kind == "department" else "项目"
    for indicator_set in sets:
        count = len(indicator_set.applicable_rows)
        if indicator_set.rows and not low <= count <= high:
            yield indicator_set.finding(
                "W7", Severity.WARNING,
                f"{indicator_set.label}指标共 {count} 条（不含“不适用”），{kind}绩效目标一般设 {low}–{high} 条。",
            )


def sets_agree(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """W8: 实施期 and 年度 sets differ for a one-year project, or are identical for a multi-year one."""
    by_period = {s.period: s for s in sets}
    implementation, annual = by_period.get("implementation"), by_period.get("annual")
    if implementation is None or annual is None or not (implementation.rows or annual.rows):
        return
    first, second = Counter(map(_signature, implementation.rows)), Counter(map(_signature, annual.rows))
    if run.context.one_year and first != second:
        parts = (_differences("仅实施期有", first - second), _differences("仅年度有", second - first))
        differences = "；".join(part for part in parts if part)
        yield annual.finding(
            "W8", Severity.WARNING, f"一年期项目的实施期指标与年度指标应当一致，但两者不同（{differences}）。"
        )
    elif not run.context.one_year and first == second:
        yield annual.finding(
            "W8", Severity.WARNING, "多年期项目的年度指标与实施期指标完全相同，年度指标应是实施期目标在本年度的分解。"
        )


def _signature(row: _Row) -> tuple[str, str, str]:
    return row.code, _compact(row.name), _compact(row.target.text)


def _differences(caption: str, rows: Counter) -> str:
    if not rows:
        return ""
    names = list(dict.fromkeys(name or "未命名" for _code, name, _value in rows.elements()))
    shown = "、".join(f"“{name}”" for name in names[:3]) + ("等" if len(names) > 3 else "")
    return f"{caption}{shown}"


def duplicate_names(sets: list[_Set], run: _Run) -> Iterable[Finding]:
    """W11: the same 三级 name twice in one set."""
    for indicator_set in sets:
        seen = set()
        for row in indicator_set.rows:
            key = _compact(row.name)
            if not key or row.not_applicable:
                continue
            if key in seen:
                message = f"{row.label}在{indicator_set.label}指标中重复出现。"
                yield row.finding("W11", Severity.WARNING, message, "name")
            seen.add(key)


RULES: tuple[Rule, ...] = (
    completeness, cost_subcategories, row_fields, percent_range, deadlines, cost_total, money_unit,
    satisfaction_values, measurable_values, classification, cost_amounts, indicator_count, sets_agree,
    duplicate_names,
)


def check_indicators(rows: Sequence[IndicatorLike], context: IndicatorContext) -> list[Finding]:
    """All indicator-set findings for one filing. Never raises on odd or incomplete rows."""
    run = _Run(context)
    sets = _group(rows, run)
    return [finding for rule in RULES for finding in rule(sets, run)]

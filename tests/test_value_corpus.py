"""The 指标值 corpus (tests/corpus/values.tsv): real values from the seeds and from published 绩效目标表 of eleven
provinces, each with the 三级 name it stands with and the reading expected of it.

Run: .venv/bin/python -m pytest -q tests/test_value_corpus.py  (docs/values.md reports the figure)."""

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from indicators.findings import Severity
from indicators.models import Category
from indicators.validation import MONEY_FACTORS, IndicatorContext, check_indicators
from indicators.values import TargetKind, parse_target

CORPUS = Path(__file__).resolve().parent / "corpus" / "values.tsv"
REQUIRED_SHARE = Decimal("0.99")


@dataclass(frozen=True)
class Entry:
    line: int
    name: str
    value: str
    expected: tuple


def _entries() -> list[Entry]:
    entries = []
    for number, line in enumerate(CORPUS.read_text(encoding="utf-8").split("\n"), start=1):
        if not line or line.startswith("#"):
            continue
        name, value, kind, operator, figure, unit, extras = line.split("\t")
        extras = dict(item.split("=", 1) for item in extras.split(";") if item)
        expected = (kind, operator, Decimal(figure) if figure else None, unit, extras)
        entries.append(Entry(number, name, value, expected))
    return entries


ENTRIES = _entries()


def _month(year, month, day=None, quarter=None) -> str:
    text = str(year) if year is not None else "?"
    if quarter is not None:
        text += f"-Q{quarter}"
    elif month is not None:
        text += f"-{month:02d}"
    if day is not None:
        text += f"-{day:02d}"
    return text


def reading(target) -> tuple:
    """A target written in the corpus's columns."""
    extras = {}
    if target.high is not None:
        extras["high"] = str(target.high)
    if target.tolerance:
        extras["tolerance"] = "1"
    if target.approximate:
        extras["approx"] = "1"
    if target.remainder:
        extras["remainder"] = target.remainder
    deadline = target.deadline
    if deadline is not None:
        extras["end"] = _month(deadline.year, deadline.month, deadline.day, deadline.quarter)
        if deadline.is_period:
            start_year = deadline.start_year if deadline.start_year is not None else deadline.year
            extras["start"] = _month(start_year, deadline.start_month)
    return (str(target.kind), target.operator, target.number, target.unit, extras)


def test_the_corpus_is_large_and_from_many_provinces():
    assert len(ENTRIES) >= 400
    assert len({(entry.name, entry.value) for entry in ENTRIES}) == len(ENTRIES)  # no line counted twice
    header = CORPUS.read_text(encoding="utf-8").split("\n# 江西", 1)[0]
    provinces = ("江西", "广东", "山西", "湖南", "内蒙古", "安徽", "湖北", "宁夏", "四川", "重庆", "云南")
    assert all(province in header for province in provinces)
    kinds = {entry.expected[0] for entry in ENTRIES}
    assert kinds >= {"quantitative", "qualitative", "time", "not_applicable"}
    shapes = {key for entry in ENTRIES for key in entry.expected[4]}
    assert shapes >= {"high", "tolerance", "approx", "remainder", "end", "start"}


def test_the_corpus_is_read_as_expected():
    misread = [entry for entry in ENTRIES if reading(parse_target(entry.value, entry.name)) != entry.expected]
    share = Decimal(len(ENTRIES) - len(misread)) / len(ENTRIES)
    print(f"\n{len(ENTRIES) - len(misread)} of {len(ENTRIES)} values read as expected ({share:.1%})")
    details = "\n".join(
        f"line {entry.line}: {entry.name!r} {entry.value!r}: expected {entry.expected}, "
        f"read {reading(parse_target(entry.value, entry.name))}"
        for entry in misread
    )
    assert share >= REQUIRED_SHARE, f"{share:.1%} read as expected; misread:\n{details}"


def test_every_reading_writes_back_to_itself():
    for entry in ENTRIES:
        target = parse_target(entry.value, entry.name)
        assert parse_target(target.text) == target, entry


# --- no correct value gets a blocking finding ----------------------------------------------------------------

_pks = itertools.count(1)


@dataclass
class Row:
    category: Category
    name: str
    value_text: str
    period: str = "implementation"
    note: str = ""
    not_applicable: bool = False
    pk: int = field(default_factory=lambda: next(_pks))


def _category_code(target, name: str) -> str:
    """A plausible 二级 for a corpus row: where a filer would put a value like it."""
    if target.kind == TargetKind.NOT_APPLICABLE:
        return "sustainable_impact"
    if target.kind == TargetKind.TIME:
        return "timeliness"
    if "满意" in name:
        return "beneficiary_satisfaction"
    if target.is_quantitative and target.unit.split("/", 1)[0] in MONEY_FACTORS:
        return "economic_cost"
    if target.is_quantitative and target.unit == "%":
        return "quality"
    return "quantity"


def _context(categories, target) -> IndicatorContext:
    """A filing the row plausibly belongs to: a project whose 项目期 covers its dates, in the row's money unit."""
    year, end_year = 2025, 2025
    deadline = target.deadline
    if deadline is not None:
        first = deadline.first_day(default_year=2025)
        last = deadline.last_day(default_year=2025)
        year = first.year if first else last.year if last else 2025
        end_year = last.year if last else year
    money = target.unit.split("/", 1)[0] if target.is_quantitative else ""
    return IndicatorContext(
        categories=categories, kind="project", year=year,
        money_unit=money if money in MONEY_FACTORS else "万元", periods=("implementation",),
        period_start=datetime.date(year, 1, 1), period_end=datetime.date(end_year, 12, 31),
    )


@pytest.mark.parametrize("scheme", ["cost-first", "cost-under-output"])
def test_no_corpus_value_gets_a_blocking_finding(db, scheme):
    categories = list(Category.objects.select_related("parent").filter(scheme__code=scheme))
    by_code = {category.code: category for category in categories}
    blocked = []
    for entry in ENTRIES:
        target = parse_target(entry.value, entry.name)
        code = _category_code(target, entry.name)
        if code == "economic_cost" and code not in by_code:
            code = "output_cost"
        row = Row(by_code[code], entry.name, entry.value, not_applicable=target.kind == TargetKind.NOT_APPLICABLE)
        findings = check_indicators([row], _context(categories, target))
        errors = [f for f in findings if f.row == row.pk and f.severity == Severity.ERROR]
        if errors:
            blocked.append(f"line {entry.line} {entry.name} {entry.value}: {[f.message for f in errors]}")
    assert not blocked, "\n".join(blocked)

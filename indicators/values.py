"""Parse and format 指标值 (indicator target values) such as ``≥95%``, ``≤30万元``, ``有效提高``, ``第4季度``.

Pure Python: no Django import, so forms, validators, importers and exports can all share it.
"""

import calendar
import datetime
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum


class TargetKind(StrEnum):
    QUANTITATIVE = "quantitative"  # operator + number (+ unit)
    QUALITATIVE = "qualitative"  # 有效提高, 较上年降低, 按月发放, 资金下达后 …
    TIME = "time"  # a deadline or period: 在2023年12月前, 2023年第4季度, 6月份前, 2024年1至12月份
    NOT_APPLICABLE = "not_applicable"  # 不适用
    EMPTY = "empty"


NOT_APPLICABLE_TEXT = "不适用"
OPERATORS = ("≥", "≤", "=", ">", "<")

# Full-width forms folded before parsing. "，" is kept on purpose: it is Chinese punctuation in qualitative
# text and the joiner format_target puts before a remainder, so it must never read as a thousands separator.
FULL_WIDTH_FOLD = str.maketrans(
    {"＞": ">", "＜": "<", "＝": "=", "％": "%", "．": ".", "／": "/", "\u3000": " "}
    | {chr(0xFF10 + i): str(i) for i in range(10)}
)
SYMBOL_ALIASES = {"≧": "≥", "≦": "≤", ">=": "≥", "<=": "≤"}
OPERATOR_WORDS = {
    "大于或等于": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥", "不小于": "≥", "至少": "≥",
    "小于或等于": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤", "不多于": "≤", "不大于": "≤",
    "至多": "≤",
    "超过": ">", "大于": ">", "高于": ">", "多于": ">",
    "低于": "<", "小于": "<", "少于": "<",
    "等于": "=",
}  # fmt: skip
# Written after the number and unit: 30万元以内, 95%以上, 10人及以下.
SUFFIX_WORDS = {"以上": "≥", "以下": "≤", "以内": "≤"}
CHINESE_NUMBERS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"十一": 11, "十二": 12}

_SPACES = re.compile(r"\s+")
# Spaces survive only between two ASCII letters/digits; OCR puts them everywhere else ("405. 7", "2023 年").
_LOOSE_SPACE = re.compile(r"(?<![A-Za-z0-9]) | (?![A-Za-z0-9])")
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")

_OPERATOR = "|".join(re.escape(op) for op in sorted([*OPERATORS, *OPERATOR_WORDS], key=len, reverse=True))
# A unit is a run of letters (CJK or Latin) and "/digits" parts, stopping before a suffix word and before
# 或/且/并/至, which start a qualifier or a range rather than a unit.
_UNIT_CHAR = r"(?:(?!及?以[上下内])[^\W\d_或且并至])"
_QUANTITATIVE = re.compile(
    rf"(?P<op>{_OPERATOR})?(?P<number>[0-9]+(?:\.[0-9]+)?)"
    rf"(?: (?=[A-Za-z]))?(?P<unit>[%‰]|(?:{_UNIT_CHAR}|/[0-9]*)*)"
    r"(?P<suffix>及?以[上下内])?(?P<rest>.*)",
    re.S,
)
_REMAINDER_LEAD = " ,，、;；"

_MONTH = r"[0-9]{1,2}|十[一二]?|[一二三四五六七八九]"
_TIME = re.compile(
    r"(?:在|于)?(?:(?P<year>[0-9]{4})年度?(?P<end>底|末)?)?"
    r"(?:第?(?P<quarter>[0-9]|[一二三四])季度"
    rf"|(?:(?P<start>{_MONTH})月?份?[至到~-])?(?P<month>{_MONTH})月份?(?:(?P<day>[0-9]{{1,2}})[日号])?)?"
)
_DATE = re.compile(r"(?:在|于)?(?P<year>[0-9]{4})([-./])(?P<month>[0-9]{1,2})\2(?P<day>[0-9]{1,2})(?![0-9])")


@dataclass(frozen=True)
class Deadline:
    year: int | None = None
    month: int | None = None  # for a period (2024年1至12月份) the end month
    day: int | None = None
    quarter: int | None = None
    start_month: int | None = None  # first month of a period, else None

    def last_day(self, default_year: int | None = None) -> datetime.date | None:
        """The inclusive last day, or None when the year is unknown or the date does not exist."""
        year = self.year if self.year is not None else default_year
        if year is None or (self.day is not None and self.month is None):
            return None
        if self.month is not None:
            month = self.month
        elif self.quarter is not None:
            month = self.quarter * 3
        else:
            month = 12
        try:
            day = self.day if self.day is not None else calendar.monthrange(year, month)[1]
            return datetime.date(year, month, day)
        except (ValueError, OverflowError, TypeError):
            return None


@dataclass(frozen=True)
class Target:
    kind: str
    operator: str = ""  # one of OPERATORS; "" unless quantitative
    number: Decimal | None = None
    unit: str = ""
    text: str = ""  # always format_target(self)
    remainder: str = ""  # qualifier after the quantitative part: "或较上年降低", "（平均）"
    deadline: Deadline | None = None

    @property
    def is_quantitative(self) -> bool:
        return self.kind == TargetKind.QUANTITATIVE


def _normalize(text: str) -> str:
    text = _SPACES.sub(" ", text.translate(FULL_WIDTH_FOLD)).strip()
    text = _LOOSE_SPACE.sub("", text)
    for alias, canonical in SYMBOL_ALIASES.items():
        text = text.replace(alias, canonical)
    return _THOUSANDS.sub("", text)


def normalize_operator(text: str) -> str:
    """The canonical operator for a symbol or word ("≧", ">=", "＞＝", "不低于", "以内" …), else ""."""
    if not isinstance(text, str):
        return ""
    key = _normalize(text).removeprefix("及")
    if key in OPERATORS:
        return key
    return OPERATOR_WORDS.get(key) or SUFFIX_WORDS.get(key, "")


def _small_int(digits: str | None) -> int | None:
    if not digits:
        return None
    return CHINESE_NUMBERS[digits] if digits in CHINESE_NUMBERS else int(digits)


def _parse_deadline(text: str) -> Deadline | None:
    match = _DATE.match(text)
    if match:
        year, month, day = (int(match[name]) for name in ("year", "month", "day"))
        return Deadline(year=year, month=month, day=day)
    match = _TIME.match(text)
    if not match or not (match["year"] or match["quarter"] or match["month"]):
        return None
    month = _small_int(match["month"])
    return Deadline(
        year=_small_int(match["year"]),
        month=12 if month is None and match["end"] else month,
        day=_small_int(match["day"]),
        quarter=_small_int(match["quarter"]),
        start_month=_small_int(match["start"]),
    )


def _plain_number(number: Decimal) -> str:
    # format "f" never uses an exponent; built from the digits alone, so no context rounding either
    written = format(number, "f")
    return written.rstrip("0").rstrip(".") if "." in written else written


def parse_target(text: str | None) -> Target:
    """Read one 指标值 as typed or printed. Never raises."""
    raw = "" if text is None else text if isinstance(text, str) else str(text)
    normalized = _normalize(raw)
    if not normalized:
        return Target(TargetKind.EMPTY)
    if normalized == NOT_APPLICABLE_TEXT:
        return Target(TargetKind.NOT_APPLICABLE, text=NOT_APPLICABLE_TEXT)
    deadline = _parse_deadline(normalized)
    if deadline is not None:
        return Target(TargetKind.TIME, text=normalized, deadline=deadline)
    match = _QUANTITATIVE.match(normalized)
    if match is None:
        return Target(TargetKind.QUALITATIVE, text=normalized)
    operator = match["op"] or ""
    operator = OPERATOR_WORDS.get(operator, operator)
    if not operator:
        operator = SUFFIX_WORDS[match["suffix"].removeprefix("及")] if match["suffix"] else "="
    target = Target(
        TargetKind.QUANTITATIVE,
        operator=operator,
        number=Decimal(_plain_number(Decimal(match["number"]))),
        unit=match["unit"],
        remainder=match["rest"].lstrip(_REMAINDER_LEAD),
    )
    return replace(target, text=format_target(target))


def format_target(target: Target) -> str:
    """The canonical text of a target; parse_target(format_target(t)) == t for every parsed t."""
    if target.kind == TargetKind.EMPTY:
        return ""
    if target.kind == TargetKind.NOT_APPLICABLE:
        return NOT_APPLICABLE_TEXT
    if target.kind != TargetKind.QUANTITATIVE:
        return target.text
    body = ("" if target.number is None else _plain_number(target.number)) + target.unit
    if target.remainder:
        body += target.remainder if target.remainder[0] in "(（" else "，" + target.remainder
    # "=" is implied by a bare number, except where the bare text would read as a date ("=6月").
    if target.operator == "=" and _parse_deadline(body) is None:
        return body
    return target.operator + body

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

# Full-width forms folded before parsing. "，" is not folded: it is Chinese punctuation in qualitative text.
# Only between a digit and exactly three digits (1，234万元) does _normalize read it as a thousands separator.
FULL_WIDTH_FOLD = str.maketrans(
    {"＞": ">", "＜": "<", "＝": "=", "％": "%", "．": ".", "／": "/", "－": "-", "\u2212": "-", "\u3000": " "}
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
_THOUSANDS = re.compile(r"(?<=[0-9])[,，](?=[0-9]{3}(?![0-9]))")

# Units of measure (计量单位): every unit of domain.md §2.3 and the seeds, and the common ones beyond them.
# Matched longest-first ("万人次" before "万人", "个月" before "个"), so a unit never swallows the text after
# it: "≥100人次完成培训工作" is 100 人次 with the remainder 完成培训工作.
UNITS = frozenset(
    {
        "人", "人次", "万人次", "万人", "名", "位", "户", "家", "所", "床", "张床",
        "个", "个模块", "项", "批次", "批", "次", "份", "件", "套", "台", "辆", "张", "本", "册", "篇", "条",
        "场", "例", "座", "间", "处", "种", "类", "门", "节", "课时", "学时", "期", "轮", "班", "株", "亩",
        "分", "%", "‰", "元", "万元", "亿元", "千元", "万", "亿",
        "平方米", "万平方米", "平方公里", "立方米", "公里", "千米", "米", "吨", "万吨", "公斤", "千克", "克",
        "升", "毫升", "千瓦", "千瓦时", "度", "倍", "级", "岁",
        "年", "半年", "季度", "季", "个月", "月", "周", "天", "日", "小时", "分钟", "工作日",
        "kg", "g", "mg", "t", "km", "m", "cm", "mm", "m²", "m³", "m2", "m3", "km²", "L", "mL", "ml",
        "h", "min", "kW", "kWh", "MW", "MB", "GB", "TB", "Mbps", "℃",
    }
)  # fmt: skip
# Single CJK measure words (量词) accepted as a unit although not in UNITS: "≥3只" is 3 只. Any other
# character after the number starts the remainder, with no unit ("3完成" is 3 with the remainder 完成).
MEASURE_WORDS = frozenset("只头匹棵架艘栋幢层部把块根支枚盏片组对双副箱包袋瓶盒粒剂针")


def _unit_alternative(unit: str) -> str:
    # A Latin unit must end the Latin word: "5 kg" has the unit kg, "5 kgs" has none.
    return re.escape(unit) + (r"(?![A-Za-z0-9²³])" if unit[-1].isascii() and unit[-1].isalnum() else "")


_UNIT_PART = "|".join(_unit_alternative(u) for u in sorted(UNITS | MEASURE_WORDS, key=len, reverse=True))
# A compound unit joins known parts with "/" (元/家/年, 人/年, 次/半年); "/digits" is a per-N base (12/100000).
_UNIT_PER = rf"/(?:[0-9]+(?:{_UNIT_PART})?|{_UNIT_PART})"
_OPERATOR = "|".join(re.escape(op) for op in sorted([*OPERATORS, *OPERATOR_WORDS], key=len, reverse=True))
_QUANTITATIVE = re.compile(
    rf"(?P<op>{_OPERATOR})?(?P<number>-?[0-9]+(?:\.[0-9]+)?)"
    rf"(?: (?=[A-Za-z]))?(?P<unit>(?:{_UNIT_PART}|{_UNIT_PER})(?:{_UNIT_PER})*)?"
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
    number = Decimal(_plain_number(Decimal(match["number"])))
    target = Target(
        TargetKind.QUANTITATIVE,
        operator=operator,
        number=number if number else abs(number),  # "-0" is 0
        unit=match["unit"] or "",
        remainder=match["rest"].lstrip(_REMAINDER_LEAD),
    )
    return replace(target, text=format_target(target))


def with_unit(text: str, unit: str) -> str:
    """A 指标值 read together with a 计量单位 printed in a column of its own: ``≥95`` and ``%`` read as ``≥95%``.

    A value that already names a unit, or is not a number, is left as it is."""
    unit = (unit or "").strip()
    if not unit:
        return text
    target = parse_target(text)
    return f"{text.strip()}{unit}" if target.is_quantitative and not target.unit else text


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
        # "，" is the usual joiner, but "，" before three digits reads as a thousands separator ("5，123" is
        # 5123), so a remainder starting with a digit is joined with "；", which _normalize never touches.
        if target.remainder[0] in "(（":
            body += target.remainder
        else:
            body += ("；" if target.remainder[0] in "0123456789" else "，") + target.remainder
    # "=" is implied by a bare number, except where the bare text would read as a date ("=6月").
    if target.operator == "=" and _parse_deadline(body) is None:
        return body
    return target.operator + body

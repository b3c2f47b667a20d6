"""Parse and format 指标值 (indicator target values) as people write them: ``≥95%``, ``≤30万元``, ``3万吨``,
``90%-95%``, ``±5%以内``, ``约100人``, ``2025.03-2025.10``, ``有效提高``, ``第4季度``.

Pure Python: no Django import, so forms, validators, importers and exports can all share it.

What a quantitative `Target` means (docs/values.md has the whole table):

- plain (``≥95%``): ``operator`` and ``number`` as written; a bare number is ``=``.
- range (``90%-95%``, ``3~5个``): ``number`` is the low end, ``high`` the high end, ``operator`` is ``≥`` (the
  low end is the floor); ``high`` is set only for a range.
- tolerance (``±5%以内``): ``tolerance`` is True, ``operator`` is ``≤`` and ``number`` the allowed deviation.
- approximation (``约100人``, ``100人左右``): ``approximate`` is True; ``operator`` is ``=`` unless a word after the
  value says otherwise (``约100人以上`` is ``≥``).

The unit is an open vocabulary: any unit word written after the number is the unit. Known units are written one
way (``百分比`` → ``%``, ``KM`` → ``公里``, ``㎡`` → ``平方米``); 万/亿/千 combine with any unit (``3万吨``);
an unknown word is the unit when it is short (at most four characters), does not start like a phrase
(完成…, 以…, 或…) and ends the value or is followed by punctuation, a bracket, ``/`` or 以上/以下/以内/左右.
Everything else after the value is the remainder: ``≥100人次完成培训工作`` is 100 人次 and 完成培训工作.

The 三级 name a value stands with may supply what a bare number lacks: a placeholder such as ``（≥**%）`` or a unit
in brackets (``（万元）``), and a money-like name (成本, 资金, 补助 …) turns a bare 万/亿 into 万元/亿元.
"""

import calendar
import datetime
import functools
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum


class TargetKind(StrEnum):
    QUANTITATIVE = "quantitative"  # operator + number (+ unit); also ranges, tolerances, approximations
    QUALITATIVE = "qualitative"  # 有效提高, 较上年降低, 按月发放, 资金下达后 …
    TIME = "time"  # a deadline or period: 在2023年12月前, 2023年第4季度, 6月份前, 2025.03-2025.10
    NOT_APPLICABLE = "not_applicable"  # 不适用
    EMPTY = "empty"


NOT_APPLICABLE_TEXT = "不适用"
OPERATORS = ("≥", "≤", "=", ">", "<")

# Full-width forms folded before parsing. "，" is not folded: it is Chinese punctuation in qualitative text.
# Only between a digit and exactly three digits (1，234万元) does _normalize read it as a thousands separator.
FULL_WIDTH_FOLD = str.maketrans(
    {"＞": ">", "＜": "<", "＝": "=", "％": "%", "．": ".", "／": "/", "－": "-", "\u2212": "-", "\u3000": " ",
     "～": "~", "〜": "~", "＋": "+", "﹢": "+"}
    | {chr(0xFF10 + i): str(i) for i in range(10)}
    | {chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}
    | {chr(0xFF41 + i): chr(0x61 + i) for i in range(26)}
)
SYMBOL_ALIASES = {"≧": "≥", "≦": "≤", ">=": "≥", "<=": "≤"}
_PLUS_MINUS = re.compile(r"(?:\+/?-|正负)(?=[0-9])")  # +/-5%, +-5%, 正负5%: only before a number
OPERATOR_WORDS = {
    "大于或等于": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥", "不小于": "≥", "至少": "≥", "达到": "≥",
    "小于或等于": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤", "不多于": "≤", "不大于": "≤",
    "至多": "≤", "控制在": "≤",
    "超过": ">", "大于": ">", "高于": ">", "多于": ">",
    "低于": "<", "小于": "<", "少于": "<",
    "等于": "=",
}  # fmt: skip
# Written after the number and unit: 30万元以内, 95%以上, 10人及以下.
SUFFIX_WORDS = {"以上": "≥", "以下": "≤", "以内": "≤"}
APPROXIMATE_WORDS = ("大约", "约")  # before the number; 左右 after it
CHINESE_NUMBERS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"十一": 11, "十二": 12}

# Units of measure (计量单位) in their canonical spelling: every unit of domain.md §2.3, the seeds and the
# published tables of the corpus (tests/corpus/values.tsv). Any other short word is read as a unit too; these
# are the ones that may be followed directly by more text ("≥3个项目" is 3 个 with the remainder 项目).
UNITS = frozenset(
    {
        "人", "人次", "万人次", "万人", "名", "位", "户", "户次", "家", "家次", "所", "床", "张床",
        "个", "个模块", "项", "项次", "批次", "批", "次", "份", "件", "件次", "套", "台", "台次", "辆", "车次",
        "张", "本", "册", "篇", "篇次", "条", "场", "场次", "例", "座", "间", "处", "种", "类", "门", "节",
        "课时", "学时", "期", "期次", "轮", "班", "班次", "株", "亩", "架次", "艘次", "人天", "人日", "人月",
        "分", "%", "‰", "百分点", "元", "万元", "亿元", "千元",
        "平方米", "万平方米", "平方公里", "平方千米", "立方米", "万立方米", "公里", "千米", "米", "厘米", "毫米",
        "吨", "万吨", "公斤", "千克", "克", "毫克", "升", "毫升", "千瓦", "千瓦时", "兆瓦", "度", "倍", "级", "岁",
        "公顷", "年", "半年", "季度", "个季度", "季", "个月", "月", "周", "天", "日", "小时", "分钟", "秒", "工作日",
        "个工作日",
        "MB", "GB", "TB", "Mbps", "Gbps", "℃", "dB",
    }
)  # fmt: skip
# Other spellings of known units, read as the canonical one. Latin ones must end the Latin word ("5 kgs" is
# the unknown unit kgs, not kg).
UNIT_ALIASES = {
    "百分比": "%", "个百分点": "百分点",
    "kg": "千克", "KG": "千克", "Kg": "千克", "㎏": "千克", "g": "克", "mg": "毫克", "t": "吨", "T": "吨",
    "km": "公里", "KM": "公里", "Km": "公里", "㎞": "公里", "m": "米", "M": "米", "cm": "厘米", "mm": "毫米",
    "m²": "平方米", "m2": "平方米", "M2": "平方米", "㎡": "平方米", "平米": "平方米",
    "km²": "平方公里", "km2": "平方公里", "KM2": "平方公里", "㎢": "平方公里",
    "m³": "立方米", "m3": "立方米", "M3": "立方米", "㎥": "立方米",
    "L": "升", "mL": "毫升", "ml": "毫升", "h": "小时", "H": "小时", "min": "分钟", "s": "秒",
    "kW": "千瓦", "KW": "千瓦", "kw": "千瓦", "kWh": "千瓦时", "KWH": "千瓦时", "kwh": "千瓦时", "MW": "兆瓦",
    "ha": "公顷", "hm²": "公顷", "hm2": "公顷", "mb": "MB", "gb": "GB", "M/s": "Mbps",
}  # fmt: skip
# Single CJK measure words (量词) that are units even when more text follows them ("≥3只鸡" is 3 只, 鸡).
MEASURE_WORDS = frozenset("只头匹棵架艘栋幢层部把块根支枚盏片组对双副箱包袋瓶盒粒剂针")
# Written before a unit they multiply: 3万吨, 1.2万人次, 5亿元.
MULTIPLIERS = ("百万", "千万", "万", "亿", "千")
# A bare 万/亿 on a name with one of these words is money: 成本 250万 is 250万元.
MONEY_NAME_WORDS = ("成本", "金额", "资金", "投资", "补助", "补贴", "经费", "费用", "费", "预算", "支出", "资助",
                    "奖励", "奖补", "造价", "价款", "款", "产值", "收入", "收益", "税")
# A name that counts people or things is no amount, whatever money word it holds: 补助对象人数 5万 is 5万 (people).
COUNT_NAME_ENDINGS = ("人数", "人次", "数量", "个数", "户数", "次数", "家数", "项数", "数", "率", "比例", "占比")
# An unknown unit word never starts with these: they begin a phrase ("3完成", "5以上", "10或更多").
_PHRASE_LEADS = frozenset(
    "完成或且并及和与以内的达到按每全不未已为在于对是有均共占约左右等其含上下前后至比较增减提降中万亿"
)

_SPACES = re.compile(r"\s+")
# Spaces survive only between two ASCII letters/digits; OCR puts them everywhere else ("405. 7", "2023 年").
_LOOSE_SPACE = re.compile(r"(?<![A-Za-z0-9]) | (?![A-Za-z0-9])")
_THOUSANDS = re.compile(r"(?<=[0-9])[,，](?=[0-9]{3}(?![0-9]))")
_PERCENT_WORD = re.compile(r"百分之([0-9]+(?:\.[0-9]+)?)")
_KNOWN = sorted({*UNITS, *UNIT_ALIASES, *MEASURE_WORDS}, key=len, reverse=True)
_UNKNOWN_WORD = re.compile(
    r"(?:[\u4e00-\u9fff]{1,4}?|[A-Za-z]{1,8})(?=(?:及?以[上下内]|左右|之间)?(?:$|[ ,，、;；:：(（/~\-—–]))"
)
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_OPERATOR = re.compile(
    "|".join(re.escape(op) for op in sorted([*OPERATORS, *OPERATOR_WORDS], key=len, reverse=True))
)
_SUFFIX = re.compile(r"及?(以[上下内])")
_SEPARATOR = "(?:~|-|—|–|至|到)"  # between the ends of a range or a period
_RANGE_SEPARATOR = re.compile(_SEPARATOR)
_REMAINDER_LEAD = " ,，、;；"

_MONTH = r"[0-9]{1,2}|十[一二]?|[一二三四五六七八九]"
_TIME = re.compile(
    r"(?:在|于)?(?:(?P<year>[0-9]{4})年度?(?P<end>底|末)?)?"
    r"(?:第?(?P<quarter>[0-9]|[一二三四])季度"
    rf"|(?:(?P<start>{_MONTH})月?份?{_SEPARATOR})?(?P<month>{_MONTH})月份?(?:(?P<day>[0-9]{{1,2}})[日号])?)?"
)
_DATE = re.compile(r"(?:在|于)?(?P<year>[0-9]{4})([-./])(?P<month>[0-9]{1,2})\2(?P<day>[0-9]{1,2})(?![0-9])")
_YEAR = r"(?:19|20)[0-9]{2}"
# A period from one month to another: 2025.03-2025.10, 2025年3月至2025年10月, 2025年3月-2026年6月,
# 2025年3月1日-12月31日, 202503-202510.
_PERIOD = re.compile(
    rf"(?:在|于)?(?P<y1>{_YEAR})(?:年|[./-])(?P<m1>[0-9]{{1,2}})"
    rf"(?:月份?(?:[0-9]{{1,2}}[日号])?|[./][0-9]{{1,2}}(?={_SEPARATOR}))?"
    rf"{_SEPARATOR}(?:(?P<y2>{_YEAR})(?:年|[./-]))?(?P<m2>[0-9]{{1,2}})"
    r"(?:月份?(?:(?P<d2>[0-9]{1,2})[日号])?|[./](?P<d2b>[0-9]{1,2}))?(?![0-9.%A-Za-z])"
)
_DATE_PERIOD = re.compile(
    rf"(?:在|于)?(?P<y1>{_YEAR})([-./])(?P<m1>[0-9]{{1,2}})\2[0-9]{{1,2}}{_SEPARATOR}"
    rf"(?:(?P<y2>{_YEAR})([-./]))?(?P<m2>[0-9]{{1,2}})[-./](?P<d2>[0-9]{{1,2}})(?![0-9])"
)
_COMPACT_PERIOD = re.compile(
    rf"(?P<y1>{_YEAR})(?P<m1>0[1-9]|1[0-2]){_SEPARATOR}(?P<y2>{_YEAR})(?P<m2>0[1-9]|1[0-2])(?![0-9])"
)
_YEAR_PERIOD = re.compile(rf"(?P<y1>{_YEAR})年?{_SEPARATOR}(?P<y2>{_YEAR})年度?")
# A month written with a dot (2025.10, 2025.03前): a date, not the decimal 2025.1. Two-digit months only.
_DOTTED_MONTH = re.compile(
    rf"(?P<year>{_YEAR})\.(?P<month>0[1-9]|1[0-2])(?:月份?)?(?:前|底|末|以前|之前)?(?=$|[，,；;、]|完成)"
)


@dataclass(frozen=True)
class Deadline:
    year: int | None = None  # for a period, the year of its end
    month: int | None = None  # for a period (2024年1至12月份) the end month
    day: int | None = None
    quarter: int | None = None
    start_month: int | None = None  # first month of a period, else None
    start_year: int | None = None  # year of a period's first month when written (2025.03-2026.06); None: ``year``

    @property
    def is_period(self) -> bool:
        return self.start_month is not None or self.start_year is not None

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

    def first_day(self, default_year: int | None = None) -> datetime.date | None:
        """The first day of a period, or None for a plain deadline (or a date that does not exist)."""
        if not self.is_period:
            return None
        year = self.start_year if self.start_year is not None else self.year
        year = year if year is not None else default_year
        try:
            return datetime.date(year, self.start_month or 1, 1)
        except (ValueError, OverflowError, TypeError):
            return None


@dataclass(frozen=True)
class Target:
    kind: str
    operator: str = ""  # one of OPERATORS; "" unless quantitative
    number: Decimal | None = None  # the value; for a range its low end, for a tolerance the deviation
    unit: str = ""
    text: str = ""  # always format_target(self)
    remainder: str = ""  # qualifier after the quantitative part: "或较上年降低", "（平均）"
    deadline: Deadline | None = None
    high: Decimal | None = None  # the high end of a range (90%-95%), else None
    tolerance: bool = False  # ±5%: the value may deviate by `number` either way
    approximate: bool = False  # 约100人, 100人左右

    @property
    def is_quantitative(self) -> bool:
        return self.kind == TargetKind.QUANTITATIVE

    @property
    def is_range(self) -> bool:
        return self.high is not None

    @property
    def low(self) -> Decimal | None:
        return self.number if self.is_range else None

    @property
    def numbers(self) -> tuple[Decimal, ...]:
        """Every number the value states: both ends of a range, else the one number."""
        if self.number is None:
            return ()
        return (self.number, self.high) if self.high is not None else (self.number,)

    @property
    def upper(self) -> Decimal | None:
        """The most the value allows: a range's high end, else the number."""
        return self.high if self.high is not None else self.number


def _normalize(text: str) -> str:
    text = _SPACES.sub(" ", text.translate(FULL_WIDTH_FOLD)).strip()
    text = _LOOSE_SPACE.sub("", text)
    for alias, canonical in SYMBOL_ALIASES.items():
        text = text.replace(alias, canonical)
    text = _PLUS_MINUS.sub("±", text)
    text = _PERCENT_WORD.sub(r"\1%", text.replace("百分之百", "100%"))
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


def _parse_period(text: str) -> Deadline | None:
    match = _DATE_PERIOD.match(text) or _COMPACT_PERIOD.match(text)
    if match is None and not _DATE.match(text):
        match = _PERIOD.match(text)
    if match and (match["y2"] or int(match["m1"]) <= int(match["m2"])):
        start_year = int(match["y1"])
        end_year = int(match["y2"]) if match["y2"] else start_year
        day = match.groupdict().get("d2") or match.groupdict().get("d2b")
        return Deadline(
            year=end_year, month=int(match["m2"]), day=int(day) if day else None, start_month=int(match["m1"]),
            start_year=start_year if start_year != end_year else None,
        )
    match = _YEAR_PERIOD.match(text)
    if match and int(match["y1"]) <= int(match["y2"]):
        start_year, end_year = int(match["y1"]), int(match["y2"])
        return Deadline(year=end_year, start_month=1, start_year=start_year if start_year != end_year else None)
    return None


def _parse_deadline(text: str) -> Deadline | None:
    period = _parse_period(text)
    if period is not None:
        return period
    match = _DATE.match(text)
    if match:
        year, month, day = (int(match[name]) for name in ("year", "month", "day"))
        return Deadline(year=year, month=month, day=day)
    match = _DOTTED_MONTH.match(text)
    if match:
        return Deadline(year=int(match["year"]), month=int(match["month"]))
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


# --- units -----------------------------------------------------------------------------------------------------

def _known_unit(text: str, start: int) -> tuple[str, int] | None:
    """The longest known unit at ``start``, in its canonical spelling, and where it ends."""
    for word in _KNOWN:
        if not text.startswith(word, start):
            continue
        end = start + len(word)
        # a Latin unit must end the Latin word: "5 kgs" has no unit kg
        if word[-1].isascii() and word[-1].isalnum() and end < len(text) and (
            text[end].isascii() and text[end].isalnum() or text[end] in "²³"
        ):
            continue
        return UNIT_ALIASES.get(word, word), end
    return None


def _unit_word(text: str, start: int, open_vocabulary: bool) -> tuple[str, int] | None:
    """One unit word at ``start`` (not a compound): known, multiplied (3万吨), unknown (3羽) or a bare 万/亿."""
    multiplier = next((m for m in MULTIPLIERS if text.startswith(m, start)), "")
    candidates = []
    known = _known_unit(text, start)
    if known:
        candidates.append(known)
    if multiplier:
        multiplied = _known_unit(text, start + len(multiplier))
        if multiplied:
            candidates.append((multiplier + multiplied[0], multiplied[1]))
    if candidates:
        return max(candidates, key=lambda candidate: candidate[1])
    if not open_vocabulary:
        return None
    after = start + len(multiplier)
    unknown = _UNKNOWN_WORD.match(text, after)
    if unknown and text[after] not in _PHRASE_LEADS:
        return multiplier + unknown.group(), unknown.end()
    if multiplier in ("万", "亿", "百万", "千万"):
        return multiplier, after
    return None


def _read_unit(text: str, start: int, open_vocabulary: bool = True) -> tuple[str, int]:
    """The unit written at ``start`` (元/家/年, /100000, 万吨, 羽) and where it ends; ("", start) when none."""
    parts, position = [], start
    if start < len(text) and text[start] == " " and start + 1 < len(text) and text[start + 1].isascii():
        position += 1  # "5 kg": OCR and typing keep a space before a Latin unit
    first = _unit_word(text, position, open_vocabulary)
    if first:
        parts.append(first[0])
        position = first[1]
    elif not text.startswith("/", position):
        return "", start
    else:
        parts.append("")
    while text.startswith("/", position) or (text.startswith("·", position) and parts[-1]):
        joiner = text[position]
        digits = _NUMBER.match(text, position + 1)
        base = digits.group() if digits and not digits.group().startswith("-") else ""
        word = _unit_word(text, position + 1 + len(base), open_vocabulary)
        if not base and not word:
            break
        parts.append(joiner + base + (word[0] if word else ""))
        position = word[1] if word else position + 1 + len(base)
    if parts == [""]:
        return "", start
    return "".join(parts), position


# --- what the 三级 name supplies -----------------------------------------------------------------------------

_NAME_BRACKET = re.compile(r"[（(]([^（()）]*)[)）]")
_PLACEHOLDER = re.compile(r"[*＊×xX_…．.]+|[Nn]|XX")


@dataclass(frozen=True)
class NameHint:
    operator: str = ""
    unit: str = ""
    money: bool = False  # the name is money-like: a bare 万/亿 is 万元/亿元


def read_name(name: str | None) -> NameHint:
    """What a 三级 name says about its value: ``项目总成本（≤**万元）`` gives ≤ and 万元, ``覆盖率（%）`` gives %."""
    if not isinstance(name, str) or not name:
        return NameHint()
    text = _normalize(name)
    bare = _NAME_BRACKET.sub("", text).strip()
    money = any(word in text for word in MONEY_NAME_WORDS) and not bare.endswith(COUNT_NAME_ENDINGS)
    for content in reversed(_NAME_BRACKET.findall(text)):
        hint = _bracket_hint(content.strip())
        if hint:
            return NameHint(hint[0], hint[1], money)
    return NameHint(money=money)


def _bracket_hint(content: str) -> tuple[str, str] | None:
    operator_match = _OPERATOR.match(content)
    operator = ""
    position = 0
    if operator_match:
        operator = OPERATOR_WORDS.get(operator_match.group(), operator_match.group())
        position = operator_match.end()
    placeholder = _PLACEHOLDER.match(content, position)
    if placeholder:
        position = placeholder.end()
    unit, end = _read_unit(content, position, open_vocabulary=False)
    if end != len(content) or not (operator or unit) or (operator and not placeholder and unit == ""):
        return None
    return operator, unit


# --- parsing ---------------------------------------------------------------------------------------------------

def _decimal(digits: str) -> Decimal:
    number = Decimal(_plain_number(Decimal(digits)))
    return number if number else abs(number)  # "-0" is 0


def _quantitative(text: str, hint: NameHint) -> Target | None:
    position, operator = 0, ""
    operator_match = _OPERATOR.match(text)
    if operator_match:
        operator = OPERATOR_WORDS.get(operator_match.group(), operator_match.group())
        position = operator_match.end()
    tolerance = not operator and text.startswith("±", position)
    position += tolerance
    approximate = "" if tolerance else next((w for w in APPROXIMATE_WORDS if text.startswith(w, position)), "")
    position += len(approximate)
    number_match = _NUMBER.match(text, position)
    if not number_match:
        return None
    number = _decimal(number_match.group())
    unit, position = _read_unit(text, number_match.end())
    high = None
    separator = _RANGE_SEPARATOR.match(text, position)
    if separator and not operator and not tolerance:
        second = _NUMBER.match(text, separator.end())
        if second and not second.group().startswith("-"):
            second_unit, end = _read_unit(text, second.end())
            if (not unit or not second_unit or unit == second_unit) and number <= _decimal(second.group()):
                high, unit, position = _decimal(second.group()), unit or second_unit, end
                if text.startswith("之间", position):
                    position += len("之间")
    suffix = _SUFFIX.match(text, position)
    if suffix:
        operator = operator or SUFFIX_WORDS[suffix.group(1)]
        position = suffix.end()
    if text.startswith("左右", position) and not tolerance:
        approximate, position = "左右", position + 2
    if hint.unit and (not unit or unit.startswith("/") and hint.unit.endswith(unit)):
        unit = hint.unit  # a bare number, or "≤28.4/株" under "补助成本（≤**元/株）"
    head, per, rest = unit.partition("/")
    if head in ("万", "亿") and hint.money:
        unit = f"{head}元{per}{rest}"  # 250万 on a cost is 250万元, 0.5万/人 is 0.5万元/人
    if not operator and hint.operator and high is None and not tolerance:
        operator = hint.operator
    if tolerance:
        operator = "≤"
    elif high is not None:
        operator = "≥"
    return Target(
        TargetKind.QUANTITATIVE,
        operator=operator or "=",
        number=number,
        unit=unit,
        remainder=text[position:].lstrip(_REMAINDER_LEAD),
        high=high,
        tolerance=tolerance,
        approximate=bool(approximate),
    )


_LEADING_OPERATOR = re.compile(rf"(?:{_OPERATOR.pattern})(?=[0-9])")


def _deadline_after_operator(text: str) -> Deadline | None:
    """A dated month after an operator is a deadline, not a number: ≤2025.10, ≤2025年10月, 不超过2025年10月."""
    match = _LEADING_OPERATOR.match(text)
    if match is None:
        return None
    deadline = _parse_deadline(text[match.end():])
    return deadline if deadline is not None and deadline.year is not None and deadline.month is not None else None


def parse_target(text: str | None, name: str | None = "") -> Target:
    """Read one 指标值 as typed or printed, with the 三级 name it stands with when known. Never raises.

    A pure function of its two texts with an immutable answer, so a process remembers the last readings: the check
    and review pages, the editor and the exports read the same few thousand values again and again."""
    if (text is None or type(text) is str) and (name is None or type(name) is str):
        return _remembered_target(text, name)
    return _read_target(text, name)


@functools.lru_cache(maxsize=16384)
def _remembered_target(text: str | None, name: str | None) -> Target:
    return _read_target(text, name)


def _read_target(text, name) -> Target:
    target = _parse(text, name)
    if target.kind in (TargetKind.EMPTY, TargetKind.NOT_APPLICABLE):
        return target
    # Folding can make a text that reads otherwise ("正负百分之百…" → "正负100%…"): the canonical text decides, so
    # that parse_target(format_target(t)) == t.
    again = _parse(format_target(target), name)
    return target if again == target else again


def _parse(text, name) -> Target:
    raw = "" if text is None else text if isinstance(text, str) else str(text)
    normalized = _normalize(raw)
    if not normalized:
        return Target(TargetKind.EMPTY)
    if normalized == NOT_APPLICABLE_TEXT:
        return Target(TargetKind.NOT_APPLICABLE, text=NOT_APPLICABLE_TEXT)
    deadline = _parse_deadline(normalized) or _deadline_after_operator(normalized)
    if deadline is not None:
        return Target(TargetKind.TIME, text=normalized, deadline=deadline)
    target = _quantitative(normalized, read_name(name))
    if target is None:
        return Target(TargetKind.QUALITATIVE, text=normalized)
    return replace(target, text=format_target(target))


def with_unit(text: str, unit: str) -> str:
    """A 指标值 read together with a 计量单位 printed in a column of its own: ``≥95`` and ``%`` read as ``≥95%``.

    A value that already names a unit, or is not a number, is left as it is."""
    unit = (unit or "").strip()
    if not unit:
        return text
    target = parse_target(text)
    if not target.is_quantitative or target.unit:
        return text
    written = _normalize(unit)
    joined = f"{text.strip()}{unit}"
    if written in ("年", "年度") and re.fullmatch(_YEAR, _normalize(text)):
        return joined  # a year in a 时间 column: "2025" and "年" is the year 2025, not 2025 years
    read, end = _read_unit(written, 0)
    if read and end == len(written):
        # placed where it belongs, before a remainder or 左右: "100左右" and "人" read as 约100人
        return format_target(replace(target, unit=read))
    return joined


def format_target(target: Target) -> str:
    """The canonical text of a target; parse_target(format_target(t)) == t for every parsed t."""
    if target.kind == TargetKind.EMPTY:
        return ""
    if target.kind == TargetKind.NOT_APPLICABLE:
        return NOT_APPLICABLE_TEXT
    if target.kind != TargetKind.QUANTITATIVE:
        return target.text
    number = "" if target.number is None else _plain_number(target.number)
    if target.high is not None:
        high = "~" + _plain_number(target.high)
        # the unit on both ends where one would read as a period (2025.03~2025.05微克 is no 2025年3月至5月)
        number += (target.unit if _parse_deadline(number + high + target.unit) else "") + high
    body = number + target.unit
    if target.remainder:
        # "，" is the usual joiner, but "，" before three digits reads as a thousands separator ("5，123" is
        # 5123), so a remainder starting with a digit is joined with "；", which _normalize never touches.
        if target.remainder[0] in "(（":
            body += target.remainder
        else:
            body += ("；" if target.remainder[0] in "0123456789" else "，") + target.remainder
    if target.tolerance:
        return "±" + body
    if target.high is not None:
        return ("约" if target.approximate else "") + body
    if target.approximate:
        return ("" if target.operator == "=" else target.operator) + "约" + body
    # "=" is implied by a bare number, except where the bare text would read as a date ("=6月").
    if target.operator == "=" and _parse_deadline(body) is None:
        return body
    return target.operator + body

"""Reading one cell's value as the field it belongs to: a clear Chinese message for anything that does not fit.

Conversions return JSON-friendly values (amounts as strings in 元, dates as ISO text) so a parsed upload can wait in
the session between the preview and “确认导入”; ``restore`` turns them back into Python values.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from openpyxl.utils.datetime import from_excel

from ...limits import length_message, line_limit, lines_message
from ...money import MoneyUnit, to_yuan
from ...text import line_count, one_line, strip_control_characters, unify_line_breaks

MAX_AMOUNT = Decimal(10) ** 16  # MoneyField: 18 digits, 2 of them decimals
MAX_COUNT = 2_147_483_647
MAX_TEXT = 20_000  # a 项目概况 or 职能简述 of the seeds is at most a few thousand characters
TRUE_WORDS = {"是", "√是", "☑是", "■是", "y", "yes", "true", "1", "√"}
FALSE_WORDS = {"否", "√否", "☑否", "■否", "n", "no", "false", "0", "×"}
DATE_PATTERN = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
TIME_PATTERN = re.compile(r"^(\d{1,2})[:：](\d{1,2})(?:[:：](\d{1,2}))?$")


class CellError(ValueError):
    """A value that does not fit its field; the message is for the user."""


def number_text(value) -> str:
    """A float as Excel shows it (15 significant digits), never in exponent notation; other numbers as they are."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        text = format(Decimal(format(value, ".15g")), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def to_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise CellError("应填写数字")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(format(value, ".15g"))
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(ch for ch in text if not ch.isspace() and ch not in ",，")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(f"应填写数字，而不是“{str(value)[:30]}”") from None
    if not number.is_finite():
        raise CellError(f"应填写数字，而不是“{str(value)[:30]}”")
    return number


def text_value(value, max_length: int | None = None, strip: bool = True, single_line: bool = False) -> str:
    """A cell as text of at most ``max_length`` characters; ``single_line`` puts line breaks on one line."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        text = value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    elif isinstance(value, (datetime.date, datetime.time)):
        text = value.isoformat()
    elif isinstance(value, (int, float, Decimal, bool)):
        text = number_text(value)
    else:
        text = one_line(str(value)) if single_line else strip_control_characters(unify_line_breaks(str(value)))
    if strip:
        text = text.strip()
    max_length = max_length or MAX_TEXT
    if len(text) > max_length:
        raise CellError(length_message(max_length, len(text)))
    return text


def paragraph_value(value, max_length: int | None) -> str:
    """A narrative or a goal: line breaks kept, at most as many lines as filings/limits.py allows."""
    text = text_value(value, max_length)
    if max_length and line_count(text) > line_limit(max_length):
        raise CellError(lines_message(line_limit(max_length), line_count(text)))
    return text


def verbatim_value(value, number_format: str = "General", max_length: int | None = None) -> str:
    """指标值 and 绩效标准 as typed: spaces kept, on one line; a number formatted as a percentage read back as “98%”."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and "%" in (number_format or ""):
        return text_value(to_decimal(value) * 100, max_length) + "%"
    return text_value(value, max_length, strip=False, single_line=True)


def money_value(value, unit: str) -> str | None:
    if is_blank(value):
        return None
    number = to_decimal(value)
    if number < 0:
        raise CellError("金额不能为负数")
    try:
        stored = to_yuan(number, unit)
    except InvalidOperation:
        places = "6 位" if unit == MoneyUnit.WAN else "2 位"
        raise CellError(f"金额最多精确到分（{MoneyUnit(unit).label}时小数点后最多 {places}）") from None
    if abs(stored) >= MAX_AMOUNT:
        raise CellError("金额太大")
    return str(stored)


def percent_value(value) -> str | None:
    if is_blank(value):
        return None
    text = value.strip().removesuffix("%").removesuffix("％") if isinstance(value, str) else value
    number = to_decimal(text)
    if number != number.quantize(Decimal("0.01")):
        raise CellError("百分比最多保留两位小数")
    if abs(number) >= Decimal(10) ** 7:
        raise CellError("百分比太大")
    return str(number)


def int_value(value, max_value: int | None = None) -> int | None:
    if is_blank(value):
        return None
    number = to_decimal(value)
    if number != number.to_integral_value() or number < 0 or number > (max_value or MAX_COUNT):
        raise CellError(f"应填写不小于 0 的整数，而不是“{text_value(value)[:30]}”")
    return int(number)


def bool_value(value, nullable: bool = True) -> bool | None:
    if is_blank(value):
        return None if nullable else False
    if isinstance(value, bool):
        return value
    key = "".join(text_value(value).split()).lower()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise CellError(f"请填写“是”或“否”，而不是“{text_value(value)[:30]}”")


def date_value(value) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return from_excel(value).date().isoformat()
    match = DATE_PATTERN.match(text_value(value))
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups())).isoformat()
        except ValueError:
            pass
    raise CellError(f"应填写日期，如 2024-06-13，而不是“{text_value(value)[:30]}”")


def time_value(value) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, datetime.datetime):
        value = value.time()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1:
        value = from_excel(value)
        value = value.time() if isinstance(value, datetime.datetime) else value
    if isinstance(value, datetime.timedelta):
        value = (datetime.datetime.min + value).time()
    if isinstance(value, datetime.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + round(value.microsecond / 1_000_000)
        seconds = min(seconds, 86399)
        return datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60).isoformat()
    match = TIME_PATTERN.match(text_value(value))
    if match:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if hour < 24 and minute < 60 and second < 60:
            return datetime.time(hour, minute, second).isoformat()
    raise CellError(f"应填写时间，如 10:34:48，而不是“{text_value(value)[:30]}”")


def choice_value(value, choices: tuple) -> str:
    text = "".join(text_value(value).split())
    if not text:
        return ""
    for stored, display in choices:
        if text in (stored, display) or display.startswith(text) or text.startswith(display):
            return stored
        if text.startswith(display.removesuffix("项目")) and len(display.removesuffix("项目")) >= 2:
            return stored
    options = "、".join(f"“{display}”" for _, display in choices)
    raise CellError(f"请填写{options}之一，而不是“{text[:30]}”")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_field(field, value, money_unit: str):
    """The JSON-friendly stored value of ``field`` from a cell value; raises CellError."""
    kind = field.kind
    if kind == "money":
        return money_value(value, money_unit)
    if kind == "percent":
        return percent_value(value)
    if kind == "int":
        return int_value(value, field.max_value)
    if kind == "bool":
        return bool_value(value, field.nullable)
    if kind == "date":
        return date_value(value)
    if kind == "time":
        return time_value(value)
    if kind == "choice":
        return choice_value(value, field.choices)
    if kind == "longtext":
        return paragraph_value(value, field.max_length)
    return text_value(value, field.max_length, single_line=True)


def extra_value(extra, value, money_unit: str):
    """The stored form (plain JSON) of a variant's own field (`ExtraField`) from a cell; raises CellError."""
    from django.core.exceptions import ValidationError

    if isinstance(value, float):
        value = to_decimal(value)  # as Excel shows it: 15 significant digits
    if extra.type in {"text", "longtext", "choice"} and value is not None and not isinstance(value, str):
        value = text_value(value)
    elif isinstance(value, str):
        value = strip_control_characters(unify_line_breaks(value))
    try:
        return extra.clean(value, money_unit)
    except ValidationError as error:
        raise CellError(error.messages[0].rstrip("。")) from None


def restore(kind: str, value):
    """A value from ``read_field`` (or a JSON round trip of it) as the model field's Python value."""
    if value is None:
        return None
    if kind in {"money", "percent"}:
        return Decimal(value)
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "time":
        return datetime.time.fromisoformat(value)
    return value

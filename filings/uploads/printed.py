"""A spreadsheet cell's value as Excel prints it, so that a table read from a file reads like the same table copied.

- numbers: ``95`` not ``95.0`` (at most 15 significant digits, never an exponent); the decimals a format fixes
  (``0.00`` → ``95.50``; ``0`` → ``95`` for 95.4, as Excel rounds what it shows); percent formats multiplied out
  (``0.95`` → ``95%``); text a custom format prints around the number kept (``0"人次"`` → ``500人次``: the unit
  is part of the value); thousands separators left out.
- dates: with a Chinese format as printed (``2025年3月``, ``2025年3月5日``, ``3月5日``), else ISO (``2025-03-05``,
  with ``14:30`` when the cell has a time). Excel's built-in Chinese date formats (ids 27–36, 50–58) are unknown
  to openpyxl, which then hands over the day number: they are recognised here by their id.
- TRUE/FALSE as Excel prints them; text as it is, line breaks unified.
"""

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from openpyxl.utils.datetime import from_excel

from ..exports.excel.values import number_text

YEAR_MONTH, MONTH_DAY, FULL_DATE, TIME = 'yyyy"年"m"月"', 'm"月"d"日"', 'yyyy"年"m"月"d"日"', 'h"时"mm"分"'
# Excel's built-in formats of the Chinese (PRC) locale that openpyxl does not know.
CHINESE_BUILTINS = {27: YEAR_MONTH, 28: MONTH_DAY, 29: MONTH_DAY, 30: "m-d-yy", 31: FULL_DATE, 32: TIME, 33: TIME,
                    34: TIME, 35: TIME, 36: YEAR_MONTH, 50: YEAR_MONTH, 51: MONTH_DAY, 52: YEAR_MONTH,
                    53: MONTH_DAY, 54: MONTH_DAY, 55: TIME, 56: TIME, 57: YEAR_MONTH, 58: MONTH_DAY}
QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
PLACEHOLDERS = re.compile(r"[0#?]")


def cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    number_format = cell.number_format or "General"
    builtin = chinese_builtin(cell)
    if builtin and isinstance(value, (int, float)):
        try:
            value = from_excel(value)
        except (ValueError, OverflowError):
            return number_text(value)
        number_format = builtin
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return date_text(value, number_format)
    if isinstance(value, datetime.timedelta):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        if not Decimal(value).is_finite():
            return str(value)
        try:
            return number_in_format(value, number_format)
        except InvalidOperation:  # a number too big for the decimals its format asks for
            return number_text(value)
    return str(value)


def chinese_builtin(cell) -> str | None:
    # openpyxl keeps the format id of the cell's style but answers "General" for an id it does not know.
    style = getattr(cell, "_style", None)
    return CHINESE_BUILTINS.get(getattr(style, "numFmtId", None))


def date_text(value, number_format: str) -> str:
    code = QUOTED.sub("", number_format.split(";")[0]).lower()
    if isinstance(value, datetime.time):
        return f"{value.hour}时{value.minute:02d}分" if "时" in number_format else value.strftime("%H:%M")
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    if any(word in number_format for word in "年月日"):
        text = "".join(part for part, letter in ((f"{value.year}年", "y"), (f"{value.month}月", "m"),
                                                   (f"{value.day}日", "d")) if letter in code)
        return text or value.date().isoformat()
    text = value.date().isoformat()
    if value.time() != datetime.time():
        text += value.strftime(" %H:%M" if not value.second else " %H:%M:%S")
    return text


def number_in_format(value, number_format: str) -> str:
    sections = number_format.split(";")
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    if section.strip().lower() in ("general", "", "@"):
        return number_text(value)
    bare = QUOTED.sub(lambda match: "" if match[0][0] in "[_*" else " " * len(match[0]), section)
    places = [match.start() for match in PLACEHOLDERS.finditer(bare)]
    if not places or "e" in bare.lower() or "/" in bare:  # text only, scientific or a fraction: print plainly
        return number_text(value)
    prefix, suffix = literal(section[:places[0]]), literal(section[places[-1] + 1:])
    number = Decimal(value) if not isinstance(value, float) else Decimal(format(value, ".15g"))
    if "%" in bare:
        number *= 100
    if len(sections) > 1 and value < 0:
        number = -number  # the negative section prints its own sign or brackets
    point = bare.find(".")
    digits = len(PLACEHOLDERS.findall(bare[point:places[-1] + 1])) if 0 <= point < places[-1] else 0
    text = format(number.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), "f")
    return f"{prefix}{text}{suffix}"


def literal(part: str) -> str:
    """What a piece of a number format prints as itself: quoted text, escaped characters, %, other characters."""
    out = []
    for match in re.finditer(r'"([^"]*)"|\\(.)|(\[[^\]]*\]|_.|\*.)|([,.]|[0#?])|(.)', part):
        quoted, escaped, skipped, placeholder, other = match.groups()
        if quoted is not None:
            out.append(quoted)
        elif escaped is not None:
            out.append(escaped)
        elif other is not None:
            out.append(other)
    return "".join(out)

"""Writing cells safely: user text always lands as text, never as a formula, and without control characters.

Spreadsheet programs start a formula at ``=``, ``+``, ``-`` or ``@`` (Excel in Chinese and Japanese locales also
at their full-width forms), and some at a leading tab or carriage return. Such text is stored as a string cell
with the quote-prefix flag, so Excel, WPS and LibreOffice show it as typed and keep it text when edited.
"""

import re
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

from ...text import strip_control_characters

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
SHEET_TITLE_MAX = 31  # Excel's limit


def clean(value):
    """The value as it may be written: text without control characters; numbers and dates unchanged."""
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, float):
        raise TypeError("金额和数值请用 Decimal，不要用 float")
    return value


def looks_like_formula(value) -> bool:
    """Text a spreadsheet would read as a formula or an error value (``#N/A``)."""
    return isinstance(value, str) and (value.startswith(FORMULA_STARTS) or value in ERROR_CODES)


def put(cell, value):
    """Assign ``value`` to a worksheet cell (or a ``WriteOnlyCell``) so that text can never become a formula."""
    value = clean(value)
    if looks_like_formula(value):
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def write_only_cell(sheet, value, number_format: str | None = None):
    """A cell for a write-only (streaming) sheet, made safe like ``put``."""
    cell = put(WriteOnlyCell(sheet), value)
    if number_format and isinstance(value, (int, Decimal)):
        cell.number_format = number_format
    return cell


def sheet_title(name: str, taken: set[str] | None = None) -> str:
    """A valid, unique sheet title from any text: forbidden characters replaced, at most 31 characters."""
    taken = {title.casefold() for title in (taken or set())}
    base = SHEET_TITLE_FORBIDDEN.sub("_", strip_control_characters(str(name))).strip(" '") or "Sheet"
    if base.casefold() == "history":  # reserved by Excel
        base = f"{base}_"
    title, number = base[:SHEET_TITLE_MAX], 1
    while title.casefold() in taken:
        number += 1
        suffix = f"({number})"
        title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
    return title

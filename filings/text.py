"""Plain-text hygiene shared by the exports and the views: what may not travel into a PDF, a spreadsheet or a query."""

import re

# C0 control characters other than tab, newline and carriage return, and the noncharacters U+FFFE/U+FFFF: not
# allowed in HTML nor in XML 1.0.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


ASCII_NUMBER = re.compile(r"[0-9]{1,18}")  # fits a 64-bit integer column


def ascii_number(text) -> int | None:
    """The number a string of ASCII digits stands for, else None. ``str.isdigit()`` is true for “²” or “①” too,
    which ``int()`` refuses, and a 30-digit id overflows a database column: both were server errors."""
    if isinstance(text, str) and ASCII_NUMBER.fullmatch(text):
        return int(text)
    return None


SENTENCE_END = re.compile(r"[。！？；!?;]")
PRINT_PARAGRAPH = 300  # characters


def short_paragraphs(text: str, size: int = PRINT_PARAGRAPH) -> str:
    """The text with paragraphs longer than ``size`` cut into paragraphs of about ``size`` characters, after a
    sentence end where there is one near, else at ``size``.

    WeasyPrint lays a paragraph inside a table cell out again for every page the row runs over, so its time grows
    with the square of the paragraph's length: a 6,000-character paragraph takes minutes, 300-character ones
    milliseconds. Only the PDF uses this; the text itself is never changed.
    """
    lines = []
    for line in text.split("\n"):
        while len(line) > size * 3 // 2:
            ends = [match.end() for match in SENTENCE_END.finditer(line, size // 2, size * 3 // 2)]
            cut = min(ends, key=lambda end: abs(end - size)) if ends else size
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return "\n".join(lines)


# What ends a line somewhere (CR, LF, VT, FF, NEL, U+2028 LINE and U+2029 PARAGRAPH SEPARATOR) and every other C0
# or C1 control character: none belongs in a one-line field, and none may reach an e-mail header.
LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Line breaks as browsers, Word and Excel send them; paragraphs are stored with "\n" alone.
LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """The text on one line: each run of line breaks and control characters becomes one space."""
    return strip_control_characters(LINE_BREAKING.sub(" ", text))


def unify_line_breaks(text: str) -> str:
    """The text with every kind of line break written as "\\n"."""
    return LINE_BREAKS.sub("\n", text)


def line_count(text: str) -> int:
    return text.count("\n") + 1 if text else 0


def header_safe(text: str, limit: int) -> str:
    """Text fit for an e-mail header such as the subject: one line, spaces collapsed, at most ``limit`` characters."""
    text = " ".join(one_line(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

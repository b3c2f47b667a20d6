"""Plain-text hygiene shared by the exports: what may not travel into a PDF or a spreadsheet."""

import re

# C0 control characters other than tab, newline and carriage return: not allowed in HTML nor in XML 1.0.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)

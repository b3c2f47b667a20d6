"""How much one filing may hold, so that its PDF and its e-mails stay cheap to make.

Text lengths are the model fields' ``max_length`` (CharField and TextField alike, see filings/models/fields.py); a
paragraph may also hold at most one line per ``CHARACTERS_PER_LINE`` characters of its limit (a text of line breaks
is as tall on paper as a much longer one). This module holds those rules and the row caps of a filing's tables.
Together they bound the longest filing the product allows: `bench/pdf_longest.py` renders it and
docs/performance.md keeps its figures.
"""

ROW_LIMITS = {
    "filings.functionitem": 30,  # 部门职能分解 (the seeds have at most 4 rows)
    "filings.annualtask": 30,  # 年度主要任务 (the seeds have at most 7)
    "filings.indicator": 300,  # 三级指标 of all periods together (the seeds have at most 70; a paste takes 300)
}
MAX_FUNCTION_ROWS = ROW_LIMITS["filings.functionitem"]
MAX_TASK_ROWS = ROW_LIMITS["filings.annualtask"]
MAX_INDICATOR_ROWS = ROW_LIMITS["filings.indicator"]
CHARACTERS_PER_LINE = 20

LENGTH_MESSAGE = "最多 %(limit_value)d 个字，现有 %(show_value)d 个字。"
LINES_MESSAGE = "最多 %(limit_value)d 行，现有 %(show_value)d 行。"


def row_limit(model) -> int | None:
    """The most rows of ``model`` one filing may hold, or None."""
    return ROW_LIMITS.get(model._meta.label_lower)


def line_limit(max_length: int) -> int:
    return max(10, max_length // CHARACTERS_PER_LINE)


def length_message(limit: int, length: int) -> str:
    return LENGTH_MESSAGE % {"limit_value": limit, "show_value": length}


def lines_message(limit: int, lines: int) -> str:
    return LINES_MESSAGE % {"limit_value": limit, "show_value": lines}


def rows_message(limit: int, count: int) -> str:
    return f"这张表最多 {limit} 行，现有 {count} 行。请删去多余的行后再保存；已填写的内容都还在。"

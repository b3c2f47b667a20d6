"""The printed form of a filing (check page, review page, PDF), laid out from its variant's layout description.

`printed_context` turns the description (`FormVariant.description`) and the filing's values into plain parts the
one template (`templates/filings/print/form.html`) walks through: tables of labelled fields, the row tables
(部门职能分解, 年度主要任务), the indicator tables and the sign-off line. Every value is already text here (amounts
in the filing's money unit, 是/否/未选择, dates), so the templates test no kind, variant or field.

Rules that follow from the description (no switch, no field name):

- consecutive ``fields`` blocks print as one table; a block with a ``group`` prints its rows under the group label
  merged down the first column and is kept on one page (a long text alone in its row there gets the wide cells);
  ``print.table: "own"`` prints a table of its own;
- a percent value prints with “%”, and its label without a trailing “（%）”;
- a row table (部门职能分解, 年度主要任务) prints its ``caption`` above it, unless its first column is headed by the
  caption already (as on the seed forms);
- an optional column prints only when some row holds a value in it; ``extra.<key>`` columns and fields print the
  variant's own values (`ExtraField.display`);
- the sign-off entries print on one line; a place to sign (``sign``) is a line to write on when it has no value.
"""

from dataclasses import dataclass

from django.template.defaultfilters import date as format_date
from django.template.defaultfilters import floatformat
from django.template.defaultfilters import time as format_time
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from indicators.models import Category

from ..layouts.catalogue import ROW_COLUMNS, data_fields
from ..layouts.description import Block, Column, Entry
from ..models import Filing
from ..money import format_amount
from .pages import level1_blocks, page_blocks, side_by_side_table

NUMERIC = {"money", "percent", "int", "number"}
BOOLEAN = {True: "是", False: "否", None: "未选择"}
PERCENT_SUFFIXES = ("（%）", "(%)")
TABLE_DATES, SIGNOFF_DATES = "Y-m-d", "Y.n.j"
# The column sets the print stylesheet has fixed widths for (print.css); any other set gets widths by weight.
CLASSIC_INDICATOR_COLUMNS = (("level2", "name", "value_text"), ("level2", "name", "value_text", "standard"))
INDICATOR_CLASSES = {"level2": "c-level2", "name": "c-name", "value_text": "c-value", "standard": "c-standard"}
CLASSIC_TASK_COLUMNS = (
    ("name", "content", "amount_total", "amount_fiscal", "amount_other"),
    ("name", "content", "related_goal", "amount_total", "amount_fiscal", "amount_other"),
)
TASK_CLASSES = {"name": "c-task", "content": "c-content", "related_goal": "c-content", "amount_total": "c-amount",
                "amount_fiscal": "c-amount", "amount_other": "c-amount"}
FUNCTION_CLASSES = {"name": "c-function", "mid_term_goal": "c-goal", "annual_goal": "c-goal"}



@dataclass
class Cell:
    text: str = ""
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    css: str = ""  # "num" (amounts, numbers) | "pre" (long text) | "label"
    long: bool = False  # long text: the PDF cuts its paragraphs (filings_tags.printable)
    label: str = ""  # an inline cell: the label printed before the value
    separator: str = ""
    inline: bool = False

    @property
    def tag(self) -> str:
        return "th" if self.header else "td"

    @property
    def html(self) -> str:
        """The cell as ``print/cell.html`` writes it on a web page, in one pass (a printed form has hundreds of
        cells); the PDF, which cuts long paragraphs, renders the template."""
        tag = self.tag
        attributes = (' scope="row"' if self.header else "") + (
            format_html(' class="{}"', self.css) if self.css else "") + (
            format_html(' rowspan="{}"', self.rowspan) if self.rowspan > 1 else "") + (
            format_html(' colspan="{}"', self.colspan) if self.colspan > 1 else "")
        if self.inline:
            content = format_html('{}{}<span class="num">{}</span>', self.label, self.separator, self.text)
        else:
            content = conditional_escape(self.text)
        return mark_safe(f"<{tag}{attributes}>{content}</{tag}>\n")  # the template's final newline


# --- values -------------------------------------------------------------------------------------------------------

class Values:
    """The printed text of a filing's fields, by layout name (``prior_approved``, ``extra.code`` …)."""

    def __init__(self, filing: Filing):
        self.filing = filing
        self.layout = filing.variant.description
        self.unit = filing.money_unit
        self.specs = data_fields(filing.kind)
        self.details = getattr(filing, "department" if filing.kind == "department" else "project", None)

    def kind(self, name: str) -> str:
        extra = self.layout.extra(name) if name.startswith("extra.") else None
        if extra:
            return extra.spec.kind
        spec = self.specs.get(name)
        return spec.kind if spec else "text"

    def raw(self, name: str):
        if name.startswith("extra."):
            return (self.filing.extra or {}).get(name.removeprefix("extra."))
        if name == "unit_name":
            return self.filing.display_unit_name
        spec = self.specs.get(name)
        owner = self.filing if spec is None or spec.owner == "filing" else self.details
        return getattr(owner, name, None) if owner is not None else None

    def text(self, name: str, dates: str = TABLE_DATES) -> str:
        return self.format(name, self.raw(name), dates)

    def format(self, name: str, value, dates: str = TABLE_DATES) -> str:
        if name.startswith("extra."):
            extra = self.layout.extra(name)
            return extra.display(value, self.unit) if extra else ""
        kind = self.kind(name)
        if kind == "bool":
            return BOOLEAN.get(value, "未选择")
        if value is None or value == "":
            return ""
        if kind == "money":
            return format_amount(value, self.unit, grouping=True)
        if kind == "percent":
            return f"{floatformat(value, '-2')}%"
        if kind == "date":
            return format_date(value, dates)
        if kind == "time":
            return format_time(value, "H:i:s")
        if kind == "choice":
            return dict(self.specs[name].choices).get(value, str(value))
        return str(value)

    def entry(self, entry: Entry, dates: str = TABLE_DATES) -> str:
        """The entry's value(s): joined by its ``joiners`` (each before a value that is not empty) or ``joiner``."""
        texts = [self.text(name, dates) for name in entry.fields]
        if entry.joiners and texts:
            pairs = zip(entry.joiners, texts[1:], strict=True)
            return texts[0] + "".join(joiner + text for joiner, text in pairs if text)
        return entry.joiner.join(text for text in texts if text)

    def label(self, entry: Entry) -> str:
        label = entry.printed_label
        if entry.fields and self.kind(entry.fields[0]) == "percent":
            for suffix in PERCENT_SUFFIXES:
                label = label.removesuffix(suffix)
        return label

    def css(self, names) -> tuple[str, bool]:
        kinds = {self.kind(name) for name in names}
        if kinds and kinds <= NUMERIC:
            return "num", False
        if "longtext" in kinds:
            return "pre", True
        return "", False

    def filled(self, block: Block) -> bool:
        names = [name for row in block.printed_rows + block.print.after for entry in row if entry
                 for name in entry.fields]
        return any(self.raw(name) not in (None, "") for name in names)


# --- the tables of labelled fields ---------------------------------------------------------------------------

def _shown(values: Values, row) -> list:
    """The row's entries as printed (those marked ``if_filled`` only when they hold a value); [] for no row."""
    entries = [entry for entry in row if entry is None or not entry.if_filled or values.entry(entry)]
    return entries if any(entry is not None for entry in entries) else []


def _value_cell(values: Values, entry: Entry, colspan: int = 1) -> Cell:
    css, long = values.css(entry.fields)
    return Cell(values.entry(entry), colspan=colspan, css=css, long=long)


def _plain_row(values: Values, entries: list, columns: int) -> list[Cell]:
    """Label and value cells side by side; the last value fills the row."""
    cells = []
    for entry in entries:
        if entry is None:
            cells.append(Cell())
            continue
        cells += [Cell(values.label(entry), header=True, css="label"), _value_cell(values, entry)]
    cells[-1].colspan = max(1, columns - sum(cell.colspan for cell in cells[:-1]))
    return cells


def _group_row(values: Values, block: Block, entries: list, columns: int) -> list[Cell]:
    """A row under a group label: in ``inline`` style label and value share a cell (“批复数 357.26”)."""
    room = columns - 1
    if block.print.style == "inline":
        spans = [room] if len(entries) == 1 else [block.print.spans[0], room - block.print.spans[0]]
        cells = []
        for entry, span in zip(entries, spans + [1] * len(entries), strict=False):
            if entry is None:
                cells.append(Cell(colspan=span))
                continue
            cells.append(Cell(values.entry(entry), colspan=span, label=values.label(entry),
                              separator=block.print.separator, inline=True))
        return cells
    if len(entries) == 1 and entries[0] is not None and values.css(entries[0].fields)[1]:
        # a long text alone in its row: the label takes one column, the text the rest
        return [Cell(values.label(entries[0])), _value_cell(values, entries[0], colspan=max(1, room - 1))]
    width = max(2, room // len(entries))
    cells = []
    for entry in entries:
        if entry is None:
            cells.append(Cell(colspan=width))
            continue
        cells += [Cell(values.label(entry), colspan=width - 1), _value_cell(values, entry)]
    cells[-1].colspan += max(0, room - sum(cell.colspan for cell in cells))
    return cells


def _width(block: Block) -> int:
    """The columns the block's rows need: a label and a value per entry, and the group label."""
    rows = block.printed_rows + block.print.after
    widest = max((len(row) for row in rows), default=1)
    if block.group and block.print.style == "cells":
        return 1 + 2 * widest
    return 2 * widest


def _fields_table(values: Values, blocks: list[Block]) -> dict | None:
    columns = max(4, *(_width(block) for block in blocks))
    sections = []
    for block in blocks:
        rows = [row for row in (_shown(values, row) for row in block.printed_rows) if row]
        if block.group:
            if rows:
                printed = [_group_row(values, block, row, columns) for row in rows]
                label = block.group_label(values.filing.get_money_unit_display())
                printed[0].insert(0, Cell(label, header=True, rowspan=len(printed), css="label"))
                sections.append({"keep": True, "rows": printed})  # a merged label is never cut by a page break
            rows = [row for row in (_shown(values, row) for row in block.print.after) if row]
        if rows:
            sections.append({"keep": False, "rows": [_plain_row(values, row, columns) for row in rows]})
    if not sections:
        return None
    if columns > 4:
        classes = ["c-label"] + ["c-value"] * (columns - 1)
    elif any(block.group and block.print.style == "inline" for block in blocks):
        classes = ["c-label", "c-short", "c-label", "c-value"]  # the inline cells' first column is narrow
    else:
        classes = ["c-label", "c-value", "c-label", "c-value"]
    return {"type": "fields", "columns": classes, "sections": sections}


def _own_table(values: Values, block: Block) -> dict | None:
    rows = []
    for row in block.printed_rows:
        for entry in _shown(values, row):
            if entry is not None:
                rows.append((Cell(values.label(entry), header=True, css="wide-label"), _value_cell(values, entry)))
    return {"type": "own", "rows": rows} if rows else None


# --- the row tables (部门职能分解, 年度主要任务) ---------------------------------------------------------------------

def _weights(columns: list[Column], leading: int = 0, repeat: int = 1) -> tuple[str, list[str]]:
    """Column classes ``w-<percent>`` by weight (print.css), for column sets without fixed widths: the class of a
    ``leading`` column (the 一级 column, of weight ``leading``) and those of ``columns`` (``repeat`` times side by
    side)."""
    total = leading + repeat * sum(column.weight for column in columns)
    shares = [max(1, round(100 * column.weight / total)) for column in columns]
    return f"w-{max(1, 100 - repeat * sum(shares))}", [f"w-{share}" for share in shares]


def _holds(rows, column: Column, value) -> bool:
    return any(value(row, column) not in (None, "") for row in rows)


def _row_table(values: Values, block: Block, rows: list) -> dict:
    kinds = ROW_COLUMNS[block.type]

    def raw(row, column):
        if column.field.startswith("extra."):
            return (row.extra or {}).get(column.field.removeprefix("extra."))
        return getattr(row, column.field)

    def cell(row, column) -> Cell:
        if column.field.startswith("extra."):
            extra = values.layout.extra(column.field)
            text = extra.display(raw(row, column), values.unit) if extra else ""
            kind = extra.spec.kind if extra else "text"
        else:
            kind = kinds.get(column.field, "text")
            text = raw(row, column)
            if kind == "money":
                text = format_amount(text, values.unit, grouping=True)
            else:
                text = "" if text is None else str(text)
        return Cell(text, css="num" if kind in NUMERIC else "pre" if kind == "longtext" else "",
                    long=kind == "longtext")

    columns = [column for column in block.columns if not column.optional or _holds(rows, column, raw)]
    fields = tuple(column.field for column in columns)
    classic = FUNCTION_CLASSES if block.type == "functions" else TASK_CLASSES
    if block.type == "functions" and set(fields) <= set(FUNCTION_CLASSES) or fields in CLASSIC_TASK_COLUMNS:
        classes, css = [classic[field] for field in fields], ""
    else:
        classes, css = _weights(columns)[1], " weighted"
    if block.type == "tasks" and "related_goal" in fields and not css:
        css = " with-goal"
    headers = [column.printed_label for column in columns]
    caption = block.caption if block.caption not in headers[:1] else ""
    table = {"type": block.type, "css": f"{block.type}-table{css}", "columns": classes, "caption": caption,
             "headers": headers,
             "rows": [[cell(row, column) for column in columns] for row in rows], "totals": None}
    if block.totals:
        table["totals"] = {"label": block.totals_label, "span": max(1, len(columns) - len(block.totals)),
                           "cells": [Cell(values.text(name), css="num") for name in block.totals]}
    return table


# --- indicators ----------------------------------------------------------------------------------------------

def indicator_columns(filing: Filing, indicators) -> list[Column]:
    """The indicator block's columns after 二级指标, the optional ones only where some row holds a value."""
    block = filing.variant.description.block("indicators")

    def raw(indicator, column):
        if column.field.startswith("extra."):
            return (indicator.extra or {}).get(column.field.removeprefix("extra."))
        return getattr(indicator, column.field, "")

    return [column for column in block.columns
            if column.field != "level2" and (not column.optional or _holds(indicators, column, raw))]


def indicator_tables(filing: Filing, indicators, paginate: bool = False) -> list[dict]:
    """One table per period, or one table with the periods side by side where the layout has two (实施期, 年度).

    ``paginate`` cuts the rows into blocks that fit on a PDF page; otherwise there is one block per 一级 group.
    """
    layout = filing.variant.description
    block = layout.block("indicators")
    categories = list(Category.objects.of_scheme(filing.scheme_id))
    periods = layout.indicator_periods()
    columns = indicator_columns(filing, indicators)
    level2 = next(column for column in block.columns if column.field == "level2")
    side_by_side = len(periods) > 1
    fields = ("level2", *(column.field for column in columns))
    if fields in CLASSIC_INDICATOR_COLUMNS:
        classes = ["c-level1", *(INDICATOR_CLASSES[field] for field in fields)]
        css = " with-standard" if "standard" in fields else ""
    else:
        first, weighted = _weights([level2, *columns], leading=1, repeat=len(periods) if side_by_side else 1)
        classes, css = [first, *weighted], " weighted"
    unit = filing.money_unit
    groups = [periods] if side_by_side else [[period] for period in periods]
    tables = []
    for group in groups:
        rows = side_by_side_table(indicators, categories, group)
        for row in rows:
            for indicator in row.indicators:
                if indicator is not None:
                    indicator.printed_cells = [_indicator_cell(layout, indicator, column, unit) for column in columns]
                    indicator.printed_tds = format_html_join("", "<td>{}</td>",
                                                             ((text,) for text in indicator.printed_cells))
        tables.append({
            "periods": group, "period": " ".join(group), "side_by_side": side_by_side,
            "label": "绩效指标" if side_by_side else block.caption_of(group[0]),
            "side_labels": [block.caption_of(period) for period in group],
            "css": f"{css}{' side-by-side' if side_by_side else ''}",
            "col_classes": classes[:1] + classes[1:] * len(group),
            "headers": [level2.printed_label, *(column.printed_label for column in columns)],
            "span": 1 + len(columns), "blank": [""] * len(columns),
            "blocks": page_blocks(rows) if paginate else level1_blocks(rows),
        })
    return tables


def _indicator_cell(layout, indicator, column: Column, unit) -> str:
    if column.field.startswith("extra."):
        extra = layout.extra(column.field)
        return extra.display((indicator.extra or {}).get(extra.key), unit) if extra else ""
    return getattr(indicator, column.field, "") or ""


# --- the sign-off line ---------------------------------------------------------------------------------------

def _signoff(values: Values, block: Block) -> dict:
    spans = []
    for row in block.printed_rows:
        for entry in row:
            text = values.entry(entry, SIGNOFF_DATES) if entry.fields else ""
            if entry.if_filled and not text:
                continue
            blank = not text and (entry.sign or entry.blank)
            spans.append({"label": values.label(entry), "text": text, "blank": blank})
    return {"type": "signoff", "entries": spans}


# --- the whole form ------------------------------------------------------------------------------------------

def printed_parts(filing: Filing, indicators, paginate: bool) -> list[dict]:
    values = Values(filing)
    parts, open_fields = [], None
    for block in values.layout.blocks:
        if block.type == "fields":
            if block.print.if_filled and not values.filled(block):
                continue
            if block.print.table == "own":
                parts.append(_own_table(values, block))
                open_fields = None
                continue
            if open_fields is None:
                open_fields = []
                parts.append(open_fields)
            open_fields.append(block)
            continue
        open_fields = None
        if block.type == "functions":
            parts.append(_row_table(values, block, list(filing.functions.all())))
        elif block.type == "tasks":
            parts.append(_row_table(values, block, list(filing.tasks.all())))
        elif block.type == "indicators":
            parts.append({"type": "indicators", "tables": indicator_tables(filing, indicators, paginate)})
        elif block.type == "signoff":
            parts.append(_signoff(values, block))
    parts = [_fields_table(values, part) if isinstance(part, list) else part for part in parts]
    return [part for part in parts if part]


def printed_context(filing: Filing, paginate: bool = False) -> dict:
    prefetched = getattr(filing, "_prefetched_objects_cache", {})  # rows a page read once (validation.read_rows)
    indicators = list(prefetched["indicators"] if "indicators" in prefetched
                      else filing.indicators.order_by("period", "order", "pk"))
    return {
        "pdf": paginate,  # long paragraphs are cut for WeasyPrint only (filings_tags.printable)
        "printed": {"title": filing.variant.printed_title, "parts": printed_parts(filing, indicators, paginate)},
    }

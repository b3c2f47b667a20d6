"""The consolidated Excel export for reviewers: one row per indicator and one row per filing, streamed.

The workbook is built with openpyxl's write-only mode: sheets, header rows, widths, frozen header, auto-filter and
styles. The rows after the headers, a million 指标 rows and fifty thousand 申报表 rows for a province, are not:
openpyxl spends some 8 µs on every cell (about 0.7 ms on a 申报表 row), so they are written here as SpreadsheetML
``<row>`` elements into temporary files and spliced into the sheets when the workbook is saved (`BodyRows`,
`splice`), under the same rules as `cells`: control characters stripped, every text an inline string, text that
looks like a formula or an error value marked with the quote-prefix style that `cells.put` gives it, amounts and
dates with the styles `cells.write_only_cell` gives them and their numbers as openpyxl writes them (`Number`), no
float.

The filings are read in chunks of ``chunk_size`` (their ids are read once, in the order of the 工作台); each
chunk costs the same two queries whatever its size (the filings with their details, and their indicators as
tuples of the columns written, not model instances: a province exports a million of them), so memory stays
bounded by one chunk and the number of queries by the number of chunks. The errors and warnings are the ones
stored on each filing by the write that last changed it (`filings.checked`); only a filing never checked since the
upgrade is validated here, with what validation reads (tasks, indicators with categories, the W10 siblings: three
more queries for a chunk that holds one).
"""

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched
from xml.sax.saxutils import escape

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.compat import safe_string
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from indicators.models import Category

from ...checked import STORED, store
from ...layouts.description import LayoutError
from ...models import Filing, FilingKind, FilingStatus, FormVariant, Indicator, Operator, Period, ValueKind
from ...validation import filings_for_validation, validate_filing
from .cells import clean, looks_like_formula, sheet_title, write_only_cell

FILING_CHUNK = 200
EXCEL_MAX_ROWS = 1_048_576  # rows of one sheet, the header included
AMOUNT_FORMAT = "#,##0.00"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
ZIP32_SAFE = 1 << 30  # bytes of sheet XML below which the archive member needs no ZIP64 extension
COPY_BUFFER = 1 << 20
ORDER = ("-year", "unit__path", "kind", "position", "pk")  # as the 工作台 and Filing.Meta

# (header, column width)
FILING_COLUMNS = [("申报表编号", 10), ("单位代码", 12), ("单位名称", 30), ("年度", 7), ("表类型", 12),
                  ("项目名称", 30), ("表样", 22), ("状态", 16)]
INDICATOR_COLUMNS = FILING_COLUMNS + [
    ("指标期间", 8), ("一级指标", 12), ("二级指标", 16), ("三级指标", 36), ("指标值（按填写）", 18),
    ("指标值类型", 10), ("解析：运算符", 12), ("解析：数值", 12), ("解析：计量单位", 14), ("绩效标准", 24),
    ("备注", 24),
]
SUMMARY_COLUMNS = FILING_COLUMNS + [
    ("修订版本", 8), ("提交时间", 17), ("部门：收入合计（元）", 18), ("部门：支出合计（元）", 18),
    ("项目：实施期资金总额（元）", 20), ("项目：年度资金总额（元）", 20), ("指标数", 8), ("错误数", 8),
    ("警告数", 8), ("错误代码", 24), ("警告代码", 24),
]
AMOUNT_FIELDS = ("income_total", "expenditure_total", "implementation_total", "annual_total")
EXTRA_WIDTH = 16

KIND_LABELS = dict(FilingKind.choices)
STATUS_LABELS = dict(FilingStatus.choices)
PERIOD_LABELS = dict(Period.choices)
VALUE_KIND_LABELS = dict(ValueKind.choices)
OPERATOR_LABELS = dict(Operator.choices)
PERIOD_ORDER = {Period.IMPLEMENTATION: 0, Period.ANNUAL: 1}  # 实施期 first, as the forms print them


@dataclass
class ExportCounts:
    filings: int = 0
    indicators: int = 0


def needs_cell(value) -> bool:
    """Whether a (cleaned) value must be written as a quoted text cell rather than as a plain value."""
    return isinstance(value, str) and (looks_like_formula(value) or value in ERROR_CODES)


def safe(sheet, value):
    """For an openpyxl row: the value itself when that is safe, else a quoted text cell that stays text."""
    value = clean(value)
    if not needs_cell(value):
        return value
    cell = write_only_cell(sheet, value)
    cell.data_type, cell.quotePrefix = "s", True
    return cell


# --- the fast body of a big sheet ---------------------------------------------------------------------------------

ROW = "\x00"  # the row number's place in cells made once for many rows: `clean` strips control characters from text


@dataclass(frozen=True, slots=True)
class Number:
    """A number cell with a style of the workbook (an amount's or a date's number format), written as openpyxl
    writes it (`safe_string`: "%.16g")."""

    style: int
    text: str

    @classmethod
    def of(cls, style: int, value) -> "Number":
        return cls(style, safe_string(value))


class BodyRows:
    """Rows after the header as SpreadsheetML, in a temporary file: text as inline strings (never a formula),
    numbers as numbers; text that a spreadsheet would read as a formula or an error value gets `quoted_style`.

    The columns every row of a filing starts with are made into XML once per filing (`leading`, the row number
    left as `ROW`) and each of its rows adds only its own columns (`append_after`)."""

    FLUSH_ROWS = 1000
    CACHED_TEXTS = 50_000  # texts repeat (unit names, labels, categories, common 指标值): each is escaped once

    def __init__(self, columns: int, quoted_style: int):
        self.file = tempfile.TemporaryFile()
        self.letters = [get_column_letter(index) for index in range(1, columns + 1)]
        self.quoted = f' s="{quoted_style}"'
        self.number = 1  # the header's
        self.pending: list[str] = []
        self.texts: dict[str, str] = {}

    def text(self, value: str) -> str:
        """A text cell after its reference: style, type and the escaped text."""
        cell = self.texts.get(value)
        if cell is None:
            if len(self.texts) >= self.CACHED_TEXTS:
                self.texts.clear()
            text = clean(value)
            style = self.quoted if needs_cell(text) else ""
            space = ' xml:space="preserve"' if text != text.strip() else ""
            cell = self.texts[value] = f'{style} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'
        return cell

    def cells(self, values, letters: list[str], row: str) -> str:
        """The `<c>` elements of `values` in the columns `letters` of row `row`."""
        cells = []
        for letter, value in zip(letters, values, strict=True):
            kind = type(value)
            if kind is str:
                if value:
                    cells.append(f'<c r="{letter}{row}"{self.text(value)}')
            elif value is None:
                continue
            elif kind is int:
                cells.append(f'<c r="{letter}{row}"><v>{value}</v></c>')
            elif kind is Number:
                cells.append(f'<c r="{letter}{row}" s="{value.style}" t="n"><v>{value.text}</v></c>')
            elif isinstance(value, str):
                if value != "":
                    cells.append(f'<c r="{letter}{row}"{self.text(value)}')
            elif isinstance(value, int) and not isinstance(value, bool):
                cells.append(f'<c r="{letter}{row}"><v>{value}</v></c>')
            elif isinstance(value, Decimal) and value.is_finite():
                cells.append(f'<c r="{letter}{row}"><v>{value:f}</v></c>')
            else:
                raise TypeError(f"不支持写入的值类型：{type(clean(value)).__name__}")
        return "".join(cells)

    def _add(self, row: str) -> None:
        self.pending.append(row)
        self.number += 1
        if len(self.pending) >= self.FLUSH_ROWS:
            self.flush()

    def append(self, values) -> None:
        number = str(self.number + 1)
        self._add(f'<row r="{number}">{self.cells(values, self.letters, number)}</row>')

    def leading(self, values) -> tuple[int, str]:
        """The first columns' cells, the same in many rows (a filing's), for `append_after`."""
        return len(values), self.cells(values, self.letters[:len(values)], ROW)

    def append_after(self, leading: tuple[int, str], values) -> None:
        """A row of `leading`'s cells followed by `values` in the columns after them."""
        first, cells = leading
        number = str(self.number + 1)
        self._add(f'<row r="{number}">{cells.replace(ROW, number)}'
                  f'{self.cells(values, self.letters[first:], number)}</row>')

    def flush(self) -> None:
        self.file.write("".join(self.pending).encode())
        self.pending = []


def splice(saved, target, bodies: dict[str, "BodyRows"]) -> None:
    """Copy the workbook openpyxl saved into `target`, each sheet in `bodies` with its rows after its header."""
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as result:
        for info in source.infolist():
            body = bodies.get(info.filename)
            with source.open(info) as original:
                if body is None:
                    with result.open(info.filename, "w") as member:
                        shutil.copyfileobj(original, member, COPY_BUFFER)
                    continue
                head, end, tail = original.read().rpartition(b"</sheetData>")  # the header row only
            body.flush()
            large = body.file.tell() > ZIP32_SAFE  # a classic archive whenever it can be one
            body.file.seek(0)
            with result.open(info.filename, "w", force_zip64=large) as member:
                member.write(head)
                shutil.copyfileobj(body.file, member, COPY_BUFFER)
                member.write(end + tail)


# --- sheets --------------------------------------------------------------------------------------------------

class Sheet:
    """A write-only sheet with a bold, frozen header, an auto-filter and fixed widths, continued on a new sheet
    (指标(2) …) if it reaches Excel's row limit. With `fast`, its rows are `BodyRows` rather than openpyxl's."""

    def __init__(self, workbook, title, columns, taken, max_rows=EXCEL_MAX_ROWS, fast=False):
        self.workbook, self.title, self.columns, self.taken = workbook, title, columns, taken
        self.max_rows, self.fast = max_rows, fast
        self.sheets = []  # [worksheet, rows written including the header, BodyRows or None]
        self._start()

    def _start(self):
        sheet = self.workbook.create_sheet(sheet_title(self.title, self.taken))
        self.taken.add(sheet.title)
        for index, (_header, width) in enumerate(self.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = [write_only_cell(sheet, name) for name, _width in self.columns]
        for cell in header:
            cell.font = bold
        sheet.append(header)
        body = None
        if self.fast:
            quoted = safe(sheet, "=")  # the style `cells` gives formula-like text, registered in the workbook
            body = BodyRows(len(self.columns), quoted.style_id)
            # and the styles of amounts and dates, as `write_only_cell` gives them
            self.amount_style = write_only_cell(sheet, Decimal(0), AMOUNT_FORMAT).style_id
            moment = write_only_cell(sheet, 0)
            moment.number_format = DATETIME_FORMAT
            self.datetime_style = moment.style_id
        self.sheets.append([sheet, 1, body])

    def ready(self):
        """The worksheet the next row goes to (a new one once Excel's row limit is reached)."""
        if self.sheets[-1][1] >= self.max_rows:
            self._start()
        return self.sheets[-1][0]

    def append(self, row):
        """Append a row (built for `ready()`'s worksheet)."""
        sheet, _rows, body = self.sheets[-1]
        (body or sheet).append(row)
        self.sheets[-1][1] += 1

    def append_all(self, leading_values: list, rows) -> None:
        """Append rows that all start with `leading_values` followed by each of `rows` (a fast sheet only)."""
        made_for = leading = None
        for values in rows:
            self.ready()
            entry = self.sheets[-1]
            body = entry[2]
            if body is not made_for:  # the first row, or the first on a continuation sheet
                made_for, leading = body, body.leading(leading_values)
            body.append_after(leading, values)
            entry[1] += 1

    def finish(self):
        last = get_column_letter(len(self.columns))
        for sheet, rows, _body in self.sheets:
            sheet.auto_filter.ref = f"A1:{last}{rows}"

    def bodies(self) -> dict[str, BodyRows]:
        """The archive member of each sheet with a fast body (known once the workbook is saved)."""
        return {sheet.path.lstrip("/"): body for sheet, _rows, body in self.sheets if body is not None}


# --- the variants' own fields ----------------------------------------------------------------------------------

class OwnColumns:
    """The columns of the variants' own fields (`filings.layouts.extras`) on one sheet: one per distinct label
    across the variants of the exported filings (a money field's label says 元), in the order first declared.

    Per-label columns rather than one “自定义栏目” column: their number is bounded by what the variants declare
    (read once, one query), not by the data, and each can be filtered and summed like the other columns."""

    def __init__(self, variants: list[FormVariant], owner: str):
        self.headers: list[str] = []
        self.money: set[int] = set()  # the indices of money headers (their cells get the amount format)
        self.by_variant: dict[int, list[tuple[int, object]]] = {}
        for variant in variants:
            try:
                extras = variant.description.extras_on(owner)
            except LayoutError:
                extras = []
            placed = []
            for extra in extras:
                header = f"{extra.label}（元）" if extra.type == "money" else extra.label
                if header not in self.headers:
                    self.headers.append(header)
                if extra.type == "money":
                    self.money.add(self.headers.index(header))
                placed.append((self.headers.index(header), extra))
            self.by_variant[variant.pk] = placed

    @property
    def columns(self) -> list[tuple[str, int]]:
        return [(header, EXTRA_WIDTH) for header in self.headers]

    def values(self, variant_id: int, stored: dict) -> list:
        """The row's values under the headers: numbers and money (元) as Decimal, dates as ISO text, text."""
        values = [None] * len(self.headers)
        for index, extra in self.by_variant.get(variant_id, []):
            value = extra.python((stored or {}).get(extra.key))
            if value is not None and extra.type == "date":
                value = value.isoformat()
            values[index] = clean(value) if isinstance(value, str) else value
        return values

    def cells(self, amount_style: int, variant_id: int, stored: dict) -> list:
        """For a fast sheet's row: amounts (元) with the amount format, the rest as values."""
        return [Number.of(amount_style, value) if index in self.money and isinstance(value, (int, Decimal))
                else value for index, value in enumerate(self.values(variant_id, stored))]


# --- rows ----------------------------------------------------------------------------------------------------

def amount(sheet: Sheet, value):
    return Number.of(sheet.amount_style, value) if isinstance(value, (int, Decimal)) else value


def submitted(sheet: Sheet, moment):
    if moment is None:
        return None
    local = timezone.localtime(moment).replace(tzinfo=None)
    return Number.of(sheet.datetime_style, to_excel(local, sheet.workbook.epoch))


def filing_prefix(filing: Filing) -> list:
    """The columns every row of a filing starts with, cleaned."""
    project = getattr(filing, "project", None) if filing.kind == FilingKind.PROJECT else None
    return [clean(value) for value in (
        filing.pk, filing.unit.code, filing.display_unit_name, filing.year, KIND_LABELS.get(filing.kind, filing.kind),
        project.name if project else None, filing.variant.name, STATUS_LABELS.get(filing.status, filing.status),
    )]


# The columns of an indicator row, as read for the export (tuples, not model instances).
INDICATOR_FIELDS = ("filing_id", "period", "order", "pk", "category_id", "name", "value_text", "value_kind",
                    "operator", "value_number", "value_unit", "standard", "note", "extra")


def write_indicators(sheet: Sheet, filing: Filing, prefix: list, own: OwnColumns | None = None,
                     rows: list[tuple] = (), categories: dict[int, tuple] | None = None) -> int:
    """The filing's indicator rows (tuples of INDICATOR_FIELDS), 实施期 first, each in its order; `categories`
    gives each category id its (一级 name or None, name)."""
    if own is None:
        blank = []
    elif own.by_variant.get(filing.variant_id):
        blank = None  # the variant has fields of its own: their values, row by row
    else:
        blank = [None] * len(own.headers)
    ordered = sorted(rows, key=lambda row: (PERIOD_ORDER.get(row[1], 2), row[2], row[3]))
    sheet.append_all(prefix, [
        [PERIOD_LABELS.get(period, period), *categories[category_id], name, value_text,
         VALUE_KIND_LABELS.get(value_kind, value_kind), OPERATOR_LABELS.get(operator), value_number, value_unit,
         standard, note, *(own.values(filing.variant_id, extra) if blank is None else blank)]
        for _filing, period, _order, _pk, category_id, name, value_text, value_kind, operator, value_number,
        value_unit, standard, note, extra in ordered])
    return len(ordered)


def write_summary(sheet: Sheet, filing: Filing, prefix: list, indicator_count: int,
                  own: OwnColumns | None = None) -> None:
    """The filing's row, with the validation result stored on it (`filings.checked`)."""
    sheet.ready()
    details = (getattr(filing, "department", None) if filing.kind == FilingKind.DEPARTMENT
               else getattr(filing, "project", None))
    amounts = [getattr(details, name, None) if details is not None else None for name in AMOUNT_FIELDS]
    sheet.append([
        *prefix, filing.revision, submitted(sheet, filing.submitted_at),
        *[amount(sheet, value) for value in amounts], indicator_count, filing.error_count, filing.warning_count,
        "、".join(filing.error_codes) or None, "、".join(filing.warning_codes) or None,
        *(own.cells(sheet.amount_style, filing.variant_id, filing.extra) if own is not None else []),
    ])


def _siblings(chunk: list[Filing]) -> dict[tuple, list[Filing]]:
    """Every project filing of the chunk's units and years (not only those in scope), as validate_filing reads."""
    units = {filing.unit_id for filing in chunk if filing.kind == FilingKind.PROJECT}
    years = {filing.year for filing in chunk if filing.kind == FilingKind.PROJECT}
    groups: dict[tuple, list[Filing]] = {}
    if units:
        for other in Filing.objects.projects().filter(unit_id__in=units, year__in=years).select_related("project"):
            groups.setdefault((other.unit_id, other.year), []).append(other)
    return groups


def _categories() -> dict[int, Category]:
    """Every indicator category with its 一级, read once for the whole export (a few dozen rows)."""
    return {category.pk: category for category in Category.objects.select_related("parent")}


def _for_validation(ids, categories: dict[int, Category], variants: dict[int, FormVariant]) -> list[Filing]:
    """Filings never checked since the upgrade, with everything validate_filing reads: as
    `validation.filings_for_validation`, but each indicator's category is one of `categories` rather than two
    model instances made per row."""
    filings = list(filings_for_validation(Filing.objects.filter(pk__in=ids)).prefetch_related(None)
                   .prefetch_related("tasks", "indicators"))
    for filing in filings:
        filing.variant = variants.get(filing.variant_id, filing.variant)  # one parsed layout per variant
        for row in filing.indicators.all():
            row.category = categories[row.category_id]
    return filings


def _load(ids, variants: dict[int, FormVariant], extra: bool = True) -> tuple[list[Filing], dict[int, list[tuple]]]:
    """The chunk's filings in the order of `ids`, with their unit and details (two queries whatever the chunk
    holds), and their indicator rows by filing id. Each filing's variant is one of `variants` (read once, its
    layout parsed once) rather than a copy per filing. Without `extra` (no variant has indicator fields of its
    own) the rows' `extra` is not read (nor decoded): None."""
    position = {pk: index for index, pk in enumerate(ids)}
    filings = sorted(Filing.objects.filter(pk__in=ids).select_related("unit", "department", "project"),
                     key=lambda filing: position[filing.pk])
    for filing in filings:
        filing.variant = variants[filing.variant_id]
    rows: dict[int, list[tuple]] = {}
    fields = INDICATOR_FIELDS if extra else INDICATOR_FIELDS[:-1]
    for row in Indicator.objects.filter(filing_id__in=ids).order_by().values_list(*fields):
        rows.setdefault(row[0], []).append(row if extra else (*row, None))
    return filings, rows


def write_consolidated(filings: QuerySet, target, chunk_size: int = FILING_CHUNK,
                       max_rows: int = EXCEL_MAX_ROWS, progress=None) -> ExportCounts:
    """Write the consolidated workbook of ``filings`` (already scoped and filtered) to ``target`` (a path or a
    binary file opened for writing): sheet 指标 (one row per indicator) and sheet 申报表 (one row per filing,
    with its amounts and validation state). ``progress(filings_written)`` is called after each filing."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    counts = ExportCounts()
    ids = list(filings.order_by(*ORDER).values_list("pk", flat=True))
    variants = list(FormVariant.objects.filter(pk__in=filings.values("variant_id")).order_by("kind", "code")) \
        if ids else []
    own_indicator, own_header = OwnColumns(variants, "indicator"), OwnColumns(variants, "filing")
    indicators = Sheet(workbook, "指标", INDICATOR_COLUMNS + own_indicator.columns, taken, max_rows, fast=True)
    summary = Sheet(workbook, "申报表", SUMMARY_COLUMNS + own_header.columns, taken, max_rows, fast=True)
    categories = _categories() if ids else {}
    by_scheme: dict[int, list[Category]] = {}
    for category in categories.values():
        by_scheme.setdefault(category.scheme_id, []).append(category)
    by_pk = {variant.pk: variant for variant in variants}
    names = {pk: (category.parent.name if category.parent_id else None, category.name)
             for pk, category in categories.items()}
    try:
        for chunk_ids in batched(ids, chunk_size):
            chunk, rows = _load(chunk_ids, by_pk, extra=bool(own_indicator.headers))
            unchecked = [filing.pk for filing in chunk if filing.checked_at is None]
            if unchecked:  # never checked since the upgrade: validated here, not stored
                checked = _for_validation(unchecked, categories, by_pk)
                siblings = _siblings(checked)
                for filing in checked:
                    store(filing, validate_filing(filing, by_scheme.get(filing.scheme_id, []),
                                                  siblings.get((filing.unit_id, filing.year), [])), None)
                reports = {filing.pk: filing for filing in checked}
                for filing in chunk:
                    if filing.pk in reports:
                        for name in STORED:
                            setattr(filing, name, getattr(reports[filing.pk], name))
            for filing in chunk:
                prefix = filing_prefix(filing)
                written = write_indicators(indicators, filing, prefix, own_indicator, rows.get(filing.pk, []),
                                           names)
                write_summary(summary, filing, prefix, written, own_header)
                counts.filings += 1
                counts.indicators += written
                if progress is not None:
                    progress(counts.filings)
        indicators.finish()
        summary.finish()
        for index, (sheet, _rows, _body) in enumerate(indicators.sheets):  # continuation sheets before 申报表
            workbook.move_sheet(sheet.title, index - workbook.index(sheet))
        with tempfile.TemporaryFile() as saved:
            workbook.save(saved)
            splice(saved, target, indicators.bodies() | summary.bodies())
    finally:
        for _sheet, _rows, body in indicators.sheets + summary.sheets:
            body.file.close()
    return counts

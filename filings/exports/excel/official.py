"""One filing as an .xlsx workbook in its official layout (the same variants as the printed form and the PDF).

The main sheet carries the form: merged 一级/二级 cells, borders on every cell of a merged range, wrapped text, amounts
stored as numbers in the filing's money unit with a number format, A4 print setup with the indicator header rows
repeated on every page. A second sheet (其他栏目) holds fields the variant does not print, a hidden third sheet the
format marker the importer reads. Every user value is written through ``cells.put`` (formula-like text stays text).
"""

import datetime
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from indicators.models import Category

from ...layouts.catalogue import ROW_COLUMNS
from ...models import Filing, FilingKind
from ...money import MoneyUnit, from_yuan
from ..pdf import pdf_filename
from . import spec
from .cells import put, sheet_title
from .spec import Column, FieldSpec, Group, InfoRow, Layout, Table

MONEY_FORMATS = {MoneyUnit.YUAN: "#,##0.00", MoneyUnit.WAN: "#,##0.00####"}
NUMBER_FORMATS = {"int": "0", "percent": "0.00", "date": "yyyy-mm-dd", "time": "hh:mm:ss"}
BOOL_TEXT = {True: "是", False: "否"}
FONT = "宋体"
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")
RIGHT = Alignment(vertical="center", horizontal="right")
PLAIN, BOLD = Font(name=FONT, size=10), Font(name=FONT, size=10, bold=True)
TITLE_FONT = Font(name=FONT, size=16, bold=True)
WIDTHS = {6: [16, 18, 24, 18, 16, 16], 7: [12, 14, 24, 16, 14, 24, 16]}
LINE_HEIGHT, MAX_ROW_HEIGHT = 14, 409
EXTRA_NOTE = ("以下栏目不在本表样的正式表格中（如更换表样前填写的内容），导入时一并读取；"
              "删除某一行即清空该栏目。")


def excel_filename(filing: Filing) -> str:
    return pdf_filename(filing).removesuffix(".pdf") + ".xlsx"


def workbook_bytes(filing: Filing) -> bytes:
    buffer = io.BytesIO()
    build_workbook(filing).save(buffer)
    return buffer.getvalue()


class FilingData:
    """Everything the workbook shows, read with a fixed number of queries."""

    def __init__(self, filing: Filing):
        self.filing = filing
        self.details = getattr(filing, "department" if filing.kind == FilingKind.DEPARTMENT else "project", None)
        self.categories = list(Category.objects.of_scheme(filing.scheme_id))
        self.extras: dict = {}
        self.indicators = list(filing.indicators.order_by("period", "order", "pk"))
        self.tasks = list(filing.tasks.all()) if filing.kind == FilingKind.DEPARTMENT else []
        self.functions = list(filing.functions.all()) if filing.kind == FilingKind.DEPARTMENT else []

    def value(self, field: FieldSpec):
        """A header field's value as Python (a variant's own field from ``Filing.extra``, typed)."""
        if field.owner == "extra":
            key = spec.extra_key(field.name)
            extra = self.extras.get(field.name) or spec.undeclared_extra(key, "filing")
            return extra.python((self.filing.extra or {}).get(key))
        owner = self.filing if field.owner == "filing" else self.details
        return getattr(owner, field.name) if owner is not None else field.blank

    def layout(self) -> Layout:
        variant = self.filing.variant
        periods = variant.description.indicator_periods()
        printed = [i for i in self.indicators if i.period in periods]
        columns = {key: needed_columns(key, rows) for key, rows in (
            ("indicators", printed), ("tasks", self.tasks), ("functions", self.functions))}
        tables = {key for key, rows in (("functions", self.functions), ("tasks", self.tasks)) if rows}
        totals = self.filing.kind == FilingKind.DEPARTMENT and self.details is not None and any(
            getattr(self.details, name) is not None for name in spec.TOTAL_FIELDS)
        declared = {extra.key for extra in variant.description.extras_on("filing")}
        undeclared = {key for key, value in (self.filing.extra or {}).items()
                      if key not in declared and value not in (None, "")}
        layout = spec.layout_for(self.filing.kind, variant, self.filing.money_unit, columns, tables, totals,
                                 undeclared)
        self.extras = layout.extras
        return layout


def needed_columns(key: str, rows: list) -> set[str]:
    """The columns of a table some row holds a value in: built-in ones and the variant's own (``extra.<key>``)."""
    names = [name for name in ROW_COLUMNS[key] if name != "level2"]
    needed = {name for name in names if any(getattr(row, name) not in (None, "") for row in rows)}
    needed |= {f"{spec.EXTRA_PREFIX}{k}" for row in rows
                for k, v in (getattr(row, "extra", None) or {}).items() if v not in (None, "")}
    return needed


def row_value(item, column: Column):
    """A row's value in a column as Python (a variant's own column from the row's ``extra``, typed)."""
    if item is None:
        return None
    if column.extra is not None:
        return column.extra.python((item.extra or {}).get(column.extra.key))
    return getattr(item, column.key)


def build_workbook(filing: Filing) -> Workbook:
    data = FilingData(filing)
    layout = data.layout()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(layout.title)
    writer = SheetWriter(workbook, sheet, layout.grid, filing.money_unit)
    writer.title_rows(layout, data)
    for block in layout.blocks:
        if isinstance(block, Table):
            writer.table(block, data)
        elif isinstance(block, Group):
            writer.group(block, data)
        else:
            writer.info_row(block, data)
    writer.finish(layout, data)
    extra = workbook.create_sheet(sheet_title(spec.EXTRA_SHEET, {sheet.title}))
    write_extra_sheet(workbook, extra, layout, data)
    write_meta_sheet(workbook, layout, data, sheet.title, extra.title)
    workbook.properties.title = f"{filing.year}年 {filing.title}"[:250]
    workbook.properties.creator = "预算绩效目标申报系统"
    return workbook


def cell_value(field: FieldSpec, value, money_unit: str):
    """The value as written into its cell: amounts in the money unit, 是/否, choice labels, text with \\n breaks."""
    if value is None or value == "":
        return None
    if field.kind == "money":
        return from_yuan(value, money_unit)
    if field.kind == "bool":
        return BOOL_TEXT[bool(value)] if field.nullable or value else None
    if field.kind == "choice":
        return dict(field.choices).get(value, value)
    return plain(value)


def plain(value):
    """Row text as written: line breaks as \\n (what spreadsheet programs use), blank as an empty cell."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n") or None
    return value


def number_format(kind: str, money_unit: str) -> str | None:
    return MONEY_FORMATS[money_unit] if kind == "money" else NUMBER_FORMATS.get(kind)


def text_lines(value, width: float) -> int:
    """Roughly how many lines a wrapped value takes in a cell `width` characters wide (CJK counts double)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(4.0, width * 0.95)
    lines = 0
    for paragraph in value.split("\n"):
        size = sum(2 if ord(ch) > 0x2E7F else 1 for ch in paragraph)
        lines += max(1, -(-size // int(per_line)))
    return lines


class SheetWriter:
    def __init__(self, workbook: Workbook, sheet, grid: int, money_unit: str):
        self.workbook, self.sheet, self.grid, self.money_unit = workbook, sheet, grid, money_unit
        self.row = 1
        self.widths = WIDTHS.get(grid) or [12, 14] + [16] * (grid - 2)
        self.lines: dict[int, int] = {}
        self.validations: dict[tuple, DataValidation] = {}
        self.repeat_rows: tuple[int, int] | None = None

    # --- cells

    def put(self, row: int, col: int, value, *, span: int = 1, rows: int = 1, font=PLAIN, align=WRAP,
            border: bool = True, fmt: str | None = None):
        cell = put(self.sheet.cell(row=row, column=col), value)
        if span > 1 or rows > 1:
            self.sheet.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1,
                                   end_column=col + span - 1)
        for r in range(row, row + rows):
            for c in range(col, col + span):
                target = self.sheet.cell(row=r, column=c)
                target.font, target.alignment = font, align
                if border:
                    target.border = BORDER
        if fmt and isinstance(cell.value, (int, Decimal, datetime.date, datetime.time)):
            cell.number_format = fmt
        if rows == 1:
            width = sum(self.widths[c - 1] for c in range(col, col + span))
            self.lines[row] = max(self.lines.get(row, 1), text_lines(cell.value, width))
        return cell

    def name(self, defined: str, first: str, last: str | None = None):
        target = absolute_coordinate(first) + (f":{absolute_coordinate(last)}" if last else "")
        self.workbook.defined_names[defined] = DefinedName(
            defined, attr_text=f"{quote_sheetname(self.sheet.title)}!{target}")

    def validate(self, coordinate: str, field: FieldSpec):
        if field.kind == "bool":
            key, options = ("list", "是,否"), "是,否"
        elif field.kind == "choice":
            options = ",".join(display for _, display in field.choices)
            key = ("list", options)
        elif field.kind in {"money", "int", "percent"} and field.owner != "extra":
            key, options = ("number", field.kind), None
        else:
            return
        validation = self.validations.get(key)
        if validation is None:
            if options is not None:
                validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
                validation.error = f"请从下拉列表中选择：{options.replace(',', '、')}"
            else:
                kind = "whole" if field.kind == "int" else "decimal"
                validation = DataValidation(type=kind, operator="greaterThanOrEqual", formula1="0", allow_blank=True)
                validation.error = "请填写不小于 0 的数字。"
            validation.errorTitle, validation.showErrorMessage = "填写有误", True
            self.sheet.add_data_validation(validation)
            self.validations[key] = validation
        validation.add(coordinate)

    def field_cell(self, row: int, col: int, field: FieldSpec, value, span: int = 1):
        fmt = number_format(field.kind, self.money_unit)
        align = RIGHT if field.kind in {"money", "int", "percent", "number"} else WRAP
        cell = self.put(row, col, cell_value(field, value, self.money_unit), span=span, align=align, fmt=fmt)
        self.name(field.defined_name, cell.coordinate)
        self.validate(cell.coordinate, field)
        return cell

    # --- blocks

    def title_rows(self, layout: Layout, data: FilingData):
        filing = data.filing
        self.put(1, 1, layout.title, span=self.grid, font=TITLE_FONT, align=CENTER, border=False)
        self.name("pb_title", "A1")
        self.put(2, 1, f"（{filing.year}年度）", span=self.grid, align=CENTER, border=False)
        self.name("pb_year", "A2")
        self.put(3, 1, f"填报单位（盖章）：{filing.unit.name}", span=self.grid - 2, border=False)
        self.put(3, self.grid - 1, "金额单位", align=RIGHT, border=False)
        money = self.put(3, self.grid, MoneyUnit(filing.money_unit).label, border=False)
        self.name("pb_money_unit", money.coordinate)
        validation = DataValidation(type="list", formula1='"元,万元"', allow_blank=False)
        self.sheet.add_data_validation(validation)
        validation.add(money.coordinate)
        self.row = 4

    def entries(self, row: int, first_col: int, info: InfoRow, data: FilingData):
        width = self.grid - first_col + 1
        count = len(info.entries)
        col = first_col
        for index, entry in enumerate(info.entries):
            entry_width = width // count + (width % count if index == count - 1 else 0)
            label_span = 2 if entry_width >= 5 else 1
            self.put(row, col, entry.label, span=label_span, font=BOLD)
            value_width = entry_width - label_span
            value_col = col + label_span
            for number, field in enumerate(entry.fields):
                share = value_width // len(entry.fields)
                span = share + (value_width % len(entry.fields) if number == len(entry.fields) - 1 else 0)
                self.field_cell(row, value_col, field, data.value(field), span=max(1, span))
                value_col += max(1, span)
            col += entry_width

    def info_row(self, info: InfoRow, data: FilingData):
        self.entries(self.row, 1, info, data)
        self.row += 1

    def group(self, group: Group, data: FilingData):
        self.put(self.row, 1, group.label, rows=len(group.rows), font=BOLD, align=CENTER)
        for info in group.rows:
            self.entries(self.row, 2, info, data)
            self.row += 1

    def table(self, table: Table, data: FilingData):
        spans = spread(table.columns, self.grid)
        starts = [1 + sum(spans[:index]) for index in range(len(spans))]
        caption_row = self.row
        if table.key != "indicators":
            caption_row -= 1  # the other tables' header row names them
        elif len(table.groups) > 1:
            self.put(caption_row, 1, table.caption, font=BOLD, align=CENTER)
            per_group = (len(table.columns) - 1) // len(table.groups)
            for number, caption in enumerate(table.group_captions):
                first = 1 + number * per_group + 1
                self.put(caption_row, starts[first - 1], caption, span=sum(spans[first - 1:first - 1 + per_group]),
                         font=BOLD, align=CENTER)
        else:
            self.put(caption_row, 1, table.caption, span=self.grid, font=BOLD, align=CENTER)
        header_row = caption_row + 1
        for column, start, span in zip(table.columns, starts, spans, strict=True):
            self.put(header_row, start, column.label, span=span, font=BOLD, align=CENTER)
        self.name(f"pb_table_{table.key}", f"A{header_row}", f"{get_column_letter(self.grid)}{header_row}")
        self.row = header_row + 1
        if table.key == "indicators":
            self.repeat_rows = (caption_row, header_row)
            self.indicator_rows(table, data, starts, spans)
        else:
            rows = data.functions if table.key == "functions" else data.tasks
            for item in rows:
                for column, start, span in zip(table.columns, starts, spans, strict=True):
                    self.row_cell(self.row, start, span, column, row_value(item, column))
                self.row += 1
        if table.totals:
            self.totals_row(table, data, starts, spans)
        self.row += 1  # a blank row ends every table

    def row_cell(self, row: int, start: int, span: int, column: Column, value, rows: int = 1):
        """One cell of a table row: amounts in the money unit, numbers as numbers, dates as dates, text."""
        if column.kind == "money":
            self.put(row, start, from_yuan(value, self.money_unit), span=span, align=RIGHT,
                     fmt=MONEY_FORMATS[self.money_unit])
        elif column.kind == "number":
            self.put(row, start, value, span=span, align=RIGHT)
        elif column.kind == "date":
            self.put(row, start, value, span=span, fmt=NUMBER_FORMATS["date"])
        else:
            self.put(row, start, plain(value), span=span)

    def totals_row(self, table: Table, data: FilingData, starts, spans):
        pairs = table.totals_pairs()
        if not pairs:
            return
        first_money = pairs[0][0]
        self.put(self.row, 1, table.totals_label, span=starts[first_money] - 1, font=BOLD, align=CENTER)
        for index, field in pairs:
            self.field_cell(self.row, starts[index], field, data.value(field), span=spans[index])
        self.row += 1

    def indicator_rows(self, table: Table, data: FilingData, starts, spans):
        per_group = (len(table.columns) - 1) // len(table.groups)
        by_key: dict[tuple[str, int], list] = {}
        for indicator in data.indicators:
            by_key.setdefault((indicator.period, indicator.category_id), []).append(indicator)
        for parent in (c for c in data.categories if c.parent_id is None):
            children = [c for c in data.categories if c.parent_id == parent.pk]
            if not children:
                continue
            first_row = self.row
            for child in children:
                columns = [by_key.get((period, child.pk), []) for period in table.groups]
                height = max(1, *(len(rows) for rows in columns))
                for number, rows in enumerate(columns):
                    base = 1 + number * per_group
                    self.put(self.row, starts[base], child.name, span=spans[base], rows=height, align=CENTER)
                    for offset in range(height):
                        indicator = rows[offset] if offset < len(rows) else None
                        for index in range(base + 1, base + per_group):
                            column = table.columns[index]
                            self.row_cell(self.row + offset, starts[index], spans[index], column,
                                          row_value(indicator, column))
                self.row += height
            self.put(first_row, 1, parent.name, span=spans[0], rows=self.row - first_row, align=CENTER)

    def finish(self, layout: Layout, data: FilingData):
        sheet, filing = self.sheet, data.filing
        for index, width in enumerate(self.widths[: self.grid], start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        for row, lines in self.lines.items():
            if lines > 1:
                sheet.row_dimensions[row].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 4)
        sheet.row_dimensions[1].height = 28
        print_setup(sheet, layout.landscape, header_text(f"{layout.title}（{filing.year}年度）"),
                    header_text(filing.unit.name))
        last_row = sheet.max_row
        sheet.print_area = f"A1:{get_column_letter(self.grid)}{last_row}"
        if self.repeat_rows:
            sheet.print_title_rows = f"{self.repeat_rows[0]}:{self.repeat_rows[1]}"


def print_setup(sheet, landscape: bool, header: str, footer_left: str):
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.8, bottom=0.8, header=0.3, footer=0.3)
    sheet.oddHeader.center.text = header
    sheet.oddFooter.left.text = footer_left
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def header_text(text: str) -> str:
    """Text for a page header or footer: its ``&`` codes escaped, control characters out, short enough."""
    from ...text import strip_control_characters

    return strip_control_characters(text).replace("&", "&&")[:120]


def spread(columns: list[Column], grid: int) -> list[int]:
    """How many grid columns each table column spans: one each, the spare ones to the heaviest columns first."""
    spans = [1] * len(columns)
    spare = grid - len(columns)
    order = sorted(range(len(columns)), key=lambda index: -columns[index].weight)
    index = 0
    while spare > 0 and order:
        spans[order[index % len(order)]] += 1
        spare -= 1
        index += 1
    return spans


def write_extra_sheet(workbook: Workbook, sheet, layout: Layout, data: FilingData):
    money_unit = data.filing.money_unit
    writer = SheetWriter(workbook, sheet, 2, money_unit)
    writer.widths = [36, 60]
    writer.put(1, 1, EXTRA_NOTE, span=2, border=False)
    writer.put(2, 1, "栏目", font=BOLD, align=CENTER)
    writer.put(2, 2, "内容", font=BOLD, align=CENTER)
    row = 3
    for field in layout.extra_fields():
        value = data.value(field)
        if value is None or value == "" or value is False:
            continue
        writer.put(row, 1, spec.extra_label(field, money_unit), font=BOLD)
        writer.field_cell(row, 2, field, value)
        row += 1
    writer.name("pb_table_extra", "A2", "B2")
    for index, width in enumerate(writer.widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for number, lines in writer.lines.items():
        if lines > 1:
            sheet.row_dimensions[number].height = min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 4)
    print_setup(sheet, False, header_text(spec.EXTRA_SHEET), header_text(data.filing.unit.name))


def write_meta_sheet(workbook: Workbook, layout: Layout, data: FilingData, main: str, extra: str):
    filing = data.filing
    sheet = workbook.create_sheet(sheet_title(spec.META_SHEET, {main, extra}))
    rows = [
        ("format", spec.FORMAT_MARK), ("version", spec.FORMAT_VERSION), ("kind", filing.kind),
        ("variant", filing.variant.code), ("scheme", filing.scheme.code), ("money_unit", filing.money_unit),
        ("year", filing.year), ("main_sheet", main), ("extra_sheet", extra), ("filing", filing.pk),
        ("exported_at", timezone.now().strftime("%Y-%m-%d %H:%M:%S")),
        ("note", "本工作表供系统导入时识别表样，请勿修改。"),
    ]
    for number, (key, value) in enumerate(rows, start=1):
        put(sheet.cell(row=number, column=1), key)
        put(sheet.cell(row=number, column=2), value)
    sheet.sheet_state = "hidden"

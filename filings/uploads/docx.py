"""The tables of an uploaded .docx, in the order of the document, read from the XML python-docx has parsed.

- Merged cells as Excel copies them: the text in the top-left cell, "" in the others. A horizontal merge is a cell
  with ``gridSpan``; a vertical one a column of cells with ``vMerge`` (python-docx would hand out the same cell
  again for every covered place: here each covered place is ""). ``gridBefore``/``gridAfter`` leave "" too.
- A cell's paragraphs are joined with line breaks; line breaks inside a paragraph are kept, tabs become spaces;
  deleted text of tracked changes and deleted rows are left out, inserted text is read; the prompt of an empty
  content control (“单击或点击此处输入文字。”) is not text anyone typed and is left out.
- A table inside a cell (a nested table) is an entry of its own, right after the table that holds it; the cell
  that holds it gets only its own paragraphs, so no text is read twice, and the outer table's label says that it
  holds other tables. Tables in text boxes are read once (the Word 2007 fallback copy of a text box is skipped).
"""

import io
import logging

from docx import Document
from docx.oxml.ns import qn

from ..exports.excel.container import MAX_COLUMNS, UnreadableFile
from .grids import GridBudget, SourceTable, source_table
from .safety import DAMAGED, WORD

log = logging.getLogger(__name__)

TBL, TR, TC, P, T = qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:p"), qn("w:t")
TAB, BR, CR, NO_BREAK_HYPHEN = qn("w:tab"), qn("w:br"), qn("w:cr"), qn("w:noBreakHyphen")
TBL_GRID, GRID_COL = qn("w:tblGrid"), qn("w:gridCol")
TR_PR, TC_PR, GRID_BEFORE, GRID_AFTER = qn("w:trPr"), qn("w:tcPr"), qn("w:gridBefore"), qn("w:gridAfter")
GRID_SPAN, V_MERGE, H_MERGE, DELETED, VAL = qn("w:gridSpan"), qn("w:vMerge"), qn("w:hMerge"), qn("w:del"), qn(
    "w:val")
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
SKIPPED = {TBL, FALLBACK, DELETED, qn("w:moveFrom")}  # not a cell's own text (deleted text is w:delText anyway)
SDT, SDT_PR, PLACEHOLDER_SHOWN = qn("w:sdt"), qn("w:sdtPr"), qn("w:showingPlcHdr")
# What needs the careful walk of ``read_paragraphs``; a cell without any of these is read in one pass.
SPECIAL = (*SKIPPED, SDT, qn("w:txbxContent"))
TEXT_OF = {T: lambda item: (item.text or "").replace("\t", " "), TAB: lambda item: " ", BR: lambda item: "\n",
           CR: lambda item: "\n", NO_BREAK_HYPHEN: lambda item: "-"}
TEXT_TAGS = tuple(TEXT_OF)
# Elements that only wrap rows or cells (content controls, custom XML, smart tags).
WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag")}


def document_tables(data: bytes) -> list[SourceTable]:
    try:
        body = Document(io.BytesIO(data)).element.body
    except Exception as error:  # python-docx and lxml raise many types for a damaged file; none may become a 500
        log.info("unreadable document: %s", error)
        raise UnreadableFile(DAMAGED[WORD]) from error
    if body is None:
        raise UnreadableFile(DAMAGED[WORD])
    budget, tables = GridBudget(), []
    for label, element, nested in find_tables(body):
        grid = table_grid(element, label, budget)
        size = f"{len(grid)}行×{max(map(len, grid), default=0)}列"
        holds = f"，单元格中另有{nested}个表格" if nested else ""
        table = source_table(f"{label}（{size}{holds}）", grid)
        if table:
            tables.append(table)
    return tables


def find_tables(body) -> list[tuple[str, object, int]]:
    """(label, table element, tables nested in it) for every table of the body in document order: each table is
    followed by the tables nested in it (lxml's ``iter`` walks in that order)."""
    found, labels, counters, entries = [], {}, {}, {}
    for table in body.iter(TBL):
        if next(table.iterancestors(FALLBACK), None) is not None:
            continue  # the Word 2007 copy of a text box already read from its modern form
        outer = next(table.iterancestors(TBL), None)
        counters[outer] = counters.get(outer, 0) + 1
        number = counters[outer]
        label = f"{labels[outer]}中的第{number}个嵌套表格" if outer is not None else f"第{number}个表格"
        labels[table] = label
        entries[table] = len(found)
        found.append((label, table, 0))
        if outer is not None:
            at = entries[outer]
            found[at] = (found[at][0], outer, found[at][2] + 1)
    return found


def own(element, tag: str):
    """The children of ``element`` with ``tag``, also those inside content controls and other wrappers."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in WRAPPERS:
            yield from own(child, tag)


def number(element, default: int) -> int:
    text = element.get(VAL) if element is not None else None
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def table_grid(table, label: str, budget: GridBudget) -> list[list[str]]:
    grid_columns = table.find(TBL_GRID)
    width = len(grid_columns.findall(GRID_COL)) if grid_columns is not None else 0
    rows = []
    for tr in own(table, TR):
        properties = tr.find(TR_PR)
        if properties is not None and properties.find(DELETED) is not None:
            continue  # a row deleted with tracked changes on
        before = max(number(properties.find(GRID_BEFORE) if properties is not None else None, 0), 0)
        after = max(number(properties.find(GRID_AFTER) if properties is not None else None, 0), 0)
        if before + after > MAX_COLUMNS:
            budget.check(label, 1, before + after)  # refuses: too many columns
        row = [""] * before
        for tc in own(tr, TC):
            span, continued = cell_span(tc)
            if len(row) + span > MAX_COLUMNS:
                budget.check(label, 1, len(row) + span)  # refuses: too many columns
            text = cell_text(tc)
            # A covered cell is empty in a well-formed file; text a file still has there is kept, never dropped.
            row.append(text if not continued or text else "")
            row.extend([""] * (span - 1))
        if len(row) + after > MAX_COLUMNS:
            budget.check(label, 1, len(row) + after)
        row.extend([""] * after)
        rows.append(row)
        width = max(width, len(row))
        budget.check_rows(label, len(rows), width)
    budget.check(label, len(rows), width)
    return [row + [""] * (width - len(row)) for row in rows]


def cell_span(tc) -> tuple[int, bool]:
    """How many grid columns the cell spans, and whether it continues a merge (so covers a place)."""
    span, continued = 1, False
    for properties in tc.iterchildren(TC_PR):
        for item in properties:
            if item.tag == GRID_SPAN:
                span = max(number(item, 1), 1)
            elif item.tag in (V_MERGE, H_MERGE):
                continued = continued or item.get(VAL, "continue") != "restart"
    return span, continued


def cell_text(tc) -> str:
    if next(tc.iter(*SPECIAL), None) is None:  # the usual cell: its paragraphs, read by lxml's own walk
        return "\n".join("".join(TEXT_OF[item.tag](item) for item in paragraph.iter(*TEXT_TAGS))
                         for paragraph in tc.iter(P)).strip()
    paragraphs: list[str | None] = []
    read_paragraphs(tc, paragraphs, None)
    return "\n".join(text for text in paragraphs if text is not None).strip()


def read_paragraphs(element, paragraphs: list, parts: list | None) -> None:
    """Walk a cell: every paragraph's text goes to ``paragraphs`` in document order (a text box's paragraphs after
    the paragraph that anchors it); nested tables and fallback copies are not entered."""
    for child in element:
        tag = child.tag
        if tag in SKIPPED or (tag == SDT and showing_placeholder(child)):
            continue
        if tag == P:
            place = len(paragraphs)
            paragraphs.append(None)
            own_parts: list[str] = []
            read_paragraphs(child, paragraphs, own_parts)
            paragraphs[place] = "".join(own_parts)
        elif parts is None:
            read_paragraphs(child, paragraphs, None)
        elif tag in TEXT_OF:
            parts.append(TEXT_OF[tag](child))
        else:
            read_paragraphs(child, paragraphs, parts)


def showing_placeholder(sdt) -> bool:
    """A content control still showing its prompt (“单击或点击此处输入文字。”): nothing was typed there."""
    properties = sdt.find(SDT_PR)
    return properties is not None and properties.find(PLACEHOLDER_SHOWN) is not None

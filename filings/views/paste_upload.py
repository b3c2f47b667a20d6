"""A Word (.docx) or Excel (.xlsx) file read into the paste preview of the indicator editor (htmx).

Nothing is kept on the server: the file is read on each post (filings/uploads checks it as the Excel import does:
size, zip bombs, macros, XML entities). With one table, its text fills the paste box (static/js/paste.js) and the
preview runs; with several, the user picks one (the one that looks like an indicator table is pre-selected) and the
file is posted again with the choice.
"""

import secrets

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from indicators.paste import grid_to_text

from ..access import get_filing_for_filer
from ..text import ascii_number
from ..uploads import UnreadableFile, read_tables
from .paste import TEMPLATE, Choices, refusal, render_preview

FILE_FIELD = "paste_file_{period}"
TABLE_FIELD = "paste_table"


@login_required
@require_POST
def upload(request, pk):
    filing = get_filing_for_filer(request, pk)
    period = request.POST.get("period", "")
    context = {"filing": filing, "period": period}
    if message := refusal(filing, period):
        return render(request, TEMPLATE, context | {"message": message})
    upload = request.FILES.get(FILE_FIELD.format(period=period))
    if message := file_problem(upload):
        return render(request, TEMPLATE, context | {"message": message})
    try:
        tables = read_tables(upload)
    except UnreadableFile as error:
        return render(request, TEMPLATE, context | {"message": f"无法读取“{upload.name[:100]}”：{error}"})
    if not tables:
        return render(request, TEMPLATE, context | {"message": f"“{upload.name[:100]}”中没有表格。"})
    chosen = ascii_number(request.POST.get(TABLE_FIELD, ""))
    if len(tables) > 1 and (chosen is None or not 0 <= chosen < len(tables)):
        first = next((index for index, table in enumerate(tables) if table.looks_like_indicators), 0)
        return render(request, "filings/partials/paste_tables.html", context | {
            "tables": [(index, table, preview_cells(table.grid)) for index, table in enumerate(tables)],
            "first": first, "filename": upload.name[:100], "uid": secrets.token_hex(4)})
    table = tables[chosen if len(tables) > 1 else 0]
    text = grid_to_text(table.grid)
    loaded = {"loaded_text": text, "loaded_from": table.label}
    return render_preview(request, filing, period, text, Choices.none(), extra=loaded)


def file_problem(upload) -> str:
    # Size, type and content are checked by read_tables, with the messages of the Excel import.
    return "" if upload is not None else "请先选择一个Word（.docx）或Excel（.xlsx）文件。"


def preview_cells(grid) -> str:
    """The first cells of a table, for the user to recognise it: “一级指标 | 二级指标 | 三级指标 …”."""
    cells = [str(cell).strip() for row in grid[:3] for cell in row if cell and str(cell).strip()]
    text = " | ".join(cells[:8])
    return text[:120] + ("…" if len(text) > 120 or len(cells) > 8 else "")

"""Paste import of indicator tables: the preview of rows pasted from Excel, WPS or Word (htmx).

The preview saves nothing. Its rows carry their 二级 category and texts, and the page's script adds them to the
indicator editor as new rows, next to whatever the user has typed and not saved yet; the user then saves as usual.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from indicators.hierarchy import CategoryResolver
from indicators.paste import parse_paste
from indicators.placing import resolve_categories

from ..access import get_filing_for_filer
from ..models.indicators import Period
from ..steps.shared import edits_standard, indicator_periods

TEXT_FIELD = "paste_text_{period}"  # one textarea per indicator period of the editor


@login_required
@require_POST
def preview(request, pk):
    filing = get_filing_for_filer(request, pk)
    periods = indicator_periods(filing)
    period = request.POST.get("period", "")
    with_standard = edits_standard(filing)
    context = {"filing": filing, "period": period, "with_standard": with_standard}
    if not filing.is_editable:
        context["message"] = f"这份申报表已是“{filing.get_status_display()}”，不能再粘贴指标。"
        return render(request, "filings/partials/paste_preview.html", context)
    if period not in periods:
        context["message"] = "这份申报表没有这一组绩效指标，请刷新页面后重试。"
        return render(request, "filings/partials/paste_preview.html", context)
    # The 年度 editor of a form with both sets reads the right-hand set of a 实施期/年度 side-by-side table.
    last_set = period == Period.ANNUAL and len(periods) > 1
    result = parse_paste(request.POST.get(TEXT_FIELD.format(period=period), ""),
                         with_standard=with_standard, last_set=last_set)
    if not result.problems:
        resolve_categories(result, CategoryResolver(filing.scheme))
    context |= {"result": result, "period_label": Period(period).label if len(periods) > 1 else ""}
    return render(request, "filings/partials/paste_preview.html", context)

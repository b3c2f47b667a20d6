from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from indicators.models import Category, LibraryIndicator
from indicators.values import parse_target

from ..access import get_filing_for_user, visible_filings
from ..models import Indicator
from ..text import ascii_number, strip_control_characters

KIND_LABELS = {"quantitative": "定量", "qualitative": "定性", "time": "时间", "not_applicable": "不适用", "empty": ""}


@login_required
def reading(request):
    """The parser's reading of a typed 指标值, shown beside the input as the user types."""
    text = strip_control_characters(next((value for key, value in request.GET.items() if key.endswith("value_text")),
                                         ""))
    # The 三级 name of the same row supplies a unit or operator a bare number lacks ("（≥**%）", "(万元)").
    name = next((value for key, value in request.GET.items() if key == "name" or key.endswith("-name")), "")
    target = parse_target(text[:300], name=strip_control_characters(name)[:300])
    return render(request, "filings/partials/reading.html", {"target": target, "kind": KIND_LABELS[target.kind]})


@login_required
def suggestions(request, pk):
    """Indicators to insert with one click: the library by sector and 二级, and the unit's earlier filings."""
    filing = get_filing_for_user(request, pk)
    category_id = ascii_number(request.GET.get("category", ""))
    category = None
    if category_id is not None:
        category = Category.objects.filter(pk=category_id, scheme=filing.scheme_id, parent__isnull=False).first()
    query = strip_control_characters(request.GET.get("q", "")).strip()[:50]  # PostgreSQL refuses NUL in text
    library, previous = [], []
    if category is not None:
        library = LibraryIndicator.objects.filter(category_code=category.code)
        earlier = visible_filings(request.user).filter(unit=filing.unit_id, year__lt=filing.year)
        previous = (Indicator.objects.filter(filing__in=earlier, category__code=category.code, not_applicable=False)
                    .select_related("filing").order_by("-filing__year", "order"))
        if query:
            library = library.filter(Q(name__icontains=query) | Q(example_value__icontains=query))
            previous = previous.filter(name__icontains=query)
        sector = filing.unit.sector
        library = sorted(library[:200], key=lambda item: (item.sector != sector, item.name))[:15]
        previous = list(previous[:15])
    return render(request, "filings/partials/suggestions.html", {
        "category": category, "library": library, "previous": previous, "query": query,
    })

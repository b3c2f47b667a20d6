"""The unit picker's search (filings/forms/units.py): up to 20 units of the user's scope matching what was typed."""

import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..access import visible_units
from ..forms.units import SEARCH_LIMIT, search_units
from ..models import UnitKind
from ..text import strip_control_characters

FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,60}")


@login_required
@require_safe
def unit_search(request):
    """?q= the typed text; ?for= the picker's input id (its options' ids); ?finance=1 also 财政 units."""
    query = strip_control_characters(request.GET.get("q", ""))[:100].strip()
    base_id = request.GET.get("for", "")
    base_id = base_id if FIELD_ID.fullmatch(base_id) else "unit-picker"
    units = visible_units(request.user)
    if request.GET.get("finance") != "1":
        units = units.exclude(kind=UnitKind.FINANCE)
    found = list(search_units(units, query, SEARCH_LIMIT + 1)) if query else []
    return render(request, "filings/partials/unit_options.html", {
        "query": query, "units": found[:SEARCH_LIMIT], "more": len(found) > SEARCH_LIMIT, "base_id": base_id,
    })

"""单位操作记录: the events of units rather than of a filing (deadlines set, members added or removed) and the
deletions of filings (whose own history is gone with them), for the units the user may see, newest first.

Filers see their own units' events, 审核人 and 财政 those of their unit and every unit below it (`visible_units`).
A unit asked for that the user may not see does not exist for them (404); a user without any unit has no such
page (403).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render

from ..access import visible_units
from ..forms.lists import UnitEventFilter
from ..models import EventKind, FilingEvent
from ..text import ascii_number
from .history import event_entry

PAGE_SIZE = 50
# The unit's own events (no filing), and a filing's deletion: nothing else shows that the filing was there.
UNIT_KINDS = [EventKind.DEADLINE_SET, EventKind.MEMBERSHIP_CHANGED, EventKind.DELETED]


def unit_events_of(units):
    """The events of `units` this page lists, newest first (the partial index event_unit_without_filing)."""
    return (FilingEvent.objects.filter(unit__in=units, filing__isnull=True)
            .filter(Q(filing_ref__isnull=True) | Q(kind=EventKind.DELETED))
            .select_related("actor", "unit").order_by("-created_at", "-pk"))


def _units_for(request):
    units = visible_units(request.user)
    raw = request.GET.get("unit", "")
    if raw:
        number = ascii_number(raw)
        if number is None or not units.filter(pk=number).exists():
            raise Http404("没有找到这个单位，或您无权查看。")
    elif not units.exists():
        raise PermissionDenied("您不属于任何单位，没有可以查看的单位操作记录。")
    return units


@login_required
def unit_events(request):
    units = _units_for(request)
    chooser = UnitEventFilter(request.GET, units=units,
                              kinds=[(kind.value, kind.label) for kind in UNIT_KINDS])
    page = Paginator(chooser.filter(unit_events_of(units)), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for event in page.object_list:
        entry = event_entry(event)
        entry.unit = event.unit.name
        rows.append(entry)
    return render(request, "filings/unit_events.html", {"chooser": chooser, "page": page, "rows": rows})

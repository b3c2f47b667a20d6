"""历史记录: every write to a filing (its events) and every workflow step (its transitions), newest first."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from ..access import get_filing_for_user
from ..models import EventKind, Role

PAGE_SIZE = 50
NOT_RECORDED = "（未记录）"


@dataclass
class Entry:
    at: datetime
    actor: str
    what: str
    summary: str
    fields: list[tuple[str, str, str]]
    rows: dict
    unit: str = ""
    kind: str = ""
    filing_ref: int | None = None


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _membership_fields(data: dict) -> list[tuple[str, str, str]]:
    """Whose role in the unit changed, as old → new: added from nothing, removed to nothing (an edit in the admin
    records only the role after it)."""
    role = Role(data["role"]).label if data.get("role") in Role.values else str(data.get("role", ""))
    change = str(data.get("change", ""))
    old, new = ("", role) if change == "添加" else (role, "") if change == "删除" else (NOT_RECORDED, role)
    return [(f"{data.get('user', '')} 的角色", old, new)]


def event_entry(event) -> Entry:
    """One `FilingEvent` as a row of a history: who, when, what, and each value from old to new, in Chinese."""
    data = event.data if isinstance(event.data, dict) else {}
    fields = [(label, *values) for label, values in data.get("fields", {}).items()
              if isinstance(values, list | tuple) and len(values) == 2]
    if "scheme" in data:
        fields.append(("指标体系", *data["scheme"]))
    if event.kind == EventKind.MEMBERSHIP_CHANGED:
        fields += _membership_fields(data)
    rows = {key: count for key, count in data.get("rows", {}).items() if count}
    return Entry(event.created_at, _name(event.actor), event.get_kind_display(), event.summary, fields, rows,
                 kind=event.kind, filing_ref=event.filing_ref)


def entries(filing) -> list[Entry]:
    items = [event_entry(event) for event in filing.events.select_related("actor")]
    for transition in filing.transitions.select_related("actor"):
        summary = f"{transition.get_from_status_display()} → {transition.get_to_status_display()}"
        if transition.comment:
            summary += f"；意见：{transition.comment}"
        items.append(Entry(transition.created_at, _name(transition.actor), transition.get_action_display(), summary,
                           [], {}))
    return sorted(items, key=lambda entry: entry.at, reverse=True)


@login_required
def history(request, pk):
    filing = get_filing_for_user(request, pk)
    page = Paginator(entries(filing), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "filings/history.html", {"filing": filing, "page": page})

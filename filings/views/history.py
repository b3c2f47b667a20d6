"""历史记录: every write to a filing (its events) and every workflow step (its transitions), newest first."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from ..access import get_filing_for_user

PAGE_SIZE = 50


@dataclass
class Entry:
    at: datetime
    actor: str
    what: str
    summary: str
    fields: list[tuple[str, str, str]]
    rows: dict


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def entries(filing) -> list[Entry]:
    items = []
    for event in filing.events.select_related("actor"):
        fields = [(label, *values) for label, values in event.data.get("fields", {}).items()]
        if "scheme" in event.data:
            fields.append(("指标体系", *event.data["scheme"]))
        rows = {key: count for key, count in event.data.get("rows", {}).items() if count}
        items.append(Entry(event.created_at, _name(event.actor), event.get_kind_display(), event.summary, fields,
                           rows))
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

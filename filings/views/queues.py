"""工作台 (each role's work lists) and 年度概览 (a supervisor's view of a year against its deadline)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from .. import queues
from ..access import Scope, deadline_regions
from ..forms.lists import DeadlineForm, QueueFilter, YearForm
from ..models import FilingStatus
from ..paging import in_order
from ..services import set_deadline

PER_PAGE = 50
TABS = [
    ("review", "待审核", queues.to_review, "没有等待您审核的申报表。"),
    ("returned", "被退回", queues.returned, "没有被退回、尚待修改的申报表。"),
    ("reviewed", "已审核", queues.reviewed, "您还没有审核过申报表。"),
]


def _tab(request, scope) -> str:
    keys = [key for key, *_ in TABS]
    default = "review" if scope.supervises else "returned"
    return request.GET.get("tab") if request.GET.get("tab") in keys else default


@login_required
def queue(request):
    scope = Scope.of(request.user)
    current = _tab(request, scope)
    chooser = QueueFilter(request.GET, scope=scope)
    filters = chooser.filters()
    lists = {key: fetch(request.user, filters, scope) for key, _label, fetch, _empty in TABS}
    # The page is sorted on the ids alone, then only its rows are read (paging.in_order).
    page = Paginator(lists[current].values_list("pk", flat=True), PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = in_order(lists[current], list(page.object_list))
    tabs = [{"key": key, "label": label, "active": key == current, "empty": empty,
             "count": page.paginator.count if key == current else lists[key].count()}
            for key, label, _fetch, empty in TABS]
    return render(request, "filings/queue.html", {
        "chooser": chooser, "tabs": tabs, "tab": next(t for t in tabs if t["active"]), "page": page,
        "rows": queues.mark_rows(page.object_list, scope),
        # the batch and export forms carry the chosen unit's id (also when it was typed), else what was sent
        "chosen_unit": filters.unit.pk if filters.unit else request.GET.get("unit", ""),
    })


def _supervisor_scope(request) -> Scope:
    scope = Scope.of(request.user)
    if not scope.supervises:
        raise PermissionDenied("只有主管部门审核人和财政部门可以查看年度概览。")
    return scope


def _chosen_year(request, scope) -> int:
    chooser = YearForm(request.GET)
    if chooser.is_valid() and chooser.cleaned_data["year"]:
        return chooser.cleaned_data["year"]
    return queues.latest_year(scope)


def _deadline_form(regions, report):
    """An empty form setting a region's deadline, for 财政 members only (None for others)."""
    allowed = list(regions)
    if not allowed:
        return None
    current = next((r.deadline for r in report.regions if r.deadline and r.region in allowed), None)
    region = current.region if current else allowed[0]
    return DeadlineForm(regions=regions, initial={"region": region, "year": report.year,
                                                  "due_on": current.due_on if current else None})


def _chosen_node(request, scope):
    """The unit chosen with ?unit= (None: the user's scope root); 404 for one outside the scope, or no unit at all."""
    if not request.GET.get("unit"):
        return None
    node = queues.find_node(scope, request.GET["unit"])
    if node is None:
        raise Http404("没有找到这个单位，或您无权查看。")
    return node


def _render_overview(request, report, form):
    node = f"&unit={report.node.pk}" if report.node is not None else ""
    return render(request, "filings/overview.html", {
        "chooser": YearForm(initial={"year": report.year}), "year": report.year, "overview": report,
        "states": [FilingStatus(status).label for status in queues.OVERVIEW_STATES], "deadline_form": form,
        "node_query": node,
    })


def _set_deadline(request, scope, year, regions, node):
    if not regions.exists():
        raise PermissionDenied("只有财政部门可以设置申报截止日期。")
    form = DeadlineForm(request.POST, regions=regions)
    if not form.is_valid():
        return _render_overview(request, queues.year_overview(request.user, year, scope, node=node), form)
    data = form.cleaned_data
    deadline = set_deadline(data["region"], data["year"], data["due_on"], user=request.user)
    messages.success(request, f"已将{deadline.region.name} {deadline.year} 年度的申报截止日期设为 "
                              f"{deadline.due_on:%Y-%m-%d}。")
    back = f"&unit={node.pk}" if node is not None else ""
    return redirect(f"{reverse('filings:overview')}?year={deadline.year}{back}")


@login_required
def overview(request):
    """年度概览 of one level of the unit tree (?unit=, by default the user's scope root) and its children."""
    scope = _supervisor_scope(request)
    year = _chosen_year(request, scope)
    node = _chosen_node(request, scope)
    regions = deadline_regions(request.user)
    if request.method == "POST":
        return _set_deadline(request, scope, year, regions, node)
    report = queues.year_overview(request.user, year, scope, node=node)
    return _render_overview(request, report, _deadline_form(regions, report))

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..access import filer_units, get_filing_for_filer, get_filing_for_user, visible_filings
from ..errors import FilingWriteRefused
from ..forms.filings import NewProjectForm
from ..forms.lists import ListFilter
from ..forms.once import posted_request_key
from ..models import Filing, FilingKind, Novelty
from ..services import copy_filing, create_project_filing, delete_draft, deleted_by

PER_PAGE = 50


def _selection(request):
    """The unit and year the list shows: as chosen, else the user's own unit and the latest year it files."""
    chooser = ListFilter(request.GET or None, user=request.user)
    unit = year = None
    if chooser.is_valid():
        unit, year = chooser.cleaned_data["unit"], chooser.cleaned_data["year"]
    if unit is None:
        units = chooser.fields["unit"].units.order_by("path")
        with_projects = units.filter(Exists(Filing.objects.projects().filter(unit=OuterRef("pk"))))
        unit = filer_units(request.user).order_by("path").first() or with_projects.first() or units.first()
    if year is None:
        latest = visible_filings(request.user).filter(unit=unit).aggregate(latest=Max("year"))["latest"]
        year = latest or timezone.localdate().year + 1
    if unit is not None and not chooser.is_bound:
        chooser = ListFilter(initial={"unit": unit, "year": year}, user=request.user)
    return chooser, unit, year


@login_required
def project_list(request):
    chooser, unit, year = _selection(request)
    if request.method == "POST" and chooser.is_bound and "unit" in chooser.errors:
        # A new project for a unit the user may not see: refused, never made in another unit instead.
        raise PermissionDenied("您不能在这个单位新建项目。")
    # The stored validation result (filings/checked.py): nothing is validated here.
    projects = (visible_filings(request.user).projects().filter(unit=unit, year=year)
                .select_related("project", "unit", "variant").order_by("position", "pk"))
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    may_file = unit is not None and filer_units(request.user).filter(pk=unit.pk).exists()
    copied = set(Filing.objects.projects().filter(unit=unit, year=year).values_list("copied_from", flat=True))
    last_year = (visible_filings(request.user).projects().filter(unit=unit, year=year - 1)
                 .select_related("project").order_by("position", "pk"))
    form = NewProjectForm(request.POST or None, initial={"year": year}) if may_file else None
    if request.method == "POST" and form is None:
        raise PermissionDenied("只有本单位的填报人可以新建项目。")
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        filing = create_project_filing(unit, data["year"], data["variant"], data["name"], request.user,
                                       request_key=data["request_key"])
        messages.success(request, f"已新建项目“{filing.project.name}”。")
        return redirect("filings:tasks", pk=filing.pk)
    rows = [(filing, may_file and filing.is_editable) for filing in page.object_list]
    return render(request, "filings/projects.html", {
        "chooser": chooser, "unit": unit, "year": year, "rows": rows, "page": page, "form": form,
        "may_file": may_file,
        "continuing": [f for f in last_year if f.pk not in copied], "novelty_continuing": Novelty.CONTINUING,
    })


def _back_to_list(filing):
    return redirect(f"{reverse('filings:projects')}?unit={filing.unit_id}&year={filing.year}")


@login_required
@require_POST
def duplicate(request, pk):
    source = get_filing_for_user(request, pk)
    if source.kind != FilingKind.PROJECT:
        messages.error(request, "只有项目支出申报表可以复制为新项目；部门整体支出申报表请在“我的申报”中复制为新年度。")
        return redirect("home")
    if not filer_units(request.user).filter(pk=source.unit_id).exists():
        messages.error(request, "只有本单位的填报人可以复制项目。")
        return _back_to_list(source)
    year = source.year if "same_year" in request.POST else source.year + 1
    filing = copy_filing(source, year, request.user, keep_amounts="keep_amounts" in request.POST,
                         request_key=posted_request_key(request))
    messages.success(request, f"已复制为“{filing.project.name}”（{year} 年度），请逐步核对。")
    return redirect("filings:tasks", pk=filing.pk)


@login_required
def delete(request, pk):
    if request.method == "POST" and deleted_by(request.user, pk):
        messages.info(request, "这份申报表已经删除。")
        return redirect("home")
    filing = get_filing_for_filer(request, pk)
    if not filing.is_editable:
        messages.error(request, f"这份申报表已是“{filing.get_status_display()}”，不能删除；只能删除从未提交过的草稿。")
        return redirect("filings:tasks", pk=pk)
    if request.method == "POST":
        try:
            delete_draft(filing, user=request.user)
        except FilingWriteRefused as error:
            if error.code == FilingWriteRefused.GONE and deleted_by(request.user, pk):
                messages.info(request, "这份申报表已经删除。")
                return redirect("home")
            messages.error(request, error.message)
            return redirect("filings:tasks", pk=pk)
        messages.success(request, f"已删除“{filing.title}”。")
        return _back_to_list(filing) if filing.kind == FilingKind.PROJECT else redirect("home")
    return render(request, "filings/delete.html", {"filing": filing})

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import Scope, filer_units, get_filing_for_user
from ..errors import FilingWriteRefused
from ..forms.filings import CopyFilingForm, NewDepartmentFilingForm
from ..forms.lists import QueueFilter
from ..forms.once import posted_request_key
from ..models import Filing
from ..paging import window
from ..services import copy_filing, create_department_filing

PER_PAGE = 50
ORDER = ("-year", "unit__path", "kind", "position", "pk")
# The newest first, walking the primary key backwards: sorting a province's 54,000 filings by year cost 100+ ms.
SUPERVISED_ORDER = ("-pk",)


def _own_filings(user):
    """The user's own work: the filings of the units they file for, the newest year first."""
    return Filing.objects.filter(unit__in=filer_units(user)).select_related("unit", "project").order_by(*ORDER)


def _supervised(request, scope):
    """辖区申报表: a supervisor's visible filings, filtered like the 工作台, a page at a time and never counted."""
    chooser = QueueFilter(request.GET, scope=scope, auto_id="scope_%s")
    filings = chooser.filters().apply(scope.filings()).order_by(*SUPERVISED_ORDER)
    return chooser, window(filings, request.GET.get("spage"), PER_PAGE, param="spage")


@login_required
def home(request):
    scope = Scope.of(request.user)
    form = NewDepartmentFilingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filing = create_department_filing(data["unit"], data["year"], data["variant"], request.user,
                                              request_key=data["request_key"])
        except FilingWriteRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已新建 {filing}。")
            return redirect("filings:tasks", pk=filing.pk)
    own = window(_own_filings(request.user), request.GET.get("page"), PER_PAGE)
    chooser, supervised = _supervised(request, scope) if scope.supervises else (None, None)
    return render(request, "filings/home.html", {
        "own": own, "form": form, "can_file": bool(own.object_list) or filer_units(request.user).exists(),
        "supervises": scope.supervises, "chooser": chooser, "supervised": supervised,
    })


@login_required
@require_POST
def copy(request, pk):
    source = get_filing_for_user(request, pk)
    form = CopyFilingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写正确的年度。")
        return redirect("home")
    year = form.cleaned_data["year"]
    if not filer_units(request.user).filter(pk=source.unit_id).exists():
        messages.error(request, "只有本单位的填报人可以复制这份申报表。")
        return redirect("home")
    try:
        filing = copy_filing(source, year, request.user, form.cleaned_data["keep_amounts"],
                             request_key=posted_request_key(request))
    except FilingWriteRefused as error:
        messages.error(request, error.message)
        return redirect("home")
    messages.success(request, f"已从 {source.year} 年度复制出 {filing}，请逐步核对后提交。")
    return redirect("filings:tasks", pk=filing.pk)

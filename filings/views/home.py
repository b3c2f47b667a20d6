from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..access import filer_units, get_filing_for_user, visible_filings
from ..errors import FilingWriteRefused
from ..forms.once import RequestKeyField, posted_request_key
from ..models import Filing, FilingKind, FormVariant
from ..services import copy_filing, create_department_filing, earlier_result


class NewDepartmentFilingForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label="填报单位", empty_label="请选择")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    variant = forms.ModelChoiceField(queryset=FormVariant.objects.filter(kind=FilingKind.DEPARTMENT), label="表样",
                                     empty_label="请选择")
    request_key = RequestKeyField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = units = filer_units(user)
        if len(units) == 1:
            self.fields["unit"].initial = units[0]
        self.fields["year"].initial = timezone.localdate().year + 1

    def clean(self):
        cleaned = super().clean()
        unit, year = cleaned.get("unit"), cleaned.get("year")
        if earlier_result(self.user, cleaned.get("request_key", "")):
            return cleaned  # a second click: the view shows the filing the first one made
        if unit and year and Filing.objects.departments().filter(unit=unit, year=year).exists():
            raise forms.ValidationError(
                f"{unit.name}已有 {year} 年度的部门整体支出绩效目标申报表，请在左侧列表中打开它。"
            )
        return cleaned


class CopyFilingForm(forms.Form):
    year = forms.IntegerField(label="新年度", min_value=2000, max_value=2100)
    keep_amounts = forms.BooleanField(label="保留金额", required=False,
                                      help_text="不勾选时，预算金额和任务金额留空，按新年度重新填写。")


@login_required
def home(request):
    filings = (visible_filings(request.user).select_related("unit", "project", "variant")
               .order_by("-year", "unit__path", "kind", "position", "pk"))
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
    return render(request, "filings/home.html", {
        "filings": filings, "form": form, "can_file": filer_units(request.user).exists(),
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

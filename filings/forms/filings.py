"""Forms that start filings: a new 部门整体 filing, a copy for a new year, a new project."""

from django import forms
from django.utils import timezone

from ..access import filer_units
from ..models import FilingKind, FormVariant, ProjectDetails
from .once import RequestKeyField


class NewDepartmentFilingForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label="填报单位", empty_label="请选择")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    variant = forms.ModelChoiceField(queryset=FormVariant.objects.filter(kind=FilingKind.DEPARTMENT), label="表样",
                                     empty_label="请选择")
    request_key = RequestKeyField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units = filer_units(user)
        if len(units) == 1:
            self.fields["unit"].initial = units[0]
        self.fields["year"].initial = timezone.localdate().year + 1


class CopyFilingForm(forms.Form):
    year = forms.IntegerField(label="新年度", min_value=2000, max_value=2100)
    keep_amounts = forms.BooleanField(label="保留金额", required=False,
                                      help_text="不勾选时，预算金额和任务金额留空，按新年度重新填写。")


class NewProjectForm(forms.Form):
    name = ProjectDetails._meta.get_field("name").formfield()  # one line, at most as long as the model allows
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    variant = forms.ModelChoiceField(queryset=FormVariant.objects.filter(kind=FilingKind.PROJECT), label="表样",
                                     empty_label="请选择")
    request_key = RequestKeyField()

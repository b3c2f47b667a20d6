"""Choosers of the lists: the project list, the 工作台 filters, the overview year and the deadline form."""


from django import forms

from perfbudget.date_range import DateRangeForm

from .. import queues
from ..access import visible_units
from ..models import FilingKind, FilingStatus, UnitKind
from .units import UnitPickerField

ANY = [("", "全部")]


class ListFilter(forms.Form):
    unit = UnitPickerField(label="单位")
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].units = visible_units(user).exclude(kind=UnitKind.FINANCE)


class QueueFilter(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    unit = UnitPickerField(label="单位（含下级）")
    kind = forms.ChoiceField(label="类型", choices=ANY + FilingKind.choices, required=False)
    status = forms.ChoiceField(label="状态", choices=ANY + FilingStatus.choices, required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].units = scope.units.exclude(kind=UnitKind.FINANCE)
        self.fields["year"].choices = ANY + [(year, f"{year} 年度") for year in queues.filing_years(scope)]

    def filters(self) -> queues.Filters:
        """What was chosen; a choice outside the user's scope is shown as an error and ignored."""
        self.is_valid()
        data = self.cleaned_data
        return queues.Filters(year=data.get("year"), unit=data.get("unit"), kind=data.get("kind") or "",
                              status=data.get("status") or "")


class YearForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)


class DeadlineForm(forms.Form):
    region = forms.ModelChoiceField(queryset=None, label="财政部门", empty_label=None)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    due_on = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, regions, **kwargs):
        super().__init__(*args, auto_id="deadline_%s", **kwargs)  # the year chooser on the same page has id_year
        self.fields["region"].queryset = regions


class UnitEventFilter(DateRangeForm):
    """单位操作记录: which unit (with the units below it), which kind of event, from and to which day."""

    field_order = ["unit", "kind", "date_from", "date_to"]

    unit = UnitPickerField(label="单位（含下级）", include_finance=True)
    kind = forms.ChoiceField(label="操作", required=False)

    def __init__(self, *args, units, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].units = units
        self.fields["kind"].choices = ANY + list(kinds)

    def filter(self, events):
        """The events matching what was chosen; a field with an error is shown with its message and ignored."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("unit"):
            events = events.filter(unit__path__startswith=data["unit"].path)
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        events = self.within_dates(events, "created_at")
        return events

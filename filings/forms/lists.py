"""Choosers of the lists: the project list, the 工作台 filters, the overview year and the deadline form."""

import datetime

from django import forms
from django.utils import timezone

from .. import queues
from ..access import visible_units
from ..models import FilingKind, FilingStatus, UnitKind

ANY = [("", "全部")]


class ListFilter(forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label="单位", empty_label="请选择", required=False)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user).exclude(kind="finance")


class QueueFilter(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    unit = forms.ModelChoiceField(queryset=None, label="单位（含下级）", required=False, empty_label="全部")
    kind = forms.ChoiceField(label="类型", choices=ANY + FilingKind.choices, required=False)
    status = forms.ChoiceField(label="状态", choices=ANY + FilingStatus.choices, required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = scope.units.exclude(kind=UnitKind.FINANCE).order_by("path")
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


def local_day_start(day: datetime.date, days_later: int = 0) -> datetime.datetime:
    """Midnight of a day (in TIME_ZONE, 北京时间): date ranges filter on the indexed time column itself."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=days_later), datetime.time()))


class UnitEventFilter(forms.Form):
    """单位操作记录: which unit (with the units below it), which kind of event, from and to which day."""

    unit = forms.ModelChoiceField(queryset=None, label="单位（含下级）", required=False, empty_label="全部")
    kind = forms.ChoiceField(label="操作", required=False)
    date_from = forms.DateField(label="起始日期", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label="截止日期", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, units, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.order_by("path")
        self.fields["kind"].choices = ANY + list(kinds)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return cleaned

    def filter(self, events):
        """The events matching what was chosen; a field with an error is shown with its message and ignored."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("unit"):
            events = events.filter(unit__path__startswith=data["unit"].path)
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("date_from"):
            events = events.filter(created_at__gte=local_day_start(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(created_at__lt=local_day_start(data["date_to"], days_later=1))
        return events

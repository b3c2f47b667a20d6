"""A form's 起始日期–截止日期 pair, filtering a list on its indexed time column (the login log, 单位操作记录)."""

import datetime

from django import forms
from django.utils import timezone

# Days outside this range are no date anyone filters by, and the day after 9999-12-31 does not exist.
EARLIEST, LATEST = datetime.date(1990, 1, 1), datetime.date(2200, 12, 31)


def local_day_start(day: datetime.date, days_later: int = 0) -> datetime.datetime:
    """Midnight of a day (in TIME_ZONE, 北京时间): date ranges filter on the indexed time column itself."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=days_later), datetime.time()))


class DateRangeForm(forms.Form):
    date_from = forms.DateField(label="起始日期", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label="截止日期", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, f"请填写 {EARLIEST.year} 年至 {LATEST.year} 年之间的日期。")
                cleaned.pop(name, None)
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return cleaned

    def within_dates(self, rows, column: str):
        """``rows`` from the chosen day's start to the end of the chosen last day (cleaned data must exist)."""
        data = self.cleaned_data
        if data.get("date_from"):
            rows = rows.filter(**{f"{column}__gte": local_day_start(data["date_from"])})
        if data.get("date_to"):
            rows = rows.filter(**{f"{column}__lt": local_day_start(data["date_to"], days_later=1)})
        return rows

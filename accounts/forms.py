import datetime

from django import forms
from django.utils import timezone

from .models import LoginEventKind

ANY = [("", "全部")]


def local_day_start(day: datetime.date, days_later: int = 0) -> datetime.datetime:
    """Midnight of a day (in TIME_ZONE, 北京时间): date ranges filter on the indexed time column itself."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=days_later), datetime.time()))


class LoginLogFilter(forms.Form):
    username = forms.CharField(label="用户名（开头匹配）", max_length=150, required=False)
    kind = forms.ChoiceField(label="事件", choices=ANY + LoginEventKind.choices, required=False)
    date_from = forms.DateField(label="起始日期", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label="截止日期", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ip_address = forms.GenericIPAddressField(label="IP 地址", required=False)

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
        if data.get("username"):
            events = events.filter(username__startswith=data["username"])
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        if data.get("date_from"):
            events = events.filter(time__gte=local_day_start(data["date_from"]))
        if data.get("date_to"):
            events = events.filter(time__lt=local_day_start(data["date_to"], days_later=1))
        if data.get("ip_address"):
            events = events.filter(ip_address=data["ip_address"])
        return events


from django import forms

from perfbudget.date_range import DateRangeForm

from .models import LoginEventKind

ANY = [("", "全部")]


class LoginLogFilter(DateRangeForm):
    field_order = ["username", "kind", "date_from", "date_to", "ip_address"]
    username = forms.CharField(label="用户名（开头匹配）", max_length=150, required=False)
    kind = forms.ChoiceField(label="事件", choices=ANY + LoginEventKind.choices, required=False)
    ip_address = forms.GenericIPAddressField(label="IP 地址", required=False)

    def filter(self, events):
        """The events matching what was chosen; a field with an error is shown with its message and ignored."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("username"):
            events = events.filter(username__startswith=data["username"])
        if data.get("kind"):
            events = events.filter(kind=data["kind"])
        events = self.within_dates(events, "time")
        if data.get("ip_address"):
            events = events.filter(ip_address=data["ip_address"])
        return events

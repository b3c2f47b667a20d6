"""The lockout page, the login log for 财政 administrators (list and CSV export) and the password change page."""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header

from filings.access import can_see_login_log, login_log_users

from . import middleware
from .forms import LoginLogFilter
from .models import AccountState, LoginEvent

PER_PAGE = 50
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def lockout_minutes() -> int | None:
    cool_off = settings.AXES_COOLOFF_TIME
    return int(cool_off.total_seconds() // 60) if cool_off else None


def locked_out(request, original_response=None, credentials=None):
    """What axes answers once an account or an address is locked (AXES_LOCKOUT_CALLABLE)."""
    return render(request, "accounts/lockout.html", {
        "minutes": lockout_minutes(), "failure_limit": settings.AXES_FAILURE_LIMIT,
    }, status=settings.AXES_HTTP_RESPONSE_CODE)


def visible_events(user):
    events = LoginEvent.objects.select_related("user")
    users = login_log_users(user)
    return events if users is None else events.filter(user_id__in=users)


def _events_for(request):
    if not can_see_login_log(request.user):
        raise PermissionDenied("登录日志仅供财政部门的管理员查看。")
    chooser = LoginLogFilter(request.GET)
    return chooser, chooser.filter(visible_events(request.user))


@login_required
def login_log(request):
    chooser, events = _events_for(request)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/login_log.html", {"chooser": chooser, "page": page})


def csv_cell(value) -> str:
    """Text as text in Excel/WPS: a cell starting like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class Echo:
    def write(self, value):
        return value


def csv_rows(events):
    writer = csv.writer(Echo())
    yield "\ufeff"  # UTF-8 BOM: Excel and WPS then read the Chinese text correctly
    yield writer.writerow(["时间", "事件", "用户名", "姓名", "IP 地址", "浏览器", "说明"])
    for event in events.iterator(chunk_size=2000):
        yield writer.writerow([csv_cell(cell) for cell in (
            timezone.localtime(event.time).strftime("%Y-%m-%d %H:%M:%S"), event.get_kind_display(), event.username,
            event.user.get_full_name() if event.user else "", event.ip_address or "", event.user_agent, event.detail,
        )])


@login_required
def login_log_export(request):
    _chooser, events = _events_for(request)
    response = StreamingHttpResponse(csv_rows(events), content_type="text/csv; charset=utf-8")
    filename = f"登录日志-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, in the app's page; it also ends a required first-login change."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **kwargs, required=bool(self.request.session.get(middleware.MUST_CHANGE_PASSWORD)))

    def form_valid(self, form):
        response = super().form_valid(form)
        AccountState.objects.filter(user=self.request.user).update(must_change_password=False)
        self.request.session.pop(middleware.MUST_CHANGE_PASSWORD, None)
        messages.success(self.request, "密码已修改。")
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"

"""Session rules of 等保2.0: sign out after a time without activity or after a maximum time since login
(连接超时自动退出), and no other page before a required change of password."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .models import AccountState

STARTED = "accounts_started_at"  # seconds since the epoch, set at login
SEEN = "accounts_seen_at"  # last activity, refreshed at most every ACTIVITY_RESOLUTION seconds
MUST_CHANGE_PASSWORD = "accounts_must_change_password"
ACTIVITY_RESOLUTION = 60  # seconds: the session is written at most once a minute for activity alone

IDLE_MESSAGE = "长时间未操作，已自动退出，请重新登录。"
LIFETIME_MESSAGE = "本次登录时间已达上限，已自动退出，请重新登录。"


def start_session(request, user) -> None:
    """Called at every login (the session key has just been rotated by Django's login())."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session[STARTED] = session[SEEN] = int(time.time())
    if AccountState.objects.filter(user=user, must_change_password=True).exists():
        session[MUST_CHANGE_PASSWORD] = True
    else:
        session.pop(MUST_CHANGE_PASSWORD, None)


def expiry(session, now: float) -> tuple[str, str] | None:
    """(message for the user, reason for the log) when the session is over, else None."""
    seen, started = session.get(SEEN), session.get(STARTED)
    if seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT:
        return IDLE_MESSAGE, "长时间未操作，自动退出"
    if started is not None and now - started > settings.SESSION_ABSOLUTE_LIFETIME:
        return LIFETIME_MESSAGE, "超过最长登录时间，自动退出"
    return None


def to_page(request, url: str):
    """A redirect the browser follows: htmx requests get HX-Redirect instead of a page inside a fragment."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


def login_url_after(request) -> str:
    url = reverse(settings.LOGIN_URL)
    htmx = getattr(request, "htmx", None)
    if htmx:
        back = htmx.current_url_abs_path
    else:
        back = request.get_full_path() if request.method == "GET" else None
    return f"{url}?{urlencode({'next': back})}" if back else url


class SessionTimeoutMiddleware:
    """Logs out a session idle longer than SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_LIFETIME."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session, now = request.session, time.time()
            ended = expiry(session, now)
            if ended is not None:
                message, reason = ended
                request.logout_reason = reason
                logout(request)
                messages.warning(request, message)
                return to_page(request, login_url_after(request))
            if session.get(STARTED) is None:  # a session from before this rule: its clock starts now
                session[STARTED] = int(now)
            # A page refreshing itself (the 下载任务 progress poll sends X-Passive-Poll) is not the user's activity:
            # an open page must not keep an idle session signed in for good.
            passive = bool(request.headers.get("X-Passive-Poll"))
            if session.get(SEEN) is None or (not passive and now - session[SEEN] >= ACTIVITY_RESOLUTION):
                session[SEEN] = int(now)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user who must change their password sees only the password change page (and may sign out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get(MUST_CHANGE_PASSWORD):
            allowed = {reverse("password_change"), reverse("password_change_done"), reverse("logout")}
            if request.path not in allowed and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
                return to_page(request, reverse("password_change"))
        return self.get_response(request)

"""The login log, written from Django's auth signals and axes' lockout signal; the session clock starts at login."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Sum
from django.dispatch import receiver

from . import middleware
from .models import USER_AGENT_LENGTH, USERNAME_LENGTH, LoginEvent, LoginEventKind
from .network import client_ip


def printable(text, length: int) -> str:
    """What a client sent, without control characters (NUL breaks PostgreSQL), cut to the column's length."""
    return "".join(ch for ch in str(text or "") if ch.isprintable())[:length]


def record(request, kind, *, user=None, username="", detail="") -> LoginEvent:
    meta = getattr(request, "META", {}) if request is not None else {}
    return LoginEvent.objects.create(
        kind=kind,
        user=user,
        username=printable(username or (user.get_username() if user else ""), USERNAME_LENGTH),
        ip_address=client_ip(request) if request is not None else None,
        user_agent=printable(meta.get("HTTP_USER_AGENT", ""), USER_AGENT_LENGTH),
        detail=detail,
    )


def account_named(username):
    User = get_user_model()
    username = printable(username, USERNAME_LENGTH)
    if not username:
        return None
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def on_logged_in(sender, request, user, **kwargs):
    record(request, LoginEventKind.SUCCESS, user=user)
    middleware.start_session(request, user)


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(request, LoginEventKind.LOGOUT, user=user, detail=getattr(request, "logout_reason", ""))


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # axes' receiver (connected first: axes comes before accounts in INSTALLED_APPS) has counted this failure.
    username = credentials.get(get_user_model().USERNAME_FIELD, "")
    failures = getattr(request, "axes_failures_since_start", None) or 0
    refused = request is not None and failures > get_failure_limit(request, credentials)
    record(request, LoginEventKind.FAILURE, user=account_named(username), username=username,
           detail="已锁定，拒绝登录" if refused else "")


LOCKED_WHAT = {"username": "该账户", "ip_address": "该地址"}


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    """One 锁定 event when the account's or the address's failures reach the limit; axes sends the signal again at
    every refused attempt during the lock, and those are logged as failures only."""
    credentials = getattr(request, "axes_credentials", None)
    limit = get_failure_limit(request, credentials)
    handler = AxesProxyHandler.get_implementation()
    counts = zip(settings.AXES_LOCKOUT_PARAMETERS, handler.get_user_attempts(request, credentials), strict=False)
    for parameter, attempts in counts:
        failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if failures == limit and parameter in LOCKED_WHAT:
            record(request, LoginEventKind.LOCKOUT, user=account_named(username), username=username or "",
                   detail=f"{LOCKED_WHAT[parameter]}连续登录失败 {failures} 次，已锁定")

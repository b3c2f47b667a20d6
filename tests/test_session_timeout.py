"""连接超时自动退出 (等保2.0): a session ends after 60 minutes without activity (sliding) and 12 hours after login;
the user lands on the login page with a Chinese message, htmx requests are sent there too; every login gets a new
session key."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from accounts import middleware
from accounts.models import LoginEvent, LoginEventKind

from .personas import sign_in as login

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def zyy(client, demo):
    login(client, "cs_zyy")
    return client


def idle() -> int:
    return settings.SESSION_IDLE_TIMEOUT


def shift(client, key, seconds):
    """Move a stored session timestamp into the past, as if that much time had gone by."""
    session = client.session
    session[key] -= seconds
    session.save()


def test_an_idle_session_expires_and_the_user_is_asked_to_sign_in_again(zyy):
    shift(zyy, middleware.SEEN, idle() + 60)
    response = zyy.get(reverse("filings:queue"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={quote(reverse('filings:queue'), safe='')}"
    assert SESSION_KEY not in zyy.session
    login_page = zyy.get(response["Location"])
    assert "长时间未操作，已自动退出，请重新登录" in login_page.content.decode()
    logout = LoginEvent.objects.get(kind=LoginEventKind.LOGOUT)
    assert (logout.username, logout.detail) == ("cs_zyy", "长时间未操作，自动退出")
    assert zyy.get(reverse("filings:queue")).status_code == 302  # still signed out


def test_a_page_polling_itself_does_not_keep_an_idle_session_signed_in(zyy):
    # The 下载任务 page refreshes its progress every second with X-Passive-Poll: that is not the user working.
    for _ in range(2):  # twice half the idle limit and a minute, of nothing but polls
        shift(zyy, middleware.SEEN, idle() // 2 + 60)
        assert zyy.get(reverse("home"), headers={"HX-Request": "true", "X-Passive-Poll": "1"}).status_code == 200
    response = zyy.get(reverse("home"))
    assert response.status_code == 302 and SESSION_KEY not in zyy.session


def test_activity_keeps_the_session_alive_sliding(zyy):
    for _ in range(3):  # 3 × (the limit - 1 minute): far beyond the limit in all, never that long idle
        shift(zyy, middleware.SEEN, idle() - 60)
        assert zyy.get(reverse("home")).status_code == 200
        assert abs(zyy.session[middleware.SEEN] - time.time()) < 5
    assert SESSION_KEY in zyy.session


class Clock:
    """accounts.middleware's clock, moved forward by the test (only that module's: the database and the client keep
    the real one)."""

    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def advance(self, minutes: float) -> None:
        self.now += minutes * 60


@pytest.mark.parametrize("limit", [None, 30 * 60], ids=["default", "30 minutes"])
def test_activity_every_twenty_minutes_keeps_one_login_for_a_morning_and_idling_past_the_limit_ends_it(
        client, demo, monkeypatch, settings, limit):
    if limit is not None:
        settings.SESSION_IDLE_TIMEOUT = limit
    clock = Clock()
    monkeypatch.setattr(middleware, "time", clock)
    login(client, "cs_zyy")
    for _ in range(9):  # 3 hours: a request every 20 minutes
        clock.advance(20)
        assert client.get(reverse("home")).status_code == 200
        assert client.session[middleware.SEEN] == int(clock.now)
    assert SESSION_KEY in client.session
    clock.advance(settings.SESSION_IDLE_TIMEOUT / 60 + 1)  # then idle one minute past the limit (31 of 30)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert SESSION_KEY not in client.session
    assert LoginEvent.objects.get(kind=LoginEventKind.LOGOUT).detail == "长时间未操作，自动退出"


def test_the_idle_limit_is_an_hour_less_a_minute_still_signed_in(zyy):
    shift(zyy, middleware.SEEN, 59 * 60)
    assert zyy.get(reverse("home")).status_code == 200 and SESSION_KEY in zyy.session


def test_activity_is_written_to_the_session_at_most_once_a_minute(zyy):
    shift(zyy, middleware.SEEN, 20)
    before = zyy.session[middleware.SEEN]
    assert zyy.get(reverse("home")).status_code == 200
    assert zyy.session[middleware.SEEN] == before


def test_a_session_ends_twelve_hours_after_login_however_active(zyy):
    shift(zyy, middleware.STARTED, 12 * 3600 + 60)
    response = zyy.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "本次登录时间已达上限，已自动退出，请重新登录" in response.content.decode()
    assert SESSION_KEY not in zyy.session
    assert LoginEvent.objects.get(kind=LoginEventKind.LOGOUT).detail == "超过最长登录时间，自动退出"


def test_an_htmx_request_on_an_expired_session_sends_the_browser_to_the_login_page(zyy, demo):
    shift(zyy, middleware.SEEN, idle() + 60)
    page = reverse("filings:step", args=[demo["s0-dept"].pk, "indicators"])
    response = zyy.get(reverse("filings:reading"), {"value": "≥100人次"},
                       HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver{page}")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={quote(page, safe='')}"
    assert response.content == b""
    assert "长时间未操作" in zyy.get(reverse("login")).content.decode()


def test_a_post_on_an_expired_session_is_not_carried_out(zyy, demo):
    filing = demo["s0-dept"]
    shift(zyy, middleware.SEEN, idle() + 60)
    response = zyy.post(reverse("filings:step", args=[filing.pk, "goals"]),
                        {"goals-overall_goal": "过期后写的", "save": "", "lock_version": filing.lock_version})
    assert response.status_code == 302 and response["Location"] == reverse("login")
    filing.department.refresh_from_db()
    assert filing.department.overall_goal != "过期后写的"


def test_every_login_rotates_the_session_key(client, demo):
    session = client.session
    session["before_login"] = True
    session.save()
    old_key = session.session_key
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == old_key
    response = client.post(reverse("login"), {"username": "cs_zyy", "password": "perfbudget-demo"})
    assert response.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not SessionStore(session_key=old_key).exists(old_key)
    assert client.session[SESSION_KEY] == str(get_user_model().objects.get(username="cs_zyy").pk)
    # and once more: a second login in the same browser gets yet another key
    client.post(reverse("login"), {"username": "cs_wjw", "password": "perfbudget-demo"})
    assert client.cookies[settings.SESSION_COOKIE_NAME].value not in {old_key, new_key}


def test_the_session_cookie_ends_with_the_browser_and_lasts_at_most_the_lifetime():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_LIFETIME == 12 * 3600
    assert settings.SESSION_IDLE_TIMEOUT == 60 * 60


def login_settings_under(env: dict) -> dict:
    code = ("import json, django; from django.conf import settings; django.setup();"
            "c = settings.AXES_COOLOFF_TIME;"
            "print(json.dumps({'idle': settings.SESSION_IDLE_TIMEOUT, 'max': settings.SESSION_ABSOLUTE_LIFETIME,"
            " 'limit': settings.AXES_FAILURE_LIMIT, 'cooloff': c.total_seconds() if c else None,"
            " 'demo': settings.DEMO_MODE, 'hasher': settings.PASSWORD_HASHERS[0],"
            " 'proxy': settings.PROXY_CLIENT_IP_HEADER}))")
    names = {"SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS", "LOGIN_FAILURE_LIMIT", "LOGIN_LOCKOUT_MINUTES",
             "PERFBUDGET_DEMO", "PROXY_CLIENT_IP_HEADER"}
    base = {k: v for k, v in os.environ.items() if k not in names}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                            env=base | {"DJANGO_SETTINGS_MODULE": "perfbudget.settings"} | env)
    return json.loads(result.stdout)


def test_login_and_session_limits_come_from_the_environment():
    assert login_settings_under({}) == {
        "idle": 3600, "max": 43200, "limit": 5, "cooloff": 1800.0, "demo": False,
        "hasher": "accounts.hashers.PerfbudgetArgon2Hasher", "proxy": ""}
    assert login_settings_under({
        "SESSION_IDLE_MINUTES": "10", "SESSION_MAX_HOURS": "8", "LOGIN_FAILURE_LIMIT": "3",
        "LOGIN_LOCKOUT_MINUTES": "0", "PERFBUDGET_DEMO": "1", "PROXY_CLIENT_IP_HEADER": "X-Real-IP",
    }) == {"idle": 600, "max": 28800, "limit": 3, "cooloff": None, "demo": True,
           "hasher": "accounts.hashers.PerfbudgetArgon2Hasher", "proxy": "X-Real-IP"}

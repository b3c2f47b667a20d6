"""登录失败处理 (等保2.0): repeated failures lock the account from any address and the address for any account;
the lockout page is in Chinese; an administrator can unlock; the admin's own login is protected the same way."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from accounts.models import LoginEvent, LoginEventKind

PASSWORD = "perfbudget-demo"
ATTACKER = "10.9.8.7"


def sign_in(client, username, password, address=ATTACKER, url=None, **extra):
    return client.post(url or reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=address, **extra)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def assert_locked_page(response):
    assert response.status_code == 429
    text = response.content.decode()
    assert "登录已锁定" in text
    assert "登录失败次数过多" in text
    assert "请在 30 分钟后再试" in text and "联系系统管理员" in text


@pytest.fixture
def locked(client, demo):
    """cs_zyy attacked with 100 wrong passwords from ATTACKER: the answers, in order."""
    return [sign_in(client, "cs_zyy", f"guess-{n}") for n in range(100)]


def test_hundred_wrong_passwords_lock_the_account_and_the_right_password_is_then_refused(client, locked):
    assert [r.status_code for r in locked[:4]] == [200] * 4
    assert "用户名或密码不正确" in locked[0].content.decode()
    assert_locked_page(locked[4])  # the fifth failure locks
    assert all(r.status_code == 429 for r in locked[4:])

    right = sign_in(client, "cs_zyy", PASSWORD)
    assert_locked_page(right)
    assert not signed_in(client)


def test_a_locked_account_stays_locked_from_another_address(client, locked):
    assert_locked_page(sign_in(client, "cs_zyy", PASSWORD, address="172.16.0.5"))
    assert not signed_in(client)


def test_an_account_locked_from_several_addresses_is_logged_when_its_lock_begins(client, demo):
    for n in range(5):
        sign_in(client, "cs_ybj", "wrong-password", address=f"172.16.1.{n}")
    [lockout] = LoginEvent.objects.filter(kind=LoginEventKind.LOCKOUT)
    assert (lockout.username, str(lockout.ip_address), lockout.detail) == (
        "cs_ybj", "172.16.1.4", "该账户连续登录失败 5 次，已锁定")
    assert_locked_page(sign_in(client, "cs_ybj", PASSWORD, address="172.16.1.9"))


def test_a_permanent_lock_asks_for_an_administrator(client, demo, settings):
    settings.AXES_COOLOFF_TIME = None  # LOGIN_LOCKOUT_MINUTES=0
    answers = [sign_in(client, "cs_zyy", "wrong-password") for _ in range(5)]
    text = answers[-1].content.decode()
    assert answers[-1].status_code == 429
    assert "请联系系统管理员解锁" in text and "分钟后再试" not in text


def test_a_locked_address_cannot_sign_in_to_another_account(client, locked):
    assert_locked_page(sign_in(client, "cs_wjw", PASSWORD))
    assert not signed_in(client)
    # the same account from an address nobody attacked still works
    assert sign_in(client, "cs_wjw", PASSWORD, address="172.16.0.6").status_code == 302
    assert signed_in(client)


def test_an_address_trying_many_accounts_is_locked(client, demo):
    answers = [sign_in(client, username, "wrong-password") for username in
               ["cs_zyy", "cs_wjw", "cs_ybj", "yq_sy", "nobody-at-all"]]
    assert answers[-1].status_code == 429
    [lockout] = LoginEvent.objects.filter(kind=LoginEventKind.LOCKOUT)
    assert (lockout.username, lockout.detail) == ("nobody-at-all", "该地址连续登录失败 5 次，已锁定")
    assert_locked_page(sign_in(client, "dp_bj", PASSWORD))
    # none of those accounts is locked from elsewhere: each had one failure
    assert sign_in(client, "cs_zyy", PASSWORD, address="172.16.0.7").status_code == 302


def test_the_login_log_shows_every_attempt_and_the_lockout(client, locked):
    sign_in(client, "cs_zyy", PASSWORD)
    events = LoginEvent.objects.filter(username="cs_zyy")
    zyy = get_user_model().objects.get(username="cs_zyy")
    assert events.filter(kind=LoginEventKind.FAILURE).count() == 101
    assert events.filter(kind=LoginEventKind.SUCCESS).count() == 0
    # one event for the account and one for the address, when the lock began, not at every refused attempt
    lockouts = events.filter(kind=LoginEventKind.LOCKOUT).order_by("pk")
    assert [(e.user, str(e.ip_address), e.detail) for e in lockouts] == [
        (zyy, ATTACKER, "该账户连续登录失败 5 次，已锁定"), (zyy, ATTACKER, "该地址连续登录失败 5 次，已锁定")]
    refused = events.filter(kind=LoginEventKind.FAILURE, detail="已锁定，拒绝登录").count()
    assert refused == 101 - 5  # the 5th is a wrong password that locks; the 6th and later are refused unchecked
    assert all(event.user == zyy for event in events)


def test_a_failed_login_for_an_unknown_name_is_logged_without_a_user_and_with_a_short_user_agent(client, demo):
    sign_in(client, "no-such-user\x00", "x", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 2000)
    sign_in(client, "no-such-user", "x", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 2000)
    event = LoginEvent.objects.get(kind=LoginEventKind.FAILURE)
    assert (event.user, event.username, str(event.ip_address)) == (None, "no-such-user", ATTACKER)
    assert len(event.user_agent) == 300 and event.user_agent.startswith("Mozilla/5.0 ")


def test_the_lock_ends_after_the_cool_off_time(client, locked):
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=31))
    assert sign_in(client, "cs_zyy", PASSWORD).status_code == 302
    assert signed_in(client)


def test_an_administrator_unlocks_the_account_in_the_admin(client, locked, admin_client):
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    text = changelist.content.decode()
    assert changelist.status_code == 200
    assert "访问尝试" in text and "已锁定" in text and "失败次数" in text  # Chinese enough for the administrator
    assert "登录失败锁定" in admin_client.get(reverse("admin:index")).content.decode()
    attempts = AccessAttempt.objects.filter(username="cs_zyy")
    response = admin_client.post(reverse("admin:axes_accessattempt_changelist"), {
        "action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "cs_zyy", PASSWORD).status_code == 302


def test_an_administrator_unlocks_the_account_with_axes_reset_username(client, locked):
    call_command("axes_reset_username", "cs_zyy", stdout=open("/dev/null", "w"))
    assert sign_in(client, "cs_zyy", PASSWORD).status_code == 302


def test_the_admin_login_page_is_protected_too(client, demo):
    admin_login = reverse("admin:login")
    answers = [sign_in(client, "admin", f"guess-{n}", url=admin_login) for n in range(5)]
    assert answers[0].status_code == 200
    assert_locked_page(answers[-1])
    assert_locked_page(sign_in(client, "admin", PASSWORD, url=admin_login, address="172.16.0.8"))
    assert not signed_in(client)


def test_the_test_clients_force_login_and_login_keep_working(client, demo):
    zyy = get_user_model().objects.get(username="cs_zyy")
    client.force_login(zyy)
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    assert client.login(username="cs_zyy", password=PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    assert client.login(request=HttpRequest(), username="cs_zyy", password=PASSWORD)


def test_a_locked_account_is_refused_even_without_a_request(client, locked):
    # an authenticate() without a request (the test client's login(), a script) knows no address: the account's
    # lock still holds
    assert not client.login(username="cs_zyy", password=PASSWORD)
    assert client.login(username="cs_wjw", password=PASSWORD)

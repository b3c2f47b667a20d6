"""The login log page (登录日志) for 财政 administrators: superusers see everything, a 财政 member the users of the
units in their region; search by username, event, dates and address; paginated in a constant number of queries;
CSV export (UTF-8 with BOM) of what was searched."""

import csv
import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginEvent, LoginEventKind

User = get_user_model()
LOG = "accounts:login_log"
EXPORT = "accounts:login_log_export"


def as_user(client, username):
    client.force_login(User.objects.get(username=username))
    LoginEvent.objects.filter(ip_address=None).delete()  # force_login (no address) is logged too: not in the story
    return client


def event(username, kind=LoginEventKind.FAILURE, ip="10.0.0.1", when=None, **extra):
    return LoginEvent.objects.create(kind=kind, username=username, user=User.objects.filter(username=username).first(),
                                     ip_address=ip, time=when or timezone.now(), user_agent="Mozilla/5.0", **extra)


def usernames(response):
    return [e.username for e in response.context["page"].object_list]


@pytest.fixture
def events(demo):
    """Events of users in 柴桑区 (cs_*), in 阳泉 (yq_sy), of the superuser and of a name nobody has."""
    for username in ["cs_zyy", "cs_wjw", "yq_sy", "admin", "guessed-name"]:
        event(username)


def test_a_superuser_sees_every_event(client, events):
    response = as_user(client, "admin").get(reverse(LOG))
    assert response.status_code == 200
    assert sorted(usernames(response)) == ["admin", "cs_wjw", "cs_zyy", "guessed-name", "yq_sy"]


def test_a_finance_member_sees_the_users_of_their_region_only(client, events):
    response = as_user(client, "cs_czj").get(reverse(LOG))
    assert response.status_code == 200
    assert sorted(usernames(response)) == ["cs_wjw", "cs_zyy"]
    text = response.content.decode()
    assert "yq_sy" not in text and "guessed-name" not in text
    assert sorted(usernames(as_user(client, "yq_czj").get(reverse(LOG)))) == ["yq_sy"]


def test_a_finance_member_who_also_reviews_elsewhere_sees_only_the_finance_region(client, events):
    from filings.models import Membership, Role, Unit

    Membership.objects.create(user=get_user_model().objects.get(username="cs_czj"), role=Role.REVIEWER,
                              unit=Unit.objects.get(code="063"))  # 阳泉's 卫健委, another region
    assert sorted(usernames(as_user(client, "cs_czj").get(reverse(LOG)))) == ["cs_wjw", "cs_zyy"]


@pytest.mark.parametrize("username", ["cs_zyy", "cs_wjw"])
def test_filers_and_reviewers_are_refused_the_log_and_its_export(client, events, username):
    as_user(client, username)
    assert client.get(reverse(LOG)).status_code == 403
    assert client.get(reverse(EXPORT)).status_code == 403
    assert "登录日志" not in client.get(reverse("home")).content.decode()


def test_the_navbar_links_the_log_for_finance_and_superusers(client, demo):
    for username in ["cs_czj", "admin"]:
        assert f'href="{reverse(LOG)}"' in as_user(client, username).get(reverse("home")).content.decode()


def test_the_log_is_searched_by_username_event_dates_and_address(client, demo):
    now = timezone.now()
    event("cs_zyy", LoginEventKind.SUCCESS, ip="10.0.0.1", when=now)
    event("cs_zyy", LoginEventKind.FAILURE, ip="10.0.0.2", when=now - datetime.timedelta(days=3))
    event("cs_wjw", LoginEventKind.LOCKOUT, ip="10.0.0.2", when=now - datetime.timedelta(days=10))
    as_user(client, "cs_czj")
    today = timezone.localdate()

    def search(**params):
        return sorted((e.username, e.kind) for e in client.get(reverse(LOG), params).context["page"].object_list)

    assert search(username="cs_z") == [("cs_zyy", "failure"), ("cs_zyy", "success")]
    assert search(kind="lockout") == [("cs_wjw", "lockout")]
    assert search(ip_address="10.0.0.2") == [("cs_wjw", "lockout"), ("cs_zyy", "failure")]
    assert search(date_from=str(today - datetime.timedelta(days=5)), date_to=str(today)) == [
        ("cs_zyy", "failure"), ("cs_zyy", "success")]
    assert search(date_to=str(today - datetime.timedelta(days=7))) == [("cs_wjw", "lockout")]


def test_bad_search_input_gets_chinese_messages_and_keeps_what_was_typed(client, demo):
    as_user(client, "cs_czj")
    response = client.get(reverse(LOG), {"date_from": "2026-13-40", "ip_address": "10.0.0.999", "username": "cs_"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "输入一个有效的日期。" in text
    assert "输入一个有效的 IPv4 或 IPv6 地址。" in text
    assert 'value="10.0.0.999"' in text and 'value="cs_"' in text
    backwards = client.get(reverse(LOG), {"date_from": "2026-03-10", "date_to": "2026-03-01"})
    assert "截止日期不能早于起始日期。" in backwards.content.decode()


def queries_for(client, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(LOG), params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("username", ["cs_czj", "admin"])
def test_the_log_page_takes_the_same_number_of_queries_for_10_and_100_events(client, demo, username):
    as_user(client, username)
    for n in range(10):
        event("cs_zyy" if n % 2 else "cs_wjw", ip=f"10.0.0.{n}")
    ten = queries_for(client)
    for n in range(90):
        event("cs_zyy" if n % 2 else "cs_wjw", ip=f"10.0.1.{n}")
    assert queries_for(client) == ten
    assert queries_for(client, {"page": "2"}) == ten


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # the BOM: Excel and WPS read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_export_is_a_csv_of_what_was_searched_that_excel_reads(client, demo):
    event("cs_zyy", LoginEventKind.SUCCESS, ip="10.0.0.1", detail="")
    event("cs_zyy", LoginEventKind.FAILURE, ip="10.0.0.2")
    event("=HYPERLINK(\"http://x\")", LoginEventKind.FAILURE, ip="10.0.0.3")
    event("yq_sy", LoginEventKind.FAILURE, ip="10.0.0.4")
    as_user(client, "cs_czj")
    response = client.get(reverse(EXPORT), {"username": "cs_zyy"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and ".csv" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    rows = read_csv(response)
    assert rows[0] == ["时间", "事件", "用户名", "姓名", "IP 地址", "浏览器", "说明"]
    assert sorted((row[1], row[2], row[3], row[4]) for row in rows[1:]) == [
        ("登录失败", "cs_zyy", "桑梓尧", "10.0.0.2"), ("登录成功", "cs_zyy", "桑梓尧", "10.0.0.1")]

    everything = read_csv(as_user(client, "admin").get(reverse(EXPORT)))
    formula = next(row for row in everything[1:] if "HYPERLINK" in row[2])
    assert formula[2] == "'=HYPERLINK(\"http://x\")"  # text in Excel, never a formula


def test_a_real_sign_in_and_out_appear_in_the_log_with_address_and_browser(client, demo):
    client.post(reverse("login"), {"username": "cs_zyy", "password": "perfbudget-demo"},
                REMOTE_ADDR="192.168.5.6", HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/140")
    client.post(reverse("logout"), REMOTE_ADDR="192.168.5.7", HTTP_USER_AGENT="Mozilla/5.0 (X11)")
    zyy = User.objects.get(username="cs_zyy")
    assert [(e.kind, e.user, e.username, str(e.ip_address), e.user_agent)
            for e in LoginEvent.objects.order_by("time", "pk")] == [
        ("success", zyy, "cs_zyy", "192.168.5.6", "Mozilla/5.0 (Windows NT 10.0) Chrome/140"),
        ("logout", zyy, "cs_zyy", "192.168.5.7", "Mozilla/5.0 (X11)")]
    page = as_user(client, "cs_czj").get(reverse(LOG)).content.decode()
    assert "登录成功" in page and "退出" in page and "192.168.5.6" in page and "桑梓尧" in page


@pytest.mark.parametrize("header, expected", [("X-Real-IP", "203.0.113.9"), ("", "10.0.0.1")])
def test_the_address_comes_from_the_proxy_header_only_when_the_site_names_it(client, demo, settings, header, expected):
    settings.PROXY_CLIENT_IP_HEADER = header
    client.post(reverse("login"), {"username": "cs_zyy", "password": "wrong"}, REMOTE_ADDR="10.0.0.1",
                HTTP_X_REAL_IP="203.0.113.9")
    assert str(LoginEvent.objects.get().ip_address) == expected

"""Notifications: who is told what on submit, return and approval, the inbox, the nav count, deadline reminders."""

import datetime
import io
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from filings.models import (
    Action,
    Filing,
    FilingDeadline,
    FilingStatus,
    Membership,
    Notification,
    ProjectDetails,
    Role,
    Transition,
    Unit,
)
from filings.notifications import SUBJECT_LENGTH, notify_transition
from filings.workflow import Review, perform

from .tasks import run_tasks

ROOT = Path(__file__).resolve().parents[1]
User = get_user_model()


@pytest.fixture
def people(demo):
    """The demo users by name, each with an e-mail address."""
    users = {user.username: user for user in User.objects.all()}
    for user in users.values():
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])
    return users


def after_commit(work):
    """Run `work` as if its transaction committed (the on-commit callbacks run), then the background tasks it queued
    (the e-mails), as a worker would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = work()
    run_tasks()
    return answer


@pytest.fixture
def act():
    """Perform an action, then run what the workflow scheduled for after the commit (the notifications) and the
    mail task that queued."""
    def act(filing, user, action, comment=""):
        def perform_now():
            current = Filing.objects.get(pk=filing.pk)
            return perform(current, user, action, current.status, Review(comment=comment))
        return after_commit(perform_now)
    return act


def received(username) -> list[str]:
    return list(Notification.objects.filter(user__username=username).values_list("message", flat=True))


def recipients(mailoutbox) -> list[str]:
    return sorted(address for mail in mailoutbox for address in mail.to)


def set_levels(code, levels):
    Unit.objects.filter(code=code).update(review_levels=levels)


# --- a region with two review levels (大鹏: 集团本级 → 医疗健康集团 → 财政) ------------------------------------

def test_submit_notifies_the_department_reviewer(demo, people, act, mailoutbox):
    filing = demo["s2-dept"]
    act(filing, people["dp_bj"], Action.SUBMIT)
    [message] = received("dp_jt")
    assert f"《{filing}》" in message and "集团本级填报人提交" in message and "等待您审核" in message
    assert Notification.objects.get(user__username="dp_jt").filing_id == filing.pk
    assert not received("dp_czj") and not received("dp_bj") and not received("cs_wjw")
    [mail] = mailoutbox
    assert mail.to == ["dp_jt@example.gov.cn"]
    assert "待审核" in mail.subject and filing.title in mail.subject
    assert reverse("filings:review", args=[filing.pk]) in mail.body and message in mail.body


def test_department_approval_notifies_finance_and_final_approval_the_filers(demo, people, act, mailoutbox):
    filing = demo["s2-dept"]
    act(filing, people["dp_bj"], Action.SUBMIT)
    act(filing, people["dp_jt"], Action.APPROVE)
    [message] = received("dp_czj")
    assert "已通过主管部门审核" in message and "医疗健康集团审核人" in message and filing.title in message
    assert not received("dp_bj")
    assert recipients(mailoutbox) == ["dp_czj@example.gov.cn", "dp_jt@example.gov.cn"]
    assert reverse("filings:review", args=[filing.pk]) in mailoutbox[-1].body

    act(filing, people["dp_czj"], Action.APPROVE)
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.APPROVED
    [message] = received("dp_bj")
    assert "批复" in message and filing.title in message
    assert mailoutbox[-1].to == ["dp_bj@example.gov.cn"] and "已批复" in mailoutbox[-1].subject
    assert reverse("filings:tasks", args=[filing.pk]) in mailoutbox[-1].body
    assert len(received("dp_czj")) == 1 and len(received("dp_jt")) == 1  # nobody hears of their own action


def test_return_tells_the_filers_who_returned_it_and_the_first_line_of_the_opinion(demo, people, act, mailoutbox):
    filing = demo["s2-dept"]
    act(filing, people["dp_bj"], Action.SUBMIT)
    act(filing, people["dp_jt"], Action.RETURN, comment="\n产出指标“门诊人次”的指标值偏低。\n其余部分请一并核对。")
    [message] = received("dp_bj")
    assert "被医疗健康集团审核人退回修改" in message
    assert "产出指标“门诊人次”的指标值偏低。" in message and "其余部分" not in message
    mail = mailoutbox[-1]
    assert mail.to == ["dp_bj@example.gov.cn"] and "已退回" in mail.subject
    assert reverse("filings:tasks", args=[filing.pk]) in mail.body

    act(filing, people["dp_bj"], Action.SUBMIT)  # resubmitted: the reviewer's turn again
    assert len(received("dp_jt")) == 2


def test_every_reviewer_above_the_unit_is_told_each_by_their_own_mail(demo, people, act, mailoutbox):
    group, sibling = Unit.objects.get(code="DP101"), Unit.objects.create(code="DP102", name="其他主管部门",
                                                                         kind="department",
                                                                         parent=Unit.objects.get(code="DP000"))
    second = User.objects.create_user("dp_jt2", first_name="第二审核人")  # no e-mail address
    third = User.objects.create_user("dp_jt3", email="dp_jt3@example.gov.cn")
    outsider = User.objects.create_user("dp_other", email="dp_other@example.gov.cn")
    Membership.objects.create(user=second, unit=group, role=Role.REVIEWER)
    Membership.objects.create(user=third, unit=group, role=Role.REVIEWER)
    Membership.objects.create(user=outsider, unit=sibling, role=Role.REVIEWER)
    act(demo["s2-dept"], people["dp_bj"], Action.SUBMIT)
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["dp_jt", "dp_jt2", "dp_jt3"]
    assert [mail.to for mail in mailoutbox] == [["dp_jt@example.gov.cn"], ["dp_jt3@example.gov.cn"]]


def test_withdrawing_tells_nobody(demo, people, act, mailoutbox):
    act(demo["s2-dept"], people["dp_bj"], Action.SUBMIT)
    act(demo["s2-dept"], people["dp_bj"], Action.WITHDRAW)
    assert Notification.objects.count() == 1 and len(mailoutbox) == 1


def test_the_mails_leave_the_request_as_one_task_on_the_mail_queue(demo, people, mailoutbox):
    filing = demo["s2-dept"]
    second = User.objects.create_user("dp_jt3", email="dp_jt3@example.gov.cn")
    Membership.objects.create(user=second, unit=Unit.objects.get(code="DP101"), role=Role.REVIEWER)
    with TestCase.captureOnCommitCallbacks(execute=True):
        perform(Filing.objects.get(pk=filing.pk), people["dp_bj"], Action.SUBMIT, "draft")
    assert len(received("dp_jt")) == 1 and not mailoutbox  # stored at once, not mailed in the request
    [queued] = DBTaskResult.objects.all()
    assert queued.queue_name == "mail" and queued.task_path == "filings.tasks.send_mails"
    [mails] = queued.args_kwargs["args"]
    assert sorted(mail["to"][0] for mail in mails) == ["dp_jt3@example.gov.cn", "dp_jt@example.gov.cn"]
    assert run_tasks() == 1
    assert recipients(mailoutbox) == ["dp_jt3@example.gov.cn", "dp_jt@example.gov.cn"]
    assert mailoutbox[0].subject == mails[0]["subject"] and mailoutbox[0].body == mails[0]["body"]
    assert DBTaskResult.objects.get().return_value == {"sent": 2, "retrying": 0, "lost": 0}


def test_nothing_is_sent_before_the_transaction_commits(demo, people, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        perform(demo["s2-dept"], people["dp_bj"], Action.SUBMIT, "draft")
    assert not Notification.objects.exists() and not mailoutbox
    assert len(callbacks) == 1


# --- a region with one review level: 财政 reviews directly ---------------------------------------------------

def test_one_level_submit_goes_to_finance_and_its_decisions_to_the_filers(demo, people, act, mailoutbox):
    set_levels("DP000", 1)
    filing = demo["s2-dept"]
    act(filing, people["dp_bj"], Action.SUBMIT)
    assert not received("dp_jt")
    [message] = received("dp_czj")
    assert "等待您审核" in message
    assert recipients(mailoutbox) == ["dp_czj@example.gov.cn"]

    act(filing, people["dp_czj"], Action.RETURN, comment="请补充满意度指标")
    assert "被大鹏新区财政审核人退回修改。审核意见：请补充满意度指标" in received("dp_bj")[0]
    act(filing, people["dp_bj"], Action.SUBMIT)
    act(filing, people["dp_czj"], Action.APPROVE)
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.APPROVED
    assert len(received("dp_bj")) == 2 and "批复" in received("dp_bj")[0]
    assert not received("dp_jt") and len(received("dp_czj")) == 2
    assert recipients(mailoutbox) == ["dp_bj@example.gov.cn"] * 2 + ["dp_czj@example.gov.cn"] * 2


def test_one_level_region_without_reviewers(demo, people, act, mailoutbox):
    set_levels("430981", 1)  # 沅江: 卫生健康局 files, 财政局 reviews
    act(demo["s4-dept"], people["yj_wjj"], Action.SUBMIT)
    assert [n.user.username for n in Notification.objects.select_related("user")] == ["yj_czj"]
    assert recipients(mailoutbox) == ["yj_czj@example.gov.cn"]


# --- a failing mail server -------------------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failing_smtp_server_does_not_break_the_transition(demo, people, act, settings, caplog):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": closed_port(), "timeout": 5}}}
    settings.MAIL_RETRY_DELAYS = [0, 0]
    filing = demo["s2-dept"]
    with caplog.at_level(logging.ERROR, logger="filings.notifications"):
        act(filing, people["dp_bj"], Action.SUBMIT)
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.SUBMITTED
    assert len(received("dp_jt")) == 1  # the in-app notification is kept
    [record] = [r for r in caplog.records if r.name == "filings.notifications"]
    assert "邮件发送失败" in record.getMessage() and record.exc_info


def test_mail_settings_come_from_the_environment():
    code = ("import json, django; from django.conf import settings; django.setup();"
            "print(json.dumps([settings.MAILERS['default'], settings.DEFAULT_FROM_EMAIL]))")
    base = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_") and k != "DEFAULT_FROM_EMAIL"}

    def under(env):
        command = [sys.executable, "-W", "error::DeprecationWarning", "-W", "error::PendingDeprecationWarning",
                   "-c", code]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True,
                                env=base | {"DJANGO_SETTINGS_MODULE": "perfbudget.settings"} | env)
        return json.loads(result.stdout)

    assert under({}) == [{"BACKEND": "django.core.mail.backends.console.EmailBackend", "OPTIONS": {}},
                         "noreply@localhost"]
    mailer, sender = under({"EMAIL_HOST": "smtp.example.gov.cn", "EMAIL_PORT": "587", "EMAIL_HOST_USER": "jx",
                            "EMAIL_HOST_PASSWORD": "secret", "EMAIL_USE_TLS": "true",
                            "DEFAULT_FROM_EMAIL": "jxczt@example.gov.cn"})
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert {k: mailer["OPTIONS"][k] for k in ["host", "port", "username", "password", "use_tls"]} == {
        "host": "smtp.example.gov.cn", "port": 587, "username": "jx", "password": "secret", "use_tls": True}
    assert sender == "jxczt@example.gov.cn"
    assert under({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"})[0]["BACKEND"] == (
        "django.core.mail.backends.filebased.EmailBackend")


# --- the inbox and the nav --------------------------------------------------------------------------------------

def notify(user, count, filing=None):
    Notification.objects.bulk_create([Notification(user=user, filing=filing, message=f"第 {i} 条通知")
                                      for i in range(1, count + 1)])


def test_the_nav_shows_the_unread_count(client, demo, people):
    client.force_login(people["dp_jt"])
    page = client.get(reverse("home")).content.decode()
    assert 'id="nav-notifications"' in page and "条未读" not in page
    notify(people["dp_jt"], 3)
    notify(people["dp_bj"], 5)
    page = client.get(reverse("home")).content.decode()
    assert '<span class="badge bg-danger">3</span><span class="visually-hidden"> 条未读</span>' in page


def test_the_inbox_lists_own_notifications_newest_first_and_marks_them_read(client, demo, people, act):
    filing = demo["s2-dept"]
    act(filing, people["dp_bj"], Action.SUBMIT)
    notify(people["dp_bj"], 1)
    client.force_login(people["dp_jt"])
    Notification.objects.create(user=people["dp_jt"], message="较新的通知")
    page = client.get(reverse("filings:notifications"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("较新的通知") < html.index("等待您审核")
    assert "第 1 条通知" not in html  # someone else's
    assert html.count(">新</span>") == 2
    assert f'href="{reverse("filings:review", args=[filing.pk])}"' in html
    assert not Notification.objects.filter(user=people["dp_jt"], read_at__isnull=True).exists()
    again = client.get(reverse("filings:notifications")).content.decode()
    assert ">新</span>" not in again and "条未读" not in again
    assert Notification.objects.filter(user=people["dp_bj"], read_at__isnull=True).count() == 1


def test_a_filer_is_sent_to_the_task_list(client, demo, people, act):
    filing = demo["s2-dept"]
    act(filing, people["dp_bj"], Action.SUBMIT)
    act(filing, people["dp_jt"], Action.RETURN, comment="请修改")
    client.force_login(people["dp_bj"])
    html = client.get(reverse("filings:notifications")).content.decode()
    assert f'href="{reverse("filings:tasks", args=[filing.pk])}"' in html
    assert client.get(reverse("filings:tasks", args=[filing.pk])).status_code == 200


def test_the_inbox_is_paginated_and_the_rest_can_be_marked_read(client, demo, people):
    user = people["cs_zyy"]
    notify(user, 25)
    client.force_login(user)
    first = client.get(reverse("filings:notifications")).content.decode()
    assert "第 25 条通知" in first and "第 6 条通知" in first and "第 5 条通知" not in first
    assert "第 1 / 2 页，共 25 条" in first and "全部标为已读（其他页还有 5 条未读）" in first
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 5
    assert '<span class="badge bg-danger">5</span>' in first  # the nav counts what is still unread
    second = client.get(reverse("filings:notifications"), {"page": 2}).content.decode()
    assert "第 5 条通知" in second and "第 1 条通知" in second and "第 6 条通知" not in second


def test_mark_all_read(client, demo, people):
    user = people["cs_zyy"]
    notify(user, 25)
    notify(people["cs_ybj"], 2)
    client.force_login(user)
    assert client.get(reverse("filings:notifications_read")).status_code == 405
    response = client.post(reverse("filings:notifications_read"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("filings:notifications")
    assert "已将 25 条通知标为已读。" in response.content.decode()
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=people["cs_ybj"], read_at__isnull=True).count() == 2


def test_the_inbox_needs_a_login(client, db):
    for name, method in [("filings:notifications", client.get), ("filings:notifications_read", client.post)]:
        response = method(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_empty_inbox(client, demo, people):
    client.force_login(people["admin"])
    assert "还没有通知" in client.get(reverse("filings:notifications")).content.decode()


# --- deadline reminders ---------------------------------------------------------------------------------------

def remind(*args) -> str:
    out = io.StringIO()
    after_commit(lambda: call_command("remind_deadlines", *args, stdout=out))
    return out.getvalue()


def deadline(code="360404", year=2026, days=3):
    return FilingDeadline.objects.create(region=Unit.objects.get(code=code), year=year,
                                         due_on=timezone.localdate() + datetime.timedelta(days=days))


def test_reminds_the_filers_of_units_that_have_not_submitted(demo, people, mailoutbox):
    deadline(days=3)  # 柴桑 2026: 总医院 has a draft, 医疗保障局 has no 2026 filing yet
    output = remind()
    assert "九江市柴桑区财政局 2026 年度" in output and "还剩 3 天" in output
    assert "九江市柴桑区总医院：草稿尚未提交，提醒 桑梓尧" in output
    assert "九江市柴桑区医疗保障局：尚未新建申报表，提醒 曹丽芳" in output
    assert "已保存 2 条站内提醒，2 封邮件已交给后台工作进程发送。" in output
    zyy = Notification.objects.get(user__username="cs_zyy")
    assert zyy.filing_id == demo["s0-dept"].pk and "2026 年度部门整体支出绩效目标申报表" in zyy.message
    assert Notification.objects.get(user__username="cs_ybj").filing is None
    assert not Notification.objects.exclude(user__username__in=["cs_zyy", "cs_ybj"]).exists()
    mails = {mail.to[0]: mail for mail in mailoutbox}
    assert sorted(mails) == ["cs_ybj@example.gov.cn", "cs_zyy@example.gov.cn"]
    assert reverse("filings:tasks", args=[demo["s0-dept"].pk]) in mails["cs_zyy@example.gov.cn"].body
    assert "申报截止提醒" in mails["cs_ybj@example.gov.cn"].subject


def test_submitted_units_are_skipped(demo, people, mailoutbox):
    deadline(days=0)
    Filing.objects.filter(pk=demo["s0-dept"].pk).update(status=FilingStatus.SUBMITTED)
    output = remind()
    assert "今天截止" in output and "九江市柴桑区总医院：已提交，跳过。" in output
    assert received("cs_ybj") and not received("cs_zyy")
    assert [mail.to for mail in mailoutbox] == [["cs_ybj@example.gov.cn"]]


def test_a_returned_filing_still_counts_as_not_submitted(demo, people, mailoutbox):
    deadline(days=1)
    Filing.objects.filter(pk=demo["s0-dept"].pk).update(status=FilingStatus.RETURNED)
    remind()
    assert received("cs_zyy")


@pytest.mark.parametrize("days, args, reminded", [
    (3, [], True),
    (7, [], True),
    (8, [], False),
    (10, ["--days", "10"], True),
    (10, ["--days", "9"], False),
    (-1, [], False),  # passed
])
def test_only_deadlines_within_the_window_and_not_passed(demo, people, days, args, reminded, mailoutbox):
    deadline(days=days)
    output = remind(*args)
    assert Notification.objects.exists() is reminded and bool(mailoutbox) is reminded
    if not reminded:
        assert "没有到期的申报截止日期" in output


def test_other_regions_and_years_are_left_alone(demo, people):
    deadline(code="140300", year=2024, days=2)  # 阳泉 2024: 市四院 has no department filing
    deadline(code="360404", year=2027, days=20)
    remind()
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["yq_sy"]


def test_dry_run_sends_nothing(demo, people, mailoutbox):
    deadline(days=2)
    output = remind("--dry-run")
    assert "提醒 桑梓尧" in output and "试运行：将提醒 2 人次" in output
    assert not Notification.objects.exists() and not mailoutbox


def test_reminding_twice_the_same_day_sends_once(demo, people, mailoutbox):
    deadline(days=2)
    remind()
    output = remind()
    assert Notification.objects.count() == 2 and len(mailoutbox) == 2
    assert "今天已提醒过 桑梓尧，不再重复。" in output and "已保存 0 条站内提醒，0 封邮件" in output
    Notification.objects.update(created_at=timezone.now() - datetime.timedelta(days=1))  # the next day
    remind()
    assert Notification.objects.count() == 4 and len(mailoutbox) == 4


def test_the_hourly_periodic_task_reminds_once_a_day(demo, people, mailoutbox, settings):
    from filings.upkeep import remind_deadlines

    assert settings.PERIODIC_TASKS["filings.upkeep.remind_deadlines"] == 3600
    deadline(days=2)
    for _ in range(2):  # two runs on the same day: the second finds everyone reminded
        with TestCase.captureOnCommitCallbacks(execute=True):
            remind_deadlines.enqueue()
            run_tasks()  # the reminder task, which queues the mails once its transaction commits
        run_tasks()  # the mail task
    assert Notification.objects.count() == 2
    assert recipients(mailoutbox) == ["cs_ybj@example.gov.cn", "cs_zyy@example.gov.cn"]
    results = DBTaskResult.objects.filter(task_path="filings.upkeep.remind_deadlines").order_by("enqueued_at")
    assert [result.return_value for result in results] == [{"reminded": 2, "mails": 2},
                                                           {"reminded": 0, "mails": 0}]


def test_negative_days_are_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        remind("--days", "-1")


def test_mail_links_carry_the_site_address_when_configured(demo, people, act, mailoutbox, settings):
    settings.SITE_URL = "https://jx.example.gov.cn/"
    filing = demo["s2-dept"]
    act(filing, people["dp_bj"], Action.SUBMIT)
    [mail] = mailoutbox
    assert f"https://jx.example.gov.cn{reverse('filings:review', args=[filing.pk])}" in mail.body


# --- header-safe subjects: whatever a project is called, its mail goes out ---------------------------------------

def submitted_by_filer(filing, filer) -> Transition:
    """The transition a submit writes, without the validation a seed project would not pass."""
    return Transition.objects.create(filing=filing, action=Action.SUBMIT, from_status=FilingStatus.DRAFT,
                                     to_status=FilingStatus.SUBMITTED, actor=filer)


@pytest.mark.parametrize("breaking", ["\n", "\r\n", "\u2028", "\u2029", "\x85", "\r\n\r\n\t"])
def test_a_project_named_with_a_line_break_is_still_mailed_with_a_one_line_subject(demo, people, mailoutbox,
                                                                                   breaking):
    filing = demo["s3-proj1"]
    ProjectDetails.objects.filter(filing=filing).update(name=f"医疗服务{breaking}保障能力提升")
    after_commit(lambda: notify_transition(submitted_by_filer(filing, people["yq_sy"])))
    [mail] = mailoutbox
    assert mail.to == ["yq_wjw@example.gov.cn"]
    assert mail.subject == "【预算绩效目标申报】待审核：2024年 医疗服务 保障能力提升 项目支出绩效目标申报表"
    header = mail.message()["Subject"]  # the message as it goes over the wire: one header line of text
    assert str(header) == mail.subject


def test_a_very_long_project_name_gives_a_subject_of_bounded_length(demo, people, mailoutbox):
    filing = demo["s3-proj1"]
    ProjectDetails.objects.filter(filing=filing).update(name="很长的项目名称" * 28)  # 196 characters
    after_commit(lambda: notify_transition(submitted_by_filer(filing, people["yq_sy"])))
    [mail] = mailoutbox
    assert len(mail.subject) == SUBJECT_LENGTH and mail.subject.endswith("…")
    assert "很长的项目名称" * 28 in mail.body  # the body still names the project in full


def test_a_mail_that_cannot_be_sent_is_logged_and_the_others_still_go_out(demo, people, act, mailoutbox, caplog):
    third = User.objects.create_user("dp_jt3", email="dp_jt3@example.gov.cn\nBcc: someone@example.com")
    Membership.objects.create(user=third, unit=Unit.objects.get(code="DP101"), role=Role.REVIEWER)
    with caplog.at_level(logging.ERROR, logger="filings.notifications"):
        act(demo["s2-dept"], people["dp_bj"], Action.SUBMIT)
    assert [mail.to for mail in mailoutbox] == [["dp_jt@example.gov.cn"]]
    [record] = [r for r in caplog.records if r.name == "filings.notifications"]
    assert "通知邮件发送失败" in record.getMessage() and "dp_jt3@example.gov.cn" in record.getMessage()
    assert record.exc_info  # logged with its traceback, not silently dropped
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["dp_jt", "dp_jt3"]


def test_the_apps_log_records_reach_the_console():
    from django.conf import settings

    assert "console" in settings.LOGGING["loggers"]["filings"]["handlers"]

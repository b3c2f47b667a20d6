"""Notification mail against a real SMTP socket: a hanging server does not hold the reviewer's click; the mail task
schedules a deferred retry of what a server could not take just then (the worker does not sleep), does not retry
what it refused for good, and logs what is lost after the last retry."""

import email
import email.policy
import logging
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.tasks import TaskResultStatus
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from filings.models import Action, Filing, FilingStatus, Notification
from filings.notifications import Notice, deliver
from filings.workflow import perform

from .smtp_stub import Behaviour, SMTPStub
from .tasks import run_tasks

User = get_user_model()
POINTS = {"completeness": "meets", "relevance": "meets", "appropriateness": "partly", "feasibility": "meets"}


def use_smtp(settings, port: int, timeout: float) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout}}}


def with_address(username: str):
    user = User.objects.get(username=username)
    user.email = f"{username}@example.gov.cn"
    user.save(update_fields=["email"])
    return user


def lost_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "filings.notifications" and r.levelno >= logging.ERROR]


def queue_mails(*usernames: str) -> None:
    """Store a notice for each user and queue their mails, as a committed transition would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        deliver([Notice(user=with_address(name), message=f"给{name}的通知", subject="测试", link="/")
                 for name in usernames])


def results() -> list[dict]:
    """The return values of the mail tasks, the first try first."""
    return [r.return_value for r in DBTaskResult.objects.order_by("enqueued_at")]


def make_retries_due() -> int:
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def received_by(stub: SMTPStub) -> list[str]:
    return sorted(address for message in stub.received for address in message["to"])


def test_a_hanging_mail_server_does_not_hold_the_approval(client, demo, settings, caplog):
    filing = demo["s2-dept"]
    finance = with_address("dp_czj")
    perform(filing, User.objects.get(username="dp_bj"), Action.SUBMIT, "draft")
    with SMTPStub(Behaviour(hang=True)) as stub:
        use_smtp(settings, stub.port, timeout=3)  # sent in the request, the mail would hold the click 3 s
        client.force_login(User.objects.get(username="dp_jt"))
        with TestCase.captureOnCommitCallbacks(execute=True):  # what runs when the view's transaction commits
            response = client.post(reverse("filings:act", args=[filing.pk]),
                                   {"action": Action.APPROVE, "expected_status": FilingStatus.SUBMITTED,
                                    "comment": "同意", "grade": "good", **POINTS})
        # The request only queued the mail: it never connected to the server (the task below is the first to).
        assert response.status_code == 302 and stub.connections == 0, (response.status_code, stub.connections)
        assert Filing.objects.get(pk=filing.pk).status == FilingStatus.DEPARTMENT_APPROVED
        assert Notification.objects.filter(user=finance, filing=filing).exists()
        assert DBTaskResult.objects.filter(queue_name="mail").count() == 1

        use_smtp(settings, stub.port, timeout=0.2)
        settings.MAIL_RETRY_DELAYS = [0]
        with caplog.at_level(logging.WARNING, logger="filings.notifications"):
            assert run_tasks() == 2  # the first try, then the retry it enqueued
        assert stub.connections == 2 and not stub.received  # tried twice, never answered
    [lost] = lost_records(caplog)
    assert "dp_czj@example.gov.cn" in lost.getMessage() and "重试 1 次" in lost.getMessage() and lost.exc_info
    assert results() == [{"sent": 0, "retrying": 1, "lost": 0}, {"sent": 0, "retrying": 0, "lost": 1}]


def test_a_server_that_turns_the_mail_away_twice_gets_it_on_the_third_try(demo, settings, caplog):
    settings.MAIL_RETRY_DELAYS = [0, 0]
    with SMTPStub(Behaviour(refuse_connections=2)) as stub:
        use_smtp(settings, stub.port, timeout=2)
        queue_mails("dp_jt", "dp_czj")
        with caplog.at_level(logging.WARNING, logger="filings.notifications"):
            run_tasks()
        assert stub.connections == 3
        assert received_by(stub) == ["dp_czj@example.gov.cn", "dp_jt@example.gov.cn"]
    message = email.message_from_bytes(stub.received[0]["data"], policy=email.policy.default)
    assert message["Subject"] == "【预算绩效目标申报】测试" and "的通知" in message.get_content()
    assert not lost_records(caplog)
    assert [r.getMessage() for r in caplog.records][:1] == [
        "2 封通知邮件暂时没有发出（(421, b'try again later')），0 秒后第 1 次重试。"]
    assert results() == [{"sent": 0, "retrying": 2, "lost": 0}] * 2 + [{"sent": 2, "retrying": 0, "lost": 0}]


def test_after_the_last_retry_the_mails_are_logged_as_lost(demo, settings, caplog):
    settings.MAIL_RETRY_DELAYS = [0, 0]
    with SMTPStub(Behaviour(refuse_connections=3)) as stub:
        use_smtp(settings, stub.port, timeout=2)
        queue_mails("dp_jt", "dp_czj")
        with caplog.at_level(logging.ERROR, logger="filings.notifications"):
            run_tasks()
        assert stub.connections == 3 and not stub.received
    assert sorted(r.getMessage().split("，")[0] for r in lost_records(caplog)) == [
        "通知邮件发送失败（收件人：dp_czj@example.gov.cn", "通知邮件发送失败（收件人：dp_jt@example.gov.cn"]
    assert Notification.objects.filter(user__username__in=["dp_jt", "dp_czj"]).count() == 2  # kept in the app


def test_a_recipient_busy_for_now_is_retried_one_refused_for_good_is_not(demo, settings, caplog):
    settings.MAIL_RETRY_DELAYS = [0, 0]
    busy, unknown = "dp_jt@example.gov.cn", "dp_bj@example.gov.cn"
    with SMTPStub(Behaviour(recipient_codes={busy: [450], unknown: [550, 550, 550]})) as stub:
        use_smtp(settings, stub.port, timeout=2)
        queue_mails("dp_jt", "dp_bj", "dp_czj")
        with caplog.at_level(logging.ERROR, logger="filings.notifications"):
            run_tasks()
        assert stub.connections == 2  # the first round over one connection, the busy one again on the second
        assert received_by(stub) == ["dp_czj@example.gov.cn", busy]
    [refused] = lost_records(caplog)
    assert unknown in refused.getMessage() and "不再重试" in refused.getMessage()
    assert results() == [{"sent": 1, "retrying": 1, "lost": 1}, {"sent": 1, "retrying": 0, "lost": 0}]


@pytest.mark.parametrize("delays", [[], [0]])
def test_the_number_of_tries_follows_the_setting(demo, settings, delays):
    settings.MAIL_RETRY_DELAYS = delays
    with SMTPStub(Behaviour(refuse_connections=10)) as stub:
        use_smtp(settings, stub.port, timeout=2)
        queue_mails("dp_jt")
        run_tasks()
        assert stub.connections == 1 + len(delays)


def test_a_retry_is_a_deferred_task_and_the_worker_does_not_wait_for_it(demo, settings, caplog, monkeypatch):
    def no_sleeping(seconds):
        raise AssertionError(f"slept {seconds} s in the worker")

    monkeypatch.setattr(time, "sleep", no_sleeping)
    settings.MAIL_RETRY_DELAYS = [60, 120]
    with SMTPStub(Behaviour(refuse_connections=10)) as stub:
        use_smtp(settings, stub.port, timeout=2)
        queue_mails("dp_jt")
        assert run_tasks() == 1  # the retry is not ready yet (and nothing slept: time.sleep would have raised)
        assert stub.connections == 1
        first, retry = DBTaskResult.objects.order_by("enqueued_at")
        assert first.return_value == {"sent": 0, "retrying": 1, "lost": 0}
        assert retry.status == TaskResultStatus.READY and not DBTaskResult.objects.ready().filter(pk=retry.pk)
        assert abs(retry.run_after - (first.finished_at + timedelta(seconds=60))) < timedelta(seconds=5)
        assert retry.queue_name == "mail" and retry.args_kwargs["args"] == [first.args_kwargs["args"][0], 1]

        assert make_retries_due() == 1 and run_tasks() == 1  # the second try defers the third by the next delay
        assert stub.connections == 2
        third = DBTaskResult.objects.get(status=TaskResultStatus.READY)
        assert third.args_kwargs["args"][1] == 2
        assert abs(third.run_after - (timezone.now() + timedelta(seconds=120))) < timedelta(seconds=5)

        with caplog.at_level(logging.ERROR, logger="filings.notifications"):
            assert make_retries_due() == 1 and run_tasks() == 1
        assert stub.connections == 3 and not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    [lost] = lost_records(caplog)
    assert "dp_jt@example.gov.cn" in lost.getMessage() and "重试 2 次" in lost.getMessage()
    assert results()[-1] == {"sent": 0, "retrying": 0, "lost": 1}


def test_a_retry_that_cannot_be_enqueued_is_logged_as_lost(demo, settings, caplog, monkeypatch):
    from filings.tasks import send_mails

    settings.MAIL_RETRY_DELAYS = [60]
    with SMTPStub(Behaviour(refuse_connections=10)) as stub:
        use_smtp(settings, stub.port, timeout=2)
        queue_mails("dp_jt")

        def backend_down(*args, **kwargs):
            raise ConnectionError("Redis is down")

        monkeypatch.setattr(type(send_mails.get_backend()), "enqueue", backend_down)
        with caplog.at_level(logging.ERROR, logger="filings.notifications"):
            assert run_tasks() == 1
    [lost] = lost_records(caplog)
    assert "dp_jt@example.gov.cn" in lost.getMessage() and "无法安排重试" in lost.getMessage() and lost.exc_info
    assert results() == [{"sent": 0, "retrying": 0, "lost": 1}]


def test_both_task_backends_can_defer_a_task():
    from django_tasks_db import DatabaseBackend
    from django_tasks_rq import RQBackend

    assert DatabaseBackend.supports_defer and RQBackend.supports_defer

"""Sending the notification e-mails: the body of the `send_mails` task, run by a background worker.

A mail is a JSON-serialisable dict (``to``, ``subject``, ``body``). A task sends its mails over one connection, each
on its own: one that cannot be sent does not stop the others. The task itself schedules its retries, without holding
the worker: the mails that failed for a passing reason — the server unreachable, hanging, dropping the connection, or
answering 4xx ("try again later") — go into a new `send_mails` task deferred by the next of
`settings.MAIL_RETRY_DELAYS` seconds, carrying the attempt number; the worker meanwhile serves other tasks (the
downloads). A mail refused for good (a bad address, a 5xx answer) is not retried. What is still unsent after the last
delay is logged as lost (logger ``filings.notifications``, with the traceback): the in-app notification was stored
before the task was queued.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.utils import timezone

logger = logging.getLogger("filings.notifications")


def message_of(mail: dict) -> EmailMessage:
    return EmailMessage(mail["subject"], mail["body"], None, list(mail["to"]))


def passing(error: BaseException) -> bool:
    """Whether sending again later may succeed."""
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # refused, reset, timed out, no route, name not resolved


def connection_lost(error: BaseException) -> bool:
    """After this error the connection cannot carry the remaining mails of the round."""
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def describe(mail: dict) -> str:
    return f"收件人：{'、'.join(mail['to'])}，主题：{mail['subject']}"


def refused(mail: dict, error: BaseException) -> None:
    logger.error("通知邮件发送失败（%s）：邮件服务器拒收或邮件有误，不再重试；站内通知已保存。", describe(mail),
                 exc_info=error)


def close_quietly(mailer) -> None:
    try:
        mailer.close()
    except Exception:  # noqa: BLE001 - what was sent is sent; a failing QUIT changes nothing
        logger.warning("关闭邮件服务器连接时出错。", exc_info=True)


class Round:
    """One pass over the pending mails on one connection."""

    def __init__(self, mails: list[dict]):
        self.mails = mails
        self.sent = 0
        self.again: list[dict] = []
        self.error: BaseException | None = None

    def run(self) -> "Round":
        try:
            mailer = mailers.default
        except Exception as error:  # a misconfigured MAILERS setting
            self.postpone(self.mails, error)
            return self
        try:
            mailer.open()
        except Exception as error:
            self.postpone(self.mails, error)
            close_quietly(mailer)
            return self
        try:
            for index, mail in enumerate(self.mails):
                try:
                    self.sent += mailer.send_messages([message_of(mail)])
                except Exception as error:
                    if not passing(error):
                        refused(mail, error)
                    elif connection_lost(error):
                        self.postpone(self.mails[index:], error)
                        break
                    else:
                        self.postpone([mail], error)
        finally:
            close_quietly(mailer)
        return self

    def postpone(self, mails: list[dict], error: BaseException) -> None:
        if not passing(error):
            for mail in mails:
                refused(mail, error)
            return
        self.again += mails
        self.error = error


def lost(mails: list[dict], attempt: int, error: BaseException | None) -> None:
    for mail in mails:
        logger.error("通知邮件发送失败（%s）：重试 %d 次后仍连不上邮件服务器或被暂时拒绝；站内通知已保存。",
                     describe(mail), attempt, exc_info=error)


def retry_later(mails: list[dict], attempt: int, delay: float, retry_task) -> bool:
    """Enqueue the mails as `retry_task` (attempt number `attempt`) to run in `delay` seconds; whether it was."""
    try:
        retry_task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(mails, attempt)
    except Exception as error:  # noqa: BLE001 - the task backend is unreachable (e.g. Redis down)
        for mail in mails:
            logger.error("通知邮件发送失败（%s）：邮件暂时没有发出，且无法安排重试；站内通知已保存。",
                         describe(mail), exc_info=error)
        return False
    return True


def send(mails: list[dict], attempt: int, retry_task) -> dict:
    """Send the mails once (`attempt` 0 is the first try). Those that failed for a passing reason are enqueued again
    as `retry_task`, deferred by the delay for this attempt, or logged as lost after the last delay. Answer how many
    were sent, are to be retried, and are lost."""
    delays = settings.MAIL_RETRY_DELAYS
    done = Round(list(mails)).run()
    pending = done.again
    if not pending:
        return {"sent": done.sent, "retrying": 0, "lost": len(mails) - done.sent}
    if attempt >= len(delays):
        lost(pending, attempt, done.error)
        return {"sent": done.sent, "retrying": 0, "lost": len(mails) - done.sent}
    delay = delays[attempt]
    if not retry_later(pending, attempt + 1, delay, retry_task):
        return {"sent": done.sent, "retrying": 0, "lost": len(mails) - done.sent}
    logger.warning("%d 封通知邮件暂时没有发出（%s），%s 秒后第 %d 次重试。",
                   len(pending), done.error, delay, attempt + 1)
    return {"sent": done.sent, "retrying": len(pending), "lost": len(mails) - done.sent - len(pending)}

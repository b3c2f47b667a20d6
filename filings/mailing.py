"""Sending the notification e-mails: the body of the `send_mails` task, run by a background worker.

A mail is a JSON-serialisable dict (``to``, ``subject``, ``body``). Each round sends the pending mails over one
connection, each on its own: one that cannot be sent does not stop the others. A mail that failed for a passing
reason — the server unreachable, hanging, dropping the connection, or answering 4xx ("try again later") — is tried
again in the next round, after each of `settings.MAIL_RETRY_DELAYS` seconds in turn; a mail refused for good (a bad
address, a 5xx answer) is not retried. Whatever is still unsent at the end is logged as lost (logger
``filings.notifications``, with the traceback): the in-app notification was stored before the task was queued.
"""

import logging
import smtplib
import time

from django.conf import settings
from django.core.mail import EmailMessage, mailers

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


def send(mails: list[dict], delays: list[float] | None = None) -> dict:
    """Send the mails, retrying those that failed for a passing reason; answer how many were sent and lost."""
    delays = list(settings.MAIL_RETRY_DELAYS if delays is None else delays)
    pending, sent, error = list(mails), 0, None
    for attempt, delay in enumerate([0, *delays]):
        if attempt:
            logger.warning("%d 封通知邮件暂时没有发出（%s），%s 秒后第 %d 次重试。",
                           len(pending), error, delay, attempt)
            time.sleep(delay)
        done = Round(pending).run()
        sent, pending, error = sent + done.sent, done.again, done.error
        if not pending:
            break
    for mail in pending:
        logger.error("通知邮件发送失败（%s）：重试 %d 次后仍连不上邮件服务器或被暂时拒绝；站内通知已保存。",
                     describe(mail), len(delays), exc_info=error)
    return {"sent": sent, "lost": len(mails) - sent}

"""Telling people about a filing's transitions: in-app notifications and e-mail.

Who hears of what:

- 提交 → the reviewers whose turn it now is: with two review levels the 主管部门 审核人 on the unit's path below its
  nearest 财政 bureau; with one level the 财政 members of that nearest bureau;
- 主管部门审核通过 → the 财政 members of the filing's nearest bureau;
- 退回 → the filers of the filing's unit, with who returned it and the first line of the opinion;
- 已批复 → the filers of the filing's unit.

The review levels are the nearest bureau's (falling back upward, `filings.bureaus`), and only the level whose turn it
is hears of it: the 财政 members of a city or the province are not told of a county's filings, which they see but do
not review (`filings.access.members_over` is the one home of who is told). The person who acted is never told of
their own action. Notifications are stored in one bulk insert; the e-mails (one
per recipient, to those with an address) leave the request: once the transaction commits, one `send_mails` task on
the ``mail`` queue carries them, and a background worker sends them, retrying those a mail server could not take
just then (`filings.mailing`). A hanging mail server therefore never holds a reviewer's click. Subjects are
header-safe (one line, no control characters, at most `SUBJECT_LENGTH` characters), whatever a project or unit is
called. Mail trouble is logged (logger ``filings.notifications``) and never undoes or breaks a transition: the
workflow calls `notify_transition` after the transition has been committed.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from .access import bureaus_of, filers_of, members_over, review_levels
from .models import Action, Filing, FilingStatus, Notification, Role, Transition
from .tasks import send_mails
from .text import header_safe

logger = logging.getLogger(__name__)

SUBJECT_PREFIX = "【预算绩效目标申报】"
MESSAGE_LENGTH = Notification._meta.get_field("message").max_length
OPINION_LENGTH = 120
SUBJECT_LENGTH = 120  # characters, the prefix included


@dataclass
class Notice:
    """One message for one person: stored in the inbox and, if they have an address, e-mailed."""

    user: object
    message: str
    subject: str
    link: str
    filing: Filing | None = None


def display_name(user) -> str:
    return user.get_full_name() or user.username


def first_line(text: str) -> str:
    line = next((line.strip() for line in text.strip().splitlines() if line.strip()), "")
    return line if len(line) <= OPINION_LENGTH else line[: OPINION_LENGTH - 1] + "…"


def _clip(message: str) -> str:
    return message if len(message) <= MESSAGE_LENGTH else message[: MESSAGE_LENGTH - 1] + "…"


def _mail_body(notice: Notice) -> str:
    return (
        f"{display_name(notice.user)}，您好：\n\n"
        f"{notice.message}\n\n"
        f"请登录预算绩效目标申报系统查看：{notice.link}\n\n"
        "（本邮件由系统自动发送，请勿直接回复。）\n"
    )


def deliver(notices: list[Notice]) -> tuple[int, int]:
    """Store the notices (one insert) and, once the transaction commits, queue their e-mails as one task; answer
    (notifications stored, e-mails queued)."""
    if not notices:
        return 0, 0
    Notification.objects.bulk_create(
        [Notification(user=n.user, filing=n.filing, message=_clip(n.message)) for n in notices]
    )
    mails = [mail_of(n) for n in notices if n.user.email]
    if mails:
        # robust: a task queue that cannot be reached is logged; it must not turn a committed transition into an error
        transaction.on_commit(lambda: enqueue_mails(mails), robust=True)
    return len(notices), len(mails)


def mail_subject(subject: str) -> str:
    return header_safe(SUBJECT_PREFIX + subject, SUBJECT_LENGTH)


def mail_of(notice: Notice) -> dict:
    """The e-mail of a notice as the task carries it (JSON)."""
    return {"to": [notice.user.email], "subject": mail_subject(notice.subject), "body": _mail_body(notice)}


def enqueue_mails(mails: list[dict]) -> None:
    try:
        send_mails.enqueue(mails)
    except Exception:
        # The task backend is unreachable (e.g. Redis down): the in-app notifications are stored all the same.
        logger.exception("通知邮件没有排入后台队列，%d 封没有发出；站内通知已保存。", len(mails))


def notices_for(entry: Transition, filing: Filing) -> list[Notice]:
    """Who is told what about one transition (nothing for 撤回 and 调整)."""
    actor = display_name(entry.actor)
    # Mail readers need a full address; SITE_URL (e.g. https://jx.example.gov.cn) supplies the host.
    site = settings.SITE_URL.rstrip("/")
    review_link = site + reverse("filings:review", args=[filing.pk])
    tasks_link = site + reverse("filings:tasks", args=[filing.pk])
    if entry.action == Action.SUBMIT:
        bureaus = bureaus_of(filing)
        role = Role.REVIEWER if review_levels(filing, bureaus) == 2 else Role.FINANCE
        recipients, link = members_over(filing, role, bureaus), review_link
        message = f"《{filing}》已由{actor}提交，等待您审核。"
        subject = f"待审核：{filing}"
    elif entry.action == Action.APPROVE and entry.to_status == FilingStatus.DEPARTMENT_APPROVED:
        recipients, link = members_over(filing, Role.FINANCE), review_link
        message = f"《{filing}》已通过主管部门审核（审核人：{actor}），等待财政审核。"
        subject = f"待审核：{filing}"
    elif entry.action == Action.APPROVE and entry.to_status == FilingStatus.APPROVED:
        recipients, link = filers_of(filing.unit_id), tasks_link
        message = f"《{filing}》已通过财政审核并批复（审核人：{actor}）。"
        subject = f"已批复：{filing}"
    elif entry.action == Action.RETURN:
        recipients, link = filers_of(filing.unit_id), tasks_link
        message = f"《{filing}》被{actor}退回修改。审核意见：{first_line(entry.comment)}"
        subject = f"已退回：{filing}"
    else:
        return []
    return [Notice(user=user, message=message, subject=subject, link=link, filing=filing)
            for user in recipients if user.pk != entry.actor_id]


def notify_transition(entry: Transition) -> None:
    """Called by the workflow after every transition (see filings/workflow.py)."""
    try:
        filing = Filing.objects.with_related().get(pk=entry.filing_id)
        deliver(notices_for(entry, filing))
    except Exception:
        # The transition is already committed; telling people about it must not turn it into an error page.
        logger.exception("流转 %s 的通知没有发出。", entry.pk)

"""Periodic tasks (django.tasks), enqueued by `background.periodic` as `settings.PERIODIC_TASKS` says."""

import logging

from django.db import transaction
from django.tasks import task

from background.backends import fail_orphaned_tasks
from background.heartbeat import forget_old

from . import checked, downloads, reminders
from .notifications import deliver

logger = logging.getLogger(__name__)


@task(takes_context=True)
def sweep_downloads(context) -> dict:
    """Re-queue or fail what stopped workers left running."""
    requeued, failed = downloads.sweep()
    this_worker = (context.task_result.worker_ids or [""])[-1]
    return {"requeued": requeued, "failed": failed, "orphaned_tasks": fail_orphaned_tasks(this_worker)}


@task()
def remove_expired_downloads() -> dict:
    """Files past their time, files no job references, and the heartbeats of workers long gone."""
    return {"expired": downloads.remove_expired(), "orphan_files": downloads.remove_orphan_files(),
            "old_workers": forget_old()}


@task()
def remind_deadlines(days: int = reminders.DAYS) -> dict:
    """The deadline reminders (once a day at most for each person and deadline, however often this runs)."""
    found = reminders.due(days)
    with transaction.atomic():
        stored, queued = deliver(found.notices)
    if stored:
        logger.info("截止日期提醒：%s", "\n".join(found.lines))
    return {"reminded": stored, "mails": queued}


@task()
def refresh_stored_checks() -> dict:
    """Daily: rule A15 reads today's date, so filings whose 填报日期 has come since their last check are checked
    again; filings never checked (from before the stored results) are checked too."""
    return {"dated": checked.refresh_dated(), "unchecked": checked.refresh_unchecked()}

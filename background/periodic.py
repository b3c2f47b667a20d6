"""Periodic tasks (`settings.PERIODIC_TASKS`: dotted path of a django.tasks task → seconds between runs).

The database task backend has no scheduler of its own: `enqueue_due` is called by a worker started with
``--schedule`` (the demo's `bin/run`) or by ``manage.py run_periodic`` from a systemd timer. Each task's row in
`PeriodicRun` is locked while deciding, so several schedulers enqueue one run per interval between them."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicRun

logger = logging.getLogger(__name__)

# A scheduler called a moment before the interval is up (a timer's jitter) still enqueues: otherwise a task meant for
# every minute, driven by a timer of one minute, would run every other minute.
EARLY = datetime.timedelta(seconds=5)


def enqueue_due(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue every periodic task whose interval has passed; the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, seconds in settings.PERIODIC_TASKS.items():
        with transaction.atomic():
            PeriodicRun.objects.get_or_create(name=name, defaults={"enqueued_at": now - datetime.timedelta(
                seconds=seconds)})
            run = PeriodicRun.objects.select_for_update().get(name=name)
            if run.enqueued_at > now - datetime.timedelta(seconds=seconds) + EARLY:
                continue
            run.enqueued_at = now
            run.save(update_fields=["enqueued_at"])
            task = import_string(name)
            transaction.on_commit(lambda task=task: task.enqueue(), robust=True)
        enqueued.append(name)
    if enqueued:
        logger.info("定时任务已排队：%s", "、".join(enqueued))
    return enqueued

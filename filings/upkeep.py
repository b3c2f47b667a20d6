"""Periodic tasks (django.tasks), enqueued by `background.periodic` as `settings.PERIODIC_TASKS` says."""

from django.tasks import task

from background.backends import fail_orphaned_tasks

from . import downloads


@task()
def sweep_downloads() -> dict:
    """Re-queue or fail what stopped workers left running."""
    requeued, failed = downloads.sweep()
    return {"requeued": requeued, "failed": failed, "orphaned_tasks": fail_orphaned_tasks()}


@task()
def remove_expired_downloads() -> int:
    return downloads.remove_expired()

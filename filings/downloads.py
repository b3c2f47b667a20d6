"""下载任务: files that take longer than a request to build — many filings' PDFs in one ZIP, the consolidated Excel
workbook — asked for by one user, built by a background worker, kept for `DOWNLOAD_KEEP_HOURS` in the `private`
storage and downloadable by that user only.

The request (`request`) only records a `DownloadJob` and enqueues the `build_download` task after the commit; the
worker builds it (`filings.download_jobs`). A job whose heartbeat stops (its worker was killed) is re-queued by
`sweep`, then failed with a readable reason; `remove_expired` deletes files past their time and
`remove_orphan_files` those no job names (a worker killed between saving a file and recording it).
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.tasks import default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone

from background import heartbeat

from . import queues
from .download_jobs import describe, fail, filings_of, private_storage, stored_filters
from .models import DownloadJob, JobState
from .tasks import build_download

logger = logging.getLogger(__name__)

HUNG_FACTOR = 10
# django-tasks-rq is built on the `django_tasks` backport, whose exception is not django.tasks' own.
try:
    from django_tasks.exceptions import TaskResultDoesNotExist as BackportResultDoesNotExist
except ImportError:  # the RQ backend is not installed
    MISSING_RESULT = (TaskResultDoesNotExist,)
else:
    MISSING_RESULT = (TaskResultDoesNotExist, BackportResultDoesNotExist)
# A request for the same file while an earlier one is still queued or being built (a double click) gets that one.
SAME_REQUEST_WINDOW = datetime.timedelta(minutes=10)


# --- the request ---------------------------------------------------------------------------------------------------

def request(user, kind: str, filters: queues.Filters) -> tuple[DownloadJob, bool]:
    """The job for this file and whether it is new; an identical one still queued or running is reused. A job that
    would cover no filing is returned unsaved (``pk`` None). The task is enqueued once the job is committed."""
    stored = stored_filters(filters)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one request of a user at a time
        earlier = DownloadJob.objects.filter(
            requested_by=user, kind=kind, filters=stored, state__in=[JobState.QUEUED, JobState.RUNNING],
            created_at__gte=timezone.now() - SAME_REQUEST_WINDOW,
        ).first()
        if earlier is not None:
            return earlier, False
        job = DownloadJob(kind=kind, requested_by=user, description=describe(filters), filters=stored)
        job.total = filings_of(job).count()
        if job.total == 0:
            return job, False
        job.save()
        # robust: a task backend that cannot be reached (Redis down) is logged, the job stays queued without a task
        # and the sweep enqueues it again; the user is not shown a server error.
        transaction.on_commit(lambda: enqueue(job.pk), robust=True)
    return job, True


def enqueue(job_id: int) -> None:
    result = build_download.enqueue(job_id)
    DownloadJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


# --- periodic care -------------------------------------------------------------------------------------------------

def sweep(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Jobs left running by a worker that stopped (no progress for `TASK_STALE_SECONDS` and no heartbeat from its
    worker) are queued again, at most `DOWNLOAD_MAX_ATTEMPTS` builds in all, then failed with a reason; queued jobs
    whose task the backend lost are enqueued again. A live worker's slow job is left alone unless it made no
    progress for `HUNG_FACTOR` times as long (a build stuck for good). Answers (re-queued, failed)."""
    now = now or timezone.now()
    stale_before = now - datetime.timedelta(seconds=settings.TASK_STALE_SECONDS)
    hung_before = now - datetime.timedelta(seconds=settings.TASK_STALE_SECONDS * HUNG_FACTOR)
    requeued, failed, requeued_ids = 0, 0, []
    stale = DownloadJob.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=stale_before)
    living = set(heartbeat.alive(now).values_list("worker_id", flat=True))
    stale = stale.exclude(Q(worker__in=living) & Q(heartbeat_at__gte=hung_before))
    for job_id in list(stale.values_list("pk", flat=True)):
        with transaction.atomic():
            job = DownloadJob.objects.select_for_update(skip_locked=True).filter(
                pk=job_id, state=JobState.RUNNING, heartbeat_at__lt=stale_before).first()
            if job is None:
                continue
            if job.attempts < settings.DOWNLOAD_MAX_ATTEMPTS:
                job.state, job.done = JobState.QUEUED, 0
                job.note = f"第 {job.attempts} 次生成中断（后台工作进程停止），已自动重新排队。"
                job.save(update_fields=["state", "done", "note"])
                transaction.on_commit(lambda pk=job.pk: enqueue(pk), robust=True)
                requeued += 1
                requeued_ids.append(job.pk)
            else:
                fail(job, f"生成中断：后台工作进程停止，已尝试 {job.attempts} 次。"
                          "请重新申请；如果一再发生，请联系管理员。")
                failed += 1
    waiting = DownloadJob.objects.filter(state=JobState.QUEUED, created_at__lt=stale_before)
    for job in waiting.exclude(pk__in=requeued_ids):  # those just re-queued still name their previous task
        if not job.task_id or task_lost(job.task_id):  # no task id: enqueueing it failed (backend unreachable)
            logger.warning("下载任务 %s 的后台任务已丢失，重新排队。", job.pk)
            transaction.on_commit(lambda pk=job.pk: enqueue(pk), robust=True)
            requeued += 1
    return requeued, failed


def task_lost(task_id: str) -> bool:
    """The backend no longer has the task, or it ended without building (e.g. Redis restarted, a worker killed)."""
    try:
        result = default_task_backend.get_result(task_id)
    except MISSING_RESULT:
        return True
    except NotImplementedError:
        return False
    return result.is_finished


def remove_expired(now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs past their expiry (the job stays listed as 已过期); answers how many."""
    now = now or timezone.now()
    removed = 0
    expired = DownloadJob.objects.filter(state=JobState.DONE, expires_at__lt=now)
    for job in expired.only("pk", "file_name"):
        if job.file_name:
            private_storage().delete(job.file_name)
        DownloadJob.objects.filter(pk=job.pk, state=JobState.DONE).update(state=JobState.EXPIRED, file_name="")
        removed += 1
    return removed


ORPHAN_AGE = datetime.timedelta(days=1)  # a file being built is saved a moment before its job names it


# Folders of the private storage whose files only jobs name: downloads/ now, pdf-batches/ of the version before the
# task queue (its ZIPs had no clean-up), healthz/ for probes of a request that died mid-way.
ORPHAN_FOLDERS = ("downloads", "pdf-batches", "healthz")


def remove_orphan_files(now: datetime.datetime | None = None) -> int:
    """Delete files in `ORPHAN_FOLDERS` of the private storage that no job names and that are older than a day."""
    now = now or timezone.now()
    storage = private_storage()
    names = []
    for folder in ORPHAN_FOLDERS:
        try:
            names += [f"{folder}/{name}" for name in storage.listdir(folder)[1]]
        except FileNotFoundError:
            continue
    named = set(DownloadJob.objects.exclude(file_name="").values_list("file_name", flat=True))
    removed = 0
    for name in names:
        if name not in named and storage.get_modified_time(name) < now - ORPHAN_AGE:
            storage.delete(name)
            removed += 1
    if removed:
        logger.warning("已删除 %d 个没有下载任务引用的文件。", removed)
    return removed

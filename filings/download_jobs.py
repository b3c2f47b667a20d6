"""A 下载任务's file and its building, the worker's side (the request and the periodic care: `filings.downloads`).

`run` claims the job under its row lock — a job is built once, however many workers or duplicate tasks there are —
reports progress and a heartbeat after each filing, saves the file through the storage API (the `private` alias)
and tells the requester; a failure is recorded on the job with a reason the user can read."""

import datetime
import logging
import tempfile
import time

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from . import queues
from .access import Scope
from .exports.batches import write_pdf_zip
from .exports.excel.consolidated import write_consolidated
from .models import DownloadJob, DownloadKind, FilingKind, FilingStatus, JobState, Notification, Unit

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between progress writes (and always after the last item)

SUFFIX = {DownloadKind.PDF_BATCH: ".zip", DownloadKind.CONSOLIDATED: ".xlsx"}
CONTENT_TYPE = {DownloadKind.PDF_BATCH: "application/zip",
                DownloadKind.CONSOLIDATED: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def private_storage():
    return storages["private"]


# --- what a job covers ---------------------------------------------------------------------------------------------

def stored_filters(filters: queues.Filters) -> dict:
    return {"year": filters.year, "unit": filters.unit.pk if filters.unit is not None else None,
            "kind": filters.kind, "status": filters.status}


def filters_of(job: DownloadJob) -> queues.Filters:
    stored = job.filters
    unit = Unit.objects.filter(pk=stored.get("unit")).first() if stored.get("unit") else None
    return queues.Filters(year=stored.get("year"), unit=unit, kind=stored.get("kind", ""),
                          status=stored.get("status", ""))


def describe(filters: queues.Filters) -> str:
    parts = [f"{filters.year}年度" if filters.year else "全部年度"]
    if filters.unit is not None:
        parts.append(f"{filters.unit.name}（含下级）")
    if filters.kind:
        parts.append(FilingKind(filters.kind).label)
    if filters.status:
        parts.append(FilingStatus(filters.status).label)
    return " · ".join(parts)


def filings_of(job: DownloadJob):
    """The filings the requester may see now that match the job's filters, in the order of the unit tree."""
    filings = filters_of(job).apply(Scope.of(job.requested_by).filings())
    return filings.order_by("unit__path", "year", "kind", "position", "pk")


def download_name(job: DownloadJob) -> str:
    title = "预算绩效目标PDF" if job.kind == DownloadKind.PDF_BATCH else "预算绩效目标汇总"
    return f"{title}_{job.description.replace(' · ', '_')}_{job.created_at:%Y%m%d}{SUFFIX[job.kind]}"


# --- the worker's side ---------------------------------------------------------------------------------------------

def claim(job_id: int, worker: str) -> DownloadJob | None:
    """Mark the job running for this worker; None if it is not queued (built, taken by another worker, gone)."""
    with transaction.atomic():
        job = DownloadJob.objects.select_for_update().filter(pk=job_id, state=JobState.QUEUED).first()
        if job is None:
            return None
        now = timezone.now()
        job.state, job.started_at, job.heartbeat_at, job.done = JobState.RUNNING, now, now, 0
        job.attempts += 1
        job.worker, job.error = worker[:100], ""
        job.save(update_fields=["state", "started_at", "heartbeat_at", "done", "attempts", "worker", "error"])
    return job


class Progress:
    """Called with the number of items done; writes it (and the heartbeat) at most every `PROGRESS_EVERY` s."""

    def __init__(self, job: DownloadJob):
        self.job, self.written_at = job, 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY and done < self.job.total:
            return
        self.written_at = now
        DownloadJob.objects.filter(pk=self.job.pk, attempts=self.job.attempts, state=JobState.RUNNING).update(
            done=done, heartbeat_at=timezone.now())


def build_file(job: DownloadJob, target, progress) -> int:
    filings = filings_of(job)
    if job.kind == DownloadKind.PDF_BATCH:
        return write_pdf_zip(filings, target, progress)
    return write_consolidated(filings, target, progress=progress).filings


def run(job_id: int, worker: str) -> str:
    """Build the job's file (the `build_download` task's body); what happened, for the task's result."""
    job = claim(job_id, worker)
    if job is None:
        return "skipped"
    progress = Progress(job)
    try:
        with tempfile.TemporaryFile(prefix="perfbudget-download-") as scratch:
            count = build_file(job, scratch, progress)
            scratch.seek(0)
            name = private_storage().save(
                f"downloads/{job.pk}-{get_random_string(12)}{SUFFIX[job.kind]}", File(scratch))
            size = private_storage().size(name)
    except Exception as error:
        logger.exception("下载任务 %s 生成失败", job.pk)
        fail(job, reason_of(error))
        raise
    if not finish(job, name, size, count):
        private_storage().delete(name)  # the sweep gave the job to another attempt meanwhile: theirs counts
        return "superseded"
    return "done"


def reason_of(error: Exception) -> str:
    if isinstance(error, MemoryError):
        return "生成失败：服务器内存不足，请缩小范围（例如按年度或单位筛选）后重新申请。"
    if isinstance(error, OSError):
        return "生成失败：服务器无法写入文件（存储空间不足或不可用），请联系管理员。"
    return f"生成失败：程序错误（{type(error).__name__}），请联系管理员。"


def finish(job: DownloadJob, name: str, size: int, count: int) -> bool:
    now = timezone.now()
    expires = now + datetime.timedelta(hours=settings.DOWNLOAD_KEEP_HOURS)
    updated = DownloadJob.objects.filter(pk=job.pk, attempts=job.attempts, state=JobState.RUNNING).update(
        state=JobState.DONE, file_name=name, file_size=size, done=count, total=count, finished_at=now,
        heartbeat_at=now, expires_at=expires)
    if updated:
        notify(job, f"{job.get_kind_display()}已生成：{job.description}，共 {count} 份，可在“下载任务”中下载"
                    f"（保留至 {timezone.localtime(expires):%m-%d %H:%M}）。")
    return bool(updated)


def fail(job: DownloadJob, reason: str) -> None:
    now = timezone.now()
    # Only the running attempt that failed: a worker failing after the sweep re-queued its job (or after another
    # worker took it up again) must not fail the next try.
    updated = DownloadJob.objects.filter(pk=job.pk, attempts=job.attempts, state=JobState.RUNNING).update(
        state=JobState.FAILED, error=reason[:300], finished_at=now, heartbeat_at=now)
    if updated:
        notify(job, f"{job.get_kind_display()}生成失败：{job.description}。{reason}")


def notify(job: DownloadJob, message: str) -> None:
    Notification.objects.create(user=job.requested_by, download=job, message=message[:300])

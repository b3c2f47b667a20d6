"""The periodic care of 下载任务: the sweep re-queues or fails what a stopped worker left, queued jobs whose task the
backend lost are queued again, a superseded worker's file is not kept twice; expired and orphan files are removed."""

import datetime
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.models import WorkerHeartbeat
from filings import download_jobs, downloads, queues
from filings.models import DownloadJob, DownloadKind, JobState, Notification
from filings.upkeep import remove_expired_downloads

from .tasks import run_tasks

User = get_user_model()


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    settings.DOWNLOAD_MAX_ATTEMPTS = 2
    return tmp_path


def requested(username="yq_wjw") -> DownloadJob:
    """A consolidated export asked for and queued (its task enqueued after the commit)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        job, created = downloads.request(User.objects.get(username=username), DownloadKind.CONSOLIDATED,
                                         queues.Filters(year=2024))
    assert created and job.total == 5
    return job


def left_running(job: DownloadJob, attempts: int = 1) -> DownloadJob:
    """The job as a worker killed mid-build leaves it: claimed, its heartbeat stopped long ago."""
    job.attempts = attempts - 1
    job.save(update_fields=["attempts"])
    claimed = download_jobs.claim(job.pk, "killed-worker")
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    DownloadJob.objects.filter(pk=job.pk).update(heartbeat_at=long_ago, created_at=long_ago)
    return claimed


def sweep() -> tuple[int, int]:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return downloads.sweep()


def build_tasks(job) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path="filings.tasks.build_download", args_kwargs__args=[job.pk]))


def downloaded_files(root) -> list[str]:
    folder = root / "downloads"
    return sorted(os.listdir(folder)) if folder.exists() else []


def test_a_job_left_running_is_queued_again_with_a_note_and_built(client, demo, private_dir):
    job = requested()
    DBTaskResult.objects.all().delete()  # the killed worker's task, whatever became of it
    left_running(job)
    assert sweep() == (1, 0)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.done == 0
    assert job.note == "第 1 次生成中断（后台工作进程停止），已自动重新排队。"
    [task] = build_tasks(job)
    assert job.task_id == str(task.id)
    client.force_login(job.requested_by)
    page = client.get(f"/filings/downloads/{job.pk}/").content.decode()
    assert "排队中" in page and job.note in page
    assert run_tasks() == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2 and len(downloaded_files(private_dir)) == 1


def test_after_the_last_attempt_the_job_fails_with_the_reason_and_the_user_is_told(demo):
    job = requested()
    DBTaskResult.objects.all().delete()
    left_running(job, attempts=2)
    assert sweep() == (0, 1)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "已尝试 2 次" in job.error and "请重新申请" in job.error
    [told] = Notification.objects.filter(user=job.requested_by, download=job)
    assert "生成失败" in told.message and job.error in told.message
    assert not build_tasks(job)


def test_a_running_job_with_a_recent_heartbeat_is_left_alone(demo):
    job = requested()
    download_jobs.claim(job.pk, "busy-worker")
    assert sweep() == (0, 0)
    assert DownloadJob.objects.get(pk=job.pk).state == JobState.RUNNING


def test_a_queued_job_whose_task_was_lost_is_queued_again_once(demo):
    job = requested()
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    DownloadJob.objects.filter(pk=job.pk).update(created_at=long_ago)
    assert sweep() == (0, 0)  # its task is still waiting for a worker
    DBTaskResult.objects.all().delete()  # e.g. a restarted Redis, or results pruned
    assert sweep() == (1, 0)
    [task] = build_tasks(job)
    assert DownloadJob.objects.get(pk=job.pk).task_id == str(task.id)
    assert sweep() == (0, 0)  # the new task is waiting: not enqueued a third time
    assert run_tasks() == 1 and DownloadJob.objects.get(pk=job.pk).state == JobState.DONE


def test_a_worker_that_finishes_after_the_sweep_requeued_its_job_does_not_leave_a_second_file(demo, private_dir,
                                                                                               monkeypatch):
    job = requested()
    real_build = download_jobs.build_file

    def slow_build(building, target, progress):
        # The worker stalls long enough for the sweep to take the job for abandoned, then carries on.
        DownloadJob.objects.filter(pk=building.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
        assert sweep() == (1, 0)
        return real_build(building, target, progress)

    monkeypatch.setattr(download_jobs, "build_file", slow_build)
    assert download_jobs.run(job.pk, "slow-worker") == "superseded"
    assert DownloadJob.objects.get(pk=job.pk).state == JobState.QUEUED and not downloaded_files(private_dir)
    monkeypatch.setattr(download_jobs, "build_file", real_build)
    assert run_tasks() == 2  # the first task builds the re-queued job, the sweep's finds it built
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    assert downloaded_files(private_dir) == [job.file_name.removeprefix("downloads/")]
    assert Notification.objects.filter(download=job).count() == 1  # told once, of the file that counts


def test_a_worker_that_fails_after_the_sweep_requeued_its_job_does_not_fail_the_next_try(demo, monkeypatch):
    job = requested()

    def failing_build(building, target, progress):
        DownloadJob.objects.filter(pk=building.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
        assert sweep() == (1, 0)
        raise OSError("disk went away")

    monkeypatch.setattr(download_jobs, "build_file", failing_build)
    with pytest.raises(OSError):
        download_jobs.run(job.pk, "failing-worker")
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and not job.error
    assert not Notification.objects.filter(download=job).exists()


# --- removing what is past its time -----------------------------------------------------------------------------

def stored(name: str, age: datetime.timedelta) -> str:
    storage = storages["private"]
    name = storage.save(name, ContentFile(b"PK"))
    when = (timezone.now() - age).timestamp()
    os.utime(storage.path(name), (when, when))
    return name


def test_expired_files_orphan_files_and_old_heartbeats_are_removed(demo):
    job = requested()
    run_tasks()
    job.refresh_from_db()
    fresh = requested()
    run_tasks()
    fresh.refresh_from_db()
    DownloadJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    old_orphan = stored("downloads/killed-before-finish.xlsx", datetime.timedelta(days=2))
    new_orphan = stored("downloads/being-built.xlsx", datetime.timedelta(minutes=5))
    old_batch = stored("pdf-batches/batch-7.zip", datetime.timedelta(days=30))  # left by the version before jobs
    DownloadJob.objects.filter(pk=fresh.pk).update(file_name=stored("downloads/old-but-named.xlsx",
                                                                    datetime.timedelta(days=2)))
    now = timezone.now()
    WorkerHeartbeat.objects.bulk_create([
        WorkerHeartbeat(worker_id=name, host="h", pid=1, backend="b", queues="default", started_at=now - age,
                        seen_at=now - age)
        for name, age in [("gone", datetime.timedelta(days=8)), ("recent", datetime.timedelta(minutes=1))]])
    storage = storages["private"]
    expired_name = job.file_name
    assert storage.exists(expired_name)

    assert remove_expired_downloads.call() == {"expired": 1, "orphan_files": 2, "old_workers": 1}
    job.refresh_from_db()
    assert not storage.exists(old_batch)
    assert job.state == JobState.EXPIRED and job.file_name == "" and not storage.exists(expired_name)
    assert not storage.exists(old_orphan) and storage.exists(new_orphan)
    assert storage.exists("downloads/old-but-named.xlsx")
    assert DownloadJob.objects.get(pk=fresh.pk).state == JobState.DONE
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["recent"]
    assert remove_expired_downloads.call() == {"expired": 0, "orphan_files": 0, "old_workers": 0}


def test_the_expired_job_can_no_longer_be_downloaded(client, demo):
    job = requested()
    run_tasks()
    DownloadJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    downloads.remove_expired()
    client.force_login(job.requested_by)
    assert "已过期" in client.get(f"/filings/downloads/{job.pk}/").content.decode()
    response = client.get(f"/filings/downloads/{job.pk}/file/", follow=True)
    assert response.redirect_chain == [(f"/filings/downloads/{job.pk}/", 302)]  # back to the page, with a message
    assert "已过期" in response.content.decode() and not response.get("Content-Disposition")


def test_a_slow_job_of_a_living_worker_is_left_alone_until_it_is_stuck_for_good(demo, settings):
    job = requested()
    left_running(job)
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="killed-worker", host="app1", pid=1, backend="db", queues="default",
                                   started_at=now, seen_at=now)  # its worker still beats: one filing is just slow
    settings.TASK_STALE_SECONDS = 600  # the job's last progress, an hour ago, is past this but within ten times it
    assert sweep() == (0, 0)
    assert DownloadJob.objects.get(pk=job.pk).state == JobState.RUNNING
    settings.TASK_STALE_SECONDS = 300  # now an hour is more than ten times the stale time: stuck, the worker or not
    assert sweep() == (1, 0)
    assert DownloadJob.objects.get(pk=job.pk).state == JobState.QUEUED


def test_a_task_the_rq_backend_lost_counts_as_lost(demo):
    # django-tasks-rq raises the `django_tasks` backport's exception, which is not django.tasks' own.
    from unittest import mock

    from django.tasks import task_backends
    from django_tasks.exceptions import TaskResultDoesNotExist as BackportResultDoesNotExist

    backend = task_backends["default"]
    with mock.patch.object(backend, "get_result", side_effect=BackportResultDoesNotExist("gone with Redis")):
        assert downloads.task_lost("0f1e2d3c")


def test_a_queue_that_cannot_be_reached_leaves_the_job_queued_and_the_sweep_enqueues_it(client, demo):
    from unittest import mock

    from filings.tasks import build_download

    client.force_login(User.objects.get(username="yq_wjw"))
    with mock.patch.object(type(build_download), "enqueue", side_effect=ConnectionError("Redis is down")), \
            TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/filings/batches/new/", {"year": "2024"})
    job = DownloadJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/filings/downloads/{job.pk}/"
    assert job.state == JobState.QUEUED and job.task_id == "" and not build_tasks(job)
    DownloadJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))
    assert sweep() == (1, 0)
    assert len(build_tasks(job)) == 1 and DownloadJob.objects.get(pk=job.pk).task_id


def test_a_file_past_its_expiry_is_not_served_before_the_clean_up_has_run(client, demo):
    job = requested()
    run_tasks()
    DownloadJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(job.requested_by)
    page = client.get(f"/filings/downloads/{job.pk}/").content.decode()
    assert "已过期" in page and "下载文件" not in page
    response = client.get(f"/filings/downloads/{job.pk}/file/")
    assert response.status_code == 302 and not response.get("Content-Disposition")
    assert storages["private"].exists(DownloadJob.objects.get(pk=job.pk).file_name)  # deleted by the clean-up only

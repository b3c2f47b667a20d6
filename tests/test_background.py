"""The background machinery: periodic tasks enqueued once per interval (also by two schedulers at once), tasks left
running by a stopped worker marked failed, and `manage.py worker --burst` running what is queued and exiting."""

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from background.backends import fail_orphaned_tasks
from background.models import PeriodicRun, WorkerHeartbeat
from background.periodic import enqueue_due
from filings.tasks import send_mails

from .tasks import run_tasks

PERIODIC = {"filings.upkeep.sweep_downloads": 60, "filings.upkeep.remove_expired_downloads": 3600}


def enqueued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


def heartbeat(worker_id: str, age: datetime.timedelta) -> None:
    seen = timezone.now() - age
    WorkerHeartbeat.objects.create(worker_id=worker_id, host="h", pid=1, backend="b", queues="default",
                                   started_at=seen, seen_at=seen)


# --- periodic tasks ---------------------------------------------------------------------------------------------

def test_each_due_task_is_enqueued_once_and_again_after_its_interval(db, settings, django_capture_on_commit_callbacks):
    settings.PERIODIC_TASKS = PERIODIC
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue_due(start) == list(PERIODIC)
        assert enqueue_due(start + datetime.timedelta(seconds=50)) == []
        assert enqueue_due(start + datetime.timedelta(seconds=58)) == ["filings.upkeep.sweep_downloads"]  # jitter
        assert enqueue_due(start + datetime.timedelta(seconds=100)) == []
        assert enqueue_due(start + datetime.timedelta(seconds=3540)) == ["filings.upkeep.sweep_downloads"]
        assert enqueue_due(start + datetime.timedelta(seconds=3600)) == list(PERIODIC)
    assert enqueued("filings.upkeep.sweep_downloads") == 4
    assert enqueued("filings.upkeep.remove_expired_downloads") == 2
    assert PeriodicRun.objects.get(name="filings.upkeep.sweep_downloads").enqueued_at == (
        start + datetime.timedelta(seconds=3600))


def test_the_enqueued_periodic_tasks_run(db, settings, django_capture_on_commit_callbacks):
    settings.PERIODIC_TASKS = PERIODIC
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_due()
    assert run_tasks() == 2
    results = {r.task_path: r.return_value for r in DBTaskResult.objects.all()}
    assert results == {"filings.upkeep.sweep_downloads": {"requeued": 0, "failed": 0, "orphaned_tasks": 0},
                       "filings.upkeep.remove_expired_downloads": {"expired": 0, "orphan_files": 0,
                                                                   "old_workers": 0}}


def test_the_settings_name_every_periodic_task_as_a_task():
    from django.conf import settings
    from django.tasks import Task
    from django.utils.module_loading import import_string

    assert set(settings.PERIODIC_TASKS) == {"filings.upkeep.sweep_downloads", "filings.upkeep.remove_expired_downloads",
                                            "filings.upkeep.remind_deadlines", "filings.upkeep.refresh_stored_checks"}
    for name in settings.PERIODIC_TASKS:
        assert isinstance(import_string(name), Task)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs concurrent writers with row locks: runs on PostgreSQL (CI sets DATABASE_URL)")
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_enqueue_each_task_once(settings):
    settings.PERIODIC_TASKS = PERIODIC
    both_ready = threading.Barrier(2)
    answers, errors = [], []

    def scheduler():
        try:
            both_ready.wait(timeout=10)
            answers.append(enqueue_due())
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    for _ in range(3):  # the first time the rows are created, then they exist: both races
        threads = [threading.Thread(target=scheduler) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert not errors and len(answers) == 2
        # each task enqueued by exactly one of the two (which one takes which is up to the race)
        assert sorted(sum(answers, [])) == sorted(PERIODIC), answers
        answers.clear()
        PeriodicRun.objects.update(enqueued_at=timezone.now() - datetime.timedelta(hours=2))
    assert enqueued("filings.upkeep.sweep_downloads") == 3
    assert enqueued("filings.upkeep.remove_expired_downloads") == 3


# --- tasks a stopped worker left running ------------------------------------------------------------------------

def test_tasks_left_running_by_a_stopped_worker_are_marked_failed(db):
    heartbeat("alive", datetime.timedelta(seconds=1))
    heartbeat("killed", datetime.timedelta(hours=1))
    results = {}
    for owner in ["alive", "killed", "never-seen"]:
        result = DBTaskResult.objects.get(pk=send_mails.enqueue([]).id)
        result.claim(owner)
        results[owner] = result
    finished = DBTaskResult.objects.get(pk=send_mails.enqueue([]).id)
    finished.claim("killed")
    finished.set_successful({"sent": 0, "lost": 0})

    assert fail_orphaned_tasks() == 2
    status = {owner: DBTaskResult.objects.get(pk=result.pk).status for owner, result in results.items()}
    assert status == {"alive": "RUNNING", "killed": "FAILED", "never-seen": "FAILED"}
    killed = DBTaskResult.objects.get(pk=results["killed"].pk)
    assert killed.exception_class_path == "background.backends.WorkerLost" and "killed 已停止" in killed.traceback
    assert DBTaskResult.objects.get(pk=finished.pk).status == "SUCCESSFUL"
    assert fail_orphaned_tasks() == 0


# --- the worker command ----------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_worker_in_burst_mode_runs_the_queued_tasks_and_exits(mailoutbox):
    mails = [{"to": ["a@example.gov.cn"], "subject": "一", "body": "正文"},
             {"to": ["b@example.gov.cn"], "subject": "二", "body": "正文"}]
    first, second = send_mails.enqueue(mails[:1]), send_mails.enqueue(mails[1:])
    out = io.StringIO()
    call_command("worker", "--burst", "--queues", "default,mail", stdout=out)
    assert "后台工作进程" in out.getvalue() and "已启动" in out.getvalue()
    for result in (first, second):
        stored = DBTaskResult.objects.get(pk=result.id)
        assert stored.status == "SUCCESSFUL" and stored.return_value == {"sent": 1, "retrying": 0, "lost": 0}
    assert sorted(mail.to[0] for mail in mailoutbox) == ["a@example.gov.cn", "b@example.gov.cn"]
    [worker] = WorkerHeartbeat.objects.all()
    assert stored.worker_ids == [worker.worker_id] and worker.queues == "default,mail"


@pytest.mark.django_db(transaction=True)
def test_the_worker_leaves_other_queues_alone():
    waiting = send_mails.enqueue([])
    call_command("worker", "--burst", "--queues", "default", stdout=io.StringIO())
    assert DBTaskResult.objects.get(pk=waiting.id).status == "READY"

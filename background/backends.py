"""Which task backend runs the tasks, and what only that backend can do: start its worker, and fail the tasks that
a killed worker left running."""

import logging
import traceback

from django.core.management import call_command
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django.utils import timezone

from .heartbeat import dead_worker_ids

logger = logging.getLogger(__name__)

DATABASE = "django_tasks_db.backend.DatabaseBackend"
RQ = "django_tasks_rq.backend.RQBackend"


def backend_path() -> str:
    # The backend itself: `default_task_backend` is a proxy, whose type names the proxy class.
    backend = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS])
    return f"{backend.__module__}.{backend.__qualname__}"


def run_worker(worker_id: str, queues: list[str], interval: float, max_tasks: int | None, burst: bool) -> None:
    """Run the backend's own worker in this process until it is told to stop (SIGTERM, Ctrl+C)."""
    path = backend_path()
    if path == DATABASE:
        options = {"queue_name": ",".join(queues), "interval": interval, "reload": False, "worker_id": worker_id,
                   "batch": burst, "startup_delay": not burst}
        if max_tasks:
            options["max_tasks"] = max_tasks
        call_command("db_worker", **options)
    elif path == RQ:
        options = {"job_class": "django_tasks_rq.Job", "name": worker_id, "burst": burst, "with_scheduler": True}
        if max_tasks:
            options["max_jobs"] = max_tasks
        call_command("rqworker", *queues, **options)
    else:
        raise RuntimeError(f"任务后端 {path} 没有可启动的工作进程（请使用数据库后端或 RQ 后端）。")


def fail_orphaned_tasks(running_worker: str = "") -> int:
    """Database backend: tasks still marked running whose worker has stopped beating are marked failed (the app's
    own jobs, e.g. downloads, are re-queued by their own sweep). RQ moves such jobs to its failed registry itself.
    `running_worker`, the worker calling this, is alive whatever its heartbeat says."""
    if backend_path() != DATABASE:
        return 0
    from django_tasks_db.models import DBTaskResult  # installed with the database backend only

    running = list(DBTaskResult.objects.running().only("id", "worker_ids"))
    owners = {result.worker_ids[-1] for result in running if result.worker_ids}
    dead = dead_worker_ids(owners - {running_worker})
    failed = 0
    for result in running:
        owner = result.worker_ids[-1] if result.worker_ids else "？"
        if result.worker_ids and owner not in dead:
            continue
        error = WorkerLost(f"工作进程 {owner} 已停止")
        # Only if still running: a task that ended meanwhile keeps its own result.
        failed += DBTaskResult.objects.running().filter(pk=result.pk).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now(), return_value=None,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback="".join(traceback.format_exception(error)))
    if failed:
        logger.warning("%d 个后台任务的工作进程已停止，已标记为失败。", failed)
    return failed


class WorkerLost(Exception):
    """The worker running a task stopped (killed, or its server went away) before the task finished."""

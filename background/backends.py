"""Which task backend runs the tasks, and what only that backend can do: start its worker, and fail the tasks that
a killed worker left running."""

import logging

from django.core.management import call_command
from django.tasks import task_backends

from .heartbeat import dead_worker_ids

logger = logging.getLogger(__name__)

DATABASE = "django_tasks_db.backend.DatabaseBackend"
RQ = "django_tasks_rq.backend.RQBackend"


def backend_path() -> str:
    backend = type(task_backends["default"])  # not default_task_backend: that is a proxy, its type says nothing
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


def fail_orphaned_tasks() -> int:
    """Database backend: tasks still marked running whose worker has stopped beating are marked failed (the app's
    own jobs, e.g. downloads, are re-queued by their own sweep). RQ moves such jobs to its failed registry itself."""
    if backend_path() != DATABASE:
        return 0
    from django_tasks_db.models import DBTaskResult  # installed with the database backend only

    running = list(DBTaskResult.objects.running().only("id", "worker_ids"))
    owners = {result.worker_ids[-1] for result in running if result.worker_ids}
    dead = dead_worker_ids(owners)
    orphaned = [result for result in running if not result.worker_ids or result.worker_ids[-1] in dead]
    for result in orphaned:
        result.set_failed(WorkerLost(f"工作进程 {result.worker_ids[-1] if result.worker_ids else '？'} 已停止"))
    if orphaned:
        logger.warning("%d 个后台任务的工作进程已停止，已标记为失败。", len(orphaned))
    return len(orphaned)


class WorkerLost(Exception):
    """The worker running a task stopped (killed, or its server went away) before the task finished."""

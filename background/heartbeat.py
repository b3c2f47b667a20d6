"""Worker heartbeats: each worker process records itself every `WORKER_HEARTBEAT_SECONDS`; a worker whose last beat
is older than `stale_after()` is taken for dead (killed, or its server gone)."""

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 4)


def beat(worker_id: str, backend: str, queues: str, started_at: datetime.datetime) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"seen_at": timezone.now()},
        create_defaults={"host": socket.gethostname()[:100], "pid": os.getpid(), "backend": backend[:100],
                         "queues": queues[:200], "started_at": started_at, "seen_at": timezone.now()},
    )


def alive(now: datetime.datetime | None = None):
    """Workers seen recently."""
    return WorkerHeartbeat.objects.filter(seen_at__gte=(now or timezone.now()) - stale_after())


def dead_worker_ids(worker_ids, now: datetime.datetime | None = None) -> set[str]:
    """Those of `worker_ids` with no recent heartbeat (never seen counts as dead)."""
    living = set(alive(now).filter(worker_id__in=list(worker_ids)).values_list("worker_id", flat=True))
    return set(worker_ids) - living


def forget_old(days: int = 7) -> int:
    deleted, _ = WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - datetime.timedelta(days=days)).delete()
    return deleted


class HeartbeatThread(threading.Thread):
    """Beats for its worker until stopped; with `on_beat` also runs that (the scheduler) at each beat."""

    def __init__(self, worker_id: str, backend: str, queues: str, on_beat=None):
        super().__init__(name="perfbudget-heartbeat", daemon=True)
        self.worker_id, self.backend, self.queues, self.on_beat = worker_id, backend, queues, on_beat
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                close_old_connections()
                try:
                    self.beat()
                    if self.on_beat is not None:
                        self.on_beat()
                except Exception:  # noqa: BLE001 - a database hiccup must not end the beating for good
                    logger.exception("后台工作进程心跳失败，稍后重试。")
                self.stopped.wait(settings.WORKER_HEARTBEAT_SECONDS)
        finally:
            connection.close()

    def beat(self) -> None:
        beat(self.worker_id, self.backend, self.queues, self.started_at)

    def stop(self) -> None:
        self.stopped.set()

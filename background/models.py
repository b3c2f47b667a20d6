from django.db import models


class WorkerHeartbeat(models.Model):
    """A background worker process that is (or was) running: it writes `seen_at` every few seconds, so /healthz
    and the sweep can tell a live worker from one that was killed."""

    worker_id = models.CharField("工作进程", max_length=64, primary_key=True)
    host = models.CharField("服务器", max_length=100)
    pid = models.PositiveIntegerField("进程号")
    backend = models.CharField("任务后端", max_length=100)
    queues = models.CharField("队列", max_length=200)
    started_at = models.DateTimeField("启动时间")
    seen_at = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = "后台工作进程"
        verbose_name_plural = "后台工作进程"
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.host}:{self.pid}"


class PeriodicRun(models.Model):
    """When a periodic task was last enqueued; one row per task, locked while deciding, so several schedulers
    (workers started with --schedule, or timers on several servers) enqueue each run once."""

    name = models.CharField("任务", max_length=200, primary_key=True)
    enqueued_at = models.DateTimeField("最近排队时间")

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"

    def __str__(self):
        return self.name

from django.conf import settings
from django.db import models
from django.utils import timezone


class JobState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"


class DownloadKind(models.TextChoices):
    PDF_BATCH = "pdf_batch", "批量PDF"
    CONSOLIDATED = "consolidated", "Excel汇总"


FINISHED_STATES = (JobState.DONE, JobState.FAILED, JobState.EXPIRED)


class DownloadJob(models.Model):
    """下载任务: a file one user asked for (many filings' PDFs, the consolidated workbook), built by a background
    worker; its state, progress and file are what the 下载任务 page shows. See `filings.downloads`."""

    kind = models.CharField("类型", max_length=20, choices=DownloadKind.choices, default=DownloadKind.PDF_BATCH)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="download_jobs",
                                     verbose_name="申请人")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    description = models.CharField("范围", max_length=200)
    state = models.CharField("状态", max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField("份数", default=0)
    done = models.PositiveIntegerField("已生成", default=0)
    file_name = models.CharField("文件", max_length=300, blank=True)  # a name in the `private` storage
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("下载截止", null=True, blank=True)
    error = models.CharField("原因", max_length=300, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)  # e.g. re-queued after a worker stopped
    attempts = models.PositiveSmallIntegerField("生成次数", default=0)
    task_id = models.CharField("后台任务", max_length=64, blank=True)
    worker = models.CharField("工作进程", max_length=100, blank=True)

    class Meta:
        verbose_name = "下载任务"
        verbose_name_plural = "下载任务"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="download_job_user"),
            models.Index(fields=["state", "heartbeat_at"], name="download_job_state"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.description}（{self.get_state_display()}）"

    def as_seen(self, now=None) -> "DownloadJob":
        """The job as its requester sees it: a file past its expiry is 已过期 at once, whether or not the hourly
        clean-up (`downloads.remove_expired`) has deleted it yet."""
        if self.state == JobState.DONE and self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            self.state = JobState.EXPIRED
        return self

    @property
    def finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def percent(self) -> int:
        if self.state == JobState.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0

    @property
    def seconds(self) -> float | None:
        """How long the build took (or has taken so far)."""
        if self.started_at is None:
            return None
        end = self.finished_at or self.heartbeat_at or self.started_at
        return max(0.0, (end - self.started_at).total_seconds())

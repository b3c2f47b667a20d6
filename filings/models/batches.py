from django.conf import settings
from django.db import models


class BatchState(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class PdfBatch(models.Model):
    """A reviewer's request for the PDFs of many filings in one ZIP file, built outside the web request."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="pdf_batches",
                                     verbose_name="申请人")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    filters = models.JSONField("筛选条件", default=dict, blank=True)
    description = models.CharField("范围", max_length=200)
    state = models.CharField("状态", max_length=10, choices=BatchState.choices, default=BatchState.QUEUED)
    filing_count = models.PositiveIntegerField("份数", default=0)
    file_name = models.CharField("文件", max_length=200, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    error = models.CharField("错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "批量PDF"
        verbose_name_plural = "批量PDF"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.description}（{self.get_state_display()}）"

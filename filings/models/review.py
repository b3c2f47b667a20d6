from django.conf import settings
from django.db import models

from .filings import Filing, FilingStatus


class Transition(models.Model):
    """One step of a filing's workflow, kept as an audit row: who moved it from which state to which, and why."""

    filing = models.ForeignKey(Filing, models.CASCADE, related_name="transitions", verbose_name="申报表")
    from_status = models.CharField("原状态", max_length=30, choices=FilingStatus.choices)
    to_status = models.CharField("新状态", max_length=30, choices=FilingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人"
    )
    comment = models.TextField("意见", blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["filing", "created_at", "pk"]

    def __str__(self):
        return f"{self.filing}：{self.get_from_status_display()} → {self.get_to_status_display()}"

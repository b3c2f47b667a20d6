"""The audit trail of writes to filings beside the workflow's `Transition` rows: who changed what, and when."""

from django.conf import settings
from django.db import models

from .filings import Filing
from .units import Unit


class EventKind(models.TextChoices):
    CREATED = "created", "新建"
    COPIED = "copied", "复制"
    DELETED = "deleted", "删除"
    STEP_SAVED = "step_saved", "保存步骤"
    IMPORTED = "imported", "导入Excel"
    COMMENTED = "commented", "添加批注"
    COMMENT_DELETED = "comment_deleted", "删除批注"
    ADMIN_EDITED = "admin_edited", "管理后台修改"
    DEADLINE_SET = "deadline_set", "设置截止日期"
    MEMBERSHIP_CHANGED = "membership_changed", "成员变更"
    CATEGORY_ALIAS = "category_alias", "记住指标类别名称"


class FilingEvent(models.Model):
    """One write to a filing, or to what decides about filings in a unit (its deadline, its members). Kept when the
    filing is deleted (`filing_ref` still names it); empty for a unit's own events.

    `request_key` is the one-time key of the form that caused the write: a second submission of the same form (a
    double click) finds the event and gets the first one's result instead of doing the work again.
    """

    filing = models.ForeignKey(Filing, models.SET_NULL, null=True, blank=True, related_name="events",
                               verbose_name="申报表")
    filing_ref = models.PositiveBigIntegerField("申报表编号", null=True, blank=True, db_index=True)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name="填报单位")
    kind = models.CharField("操作", max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    summary = models.CharField("说明", max_length=300, blank=True)
    data = models.JSONField("变更内容", default=dict, blank=True)
    request_key = models.CharField("请求标识", max_length=64, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["actor", "request_key"], condition=~models.Q(request_key=""),
                                    name="one_event_per_request_key"),
        ]
        indexes = [
            # 单位操作记录: a unit's own events and those of its deleted filings, newest first, without reading
            # the (many) events of its live filings
            models.Index(fields=["unit", "-created_at", "-id"], condition=models.Q(filing__isnull=True),
                         name="event_unit_without_filing"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · " + (f"申报表 {self.filing_ref}" if self.filing_ref else str(self.unit))

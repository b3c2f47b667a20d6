"""The review side of a filing: its workflow log, snapshots at submission, comments, notifications, deadlines."""

from django.conf import settings
from django.db import models

from indicators.findings import Step

from .fields import ParagraphTextField
from .filings import Filing, FilingStatus
from .units import Unit


class Action(models.TextChoices):
    SUBMIT = "submit", "提交"
    WITHDRAW = "withdraw", "撤回"
    APPROVE = "approve", "审核通过"
    RETURN = "return", "退回修改"
    ADJUST = "adjust", "申请调整"


class PointRating(models.TextChoices):
    MEETS = "meets", "符合"
    PARTLY = "partly", "基本符合"
    FAILS = "fails", "不符合"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优"
    GOOD = "good", "良"
    FAIR = "fair", "中"
    POOR = "poor", "差"


class Transition(models.Model):
    """One step of a filing's workflow, kept as an audit row: who moved it from which state to which, and why."""

    filing = models.ForeignKey(Filing, models.CASCADE, related_name="transitions", verbose_name="申报表")
    action = models.CharField("操作", max_length=20, choices=Action.choices, default=Action.SUBMIT)
    from_status = models.CharField("原状态", max_length=30, choices=FilingStatus.choices)
    to_status = models.CharField("新状态", max_length=30, choices=FilingStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人")
    comment = ParagraphTextField("审核意见", max_length=2000, blank=True)
    completeness = models.CharField("完整性", max_length=10, choices=PointRating.choices, blank=True)
    relevance = models.CharField("相关性", max_length=10, choices=PointRating.choices, blank=True)
    appropriateness = models.CharField("适当性", max_length=10, choices=PointRating.choices, blank=True)
    feasibility = models.CharField("可行性", max_length=10, choices=PointRating.choices, blank=True)
    grade = models.CharField("审核结果", max_length=10, choices=Grade.choices, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "流转记录"
        verbose_name_plural = "流转记录"
        ordering = ["filing", "created_at", "pk"]

    def __str__(self):
        return f"{self.filing}：{self.get_from_status_display()} → {self.get_to_status_display()}"


class Submission(models.Model):
    """The filing exactly as it was submitted, kept for printing and for “what changed since it was returned”."""

    filing = models.ForeignKey(Filing, models.CASCADE, related_name="submissions", verbose_name="申报表")
    number = models.PositiveSmallIntegerField("第几次提交")
    data = models.JSONField("内容")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                     verbose_name="提交人")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "提交快照"
        verbose_name_plural = "提交快照"
        ordering = ["filing", "number"]
        constraints = [models.UniqueConstraint(fields=["filing", "number"], name="unique_submission_number")]

    def __str__(self):
        return f"{self.filing} 第 {self.number} 次提交"


class ReviewComment(models.Model):
    """A reviewer's remark anchored to a step, a field or a row; fixed once a transition carries it."""

    filing = models.ForeignKey(Filing, models.CASCADE, related_name="comments", verbose_name="申报表")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="审核人")
    step = models.CharField("步骤", max_length=20, choices=[(s.value, s.value) for s in Step], blank=True)
    field = models.CharField("栏目", max_length=60, blank=True)
    row_kind = models.CharField("行类型", max_length=20, blank=True)
    row = models.PositiveIntegerField("行", null=True, blank=True)
    text = ParagraphTextField("意见", max_length=2000)
    transition = models.ForeignKey(Transition, models.CASCADE, null=True, blank=True, related_name="comments",
                                   verbose_name="随哪次流转")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核批注"
        verbose_name_plural = "审核批注"
        ordering = ["filing", "created_at", "pk"]

    def __str__(self):
        return self.text[:40]

    @property
    def is_fixed(self) -> bool:
        return self.transition_id is not None


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications",
                             verbose_name="接收人")
    filing = models.ForeignKey(Filing, models.CASCADE, null=True, blank=True, related_name="+",
                               verbose_name="申报表")
    message = models.CharField("内容", max_length=300)
    download = models.ForeignKey("filings.DownloadJob", models.CASCADE, null=True, blank=True, related_name="+",
                                 verbose_name="下载任务")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.message


class FilingDeadline(models.Model):
    """When a region's filings of a year are due (set by its 财政 unit)."""

    region = models.ForeignKey(Unit, models.CASCADE, related_name="deadlines", verbose_name="财政部门",
                               limit_choices_to={"kind": "finance"})
    year = models.PositiveSmallIntegerField("年度")
    due_on = models.DateField("截止日期")

    class Meta:
        verbose_name = "申报截止日期"
        verbose_name_plural = "申报截止日期"
        ordering = ["region", "-year"]
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="one_deadline_per_region_year")]

    def __str__(self):
        return f"{self.region.name} {self.year} 年度：{self.due_on:%Y-%m-%d}"

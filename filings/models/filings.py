from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property

from indicators.models import Scheme

from ..layouts.description import FormLayout, LayoutError, parse_layout, stored_layout, title_without_region
from ..money import MoneyUnit
from .fields import OneLineCharField
from .units import Unit


class FilingKind(models.TextChoices):
    DEPARTMENT = "department", "部门整体支出"
    PROJECT = "project", "项目支出"


class FilingStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    DEPARTMENT_APPROVED = "department_approved", "主管部门审核通过"
    APPROVED = "approved", "已批复"
    RETURNED = "returned", "已退回"


EDITABLE_STATUSES = {FilingStatus.DRAFT, FilingStatus.RETURNED}


class FormVariant(models.Model):
    """A regional layout of one form (88号, 江西, 阳泉, 湖南 …): which blocks, columns and sets it shows."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("表类型", max_length=20, choices=FilingKind.choices)
    region = models.CharField("适用地区", max_length=100, blank=True)
    default_scheme = models.ForeignKey(
        Scheme, models.PROTECT, related_name="+", verbose_name="默认指标体系"
    )
    default_money_unit = models.CharField(
        "默认金额单位", max_length=10, choices=MoneyUnit.choices, default=MoneyUnit.WAN
    )
    required_fields = models.JSONField(
        "必填栏目",
        default=list,
        blank=True,
        help_text="字段名列表，如 unit_name、contact_phone、function_basis；period 表示项目期（文字或起止日期）。",
    )
    layout = models.JSONField(
        "布局", default=dict, blank=True,
        help_text="本表样的标题、栏目块的顺序、每块的栏目与列、自定义栏目和核对规则（见“表样布局说明”）。",
    )
    notes = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "表样"
        verbose_name_plural = "表样"
        ordering = ["kind", "code"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.__dict__.pop("description", None)
        super().save(*args, **kwargs)

    @cached_property
    def description(self) -> FormLayout:
        """The parsed layout; raises LayoutError for a stored layout that is not valid (admin saves check it)."""
        return stored_layout(self.layout, self.kind)

    def shows(self, name: str) -> bool:
        return self.description.shows(name)

    def label(self, name: str, default: str = "") -> str:
        return self.description.label(name, default)

    def indicator_periods(self) -> list[str]:
        return self.description.indicator_periods()

    @property
    def printed_title(self) -> str:
        return self.description.title or title_without_region(self.name)

    def clean(self):
        # Looked up by name: the details models are defined on top of this module.
        details = apps.get_model("filings", "DepartmentDetails" if self.kind == FilingKind.DEPARTMENT
                                 else "ProjectDetails")
        known = {f.name for model in (Filing, details) for f in model._meta.concrete_fields} | {"period"}
        if not isinstance(self.required_fields, list):
            raise ValidationError({"required_fields": "必填栏目的格式应为字段名列表。"})
        unknown = [name for name in self.required_fields if not isinstance(name, str) or name not in known]
        if unknown:
            raise ValidationError({"required_fields": f"未知的字段：{'、'.join(map(str, unknown))}"})
        if self.kind not in FilingKind.values:
            return  # the kind field reports it; a layout is checked against a kind
        try:
            parse_layout(self.layout, self.kind)
        except LayoutError as error:
            raise ValidationError({"layout": error.problems}) from None


class FilingQuerySet(models.QuerySet):
    def departments(self):
        return self.filter(kind=FilingKind.DEPARTMENT)

    def projects(self):
        return self.filter(kind=FilingKind.PROJECT)

    def with_related(self):
        return self.select_related("unit", "variant", "scheme", "department", "project")


class Filing(models.Model):
    """One 绩效目标申报表 of either kind, travelling from draft to approval."""

    kind = models.CharField("表类型", max_length=20, choices=FilingKind.choices)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="filings", verbose_name="填报单位")
    year = models.PositiveSmallIntegerField("年度")
    variant = models.ForeignKey(FormVariant, models.PROTECT, related_name="filings", verbose_name="表样")
    scheme = models.ForeignKey(Scheme, models.PROTECT, related_name="filings", verbose_name="指标体系")
    status = models.CharField(
        "状态", max_length=30, choices=FilingStatus.choices, default=FilingStatus.DRAFT, db_index=True
    )
    money_unit = models.CharField(
        "金额单位", max_length=10, choices=MoneyUnit.choices, default=MoneyUnit.WAN
    )
    revision = models.PositiveSmallIntegerField("修订版本", default=1)
    lock_version = models.PositiveIntegerField("编辑版本号", default=0, editable=False)
    position = models.PositiveIntegerField("排序", default=0)
    copied_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name="复制自"
    )

    unit_name = OneLineCharField("单位名称（表头）", max_length=200, blank=True)
    competent_department = OneLineCharField("主管部门", max_length=200, blank=True)
    competent_department_code = OneLineCharField("主管部门代码", max_length=40, blank=True)
    contact_person = OneLineCharField("联系人／填表人", max_length=50, blank=True)
    contact_phone = OneLineCharField("联系电话", max_length=50, blank=True)
    responsible_person = OneLineCharField("负责人", max_length=50, blank=True)
    handler = OneLineCharField("经办人", max_length=50, blank=True)
    unit_head = OneLineCharField("单位负责人", max_length=50, blank=True)
    filled_on = models.DateField("填报日期", null=True, blank=True)
    filled_time = models.TimeField("填报时间", null=True, blank=True)
    no_direct_beneficiaries = models.BooleanField(
        "不直接面向服务对象", default=False, help_text="勾选后满意度指标可不填。"
    )
    extra = models.JSONField("表样自定义栏目", default=dict, blank=True,
                             help_text="表样自己的表头栏目，如部门预算编码。")

    source = models.CharField("数据来源", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="提交人",
    )
    # The first submission of this filing, or of the revision it was copied from (调整 keeps the earliest; a copy
    # to another year starts without): set by `workflow._submit`, so the year's overview reads it off the filing
    # instead of scanning the transitions. `submitted_at` is the latest submission.
    first_submitted_at = models.DateTimeField("首次提交时间", null=True, blank=True, editable=False)
    current_step = models.CharField("上次填写到", max_length=20, blank=True)
    saved_steps = models.JSONField("已保存的步骤", default=list, blank=True)
    completed_steps = models.JSONField("已完成的步骤", default=list, blank=True)

    # The last validation's result, stored by `filings.checked.refresh_checks` after every write that changes
    # what validation reads, so lists and exports show it without validating again.
    error_count = models.PositiveIntegerField("错误数", default=0, editable=False)
    warning_count = models.PositiveIntegerField("警告数", default=0, editable=False)
    error_codes = models.JSONField("错误代码", default=list, blank=True, editable=False)
    warning_codes = models.JSONField("警告代码", default=list, blank=True, editable=False)
    checked_at = models.DateTimeField("核对时间", null=True, blank=True, editable=False)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = "绩效目标申报表"
        verbose_name_plural = "绩效目标申报表"
        ordering = ["-year", "unit__path", "kind", "position", "pk"]
        indexes = [
            models.Index(fields=["unit", "year", "kind"], name="filing_unit_year_kind"),
            # Covering: the overview's pass over a year's filings (per unit, by kind and status, the first
            # submission) and the default year's MAX(year) read this index alone. Key columns rather than INCLUDE,
            # which only PostgreSQL has (SQLite would warn and drop them).
            models.Index(fields=["year", "unit", "kind", "status", "first_submitted_at"],
                         name="filing_year_unit_covering"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "revision"],
                condition=models.Q(kind="department"),
                name="one_department_filing_per_unit_year_revision",
                violation_error_message="该单位本年度已有部门整体支出绩效目标申报表。",
            ),
        ]

    def __str__(self):
        return f"{self.year}年 {self.title}"

    @property
    def title(self) -> str:
        if self.kind == FilingKind.PROJECT:
            project = getattr(self, "project", None)
            name = project.name if project else ""
            return f"{name or '（未命名项目）'} 项目支出绩效目标申报表"
        return f"{self.display_unit_name} 部门整体支出绩效目标申报表"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def display_unit_name(self) -> str:
        return self.unit_name or self.unit.name

    def indicator_rows(self, period: str | None = None):
        rows = self.indicators.select_related("category__parent")
        return rows.filter(period=period) if period else rows

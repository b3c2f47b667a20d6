from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from .fields import OneLineCharField


class UnitKind(models.TextChoices):
    FINANCE = "finance", "财政部门"
    DEPARTMENT = "department", "主管部门"
    UNIT = "unit", "预算单位"


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: "Unit"):
        """The unit and every unit below it, in one indexed prefix query."""
        return self.filter(path__startswith=unit.path)


class Unit(models.Model):
    """A budget unit (预算单位) in the tree 财政部门 → 主管部门 → 所属单位."""

    name = OneLineCharField("单位名称", max_length=200)
    code = models.CharField(
        "单位编码",
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z_-]+$", "单位编码只能包含字母、数字、下划线和连字符。")],
    )
    kind = models.CharField("单位类型", max_length=20, choices=UnitKind.choices, default=UnitKind.UNIT)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级单位"
    )
    path = models.CharField("层级路径", max_length=400, editable=False, db_index=True)
    sector = models.CharField("所属领域", max_length=50, blank=True)
    region = models.CharField("所属地区", max_length=100, blank=True)
    is_primary = models.BooleanField("一级预算主管部门", default=False)
    review_levels = models.PositiveSmallIntegerField(
        "审核层级",
        choices=[(None, "沿用上级财政部门的设置"), (1, "一级：财政审核"), (2, "两级：主管部门审核后财政审核")],
        default=2,
        null=True,
        blank=True,
        help_text="只对财政部门有意义：本级财政部门所辖申报表经过几级审核；“沿用上级”时按上级财政部门的设置，"
                  "都没有设置时为两级。",
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "预算单位"
        verbose_name_plural = "预算单位"
        ordering = ["path"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        previous_path = self.path
        self.path = self.computed_path()
        if previous_path and self.path != previous_path and self.path.startswith(previous_path):
            raise ValueError("单位不能挂在自己的下级单位之下")
        with transaction.atomic():
            super().save(*args, **kwargs)
            if previous_path and previous_path != self.path:
                Unit.objects.filter(path__startswith=previous_path).exclude(pk=self.pk).update(
                    path=Concat(Value(self.path), Substr("path", len(previous_path) + 1))
                )

    def clean(self):
        if self.path and self.parent_id and self.computed_path().startswith(self.path):
            raise ValidationError({"parent": "上级单位不能是本单位或本单位的下级单位。"})

    def computed_path(self) -> str:
        # The parent's path is read from the database: the in-memory parent may be stale after a move.
        parent_path = Unit.objects.filter(pk=self.parent_id).values_list("path", flat=True).first()
        return (parent_path or "/") + f"{self.code}/"

    def finance_region(self) -> "Unit | None":
        """The nearest 财政 unit at or above this unit (its bureau, one query): the bureau that reviews its filings at
        the 财政 level and whose 所属地区 applies; its settings are read, falling back upward, by `filings.bureaus`."""
        codes = [code for code in self.path.strip("/").split("/") if code]
        # On one path a deeper unit's path extends a shallower one's, so it sorts after it.
        return Unit.objects.filter(code__in=codes, kind=UnitKind.FINANCE).order_by("-path").first()

    def ancestors(self):
        codes = [code for code in self.path.strip("/").split("/")[:-1] if code]
        return Unit.objects.filter(code__in=codes).order_by("path")


class Role(models.TextChoices):
    FILER = "filer", "填报人"
    REVIEWER = "reviewer", "审核人"
    FINANCE = "finance", "财政"


class Membership(models.Model):
    """A user's role in a unit; a reviewer's or finance member's scope is the unit's subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name="用户"
    )
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="memberships", verbose_name="单位")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "单位成员"
        verbose_name_plural = "单位成员"
        ordering = ["unit__path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit.name} · {self.get_role_display()}"

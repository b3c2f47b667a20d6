"""The 三级 performance indicators of a filing (named so as not to be confused with 预算指标, budget quotas)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from indicators.models import Category
from indicators.values import TargetKind, parse_target

from .fields import OneLineCharField
from .filings import Filing


class Period(models.TextChoices):
    ANNUAL = "annual", "年度"
    IMPLEMENTATION = "implementation", "实施期"


class Operator(models.TextChoices):
    GE = "≥", "≥"
    GT = ">", "＞"
    EQ = "=", "＝"
    LE = "≤", "≤"
    LT = "<", "＜"


class ValueKind(models.TextChoices):
    QUANTITATIVE = TargetKind.QUANTITATIVE, "定量"
    QUALITATIVE = TargetKind.QUALITATIVE, "定性"
    TIME = TargetKind.TIME, "时间"
    NOT_APPLICABLE = TargetKind.NOT_APPLICABLE, "不适用"
    EMPTY = TargetKind.EMPTY, "未填"


NOT_APPLICABLE = "不适用"


class Indicator(models.Model):
    """One 三级指标 row: printed 指标值 kept as typed, its reading (operator, number, unit) kept beside it."""

    filing = models.ForeignKey(Filing, models.CASCADE, related_name="indicators", verbose_name="申报表")
    period = models.CharField("期间", max_length=20, choices=Period.choices, default=Period.ANNUAL)
    category = models.ForeignKey(
        Category, models.PROTECT, related_name="+", verbose_name="二级指标",
        limit_choices_to={"parent__isnull": False},
    )
    order = models.PositiveIntegerField("顺序", default=0)
    name = OneLineCharField("三级指标", max_length=100, blank=True)
    value_text = OneLineCharField("指标值", max_length=100, blank=True)
    value_kind = models.CharField("指标值类型", max_length=20, choices=ValueKind.choices, editable=False)
    operator = models.CharField("指标性质", max_length=2, choices=Operator.choices, blank=True, editable=False)
    value_number = models.DecimalField(
        "指标值数值", max_digits=24, decimal_places=6, null=True, blank=True, editable=False
    )
    value_unit = models.CharField("计量单位", max_length=50, blank=True, editable=False)
    standard = OneLineCharField("绩效标准／取值依据", max_length=100, blank=True)
    not_applicable = models.BooleanField(
        "不适用", default=False, editable=False, help_text="三级指标或指标值填写“不适用”时自动标记。"
    )
    note = OneLineCharField("说明", max_length=300, blank=True, help_text="如标记不适用的理由。")
    extra = models.JSONField("表样自定义栏目", default=dict, blank=True)

    class Meta:
        verbose_name = "绩效指标"
        verbose_name_plural = "绩效指标"
        ordering = ["filing", "period", "order", "pk"]
        indexes = [models.Index(fields=["filing", "period", "order"], name="indicator_filing_order")]

    def __str__(self):
        return f"{self.category} / {self.name} {self.value_text}"

    def save(self, *args, **kwargs):
        self.apply_reading()
        super().save(*args, **kwargs)

    @property
    def level1(self) -> Category:
        return self.category.parent

    def clean(self):
        if self.category_id and self.filing_id and self.category.scheme_id != self.filing.scheme_id:
            raise ValidationError({"category": "二级指标不属于本申报表所用的指标体系。"})
        if self.category_id and self.category.parent_id is None:
            raise ValidationError({"category": "请选择二级指标。"})

    def apply_reading(self):
        """Fill the parsed fields from the typed 指标值 read with its 三级 name (``（≥**%）`` supplies what a bare
        number lacks); a row named 不适用 marks its 二级 not applicable.

        A range (90%-95%) stores ≥ and its low end, a tolerance (±5%) ≤ and the deviation, an approximation
        (约100人) its number: value_text keeps the whole value, and the checks read it again from there."""
        self.name = (self.name or "").strip()
        target = parse_target(self.value_text, self.name)
        self.not_applicable = self.name == NOT_APPLICABLE or target.kind == TargetKind.NOT_APPLICABLE
        self.value_kind = ValueKind.NOT_APPLICABLE if self.not_applicable else target.kind
        quantitative = target.is_quantitative and fits_number_column(target.number)
        if target.is_quantitative and not quantitative:
            self.value_kind = ValueKind.QUALITATIVE
        self.operator = target.operator if quantitative else ""
        self.value_number = target.number.quantize(SIX_PLACES) if quantitative else None
        self.value_unit = target.unit[:50] if quantitative else ""


SIX_PLACES = Decimal("0.000001")


def fits_number_column(number: Decimal | None) -> bool:
    """Whether a parsed number can be stored in value_number (24 digits, 6 after the point)."""
    return number is not None and number.is_finite() and abs(number) < Decimal(10) ** 18

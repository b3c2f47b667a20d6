"""The indicator hierarchy as data: schemes, their 一级/二级 categories, name aliases and the indicator library."""

from django.core.exceptions import ValidationError
from django.db import models

from .category_names import strip_annotations

# A cost indicator moves between the schemes' cost categories (成本 under 产出 ↔ 成本 as 一级); every other 二级
# code exists in both schemes.
EQUIVALENT_CODES = {"output_cost": "economic_cost", "economic_cost": "output_cost"}


def place_in(categories_by_code: dict, code: str):
    """The 二级 category of another scheme (given by code) where a row of category `code` belongs, or None."""
    return categories_by_code.get(code) or categories_by_code.get(EQUIVALENT_CODES.get(code, ""))


class Scheme(models.Model):
    """A 指标体系: which 一级 and 二级 categories a filing uses (e.g. 成本 as 一级, or 成本 under 产出)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    basis = models.CharField("依据", max_length=200, blank=True)
    description = models.TextField("说明", blank=True)
    is_default = models.BooleanField("新建填报时默认使用", default=False)

    class Meta:
        verbose_name = "指标体系"
        verbose_name_plural = "指标体系"
        ordering = ["code"]

    def __str__(self):
        return self.name

    def level1_categories(self):
        return self.categories.filter(parent__isnull=True)

    def level2_categories(self):
        return self.categories.filter(parent__isnull=False).select_related("parent")


class CategoryKind(models.TextChoices):
    OUTPUT = "output", "产出指标"
    COST = "cost", "成本指标"
    BENEFIT = "benefit", "效益指标"
    SATISFACTION = "satisfaction", "满意度指标"
    QUANTITY = "quantity", "数量指标"
    QUALITY = "quality", "质量指标"
    TIMELINESS = "timeliness", "时效指标"
    OUTPUT_COST = "output_cost", "成本指标（产出下）"
    ECONOMIC_COST = "economic_cost", "经济成本指标"
    SOCIAL_COST = "social_cost", "社会成本指标"
    ECOLOGICAL_COST = "ecological_cost", "生态环境成本指标"
    ECONOMIC_BENEFIT = "economic_benefit", "经济效益指标"
    SOCIAL_BENEFIT = "social_benefit", "社会效益指标"
    ECOLOGICAL_BENEFIT = "ecological_benefit", "生态效益指标"
    SUSTAINABLE_IMPACT = "sustainable_impact", "可持续影响指标"
    BENEFICIARY_SATISFACTION = "beneficiary_satisfaction", "服务对象满意度指标"
    OTHER_SATISFACTION = "other_satisfaction", "其他满意度指标"


LEVEL1_KINDS = {CategoryKind.OUTPUT, CategoryKind.COST, CategoryKind.BENEFIT, CategoryKind.SATISFACTION}
LEVEL2_CHOICES = [(value, label) for value, label in CategoryKind.choices if value not in LEVEL1_KINDS]


class CategoryQuerySet(models.QuerySet):
    def of_scheme(self, scheme_id):
        """The scheme's categories in the official order (by 一级 order, then order), each with its parent loaded."""
        return self.filter(scheme_id=scheme_id).select_related("parent").order_by("parent__order", "order")


class Category(models.Model):
    """A 一级 (no parent) or 二级 indicator category of one scheme, in the official order."""

    scheme = models.ForeignKey(Scheme, models.CASCADE, related_name="categories", verbose_name="指标体系")
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children", verbose_name="一级指标"
    )
    code = models.CharField("类别", max_length=40, choices=CategoryKind.choices)
    name = models.CharField("名称", max_length=50)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_required = models.BooleanField(
        "必填", default=False, help_text="至少要有一条不是“不适用”的三级指标"
    )
    allows_not_applicable = models.BooleanField("可标记为不适用", default=True)
    not_applicable_needs_reason = models.BooleanField("标记不适用时须说明理由", default=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = "指标类别"
        verbose_name_plural = "指标类别"
        ordering = ["scheme", "parent__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="unique_category_code_per_scheme"),
        ]

    def __str__(self):
        if self.parent_id:
            return f"{self.parent.name} / {self.name}"
        return self.name

    def clean(self):
        if (self.code in LEVEL1_KINDS) != (self.parent_id is None):
            raise ValidationError({"code": "一级指标只能选一级类别，二级指标只能选二级类别。"})
        if self.parent_id and (self.parent.parent_id or self.parent.scheme_id != self.scheme_id):
            raise ValidationError({"parent": "上级须是同一指标体系中的一级指标。"})

    @property
    def level(self) -> int:
        return 2 if self.parent_id else 1


class CategoryAlias(models.Model):
    """Another printed name of a category (生态效益成本指标, 履职效能, 预算控制数 …), nationally or in one region.

    `region` is a prefix of units' 所属地区 (“湖南省” applies to “湖南省益阳市沅江市”; "" everywhere). Two regions may
    give one name different meanings: a filing reads the alias of its own region first (the longest matching
    region), then the national one. `code` may be a 一级 or a 二级 kind; a cost kind is placed where the filing's
    scheme has its cost category (经济成本 ↔ 产出下的成本)."""

    alias = models.CharField("别名", max_length=50)
    code = models.CharField("对应类别", max_length=40, choices=CategoryKind.choices)
    region = models.CharField("适用地区", max_length=100, blank=True,
                              help_text="留空表示全国通用；填写省、市或县名称（如“湖南省”）时只用于该地区的单位。")
    source = models.CharField("来源", max_length=200, blank=True,
                              help_text="见于哪份表样，或由谁在哪份申报表中记住。")

    class Meta:
        verbose_name = "指标类别别名"
        verbose_name_plural = "指标类别别名"
        ordering = ["code", "region", "alias"]
        constraints = [
            models.UniqueConstraint(fields=["alias", "region"], name="unique_category_alias_per_region"),
        ]

    def __str__(self):
        where = f"（{self.region}）" if self.region else ""
        return f"{self.alias}{where} → {self.get_code_display()}"

    def save(self, *args, **kwargs):
        self.alias = normalize_category_name(self.alias)
        self.region = "".join(self.region.split())
        super().save(*args, **kwargs)

    def clean(self):
        self.alias = normalize_category_name(self.alias)
        self.region = "".join(self.region.split())
        if not self.alias:
            raise ValidationError({"alias": "别名去掉标注（如“（必填）”“★”）后为空，请填写类别名称。"})


def normalize_category_name(name: str) -> str:
    """The comparable form of a printed category name: no annotations (marks, footnotes, explanations in brackets),
    no spaces or line breaks, no trailing 指标 (or 目标, as in 产出目标 / 数量目标)."""
    text = strip_annotations(name)
    for suffix in ("指标", "目标"):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text.removesuffix(suffix)
    return text


class LibraryIndicator(models.Model):
    """An entry of the indicator library (常用三级指标), offered as a suggestion while filling."""

    name = models.CharField("三级指标", max_length=300)
    category_code = models.CharField("二级指标", max_length=40, choices=LEVEL2_CHOICES)
    sector = models.CharField("所属领域", max_length=50, blank=True)
    unit = models.CharField("计量单位", max_length=50, blank=True)
    example_value = models.CharField("参考指标值", max_length=300, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "指标库指标"
        verbose_name_plural = "指标库"
        ordering = ["sector", "category_code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "category_code", "sector"], name="unique_library_indicator"
            ),
        ]

    def __str__(self):
        return self.name

"""The 项目支出 form: attributes, period, funds by source for the 实施期 and the 年度, narratives and goals."""

import re

from django.core.exceptions import ValidationError
from django.db import models

from ..money import MoneyField
from .fields import OneLineCharField, ParagraphTextField
from .filings import Filing

FUND_SOURCES = {
    "total": "资金总额",
    "central": "中央财政资金",
    "provincial": "省级财政资金",
    "municipal": "市县（区）财政资金",
    "self_raised": "单位自筹",
    "other": "其他资金",
    "fiscal": "财政拨款",
}
FUND_SCOPES = {"implementation": "实施期", "annual": "年度"}


CHINESE_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)}
YEARS = re.compile(r"^\s*([0-9]{1,3}|[一二三四五六七八九十])\s*年\s*$")


def years_in(period_text: str) -> int | None:
    """The number of years a printed 项目期 such as “1年”, “99年” or “一年” states, if it states one."""
    match = YEARS.match(period_text or "")
    if not match:
        return None
    text = match.group(1)
    return CHINESE_DIGITS[text] if text in CHINESE_DIGITS else int(text)


class Novelty(models.TextChoices):
    NEW = "new", "新增项目"
    CONTINUING = "continuing", "延续项目"


class Recurrence(models.TextChoices):
    ONE_OFF = "one_off", "一次性项目"
    RECURRING = "recurring", "经常性项目"


class ProjectDetails(models.Model):
    filing = models.OneToOneField(
        Filing, models.CASCADE, primary_key=True, related_name="project", verbose_name="申报表"
    )
    name = OneLineCharField("项目名称", max_length=200)
    code = OneLineCharField("项目编码", max_length=60, blank=True)
    implementing_unit = OneLineCharField("实施单位", max_length=200, blank=True)
    novelty = models.CharField("新增／延续", max_length=20, choices=Novelty.choices, blank=True)
    recurrence = models.CharField("一次性／经常性", max_length=20, choices=Recurrence.choices, blank=True)
    period_text = OneLineCharField("项目期（按表填写）", max_length=50, blank=True)
    period_years = models.PositiveSmallIntegerField("项目期（年）", null=True, blank=True)
    start_date = models.DateField("项目开始日期", null=True, blank=True)
    end_date = models.DateField("项目结束日期", null=True, blank=True)

    implementation_total = MoneyField("实施期资金总额")
    implementation_central = MoneyField("实施期：中央财政资金")
    implementation_provincial = MoneyField("实施期：省级财政资金")
    implementation_municipal = MoneyField("实施期：市县（区）财政资金")
    implementation_self_raised = MoneyField("实施期：单位自筹")
    implementation_other = MoneyField("实施期：其他资金")
    implementation_fiscal = MoneyField("实施期：财政拨款")
    annual_total = MoneyField("年度资金总额")
    annual_central = MoneyField("年度：中央财政资金")
    annual_provincial = MoneyField("年度：省级财政资金")
    annual_municipal = MoneyField("年度：市县（区）财政资金")
    annual_self_raised = MoneyField("年度：单位自筹")
    annual_other = MoneyField("年度：其他资金")
    annual_fiscal = MoneyField("年度：财政拨款")
    local_amount = MoneyField("年度本级预算金额")
    higher_level_note = OneLineCharField("该项目支出上级资金", max_length=300, blank=True)

    overview = ParagraphTextField("项目概况", max_length=3000, blank=True)
    basis = ParagraphTextField("立项依据", max_length=2000, blank=True)
    necessity = ParagraphTextField("项目设立必要性", max_length=2000, blank=True)
    safeguards = ParagraphTextField("保证项目实施的制度、措施", max_length=2000, blank=True)
    plan = ParagraphTextField("项目实施计划", max_length=2000, blank=True)
    implementation_goal = ParagraphTextField("实施期总体目标", max_length=2000, blank=True)
    annual_goal = ParagraphTextField("年度总体目标", max_length=2000, blank=True)

    class Meta:
        verbose_name = "项目支出信息"
        verbose_name_plural = "项目支出信息"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        stated = years_in(self.period_text)
        if stated is not None:
            self.period_years = stated
        super().save(*args, **kwargs)

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "项目结束日期不能早于开始日期。"})

    @property
    def implementation_funds(self) -> dict[str, object]:
        return self.funds("implementation")

    @property
    def annual_funds(self) -> dict[str, object]:
        return self.funds("annual")

    def funds(self, scope: str) -> dict[str, object]:
        """The amounts of one scope (implementation | annual) by source key, in 元."""
        return {source: getattr(self, f"{scope}_{source}") for source in FUND_SOURCES}

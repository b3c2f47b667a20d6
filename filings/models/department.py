"""The 部门整体支出 form: unit facts, staffing, budgets (江西 and 湖南 breakdowns), functions and tasks."""

from django.db import models

from ..money import MoneyField
from .fields import OneLineCharField, ParagraphTextField
from .filings import Filing


class DepartmentDetails(models.Model):
    filing = models.OneToOneField(
        Filing, models.CASCADE, primary_key=True, related_name="department", verbose_name="申报表"
    )
    function_basis = OneLineCharField("部门职能依据（三定方案批文号）", max_length=200, blank=True)
    function_summary = ParagraphTextField("部门职能简述", max_length=3000, blank=True)
    functions_changed = models.BooleanField("近三年单位职能是否出现过重大变化", null=True, blank=True)
    is_primary_department = models.BooleanField("部门是否为一级预算主管部门", null=True, blank=True)
    sector = OneLineCharField("所属部门领域", max_length=100, blank=True)
    subordinate_units = OneLineCharField("直属部门包括", max_length=500, blank=True)

    internal_department_count = models.PositiveIntegerField("内设职能部门", null=True, blank=True)
    staffing_quota = models.PositiveIntegerField("编制控制数", null=True, blank=True)
    staff_total = models.PositiveIntegerField("在职人员总数", null=True, blank=True)
    staff_administrative = models.PositiveIntegerField("其中：行政编制人数", null=True, blank=True)
    staff_institutional = models.PositiveIntegerField("事业编制人数", null=True, blank=True)
    staff_extra = models.PositiveIntegerField("编外人数", null=True, blank=True)

    prior_approved = MoneyField("上年预算批复数")
    prior_adjusted = MoneyField("上年预算调整数")
    prior_actual = MoneyField("上年实际支出数")
    prior_execution_rate = models.DecimalField(
        "上年执行率（%，按表中填写）",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="保留填报人填写的数值；系统另行计算并提示差异。",
    )
    prior_carryover = MoneyField("上年年末结转结余数")

    funds_total = MoneyField("资金总额", help_text="湖南式“年度预算申请”的资金总额。")
    income_total = MoneyField("收入合计")
    income_higher_grant = MoneyField("其中：上级财政拨款")
    income_local = MoneyField("本级财政安排")
    income_general_budget = MoneyField("一般公共预算")
    income_government_fund = MoneyField("政府性基金拨款")
    income_special_account = MoneyField("纳入专户管理的非税收入拨款")
    income_other = MoneyField("其他资金")

    expenditure_total = MoneyField("支出合计")
    expenditure_personnel = MoneyField("其中：人员经费")
    expenditure_public = MoneyField("公用经费")
    expenditure_basic = MoneyField("基本支出")
    expenditure_project = MoneyField("项目经费", help_text="湖南式表中为“项目支出”。")

    tasks_total_amount = MoneyField("年度主要任务金额合计：总额", help_text="按表中填写；系统另行核对各任务之和。")
    tasks_total_fiscal = MoneyField("金额合计：财政拨款")
    tasks_total_other = MoneyField("金额合计：其他资金")

    other_notes = ParagraphTextField("其他需要说明的事项", max_length=1000, blank=True)
    overall_goal = ParagraphTextField("年度总体目标", max_length=2000, blank=True)

    class Meta:
        verbose_name = "部门整体支出信息"
        verbose_name_plural = "部门整体支出信息"

    def __str__(self):
        return f"{self.filing} 部门信息"


class FunctionItem(models.Model):
    """A 部门职能分解 row: one function with its 中期目标 and 年度绩效目标."""

    filing = models.ForeignKey(Filing, models.CASCADE, related_name="functions", verbose_name="申报表")
    order = models.PositiveIntegerField("顺序", default=0)
    name = OneLineCharField("职能", max_length=200)
    mid_term_goal = ParagraphTextField("部门中期目标", max_length=500, blank=True)
    annual_goal = ParagraphTextField("部门年度绩效目标", max_length=500, blank=True)

    class Meta:
        verbose_name = "部门职能分解"
        verbose_name_plural = "部门职能分解"
        ordering = ["filing", "order", "pk"]

    def __str__(self):
        return self.name


class AnnualTask(models.Model):
    """A 年度主要任务 row with its budget: 总额 = 财政拨款 + 其他资金."""

    filing = models.ForeignKey(Filing, models.CASCADE, related_name="tasks", verbose_name="申报表")
    order = models.PositiveIntegerField("顺序", default=0)
    name = OneLineCharField("任务名称", max_length=200)
    content = ParagraphTextField("主要内容", max_length=500, blank=True)
    related_goal = ParagraphTextField("对应年度绩效目标和内容", max_length=500, blank=True)
    amount_total = MoneyField("预算金额总额")
    amount_fiscal = MoneyField("其中：财政拨款")
    amount_other = MoneyField("其中：其他资金")
    extra = models.JSONField("表样自定义栏目", default=dict, blank=True)

    class Meta:
        verbose_name = "年度主要任务"
        verbose_name_plural = "年度主要任务"
        ordering = ["filing", "order", "pk"]

    def __str__(self):
        return self.name

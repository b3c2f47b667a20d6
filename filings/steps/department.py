"""The steps of the 部门整体支出绩效目标申报表."""


from indicators.findings import Step

from ..forms.money import money_form_for
from ..models import AnnualTask, DepartmentDetails, Filing, FormVariant, FunctionItem
from ..wizard import ORDER_WIDGET, StepForms, WizardStep, details_form, rows_formset
from .shared import GoalsStep, IndicatorsStep

UNIT_HEADER = ["unit_name", "contact_person", "contact_phone", "money_unit"]
JIANGXI_FACTS = [
    "function_basis", "function_summary", "functions_changed", "is_primary_department", "sector",
    "subordinate_units", "internal_department_count", "staffing_quota", "staff_total", "staff_administrative",
    "staff_institutional", "staff_extra",
]
JIANGXI_BUDGET = [
    "prior_approved", "prior_adjusted", "prior_actual", "prior_execution_rate", "prior_carryover",
    "income_total", "income_higher_grant", "income_local", "income_other",
    "expenditure_total", "expenditure_personnel", "expenditure_public", "expenditure_project", "other_notes",
]
HUNAN_BUDGET = [
    "funds_total", "income_total", "income_general_budget", "income_government_fund", "income_special_account",
    "income_other", "expenditure_total", "expenditure_basic", "expenditure_project",
]
HUNAN_LABELS = {"income_total": "按收入性质分合计", "expenditure_total": "按支出性质分合计",
                "income_other": "其他资金", "expenditure_project": "项目支出"}
JIANGXI_LABELS = {"income_other": "其他"}


class UnitStep(WizardStep):
    def build(self, filing, data=None):
        header_fields = list(UNIT_HEADER)
        if filing.variant.code == "dept-mof88":
            header_fields.insert(1, "competent_department")
        result = StepForms(forms={"header": details_form(Filing, header_fields)(data, instance=filing,
                                                                               prefix="header")})
        facts = JIANGXI_FACTS if filing.variant.has_unit_facts else ["function_summary"]
        if filing.variant.budget_layout == FormVariant.Budget.HUNAN:
            facts = ["function_summary"]
        if facts and filing.variant.code != "dept-mof88":
            labels = {"function_summary": "部门职能·职责概述"} if facts == ["function_summary"] else {}
            form_class = details_form(DepartmentDetails, facts, labels)
            result.forms["details"] = form_class(data, instance=filing.department, prefix="details")
        return result


class BudgetStep(WizardStep):
    def applies(self, filing):
        return filing.variant.budget_layout != FormVariant.Budget.NONE

    def build(self, filing, data=None):
        hunan = filing.variant.budget_layout == FormVariant.Budget.HUNAN
        form_class = details_form(DepartmentDetails, HUNAN_BUDGET if hunan else JIANGXI_BUDGET,
                                  HUNAN_LABELS if hunan else JIANGXI_LABELS, filing.money_unit)
        return StepForms(forms={"budget": form_class(data, instance=filing.department, prefix="budget")})


class FunctionsStep(WizardStep):
    def applies(self, filing):
        return filing.variant.has_function_breakdown

    def build(self, filing, data=None):
        return StepForms(formsets={"rows": rows_formset(
            FunctionItem, ["order", "name", "mid_term_goal", "annual_goal"], filing, data, "functions",
            widgets=ORDER_WIDGET)})


class TasksStep(WizardStep):
    def applies(self, filing):
        return filing.variant.has_annual_tasks

    def build(self, filing, data=None):
        rows = rows_formset(
            AnnualTask, ["order", "name", "content", "related_goal", "amount_total", "amount_fiscal", "amount_other"],
            filing, data, "tasks", form=money_form_for(filing.money_unit), widgets=ORDER_WIDGET,
            labels={"content": "工作内容"} if filing.variant.has_unit_facts else {},
        )
        result = StepForms(formsets={"rows": rows})
        if filing.variant.task_amount_split:
            totals = details_form(DepartmentDetails, ["tasks_total_amount", "tasks_total_fiscal", "tasks_total_other"],
                                  money_unit=filing.money_unit)
            result.forms["totals"] = totals(data, instance=filing.department, prefix="totals")
        return result


DEPARTMENT_STEPS = [
    UnitStep(Step.UNIT, "filings/steps/forms.html"),
    BudgetStep(Step.BUDGET, "filings/steps/budget.html"),
    FunctionsStep(Step.FUNCTIONS, "filings/steps/rows.html"),
    TasksStep(Step.TASKS, "filings/steps/rows.html"),
    GoalsStep(Step.GOALS, "filings/steps/forms.html"),
    IndicatorsStep(Step.INDICATORS, "filings/steps/indicators.html"),
]

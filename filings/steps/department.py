"""The steps of the 部门整体支出绩效目标申报表; their fields, labels and columns follow the variant's layout."""

from indicators.findings import Step

from ..forms.money import money_form_for
from ..models import AnnualTask, DepartmentDetails, FunctionItem
from ..wizard import ORDER_WIDGET, StepForms, WizardStep, details_form, rows_formset, step_field_label
from .blocks import layout_forms, layout_labels
from .shared import FieldsStep, IndicatorsStep, column_order, table_columns


class FunctionsStep(WizardStep):
    def build(self, filing, data=None):
        names, labels, extras, extra_labels = table_columns(filing, "functions")
        forms, groups = layout_forms(filing, self.key, data)
        return StepForms(forms=forms, groups=groups, formsets={"rows": rows_formset(
            FunctionItem, ["order", *names], filing, data, "functions", widgets=ORDER_WIDGET, labels=labels,
            extras=extras, extra_labels=extra_labels, column_order=column_order(filing, "functions"))})

    def field_labels(self, filing):
        return layout_labels(filing, self.key)


class TasksStep(WizardStep):
    def build(self, filing, data=None):
        names, labels, extras, extra_labels = table_columns(filing, "tasks")
        unit = filing.money_unit
        for extra in extras:
            if extra.type == "money":
                extra_labels[extra.name] = f"{extra_labels[extra.name]}（{filing.get_money_unit_display()}）"
        rows = rows_formset(AnnualTask, ["order", *names], filing, data, "tasks", form=money_form_for(unit),
                            widgets=ORDER_WIDGET, labels=labels, extras=extras, extra_labels=extra_labels,
                            column_order=column_order(filing, "tasks"))
        forms, groups = layout_forms(filing, self.key, data)
        result = StepForms(forms=forms, groups=groups, formsets={"rows": rows})
        block = filing.variant.description.block("tasks")
        if block is not None and block.totals:
            totals = details_form(DepartmentDetails, list(block.totals), money_unit=unit)
            result.forms["totals"] = totals(data, instance=filing.department, prefix="totals")
            result.totals_label = block.totals_label
        return result

    def field_labels(self, filing):
        labels = layout_labels(filing, self.key)
        block = filing.variant.description.block("tasks")
        if block is not None and block.totals:
            labels += [(name, step_field_label(DepartmentDetails._meta.get_field(name), None, filing.money_unit))
                       for name in block.totals]
        return labels


DEPARTMENT_STEPS = [
    FieldsStep(Step.UNIT, "filings/steps/forms.html"),
    FieldsStep(Step.BUDGET, "filings/steps/budget.html"),
    FunctionsStep(Step.FUNCTIONS, "filings/steps/rows.html"),
    TasksStep(Step.TASKS, "filings/steps/rows.html"),
    FieldsStep(Step.GOALS, "filings/steps/forms.html"),
    IndicatorsStep(Step.INDICATORS, "filings/steps/indicators.html"),
]

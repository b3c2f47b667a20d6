"""The one step machinery of both forms: which steps a filing has, the forms of each, saving and progress.

A step binds plain Django forms and row formsets to the saved filing; every save goes to the database, so a
filing can be continued in another browser on another day. The department steps are defined here; the project
steps plug into the same `WizardStep` shapes.
"""

from dataclasses import dataclass, field

from django import forms
from django.db import models, transaction
from django.forms import BaseForm, BaseFormSet, BaseInlineFormSet, inlineformset_factory

from indicators.findings import STEP_LABELS, Report, Step
from indicators.models import Category

from .forms.fields import CountField, PercentField, PreloadedChoiceField, YesNoRadio
from .forms.money import money_form_for
from .forms.rows import BlankRowMixin, row_form
from .models import AnnualTask, DepartmentDetails, Filing, FilingKind, FormVariant, FunctionItem, Indicator
from .models.indicators import Period


class StepState:
    NOT_STARTED = "未开始"
    IN_PROGRESS = "填写中"
    DONE = "已完成"
    PROBLEM = "有问题"


@dataclass
class StepForms:
    """The bound forms and row formsets of one step, validated and saved together."""

    forms: dict[str, BaseForm] = field(default_factory=dict)
    formsets: dict[str, BaseFormSet] = field(default_factory=dict)

    def is_valid(self) -> bool:
        results = [form.is_valid() for form in self.forms.values()]
        results += [formset.is_valid() for formset in self.formsets.values()]
        return all(results)

    def save(self) -> None:
        for form in self.forms.values():
            form.save()
        for formset in self.formsets.values():
            save_rows(formset)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(label, message, anchor id) for every error, for the summary at the top of the page."""
        summary = []
        for form in self.forms.values():
            summary += _form_errors(form)
        for formset in self.formsets.values():
            summary += [("", str(error), "") for error in formset.non_form_errors()]
            for number, form in enumerate(formset.forms, start=1):
                if form.errors and not _marked_deleted(form):
                    summary += [(f"第 {number} 行 {label}", message, anchor)
                                for label, message, anchor in _form_errors(form)]
        return summary


def _form_errors(form) -> list[tuple[str, str, str]]:
    errors = []
    for name, messages in form.errors.items():
        bound = form[name] if name in form.fields else None
        for message in messages:
            errors.append((str(bound.label) if bound else "", message, bound.id_for_label if bound else ""))
    return errors


def _marked_deleted(form) -> bool:
    return form.prefix and form.data.get(f"{form.prefix}-DELETE") in {"on", "true", "1"}


def save_rows(formset) -> None:
    """Save a row formset with bulk statements: a constant number of queries however many rows there are."""
    model = formset.model
    keep, deleted, changed = [], [], set()
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        if formset.can_delete and formset._should_delete_form(form):
            if form.instance.pk is not None:
                deleted.append(form.instance.pk)
            continue
        row = form.save(commit=False)
        keep.append(row)
        if form.has_changed():
            changed.add(id(row))
    for position, row in enumerate(sorted(keep, key=lambda r: (r.order or 0, r.pk or 0)), start=1):
        if row.order != position:
            row.order = position
            changed.add(id(row))
        if hasattr(row, "apply_reading"):
            row.apply_reading()
    if deleted:
        model.objects.filter(pk__in=deleted).delete()
    new = [row for row in keep if row.pk is None]
    old = [row for row in keep if row.pk is not None and id(row) in changed]
    model.objects.bulk_create(new)
    if old:
        fields = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != "filing"]
        model.objects.bulk_update(old, fields)


class RowFormSet(BaseInlineFormSet):
    """An inline formset whose rows' hidden ids are checked against the rows it already read, not one by one."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_name = self.model._meta.pk.name
        original = form.fields[pk_name]
        form.fields[pk_name] = PreloadedChoiceField(
            list(self.get_queryset()), required=False, widget=original.widget, initial=original.initial
        )


# --- the steps --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WizardStep:
    key: Step
    template: str

    @property
    def title(self) -> str:
        return STEP_LABELS[self.key]

    def applies(self, filing: Filing) -> bool:
        return True

    def build(self, filing: Filing, data=None) -> StepForms:
        raise NotImplementedError


def details_form(model, fields, labels=None, money_unit=None, widgets=None):
    base = money_form_for(money_unit) if money_unit else forms.ModelForm
    meta = type("Meta", (), {"model": model, "fields": fields, "labels": labels or {}, "widgets": widgets or {},
                             "formfield_callback": step_formfield})
    return type(f"{model.__name__}StepForm", (base,), {"Meta": meta, "__module__": __name__})


def step_formfield(model_field, **kwargs):
    """Form fields as officers type them: counts accept pasted text, 是/否 are radio buttons, text areas are roomy."""
    if isinstance(model_field, models.PositiveIntegerField):
        field = CountField(label=model_field.verbose_name, help_text=model_field.help_text)
        if "widget" in kwargs:
            field.widget = kwargs["widget"]
        return field
    if isinstance(model_field, models.BooleanField) and model_field.null:
        return forms.NullBooleanField(label=model_field.verbose_name, required=False, widget=YesNoRadio())
    if isinstance(model_field, models.DecimalField):
        return PercentField(label=model_field.verbose_name, help_text=model_field.help_text)
    field = model_field.formfield(**kwargs)
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs.setdefault("rows", 3)
    return field


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


def rows_formset(model, fields, filing, data, prefix, form=forms.ModelForm, widgets=None, labels=None):
    formset_class = inlineformset_factory(
        Filing, model, form=row_form(form), formset=RowFormSet, fields=fields, extra=0, can_delete=True,
        widgets=widgets or {}, labels=labels or {}, formfield_callback=step_formfield,
    )
    return formset_class(data, instance=filing, prefix=prefix)


ORDER_WIDGET = {"order": forms.HiddenInput(attrs={"class": "row-order"})}


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


class GoalsStep(WizardStep):
    def build(self, filing, data=None):
        if filing.kind == FilingKind.PROJECT:
            fields, instance = ["implementation_goal", "annual_goal"], filing.project
        else:
            fields, instance = ["overall_goal"], filing.department
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in fields}
        form_class = details_form(type(instance), fields, widgets=widgets)
        return StepForms(forms={"goals": form_class(data, instance=instance, prefix="goals")})


class IndicatorRowForm(BlankRowMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["period", "category", "order", "name", "value_text", "standard", "note"]
        widgets = {
            "period": forms.HiddenInput(attrs={"class": "row-period"}),
            "order": forms.HiddenInput(attrs={"class": "row-order"}),
            "name": forms.TextInput(attrs={"class": "form-control indicator-name"}),
            "value_text": forms.TextInput(attrs={"class": "form-control indicator-value"}),
            "standard": forms.TextInput(attrs={"class": "form-control"}),
            "note": forms.TextInput(attrs={"class": "form-control"}),
        }

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"] = PreloadedChoiceField(
            categories, label="二级指标", widget=forms.HiddenInput(attrs={"class": "row-category"}))

    def _get_validation_exclusions(self):
        # The field only offers the scheme's 二级 categories; the model's limit_choices_to check would cost a
        # query per row.
        return super()._get_validation_exclusions() | {"category"}

    def clean(self):
        cleaned = super().clean()
        name, value = (cleaned.get("name") or "").strip(), (cleaned.get("value_text") or "").strip()
        if not name and value:
            self.add_error("name", "请填写三级指标名称。")
        return cleaned


class IndicatorsStep(WizardStep):
    def build(self, filing, data=None):
        categories = scheme_categories(filing)
        level2 = [c for c in categories if c.parent_id]
        queryset = filing.indicators.select_related("category__parent").order_by("period", "order", "pk")
        fields = ["period", "category", "order", "name", "value_text", "note"]
        if filing.variant.has_performance_standard:
            fields.insert(5, "standard")
        formset_class = inlineformset_factory(Filing, Indicator, form=IndicatorRowForm, formset=RowFormSet,
                                              fields=fields, extra=0, can_delete=True)
        formset = formset_class(data, instance=filing, prefix="indicators", queryset=queryset,
                                form_kwargs={"categories": level2})
        return StepForms(formsets={"rows": formset})


@dataclass
class IndicatorGroup:
    """One 二级 heading of the indicator editor with its rows (forms)."""

    period: str
    category: Category
    forms: list = field(default_factory=list)

    @property
    def marked_not_applicable(self) -> bool:
        return any((form["name"].value() or "").strip() == "不适用" for form in self.forms)


def indicator_groups(formset, categories: list[Category], periods: list[str]) -> list[dict]:
    """The editor's layout: per period, per 一级, per 二级 in the scheme's order, with every row placed."""
    level1 = [c for c in categories if c.parent_id is None]
    groups = {(period, c.pk): IndicatorGroup(period, c) for period in periods for c in categories if c.parent_id}
    for form in formset.forms:
        category = str(form["category"].value() or "")
        key = (str(form["period"].value() or periods[-1]), int(category) if category.isdigit() else 0)
        group = groups.get(key) or groups.get((periods[-1], key[1]))
        if group is not None:
            group.forms.append(form)
    return [
        {"period": period, "label": Period(period).label, "level1": [
            {"category": parent, "groups": [groups[(period, c.pk)] for c in categories if c.parent_id == parent.pk]}
            for parent in level1
        ]}
        for period in periods
    ]


def scheme_categories(filing: Filing) -> list[Category]:
    return list(Category.objects.filter(scheme_id=filing.scheme_id).select_related("parent")
                .order_by("parent__order", "order"))


def indicator_periods(filing: Filing) -> list[str]:
    if filing.kind == FilingKind.PROJECT and filing.variant.has_implementation_period:
        return [Period.IMPLEMENTATION, Period.ANNUAL]
    return [Period.ANNUAL]


DEPARTMENT_STEPS = [
    UnitStep(Step.UNIT, "filings/steps/forms.html"),
    BudgetStep(Step.BUDGET, "filings/steps/budget.html"),
    FunctionsStep(Step.FUNCTIONS, "filings/steps/rows.html"),
    TasksStep(Step.TASKS, "filings/steps/rows.html"),
    GoalsStep(Step.GOALS, "filings/steps/forms.html"),
    IndicatorsStep(Step.INDICATORS, "filings/steps/indicators.html"),
]
STEPS_BY_KIND = {FilingKind.DEPARTMENT: DEPARTMENT_STEPS}


def steps_for(filing: Filing) -> list[WizardStep]:
    return [step for step in STEPS_BY_KIND.get(filing.kind, []) if step.applies(filing)]


def find_step(filing: Filing, key: str) -> WizardStep | None:
    return next((step for step in steps_for(filing) if step.key == key), None)


def next_step(filing: Filing, step: WizardStep) -> WizardStep | None:
    steps = steps_for(filing)
    index = steps.index(step)
    return steps[index + 1] if index + 1 < len(steps) else None


def step_state(filing: Filing, step: WizardStep, report: Report) -> str:
    if step.key not in filing.saved_steps:
        return StepState.NOT_STARTED
    if any(f.is_error for f in report.for_step(step.key)):
        return StepState.PROBLEM
    return StepState.DONE if step.key in filing.completed_steps else StepState.IN_PROGRESS


@transaction.atomic
def save_step(filing: Filing, step: WizardStep, bound: StepForms, complete: bool) -> None:
    """Save a valid step and remember where the user is: 保存 keeps it 填写中, 保存并继续 marks it done."""
    bound.save()
    filing.refresh_from_db(fields=["saved_steps", "completed_steps", "money_unit"])
    if step.key not in filing.saved_steps:
        filing.saved_steps = [*filing.saved_steps, step.key]
    completed = [key for key in filing.completed_steps if key != step.key]
    filing.completed_steps = [*completed, step.key] if complete else completed
    following = next_step(filing, step) if complete else step
    filing.current_step = following.key if following else "check"
    filing.lock_version += 1
    filing.save(update_fields=["saved_steps", "completed_steps", "current_step", "lock_version", "updated_at"])

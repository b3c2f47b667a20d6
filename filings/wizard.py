"""The one step machinery of both forms: which steps a filing has, the forms of each, saving and progress.

A step binds plain Django forms and row formsets to the saved filing; every save goes to the database, so a
filing can be continued in another browser on another day. The steps of each form live in `filings/steps/`, which
registers them here.
"""

import re
from dataclasses import dataclass, field

from django import forms
from django.db import models, transaction
from django.forms import BaseForm, BaseFormSet, BaseInlineFormSet, inlineformset_factory
from django.utils.text import capfirst

from indicators.findings import STEP_LABELS, Report, Step
from indicators.models import Scheme

from .checked import compared_facts, refresh_checks
from .forms.extras import ExtrasFormMixin, is_extra_field
from .forms.fields import CountField, PercentField, PreloadedChoiceField, YesNoRadio
from .forms.money import money_form_for
from .forms.rows import row_form
from .limits import row_limit, rows_message
from .models import EventKind, Filing
from .money import MoneyField, MoneyUnit
from .services import lock_filing, record


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
    groups: list = field(default_factory=list)  # the page's groups of fields (`filings.steps.blocks.FieldGroup`)
    totals_label: str = ""

    def is_valid(self) -> bool:
        results = [form.is_valid() for form in self.forms.values()]
        results += [formset.is_valid() for formset in self.formsets.values()]
        return all(results)

    def save(self) -> None:
        for form in self.forms.values():
            form.save()
        for formset in self.formsets.values():
            save_rows(formset)

    def changes(self) -> dict:
        """What this (valid, not yet saved) step changes, for the audit event: fields old → new, rows counted."""
        fields = {}
        for form in self.forms.values():
            for name in form.changed_data:
                if is_extra_field(form.fields[name]):
                    change = form.extra_change(name)
                    if change is not None:
                        fields[str(form[name].label)] = list(change)
                    continue
                field, old, new = form.fields[name], form[name].initial, form.cleaned_data.get(name)
                if isinstance(field, forms.ModelChoiceField) and old is not None:
                    old = field.queryset.filter(pk=getattr(old, "pk", old)).first()
                elif isinstance(field, forms.ChoiceField):
                    labels = {str(value): label for value, label in field.choices}
                    old, new = labels.get(str(old), old), labels.get(str(new), new)
                fields[str(form[name].label)] = [_shown(old), _shown(new)]
        rows = {"added": 0, "changed": 0, "deleted": 0}
        for formset in self.formsets.values():
            for form in formset.forms:
                if formset.can_delete and formset._should_delete_form(form):
                    rows["deleted"] += form.instance.pk is not None
                elif form.has_changed():
                    rows["added" if form.instance.pk is None else "changed"] += 1
        return {"fields": fields, "rows": rows} if self.formsets else {"fields": fields}

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


def _shown(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "pk"):
        return str(value)
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


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

    def total_form_count(self):
        """No more forms than rows posted. A forged TOTAL_FORMS of 100,000 would otherwise make Django build,
        validate and render ``absolute_max`` (2,000) empty rows: seconds of work and megabytes of page for one small
        request. Rows past the last one posted are empty anyway, and rows not in the formset are left as they are."""
        count = super().total_form_count()
        if self.is_bound:
            row = re.compile(rf"{re.escape(self.prefix)}-([0-9]{{1,6}})-")
            indexes = [int(match[1]) for key in self.data if (match := row.match(key))]
            count = min(count, max(indexes, default=-1) + 1)
        return count

    def add_fields(self, form, index):
        super().add_fields(form, index)
        pk_name = self.model._meta.pk.name
        original = form.fields[pk_name]
        if not hasattr(self, "_rows_by_pk"):  # read once for all rows, not once per row
            self._rows_by_pk = {str(row.pk): row for row in self.get_queryset()}
        form.fields[pk_name] = PreloadedChoiceField(
            self._rows_by_pk, required=False, widget=original.widget, initial=original.initial
        )

    def clean(self):
        """At most the rows filings/limits.py allows: rows kept or added count, blank and deleted ones do not."""
        super().clean()
        limit = row_limit(self.model)
        kept = [form for form in self.forms if (form.instance.pk is not None or form.has_changed())
                and not (self.can_delete and self._should_delete_form(form))]
        if limit is not None and len(kept) > limit:
            raise forms.ValidationError(rows_message(limit, len(kept)), code="too_many_rows")



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

    def field_labels(self, filing: Filing) -> list[tuple[str, str]]:
        """(name, label) of the single fields the step's forms ask, in the forms' order (row tables are not
        fields). Steps answer it from the layout without building their forms; this fallback builds them."""
        bound = self.build(filing)
        return [(name, str(field.label)) for form in bound.forms.values() for name, field in form.fields.items()]


def details_form(model, fields, labels=None, money_unit=None, widgets=None, *, extras=(), extra_labels=None,
                 base=None):
    """A ModelForm of `fields` (money in `money_unit`), also asking the variant's own fields `extras`."""
    base = base or (money_form_for(money_unit) if money_unit else forms.ModelForm)
    meta = type("Meta", (), {"model": model, "fields": fields, "labels": labels or {}, "widgets": widgets or {},
                             "formfield_callback": step_formfield})
    attrs = {"Meta": meta, "__module__": __name__, "extras": tuple(extras), "extras_unit": money_unit or "yuan",
             "extra_labels": extra_labels or {}}
    return type(f"{model.__name__}StepForm", (ExtrasFormMixin, base), attrs)


def step_formfield(model_field, **kwargs):
    """Form fields as officers type them: counts accept pasted text, 是/否 are radio buttons, text areas are roomy."""
    label = kwargs.get("label") or model_field.verbose_name
    if isinstance(model_field, models.PositiveIntegerField):
        field = CountField(label=label, help_text=model_field.help_text)
        if "widget" in kwargs:
            field.widget = kwargs["widget"]
        return field
    if isinstance(model_field, models.BooleanField) and model_field.null:
        return forms.NullBooleanField(label=label, required=False, widget=YesNoRadio())
    if isinstance(model_field, models.DecimalField):
        return PercentField(label=label, help_text=model_field.help_text)
    field = model_field.formfield(**kwargs)
    if isinstance(field.widget, forms.Textarea):
        field.widget.attrs.setdefault("rows", 3)
    return field


def step_field_label(model_field, label: str | None = None, money_unit: str | None = None) -> str:
    """The label a form of `details_form` gives a model field, without building the form: its `labels` entry or the
    field's verbose name (as `step_formfield` and Django's formfield give it), an amount with its money unit (as
    `MoneyUnitModelForm` gives it) when the form asks amounts in `money_unit`."""
    if money_unit and isinstance(model_field, MoneyField):
        return f"{label or model_field.verbose_name}（{MoneyUnit(money_unit).label}）"
    if label:
        return str(label)
    if isinstance(model_field, models.PositiveIntegerField | models.DecimalField) or (
            isinstance(model_field, models.BooleanField) and model_field.null):
        return str(model_field.verbose_name)
    return str(capfirst(model_field.verbose_name))


def rows_formset(model, fields, filing, data, prefix, form=forms.ModelForm, widgets=None, labels=None, extras=(),
                 extra_labels=None, column_order=()):
    """The formset of a row table; `extras` are the variant's own columns (stored in each row's ``extra``), placed
    among the others as `column_order` says."""
    if extras:
        form = type(f"Extras{form.__name__}", (ExtrasFormMixin, form), {
            "__module__": __name__, "extras": tuple(extras), "extras_unit": filing.money_unit,
            "extra_labels": extra_labels or {}, "column_order": tuple(column_order)})
    formset_class = inlineformset_factory(
        Filing, model, form=row_form(form), formset=RowFormSet, fields=fields, extra=0, can_delete=True,
        widgets=widgets or {}, labels=labels or {}, formfield_callback=step_formfield,
    )
    return formset_class(data, instance=filing, prefix=prefix)


ORDER_WIDGET = {"order": forms.HiddenInput(attrs={"class": "row-order"})}


# The steps of each kind of form, registered by `filings/steps/` when the app is ready (`FilingsConfig.ready`), so
# this machinery never imports the steps built on it.
STEPS_BY_KIND: dict[str, list[WizardStep]] = {}


def register_steps(kind: str, steps: list[WizardStep]) -> None:
    STEPS_BY_KIND[kind] = list(steps)


def steps_for(filing: Filing) -> list[WizardStep]:
    """The steps the filing's layout has (`FormLayout.steps()`), in the kind's order."""
    present = set(filing.variant.description.steps())
    return [step for step in STEPS_BY_KIND.get(filing.kind, []) if step.key in present and step.applies(filing)]


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
def save_step(filing: Filing, step: WizardStep, bound: StepForms, complete: bool, *, user) -> Report | None:
    """Save a valid step and remember where the user is: 保存 keeps it 填写中, 保存并继续 marks it done. Returns the
    filing's validation report after the save (the one stored with it, `refresh_checks`).

    Under the filing's row lock the filing must still be editable and at the edit version `filing` was read at (else
    `FilingWriteRefused`), so the forms' instances, read before the lock, are still what is stored.
    """
    lock_filing(filing, version=filing.lock_version)
    changes = bound.changes()
    scheme_before = filing.scheme_id
    compared_before = compared_facts(filing)
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
    if filing.scheme_id != scheme_before:
        changes["scheme"] = [str(Scheme.objects.get(pk=scheme_before)), str(filing.scheme)]
    record(filing, EventKind.STEP_SAVED, user, f"保存“{step.title}”", {"step": step.key, **changes})
    # The other projects of the unit and year are checked again only when what W10 compares them with changed.
    return refresh_checks(filing, siblings=compared_facts(filing) != compared_before)


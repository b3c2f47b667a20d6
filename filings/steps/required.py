"""Which fields of a step are required, marked where the page shows them, and what is still blank after a save.

What is required is decided once: by the variant (`FormVariant.required_fields`, the layout's own fields with
``required``) and by the forms (a field Django itself requires). Validation reports the blank ones (E1, E11); this
module only marks the fields on the page and names those findings after a save, in the order of the page.
"""

from dataclasses import dataclass

from django import forms
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from indicators.findings import Report

from ..validation import PROJECT_PERIOD

# The finding codes of required fields left blank: E1 (the variant's required fields), E11 (its own fields).
REQUIRED_CODES = ("E1", "E11")
# The project period is filled in either as text or as a pair of dates: whichever the step asks is marked.
PERIOD_FIELDS = ("period_text", "start_date", "end_date")
MARK_TEMPLATE = "filings/partials/required_mark.html"


class RequiredLabel(str):
    """A label that shows the required mark where a template prints it, and stays the plain label wherever Python
    reads it (the error summary, the audit event), so the mark never leaks into stored text."""

    def __html__(self):
        return format_html("{}{}", str(self), mark_safe(get_template(MARK_TEMPLATE).render().strip()))


def required_names(filing) -> set[str]:
    """The form field names the variant requires on any step (the layout's own fields as ``extra.<key>``)."""
    names = set()
    for name in filing.variant.required_fields:
        if not isinstance(name, str):
            continue
        names.update(PERIOD_FIELDS if name == PROJECT_PERIOD else (name,))
    for extra in filing.variant.description.extras:
        if extra.required:
            names.add(extra.name)
    return names


def is_required(form_field, name: str, required: set[str]) -> bool:
    return not form_field.widget.is_hidden and (form_field.required or name in required)


def _mark_input(widget) -> None:
    # A radio button takes no aria-required (its group would): the legend's mark says it.
    if not isinstance(widget, forms.RadioSelect):
        widget.attrs["aria-required"] = "true"


def mark_form(form, required: set[str]) -> list[str]:
    """Mark the required fields of one form: ``aria-required`` on the input, the mark after the label. A field
    Django itself requires already carries crispy's own mark; only its input is marked. Returns the names marked."""
    marked = []
    for name, form_field in form.fields.items():
        if not is_required(form_field, name, required):
            continue
        _mark_input(form_field.widget)
        if not form_field.required:
            bound = form[name]
            bound.label = RequiredLabel(bound.label)
        marked.append(name)
    return marked


def mark_rows(formset, required: set[str]) -> list[str]:
    """Mark the required columns of a row table: each row's inputs, and those of the empty row a script copies
    (Django builds a new empty form each time it is asked for, so its class marks it)."""
    columns = []

    def mark(form):
        for name, form_field in form.fields.items():
            if name in ("DELETE", "id") or not is_required(form_field, name, required):
                continue
            _mark_input(form_field.widget)
            if name not in columns:
                columns.append(name)

    base = formset.form

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)
        mark(self)

    formset.form = type(base.__name__, (base,), {"__init__": __init__, "__module__": base.__module__})
    for form in formset.forms:
        mark(form)
    mark(formset.empty_form)
    return columns


def mark_step(filing, bound) -> set[str]:
    """Mark every required field of a step's forms and row tables; the names of the fields and columns marked."""
    required = required_names(filing)
    marked = set()
    for form in bound.forms.values():
        marked.update(mark_form(form, required))
    for formset in bound.formsets.values():
        marked.update(mark_rows(formset, required))
    return marked


# --- after a save: what is still blank, named as the page names it ---------------------------------------------

@dataclass(frozen=True)
class Missing:
    name: str
    anchor: str  # the element to jump to on the step's page, or "" when there is no single field to point at


def page_fields(bound) -> list[tuple[str, str]]:
    """(name, label) of the step's fields in the order of the page: its groups, then forms outside any group."""
    seen, fields = set(), []
    for group in bound.groups:
        for field in group.fields:
            if field.name not in seen:
                seen.add(field.name)
                fields.append((field.name, str(field.label)))
    for form in bound.forms.values():
        for field in form.visible_fields():
            if field.name not in seen:
                seen.add(field.name)
                fields.append((field.name, str(field.label)))
    return fields


def missing_required(report: Report, step_key: str, bound) -> list[Missing]:
    """The step's findings of required fields left blank (E1, E11), named by the page's labels, in its order."""
    fields = page_fields(bound)
    position = {name: index for index, (name, _) in enumerate(fields)}
    labels = dict(fields)
    items = []
    for order, finding in enumerate(f for f in report.for_step(step_key) if f.code in REQUIRED_CODES):
        if finding.row is not None:
            name, anchor, place = finding.message.rstrip("。"), f"row-{finding.row_kind}-{finding.row}", len(fields)
        else:
            shown = finding.field if finding.field in labels else next(
                (n for n in PERIOD_FIELDS if finding.field in PERIOD_FIELDS and n in labels), "")
            if shown:
                # A period asked as two dates is named as the period, not as its first date.
                label = labels[shown] if shown == finding.field else "项目期"
                name, anchor, place = label, f"field-{shown}", position[shown]
            else:
                name, anchor, place = finding.message.rstrip("。"), "", len(fields)
        items.append((place, order, Missing(name, anchor)))
    return [missing for _, _, missing in sorted(items, key=lambda item: item[:2])]


def saved_message(filing, step, missing: list[Missing], saved: str):
    """The message after a save: `saved` alone, or followed by the required fields still blank, each a link."""
    if not missing:
        return saved
    url = reverse("filings:step", args=[filing.pk, step.key])
    names = format_html_join("、", "{}", (
        (format_html('<a class="alert-link" href="{}#{}">{}</a>', url, item.anchor, item.name)
         if item.anchor else item.name,) for item in missing))
    return format_html("{}还有 {} 项必填内容未填写：{}。", saved, len(missing), names)

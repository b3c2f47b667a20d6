"""The indicator editor's rows as plain values, computed once per row for the row template.

The row partial (``indicator-row`` in ``filings/steps/indicators.html``) writes every input from these values: no
bound field or widget is rendered through the template engine for a row (`filings.forms.render`). A row's inputs
keep the names, ids, values, classes, labels and error markup the form fields give them.
"""

from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from indicators.values import Target, parse_target

from ..forms.render import render_field
from ..templatetags.filings_tags import KIND_LABELS

TEXT_CELLS = ("name", "value_text", "standard", "note")


@dataclass
class Cell:
    """One cell of a row: a text input written by the template, or a variant's own field (``extra``) with its
    input already written (`render_field`)."""

    kind: str  # name | value_text | standard | note | extra
    html_name: str
    id: str
    label: str
    value: str = ""
    errors: list = field(default_factory=list)
    required: bool = False
    widget: SafeString = mark_safe("")
    extra_key: str = ""


@dataclass
class EditorRow:
    """One indicator row of the editor (a form of the formset), as the row template writes it."""

    form: object
    prefix: str
    pk: object
    deleted: bool
    cells: list[Cell]
    hidden: SafeString  # the row's hidden inputs (id, period, category, order, filing)
    target: Target | None = None  # what the system reads in the 指标值 (with the 三级 name), shown next to it
    kind: str = ""


def editor_row(form, columns, required) -> EditorRow:
    """The row of `form` with the editor's columns ((field, label) after 二级指标) and the required names."""
    cells = []
    for name, _ in columns:
        if name in TEXT_CELLS:
            bound = form[name]
            value = bound.value()
            cells.append(Cell(name, bound.html_name, bound.id_for_label, bound.label,
                              "" if value is None else value, bound.errors, name in required))
        elif name in form.fields:
            bound = form[name]
            cells.append(Cell("extra", bound.html_name, bound.id_for_label, bound.label, errors=bound.errors,
                              widget=render_field(bound), extra_key=bound.field.extra.key))
    hidden = mark_safe("".join(render_field(bound) for bound in form.hidden_fields()))
    value = form["value_text"].value() if "value_text" in form.fields else ""
    name = form["name"].value() if "name" in form.fields else ""
    target = parse_target(value or "", name or "")
    return EditorRow(form, form.prefix, form.instance.pk, bool(form["DELETE"].value()), cells, hidden,
                     target, KIND_LABELS[target.kind])


def fill_rows(periods: list[dict], columns, required) -> None:
    """Put the rows of every group of `indicator_groups`' layout on it (``group.rows``), in the groups' order."""
    for period in periods:
        for level1 in period["level1"]:
            for group in level1["groups"]:
                group.rows = [editor_row(form, columns, required) for form in group.forms]

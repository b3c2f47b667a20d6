"""The forms of a wizard step built from the variant's layout description: its blocks of fields, grouped by owner.

Each ``fields`` or ``signoff`` block of the step becomes a group on the page (its ``group`` label, its rows of
entries, its ``sums`` as live totals); the fields are bound to one form per owner: the filing's own fields (and the
variant's own header fields, stored in ``Filing.extra``) in ``header`` (``signoff`` for a sign-off block), the
details model's in the step's details form. Labels come from the entries; a field placed twice is asked once, where
it is first placed. A new arrangement or new labels in a layout are data: this module does not change.
"""

from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.db import models

from ..layouts.catalogue import data_fields
from ..wizard import details_form, step_field_label

# The prefix of the form that holds a step's details-model fields (the ones the tests and pages have always used).
DETAILS_PREFIX = {"unit": "details", "project": "details", "budget": "budget", "funds": "funds",
                  "narrative": "narrative", "goals": "goals", "tasks": "details", "functions": "details"}
TEXT_ROWS = {"goals": 8, "narrative": 5}
FIELD_BLOCKS = {"fields", "signoff"}


@dataclass
class Entry:
    label: str
    fields: list  # bound fields


@dataclass
class FieldGroup:
    """One block of the step as the page shows it."""

    label: str
    type: str
    rows: list[list[Entry]]
    sums: list[dict] = field(default_factory=list)  # {"total", "parts", "label"} of each live total

    @property
    def fields(self):
        return [bound for row in self.rows for entry in row for bound in entry.fields]


@dataclass
class _Owner:
    model: type
    instance: object
    names: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    extras: list = field(default_factory=list)


def first_places(description) -> dict[str, int]:
    """Where each field is entered: the index of the first block that places it."""
    places = {}
    for index, block in enumerate(description.blocks):
        for entry in block.entries:
            for name in entry.fields:
                places.setdefault(name, index)
    return places


def details_of(filing):
    return filing.department if filing.kind == "department" else filing.project


def _layout_plan(filing, step: str, header_names=()):
    """Which form (prefix → owner: model, instance, fields, labels, extras) asks each field the layout places on
    `step`, and the blocks' rows of (label, [(prefix, name)]) — what `layout_forms` binds and `layout_labels` reads."""
    from ..models import Filing

    description = filing.variant.description
    specs = data_fields(filing.kind)
    places = first_places(description)
    blocks = [(i, b) for i, b in enumerate(description.blocks) if b.step == step and b.type in FIELD_BLOCKS]
    singles = Counter(entry.label for _, b in blocks for entry in b.entries if len(entry.fields) == 1)
    details = details_of(filing)
    owners: dict[str, _Owner] = {}
    if header_names:
        owners["header"] = _Owner(Filing, filing, list(header_names))
    plan = []
    for index, block in blocks:
        rows = []
        for row in block.rows:
            entries = []
            for entry in row:
                placed = []
                for name in entry.fields:
                    if places.get(name) != index:
                        continue  # asked where it is first placed
                    extra = description.extra(name) if name.startswith("extra.") else None
                    owner = "filing" if extra else specs[name].owner
                    if owner == "filing":
                        prefix = "signoff" if block.type == "signoff" else "header"
                        holder = owners.setdefault(prefix, _Owner(Filing, filing))
                    else:
                        prefix = DETAILS_PREFIX[step]
                        holder = owners.setdefault(prefix, _Owner(type(details), details))
                    if name in holder.names or any(e.name == name for e in holder.extras):
                        continue
                    if len(entry.fields) == 1 and singles[entry.label] == 1:
                        holder.labels[name] = entry.label
                    (holder.extras if extra else holder.names).append(extra or name)
                    placed.append((prefix, name))
                if placed:
                    entries.append((entry.label, placed))
            if entries:
                rows.append(entries)
        plan.append((block, rows))
    return owners, plan


def layout_forms(filing, step: str, data=None, *, header_names=(), header_base=None, leading=()):
    """The forms (prefix → bound form) and the page's groups of the layout's field blocks on `step`.

    `header_names` are filing fields the step's ``header`` form asks besides the placed ones (``money_unit``,
    ``variant`` on the first step); `leading` are those of them shown at the start of the first group.
    """
    owners, plan = _layout_plan(filing, step, header_names)
    bound = {}
    for prefix, holder in owners.items():
        form_class = _form_class(holder, step, filing.money_unit, header_base if prefix == "header" else None)
        bound[prefix] = form_class(data, instance=holder.instance, prefix=prefix)
    groups = []
    unit_label = filing.get_money_unit_display()
    for block, rows in plan:
        shown_rows = [[Entry(label, [bound[prefix][name] for prefix, name in placed]) for label, placed in row]
                      for row in rows]
        groups.append(FieldGroup(block.group_label(unit_label), block.type, shown_rows,
                                 [{"total": s.total, "parts": list(s.parts), "label": _label_of(bound, s.total)}
                                  for s in block.sums]))
    if leading:
        first = Entry("", [bound["header"][name] for name in leading])
        if groups and not groups[0].label:
            groups[0].rows.insert(0, [first])
        else:
            groups.insert(0, FieldGroup("", "fields", [[first]]))
    return bound, [group for group in groups if group.rows]


def layout_labels(filing, step: str, *, header_names=(), header_base=None) -> list[tuple[str, str]]:
    """(name, label) of the fields `layout_forms` asks on `step`, in its forms' order, as those forms label them —
    read from the layout, without building a form (the review page's comment targets)."""
    labels = []
    for prefix, holder in _layout_plan(filing, step, header_names)[0].items():
        money_unit = None if prefix == "header" and header_base is not None else filing.money_unit
        labels += owner_labels(holder, money_unit)
    return labels


def owner_labels(holder: _Owner, money_unit: str | None) -> list[tuple[str, str]]:
    """The labels of one owner's form (`_form_class`): its model fields, then the variant's own fields."""
    labels = [(name, step_field_label(holder.model._meta.get_field(name), holder.labels.get(name), money_unit))
              for name in holder.names]
    extra_labels = _extra_labels(holder, money_unit or "yuan")
    for extra in holder.extras:
        labels.append((extra.name, extra_labels.get(extra.name)
                       or str(extra.form_field(money_unit or "yuan").label)))
    return labels


def _extra_labels(holder: _Owner, money_unit: str) -> dict[str, str]:
    extra_labels = {}
    for extra in holder.extras:
        label = holder.labels.get(extra.name)
        if label:
            extra_labels[extra.name] = f"{label}（{_unit_label(money_unit)}）" if extra.type == "money" else label
    return extra_labels


def _label_of(bound: dict, name: str) -> str:
    for form in bound.values():
        if name in form.fields:
            return str(form[name].label)
    return ""


def _form_class(holder: _Owner, step: str, money_unit: str, base=None):
    widgets = {}
    for name in holder.names:
        try:
            model_field = holder.model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a declared, non-model field
            continue
        if isinstance(model_field, models.DateField):
            widgets[name] = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif isinstance(model_field, models.TimeField):
            widgets[name] = forms.TimeInput(attrs={"type": "time", "step": 1}, format="%H:%M:%S")
        elif isinstance(model_field, models.TextField) and step in TEXT_ROWS:
            widgets[name] = forms.Textarea(attrs={"rows": TEXT_ROWS[step]})
    labels = {name: label for name, label in holder.labels.items() if not name.startswith("extra.")}
    extra_labels = _extra_labels(holder, money_unit)
    return details_form(holder.model, holder.names, labels, money_unit, widgets, extras=holder.extras,
                        extra_labels=extra_labels, base=base)


def _unit_label(money_unit: str) -> str:
    from ..money import MoneyUnit

    return MoneyUnit(money_unit).label

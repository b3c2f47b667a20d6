"""Steps both forms share: steps of field blocks (the goals …), the row tables' columns and the indicator editor."""

from dataclasses import dataclass, field

from django import forms
from django.forms import inlineformset_factory

from indicators.models import Category, place_in

from ..errors import FilingWriteRefused
from ..forms.extras import ExtrasFormMixin
from ..forms.indicators import SCHEME_WORDING, IndicatorRowForm, SchemeForm
from ..models import Filing, FilingKind, Indicator
from ..models.indicators import Period
from ..services import switch_scheme
from ..text import ascii_number
from ..wizard import RowFormSet, StepForms, WizardStep
from .blocks import layout_forms, layout_labels


class FieldsStep(WizardStep):
    """A step of field blocks only: one form per owner, the page laid out as the layout's groups."""

    def build(self, filing, data=None):
        first = filing.variant.description.steps()[0] == self.key
        header = ["money_unit"] if first else []
        forms, groups = layout_forms(filing, self.key, data, header_names=header, leading=header)
        return StepForms(forms=forms, groups=groups)

    def field_labels(self, filing):
        first = filing.variant.description.steps()[0] == self.key
        return layout_labels(filing, self.key, header_names=["money_unit"] if first else [])


def column_order(filing, type_) -> list[str]:
    """The form fields of a row table's columns in the layout's order (``order`` first)."""
    return ["order", *(column.field for column in filing.variant.description.columns(type_))]


def table_columns(filing, type_):
    """(model fields, labels, extras, extra labels) of a row table's columns, in the layout's order."""
    description = filing.variant.description
    names, labels, extras, extra_labels = [], {}, [], {}
    for column in description.columns(type_):
        extra = description.extra(column.field) if column.field.startswith("extra.") else None
        if extra is not None:
            extras.append(extra)
            extra_labels[extra.name] = column.label
        else:
            names.append(column.field)
            labels[column.field] = column.label
    return names, labels, extras, extra_labels


@dataclass
class IndicatorStepForms(StepForms):
    """The indicator rows and the scheme they are filed under; a change of scheme moves every row when saving."""

    filing: Filing | None = None
    scheme_form: forms.Form | None = None
    columns: list = field(default_factory=list)  # (field, label) of the editor's columns after 二级指标
    notice: str = ""

    def target_scheme(self):
        """The scheme chosen on the page; None when the page sent no choice (or an invalid one)."""
        return self.scheme_form.chosen() if self.scheme_form is not None else None

    def is_valid(self) -> bool:
        valid = super().is_valid()
        form = self.scheme_form
        if form is None or not form.is_bound:
            return valid
        if not form.is_valid():
            return False
        target = form.chosen()
        if not valid or target is None or target.pk == self.filing.scheme_id:
            return valid
        unplaced = self._unplaced(target)
        if unplaced:
            names = "、".join(f"“{name}”" for name in unplaced[:5]) + ("等" if len(unplaced) > 5 else "")
            self.scheme_form.add_error("scheme", f"{names}在“{SCHEME_WORDING.get(target.code, target.name)}”中没有"
                                                 f"对应的二级指标，请先删除或改到其他二级指标下，再更换指标体系。")
            return False
        return True

    def _unplaced(self, target) -> list[str]:
        """The names of the rows (kept on the page, or stored outside the editor) without a place in `target`."""
        targets = {c.code: c for c in target.level2_categories()}
        formset = self.formsets["rows"]
        codes = []
        for form in formset.forms:
            if formset._should_delete_form(form) or (form.instance.pk is None and not form.has_changed()):
                continue
            category = form.cleaned_data.get("category")
            if category is not None:
                codes.append((category.code, form.cleaned_data.get("name") or category.name))
        shown = {form.instance.pk for form in formset.forms if form.instance.pk is not None}
        for row in self.filing.indicators.exclude(pk__in=shown).select_related("category"):
            codes.append((row.category.code, row.name or row.category.name))
        return [name for code, name in codes if place_in(targets, code) is None]

    def save(self) -> None:
        super().save()
        target = self.target_scheme()
        if target is None or target.pk == self.filing.scheme_id:
            return
        if switch_scheme(self.filing, target):
            raise FilingWriteRefused(FilingWriteRefused.REFUSED, "有指标在新的指标体系中没有对应的二级指标，没有更换。")
        self.filing.save(update_fields=["scheme"])
        self.notice = (f"指标体系已改为“{SCHEME_WORDING.get(target.code, target.name)}”，"
                       "各指标已移到对应的二级指标下。")

    def error_summary(self):
        summary = super().error_summary()
        if self.scheme_form is not None and self.scheme_form.is_bound:
            for message in self.scheme_form.errors.get("scheme", []):
                summary.insert(0, ("指标体系", message, "id_scheme-scheme_0"))
        return summary


def indicator_columns(filing):
    """The editor's columns after 二级指标, from the layout: (field, label, extra or None).

    绩效标准 is a column of the editor when the layout has a non-optional standard column."""
    description = filing.variant.description
    columns = []
    for column in description.columns("indicators"):
        if column.field == "level2":
            continue
        if column.field == "standard" and column.optional:
            continue
        columns.append((column.field, column.label,
                        description.extra(column.field) if column.field.startswith("extra.") else None))
    if not any(name == "name" for name, _, _ in columns):
        columns.insert(0, ("name", "三级指标", None))
    return columns


def edits_standard(filing) -> bool:
    """Whether the indicator editor (and a paste into it) has a 绩效标准 column."""
    return any(name == "standard" for name, _, _ in indicator_columns(filing))


class IndicatorsStep(WizardStep):
    def field_labels(self, filing):
        return []  # the indicator rows only (commented on by row)

    def build(self, filing, data=None):
        categories = list(Category.objects.of_scheme(filing.scheme_id))
        level2 = [c for c in categories if c.parent_id]
        # Rows of a set the current variant does not have (after a change of 表样) stay stored but out of the editor.
        queryset = (filing.indicators.filter(period__in=indicator_periods(filing)).select_related("category__parent")
                    .order_by("period", "order", "pk"))
        columns = indicator_columns(filing)
        model_names = [name for name, _, extra in columns if extra is None]
        fields = ["period", "category", "order", *model_names]
        extras = [extra for _, _, extra in columns if extra is not None]
        form = IndicatorRowForm
        if extras:
            form = type("IndicatorExtrasRowForm", (ExtrasFormMixin, IndicatorRowForm), {
                "__module__": __name__, "extras": tuple(extras), "extras_unit": filing.money_unit,
                "extra_labels": {extra.name: label + (f"（{filing.get_money_unit_display()}）"
                                                      if extra.type == "money" else "")
                                 for _, label, extra in columns if extra is not None}})
        labels = {name: label for name, label, extra in columns if extra is None}
        formset_class = inlineformset_factory(Filing, Indicator, form=form, formset=RowFormSet,
                                              fields=fields, extra=0, can_delete=True, labels=labels)
        formset = formset_class(data, instance=filing, prefix="indicators", queryset=queryset,
                                form_kwargs={"categories": {str(c.pk): c for c in level2}})
        scheme_form = None
        if filing.is_editable:
            # A post without the choice (an older page, a script) leaves the scheme as it is.
            chosen = data if data is not None and "scheme-scheme" in data else None
            scheme_form = SchemeForm(chosen, prefix="scheme", initial={"scheme": filing.scheme_id,
                                                                       "shown": filing.scheme_id})
        return IndicatorStepForms(formsets={"rows": formset}, filing=filing, scheme_form=scheme_form,
                                  columns=[(name, label) for name, label, _ in columns])


@dataclass
class IndicatorGroup:
    """One 二级 heading of the indicator editor with its rows (forms)."""

    period: str
    category: Category
    forms: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # the forms as the editor writes them (`filings.steps.editor`)

    @property
    def marked_not_applicable(self) -> bool:
        return any((form["name"].value() or "").strip() == "不适用" for form in self.forms)


def indicator_groups(formset, categories: list[Category], periods: list[str]) -> list[dict]:
    """The editor's layout: per period, per 一级, per 二级 in the scheme's order, with every row placed."""
    level1 = [c for c in categories if c.parent_id is None]
    groups = {(period, c.pk): IndicatorGroup(period, c) for period in periods for c in categories if c.parent_id}
    for form in formset.forms:
        category = str(form["category"].value() or "")
        key = (str(form["period"].value() or periods[-1]), ascii_number(category) or 0)
        group = groups.get(key)
        if group is not None:
            group.forms.append(form)
    return [
        {"period": period, "label": Period(period).label, "level1": [
            {"category": parent, "groups": [groups[(period, c.pk)] for c in categories if c.parent_id == parent.pk]}
            for parent in level1
        ]}
        for period in periods
    ]


def remap_stale_categories(filing: Filing, data):
    """Posted indicator rows of a page opened before the filing changed scheme (a 表样 switch in another tab), moved
    to the same kind of 二级 category of the filing's scheme now, so the page shows and keeps every row.

    Rows whose category has no place in the new scheme keep their value and fail validation next to the row.
    """
    keys = [key for key in data if key.startswith("indicators-") and key.endswith("-category")]
    posted = {data[key] for key in keys}
    ids = {int(value) for value in posted if value.isascii() and value.isdigit() and len(value) < 19}
    if not ids:
        return data
    current = {c.pk: c for c in Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False)}
    foreign = ids - set(current)
    if not foreign:
        return data
    by_code = {c.code: c for c in current.values()}
    moved = {str(c.pk): place_in(by_code, c.code) for c in Category.objects.filter(pk__in=foreign)}
    data = data.copy()
    for key in keys:
        target = moved.get(data[key])
        if target is not None:
            data[key] = str(target.pk)
    return data


def indicator_periods(filing: Filing) -> list[str]:
    """The indicator sets of the filing's layout (实施期 and 年度, or 年度 only), in the form's order."""
    periods = filing.variant.description.indicator_periods()
    if filing.kind != FilingKind.PROJECT:
        return [Period.ANNUAL]
    return [Period(period) for period in periods]

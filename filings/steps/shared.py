"""Steps both forms share: the goals and the indicator editor."""

from dataclasses import dataclass, field

from django import forms
from django.forms import inlineformset_factory

from indicators.models import Category, place_in

from ..forms.fields import PreloadedChoiceField
from ..forms.rows import BlankRowMixin
from ..models import Filing, FilingKind, Indicator
from ..models.indicators import Period
from ..text import ascii_number
from ..wizard import RowFormSet, StepForms, WizardStep, details_form


def shown(variant, names: list[str]) -> list[str]:
    """The fields of `names` the form variant shows (all of them when it names none)."""
    return [name for name in names if not variant.shown_fields or name in variant.shown_fields]


class GoalsStep(WizardStep):
    def build(self, filing, data=None):
        if filing.kind == FilingKind.PROJECT:
            fields, instance = [*shown(filing.variant, ["implementation_goal"]), "annual_goal"], filing.project
        else:
            fields, instance = ["overall_goal"], filing.department
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in fields}
        form_class = details_form(type(instance), fields, filing.variant.labels or {}, widgets=widgets)
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
        # Values are kept exactly as typed or printed (a leading full-width space included).
        for name in ("value_text", "standard"):
            if name in self.fields:
                self.fields[name].strip = False
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
        # Rows of a set the current variant does not have (after a change of 表样) stay stored but out of the editor.
        queryset = (filing.indicators.filter(period__in=indicator_periods(filing)).select_related("category__parent")
                    .order_by("period", "order", "pk"))
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


def scheme_categories(filing: Filing) -> list[Category]:
    return list(Category.objects.filter(scheme_id=filing.scheme_id).select_related("parent")
                .order_by("parent__order", "order"))


def indicator_periods(filing: Filing) -> list[str]:
    if filing.kind == FilingKind.PROJECT and filing.variant.has_implementation_period:
        return [Period.IMPLEMENTATION, Period.ANNUAL]
    return [Period.ANNUAL]

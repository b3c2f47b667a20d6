"""The indicator editor's forms: one row of the table, and the filer's choice of indicator scheme."""

from django import forms

from indicators.models import Scheme

from ..models import Indicator
from .fields import PreloadedChoiceField
from .rows import BlankRowMixin


class IndicatorRowForm(BlankRowMixin, forms.ModelForm):
    # Declared, so that the ModelForm neither builds the model's choice field (and its ``limit_choices_to`` query
    # filter) for every row nor copies a queryset: the rows share the scheme's 二级 categories, read once.
    category = PreloadedChoiceField((), label="二级指标", widget=forms.HiddenInput(attrs={"class": "row-category"}))

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
        category = self.fields["category"]
        category.objects_by_pk = (categories if isinstance(categories, dict)
                                  else {str(c.pk): c for c in categories})

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


SCHEME_WORDING = {"cost-first": "成本指标作为一级指标", "cost-under-output": "成本指标列在产出指标下"}


class SchemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return SCHEME_WORDING.get(obj.code, obj.name)


class SchemeForm(forms.Form):
    """The filer's choice of indicator scheme (成本 as a 一级 or under 产出), saved with the step's rows."""

    scheme = SchemeChoiceField(queryset=Scheme.objects.order_by("code"), empty_label=None, label="指标体系",
                               widget=forms.RadioSelect(attrs={"class": "form-check-input scheme-choice"}),
                               help_text="更换后点“保存”：本页的指标一并保存，并移到新体系中对应的二级指标下。")
    # The scheme the page was opened with: a post that leaves the choice as it was changes nothing, even when the
    # filing moved to another scheme meanwhile (a 表样 switch in another tab).
    shown = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def chosen(self):
        """The scheme the filer picked on this page, or None when they left the choice as the page showed it."""
        if not self.is_bound or not self.is_valid():
            return None
        scheme = self.cleaned_data["scheme"]
        return None if scheme.pk == self.cleaned_data.get("shown") else scheme

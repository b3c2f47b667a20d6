"""The reviewer's forms: the opinion with the four 审核要点, and a remark anchored to a step, field or row."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..models import Grade, PointRating, ReviewComment, Transition
from ..review import comment_targets
from .fields import ParagraphField


class PlainSelect(forms.Select):
    """A drop-down whose options are written in one pass, not one template each (the remark form lists every
    field and indicator: Django's per-option templates cost milliseconds for a hundred rows)."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        attributes = self.build_attrs(self.attrs, attrs)
        options, selected = [], False
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            mark = not selected and key in chosen
            selected |= mark
            options.append(format_html('<option value="{}"{}>{}</option>', key, mark_safe(" selected") if mark else "",
                                       label))
        return format_html('<select name="{}"{}>\n{}\n</select>', name, flatatt(attributes),
                           mark_safe("\n".join(options)))


class PlainForm(forms.Form):
    """A form the page renders with `filings/partials/plain_form.html`: Bootstrap's classes on the widgets (and
    ``is-invalid`` on a field with an error), the markup crispy gave, without its per-field templates."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "select form-select" if isinstance(field.widget, forms.Select) else "textarea form-control"
            field.widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class ReviewForm(PlainForm):
    comment = ParagraphField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=Transition._meta.get_field("comment").max_length)
    completeness = forms.ChoiceField(label="完整性", choices=[("", "未评"), *PointRating.choices], required=False,
                                     widget=PlainSelect)
    relevance = forms.ChoiceField(label="相关性", choices=[("", "未评"), *PointRating.choices], required=False,
                                     widget=PlainSelect)
    appropriateness = forms.ChoiceField(label="适当性", choices=[("", "未评"), *PointRating.choices], required=False,
                                     widget=PlainSelect)
    feasibility = forms.ChoiceField(label="可行性", choices=[("", "未评"), *PointRating.choices], required=False,
                                     widget=PlainSelect)
    grade = forms.ChoiceField(label="审核结果", choices=[("", "请选择"), *Grade.choices], required=False,
                              widget=PlainSelect)


class CommentForm(PlainForm):
    target = forms.ChoiceField(label="针对", widget=PlainSelect)
    text = ParagraphField(label="批注", max_length=ReviewComment._meta.get_field("text").max_length,
                          widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, filing, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = comment_targets(filing, indicators)
        self.fields["target"].required = False

"""The reviewer's forms: the opinion with the four 审核要点, and a remark anchored to a step, field or row."""

from django import forms

from ..models import Grade, PointRating, ReviewComment, Transition
from ..wizard import steps_for
from .fields import ParagraphField


class ReviewForm(forms.Form):
    comment = ParagraphField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=Transition._meta.get_field("comment").max_length)
    completeness = forms.ChoiceField(label="完整性", choices=[("", "未评"), *PointRating.choices], required=False)
    relevance = forms.ChoiceField(label="相关性", choices=[("", "未评"), *PointRating.choices], required=False)
    appropriateness = forms.ChoiceField(label="适当性", choices=[("", "未评"), *PointRating.choices], required=False)
    feasibility = forms.ChoiceField(label="可行性", choices=[("", "未评"), *PointRating.choices], required=False)
    grade = forms.ChoiceField(label="审核结果", choices=[("", "请选择"), *Grade.choices], required=False)


class CommentForm(forms.Form):
    target = forms.ChoiceField(label="针对")
    text = ParagraphField(label="批注", max_length=ReviewComment._meta.get_field("text").max_length,
                          widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, filing, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "整表")]
        for step in steps_for(filing):
            choices.append((f"step:{step.key}", step.title))
            choices += [(f"field:{step.key}:{name}", f"{step.title} · {label}")
                        for name, label in step_fields(step, filing)]
        choices += [(f"indicator:{row.pk}", f"指标：{row.name or row.category.name}") for row in indicators]
        self.fields["target"].choices = choices
        self.fields["target"].required = False


def step_fields(step, filing):
    """The (name, label) of the single fields a step shows (row tables are commented on by row)."""
    bound = step.build(filing)
    return [(name, str(field.label)) for form in bound.forms.values() for name, field in form.fields.items()]

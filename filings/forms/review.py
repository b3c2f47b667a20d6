"""The reviewer's forms: the opinion with the four 审核要点, and a remark anchored to a step, field or row."""

from django import forms

from ..models import Grade, PointRating, ReviewComment, Transition
from ..review import comment_targets
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
        self.fields["target"].choices = comment_targets(filing, indicators)
        self.fields["target"].required = False

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from indicators.findings import STEP_LABELS

from ..access import can_review, get_filing_for_user
from ..exports.printed import printed_context
from ..forms.review import CommentForm, ReviewForm
from ..models import Action, ReviewComment
from ..review import add_remark, comment_location, delete_remark
from ..validation import read_rows, validate_filing
from ..workflow import REVIEW_POINTS, Review, TransitionRefused, available_actions, perform


def _indicators(filing):
    """The filing's indicator rows in their order, categories loaded (read once per request: `read_rows`)."""
    return list(read_rows(filing).indicators.all())


@login_required
def review(request, pk):
    return review_page(request, get_filing_for_user(request, pk))


def review_page(request, filing, review_form=None, comment_form=None, status=200):
    """The review page; after a refused POST with the reviewer's text in the bound form, shown with its errors."""
    indicators = _indicators(filing)
    comment_form = comment_form or CommentForm(filing=filing, indicators=indicators)
    labels = dict(comment_form.fields["target"].choices)
    history = list(filing.transitions.select_related("actor").prefetch_related("comments").order_by("created_at"))
    open_comments = list(filing.comments.filter(transition__isnull=True).select_related("author"))
    for comment in [*open_comments, *(c for entry in history for c in entry.comments.all())]:
        comment.location = comment_location(comment, labels)
    return render(request, "filings/review.html", {
        "filing": filing, "report": validate_filing(filing), "history": history,
        "open_comments": open_comments, "actions": available_actions(request.user, filing),
        "reviewing": can_review(request.user, filing), "review_form": review_form or ReviewForm(),
        "comment_form": comment_form, "step_labels": STEP_LABELS,
        "submissions": list(filing.submissions.order_by("number").values("number", "created_at")),
        **printed_context(filing),
    }, status=status)


@login_required
@require_POST
def act(request, pk):
    filing = get_filing_for_user(request, pk)
    form = ReviewForm(request.POST)
    action = request.POST.get("action", "")
    if action not in Action.values:
        messages.error(request, "无法识别的操作，什么都没有改变。")
        return redirect("filings:review", pk=pk)
    if not form.is_valid():
        messages.error(request, "审核意见有误，操作没有执行。请按提示修改后再提交。")
        return review_page(request, filing, review_form=form, status=400)
    data = form.cleaned_data
    review_data = Review(comment=data["comment"], grade=data["grade"],
                         points={name: data[name] for name in REVIEW_POINTS})
    try:
        result = perform(filing, request.user, action, request.POST.get("expected_status"), review_data)
    except (TransitionRefused, PermissionDenied) as error:
        messages.error(request, error.messages[0] if hasattr(error, "messages") else str(error))
        return redirect("filings:review", pk=pk)
    messages.success(request, f"已{Action(action).label}：{result}（{result.get_status_display()}）。")
    if action == Action.ADJUST:
        return redirect("filings:tasks", pk=result.pk)
    return redirect("filings:review", pk=pk)


@login_required
@require_POST
def add_comment(request, pk):
    filing = get_filing_for_user(request, pk)
    if not can_review(request.user, filing):
        raise PermissionDenied("只有正在审核这份申报表的审核人可以添加批注。")
    form = CommentForm(request.POST, filing=filing, indicators=_indicators(filing))
    if not form.is_valid():
        messages.error(request, "批注没有添加，请按提示修改。")
        return review_page(request, filing, comment_form=form, status=400)
    kind, _, value = form.cleaned_data["target"].partition(":")
    comment = ReviewComment(filing=filing, author=request.user, text=form.cleaned_data["text"])
    if kind == "step":
        comment.step = value
    elif kind == "field":
        comment.step, _, comment.field = value.partition(":")
    elif kind == "indicator":
        comment.step, comment.row_kind, comment.row = "indicators", "indicator", int(value)
    if add_remark(comment):
        messages.success(request, "已添加批注；退回或通过时会随审核意见一并发给填报单位。")
    else:
        messages.info(request, "同样的批注已经添加过（可能点击了两次），没有重复添加。")
    return redirect("filings:review", pk=pk)


@login_required
@require_POST
def delete_comment(request, pk, comment_pk):
    filing = get_filing_for_user(request, pk)
    comment = get_object_or_404(ReviewComment, pk=comment_pk, filing=filing, author=request.user,
                                transition__isnull=True)
    delete_remark(comment, user=request.user)
    messages.success(request, "已删除批注。")
    return redirect("filings:review", pk=pk)

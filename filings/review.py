"""A filing's review history: the latest return with its remarks, the history rows, comment anchors; adding a
remark."""

from django.db import transaction

from indicators.findings import STEP_LABELS

from .models import Action, EventKind, Filing, ReviewComment, Transition
from .services import record
from .wizard import steps_for


def latest_return(filing: Filing):
    """The transition that last returned the filing, with the remarks it carried — while it is still returned
    or being revised; None otherwise."""
    if filing.status not in {"returned", "draft"}:
        return None
    entry = (Transition.objects.filter(filing=filing, action=Action.RETURN).select_related("actor")
             .prefetch_related("comments").order_by("-created_at", "-pk").first())
    if entry is None or filing.transitions.filter(created_at__gt=entry.created_at, action=Action.SUBMIT).exists():
        return None
    return entry


def comment_target(comment: ReviewComment) -> str:
    """The comment form's key for what a remark points at: indicator:<pk>, field:<step>:<name>, step:<key>."""
    if comment.row_kind == "indicator" and comment.row:
        return f"indicator:{comment.row}"
    if comment.field:
        return f"field:{comment.step}:{comment.field}"
    return f"step:{comment.step}" if comment.step else ""


def comment_targets(filing: Filing, indicators) -> list[tuple[str, str]]:
    """What a remark can point at, as (comment form key, label): the whole filing, each step, each single field a
    step asks (labelled as its page labels it) and each of `indicators` (the filing's rows, categories loaded).
    Read from the layout and the rows: no step form is built. The review page's drop-down and `comment_location`
    both use these labels."""
    targets = [("", "整表")]
    for step in steps_for(filing):
        targets.append((f"step:{step.key}", step.title))
        targets += [(f"field:{step.key}:{name}", f"{step.title} · {label}")
                    for name, label in step.field_labels(filing)]
    targets += [(f"indicator:{row.pk}", f"指标：{row.name or row.category.name}") for row in indicators]
    return targets


def comment_location(comment: ReviewComment, labels: dict) -> str:
    """Where a remark points, in words (“绩效指标 · 患者满意度”), from the comment form's target labels."""
    return labels.get(comment_target(comment)) or STEP_LABELS.get(comment.step) or "整表"


def add_remark(comment: ReviewComment) -> bool:
    """Save a reviewer's open remark unless the same one is already open (a double click); whether it was added."""
    with transaction.atomic():
        Filing.objects.select_for_update(of=("self",)).filter(pk=comment.filing_id).first()
        if ReviewComment.objects.filter(filing=comment.filing_id, author=comment.author, transition__isnull=True,
                                        step=comment.step, field=comment.field, row_kind=comment.row_kind,
                                        row=comment.row, text=comment.text).exists():
            return False
        comment.save()
        record(comment.filing, EventKind.COMMENTED, comment.author, f"批注：{comment.text}",
               {"step": comment.step, "field": comment.field, "row": comment.row})
    return True


@transaction.atomic
def delete_remark(comment: ReviewComment, *, user) -> None:
    """Delete a reviewer's own remark that no transition has carried yet."""
    Filing.objects.select_for_update(of=("self",)).filter(pk=comment.filing_id).first()
    record(comment.filing, EventKind.COMMENT_DELETED, user, f"删除批注：{comment.text}")
    comment.delete()

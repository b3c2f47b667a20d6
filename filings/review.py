"""Reading a filing's review history: the latest return with its remarks, the history rows, comment anchors."""

from indicators.findings import STEP_LABELS

from .models import Action, Filing, ReviewComment, Transition


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


def comment_location(comment: ReviewComment, rows: dict) -> str:
    """Where a remark points, in words: “绩效指标 · 患者满意度”."""
    parts = [STEP_LABELS.get(comment.step, "")] if comment.step else ["整表"]
    if comment.row_kind == "indicator" and comment.row in rows:
        parts.append(rows[comment.row])
    elif comment.field:
        parts.append(comment.field)
    return " · ".join(part for part in parts if part)

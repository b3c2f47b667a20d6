"""Filing states and the transitions between them: each checked (state, role, scope), atomic, locked, logged.

草稿 → 已提交 → 主管部门审核通过 → 已批复, or with one review level 已提交 → 已批复; 退回 from a review level back to
the filer with a mandatory opinion; 撤回 by the filer while no review has started; after approval 调整 opens a new
revision that goes through review again while the approved one stays as it was.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .access import can_edit, can_review, is_filer, reviewing_role
from .models import Action, Filing, FilingStatus, ReviewComment, Role, Submission, Transition
from .notifications import notify_transition
from .snapshots import snapshot
from .validation import validate_filing

REVIEW_POINTS = ["completeness", "relevance", "appropriateness", "feasibility"]


class TransitionRefused(ValidationError):
    """An action that is not allowed now; the message says why, in Chinese."""


def available_actions(user, filing: Filing) -> list[str]:
    actions = []
    if can_edit(user, filing):
        actions.append(Action.SUBMIT)
    if filing.status == FilingStatus.SUBMITTED and is_filer(user, filing):
        actions.append(Action.WITHDRAW)
    if can_review(user, filing):
        actions += [Action.APPROVE, Action.RETURN]
    if filing.status == FilingStatus.APPROVED and is_filer(user, filing) and not filing.copies.filter(
        revision__gt=filing.revision
    ).exists():
        actions.append(Action.ADJUST)
    return actions


@dataclass
class Review:
    comment: str = ""
    points: dict | None = None
    grade: str = ""


MISSING_STATUS = "页面没有带上申报表的状态，操作没有执行。请刷新页面后再试。"


@transaction.atomic
def perform(filing: Filing, user, action: str, expected_status: str | None, review: Review | None = None):
    """Carry out one action on a filing, or refuse it (TransitionRefused / PermissionDenied) changing nothing.

    `expected_status` is the state the user saw, required for every action: a replayed or stale form (double click,
    two reviewers at once) finds the filing in another state and is refused, and so is a request that does not say
    (None or blank: a form that never showed the filing).
    """
    if not expected_status:
        raise TransitionRefused(MISSING_STATUS)
    locked = Filing.objects.select_for_update().get(pk=filing.pk)
    locked = Filing.objects.with_related().get(pk=locked.pk)
    if locked.status != expected_status:
        raise TransitionRefused(already_message(locked))
    if action not in available_actions(user, locked):
        raise PermissionDenied(f"您现在不能对这份申报表执行“{Action(action).label}”。")
    review = review or Review()
    handler = {
        Action.SUBMIT: _submit, Action.WITHDRAW: _withdraw, Action.APPROVE: _approve, Action.RETURN: _return,
        Action.ADJUST: _adjust,
    }[action]
    return handler(locked, user, review)


def already_message(filing: Filing) -> str:
    return f"这份申报表已是“{filing.get_status_display()}”，刚才的操作没有执行。请刷新页面后再看。"


def _move(filing: Filing, user, action: str, to_status: str, review: Review) -> Transition:
    entry = Transition.objects.create(
        filing=filing, action=action, from_status=filing.status, to_status=to_status, actor=user,
        comment=review.comment, grade=review.grade, **{k: v for k, v in (review.points or {}).items()
                                                       if k in REVIEW_POINTS},
    )
    filing.status = to_status
    # A status move is a write too: a step save read at the previous version can no longer land.
    filing.lock_version += 1
    filing.save(update_fields=["status", "lock_version", "updated_at"])
    # The reviewer's open remarks travel with this transition and can no longer be edited.
    ReviewComment.objects.filter(filing=filing, author=user, transition__isnull=True).update(transition=entry)
    transaction.on_commit(lambda: notify_transition(entry))
    return entry


def _submit(filing: Filing, user, review: Review) -> Filing:
    report = validate_filing(filing)
    if report.has_errors:
        raise TransitionRefused(f"还有 {len(report.errors)} 项错误，改正后才能提交。")
    _move(filing, user, Action.SUBMIT, FilingStatus.SUBMITTED, review)
    filing.submitted_at = timezone.now()
    filing.submitted_by = user
    if filing.first_submitted_at is None:  # a resubmission after 退回 or 撤回 keeps the first
        filing.first_submitted_at = filing.submitted_at
    filing.save(update_fields=["submitted_at", "submitted_by", "first_submitted_at"])
    number = (filing.submissions.aggregate(last=Max("number"))["last"] or 0) + 1
    Submission.objects.create(filing=filing, number=number, data=snapshot(filing), submitted_by=user)
    return filing


def _withdraw(filing: Filing, user, review: Review) -> Filing:
    _move(filing, user, Action.WITHDRAW, FilingStatus.DRAFT, review)
    return filing


def _approve(filing: Filing, user, review: Review) -> Filing:
    final = reviewing_role(filing) == Role.FINANCE
    _move(filing, user, Action.APPROVE, FilingStatus.APPROVED if final else FilingStatus.DEPARTMENT_APPROVED, review)
    return filing


def _return(filing: Filing, user, review: Review) -> Filing:
    if not review.comment.strip():
        raise TransitionRefused("退回时必须填写审核意见，说明需要修改的内容。")
    _move(filing, user, Action.RETURN, FilingStatus.RETURNED, review)
    return filing


def _adjust(filing: Filing, user, review: Review) -> Filing:
    """A new revision as a draft, copied from the approved filing, which stays approved and printable."""
    from .services import copy_filing

    Transition.objects.create(filing=filing, action=Action.ADJUST, from_status=filing.status,
                              to_status=filing.status, actor=user, comment=review.comment)
    revision = copy_filing(filing, filing.year, user, keep_amounts=True, revision=filing.revision + 1)
    return revision


def submit(filing: Filing, user, expected_status: str | None) -> Filing:
    """The check page's 提交, in the state the page showed: a second click finds the filing submitted and gets a
    message, not an error."""
    if expected_status and filing.status != expected_status:
        raise TransitionRefused(already_message(filing))
    try:
        return perform(filing, user, Action.SUBMIT, expected_status)
    except PermissionDenied:
        raise PermissionDenied("这份申报表当前不能由您提交。") from None

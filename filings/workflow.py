"""Filing states and the transitions between them, each atomic, locked and logged."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .access import can_edit
from .models import Filing, FilingStatus, Transition
from .validation import validate_filing


@transaction.atomic
def submit(filing: Filing, user) -> Filing:
    """草稿/已退回 → 已提交, only when the validation report has no errors; the filer can no longer edit it."""
    locked = Filing.objects.select_for_update().get(pk=filing.pk)
    if not can_edit(user, locked):
        raise PermissionDenied("这份申报表当前不能由您提交。")
    report = validate_filing(Filing.objects.with_related().get(pk=locked.pk))
    if report.has_errors:
        raise ValidationError(f"还有 {len(report.errors)} 项错误，改正后才能提交。")
    previous = locked.status
    locked.status = FilingStatus.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = user
    locked.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    Transition.objects.create(filing=locked, from_status=previous, to_status=locked.status, actor=user)
    return locked

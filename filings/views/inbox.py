"""The user's notifications: newest first, a page at a time; what a page shows counts as read once it is shown."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ..access import member_units
from ..models import FilingStatus, Notification, Role

PAGE_SIZE = 20


def _link(notification, filer_unit_ids: set[int]) -> str | None:
    """A 下载任务's notice opens the job; on a filing's, filers open its task list (where a return's opinion is
    shown), everyone else the review page."""
    if notification.download_id is not None:
        return "download"
    filing = notification.filing
    if filing is None:
        return None
    if filing.unit_id in filer_unit_ids or filing.status == FilingStatus.DRAFT:
        return "tasks"
    return "review"


@login_required
def inbox(request):
    notifications = Notification.objects.filter(user=request.user).select_related("filing")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    filer_unit_ids = set(member_units(request.user, [Role.FILER]).values_list("pk", flat=True))
    for item in items:
        item.link = _link(item, filer_unit_ids)
        item.is_new = item.read_at is None
    # Shown is read: the page still marks them as new this once.
    Notification.objects.filter(pk__in=[item.pk for item in items if item.is_new]).update(read_at=timezone.now())
    return render(request, "filings/inbox.html", {
        "page": page, "notifications": items,
        "unread_elsewhere": Notification.objects.filter(user=request.user, read_at__isnull=True).count(),
    })


@login_required
@require_POST
def mark_read(request):
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读的通知。")
    return redirect("filings:notifications")

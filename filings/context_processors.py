"""Template context for every page: the signed-in user's unread notification count and whether they review
(for the nav)."""

from django.utils.functional import SimpleLazyObject

from .models import Membership, Notification, Role


def unread_notifications(request):
    """`unread_notifications`: counted only when a template shows it (print pages and fragments do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "is_reviewer": False}
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        ),
        "is_reviewer": SimpleLazyObject(lambda: user.is_superuser or Membership.objects.filter(
            user=user, role__in=[Role.REVIEWER, Role.FINANCE]).exists()),
    }

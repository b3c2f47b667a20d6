"""Template context for every page: the signed-in user's unread notification count (for the nav)."""

from django.utils.functional import SimpleLazyObject

from .models import Notification


def unread_notifications(request):
    """`unread_notifications`: counted only when a template shows it (print pages and fragments do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(
        lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
    )}

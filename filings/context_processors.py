"""Template context for every page: the signed-in user's unread notification count, whether they review and
whether they may read the login log (for the nav)."""

from functools import cache

from django.utils.functional import SimpleLazyObject

from .access import can_see_login_log, roles_of
from .models import Notification, Role


def unread_notifications(request):
    """`unread_notifications`: counted only when a template shows it (print pages and fragments do not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0, "is_reviewer": False, "sees_login_log": False}
    roles = cache(lambda: roles_of(user))  # one query for both nav questions, only when shown
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(user=user, read_at__isnull=True).count()
        ),
        "is_reviewer": SimpleLazyObject(lambda: user.is_superuser or bool(roles() & {Role.REVIEWER, Role.FINANCE})),
        "sees_login_log": SimpleLazyObject(lambda: user.is_superuser or can_see_login_log(user, roles())),
    }

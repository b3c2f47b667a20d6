"""Who may see and change which filings: the one place every list, page and export asks."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Filing, Membership, Role, Unit


def member_units(user, roles=None):
    """Units a user works in (for the given roles), without their subordinates."""
    if not user.is_authenticated:
        return Unit.objects.none()
    memberships = Membership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Unit.objects.filter(memberships__in=memberships).distinct()


def visible_units(user):
    """A filer sees their own units; a reviewer or 财政 member their unit and everything below it."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    scope = Q(pk__in=member_units(user, [Role.FILER]).values("pk"))
    for path in member_units(user, [Role.REVIEWER, Role.FINANCE]).values_list("path", flat=True):
        scope |= Q(path__startswith=path)
    return Unit.objects.filter(scope)


def visible_filings(user):
    return Filing.objects.filter(unit__in=visible_units(user))


def is_filer(user, filing: Filing) -> bool:
    """Whether the user files for the filing's unit (whatever state the filing is in)."""
    return user.is_superuser or Membership.objects.filter(user=user, unit=filing.unit_id, role=Role.FILER).exists()


def can_edit(user, filing: Filing) -> bool:
    """Only a filer of the filing's own unit edits it, and only while it is a draft or returned."""
    return filing.is_editable and is_filer(user, filing)


def get_filing_for_user(request, pk, write: bool = False) -> Filing:
    """The filing if the user may see it (else 404); with write, also if they may change it (else 403)."""
    filing = visible_filings(request.user).with_related().filter(pk=pk).first()
    if filing is None:
        raise Http404("没有找到这份申报表，或您无权查看。")
    if write and not can_edit(request.user, filing):
        raise PermissionDenied("这份申报表当前不能由您修改。")
    return filing


def filer_units(user):
    """Units in which the user may start filings."""
    if user.is_superuser:
        return Unit.objects.exclude(kind="finance")
    return member_units(user, [Role.FILER])


def roles_of(user) -> set[str]:
    """The roles a user holds in any unit (one query)."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user).values_list("role", flat=True).distinct())


def can_see_login_log(user, roles=None) -> bool:
    """The login log is for 财政 administrators: superusers, and members with the 财政 role."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Role.FINANCE in (roles_of(user) if roles is None else roles)


def login_log_users(user):
    """Whose login events the user may read: None for everybody (superusers), else the ids of the members of
    units within their scope (events of unknown usernames and of users without a unit stay with superusers)."""
    if user.is_superuser:
        return None
    if not can_see_login_log(user):
        return Membership.objects.none().values("user_id")
    return Membership.objects.filter(unit__in=visible_units(user)).values("user_id")

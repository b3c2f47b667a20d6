"""Who may see and change which filings: the one place every list, page, export, notification and workflow step asks.

Per object: `get_filing_for_user` (404 / 403), `can_edit`, `is_filer`, `can_review`. For whole lists, a `Scope` reads
the user's memberships and the 财政 bureaus around them (`filings.bureaus`) once and answers the same questions per
row without a query, or as one SQL condition. Who is told about a filing (`members_over`, `finance_members_of`,
`filers_of`) follows the same rules.

Nested 财政 bureaus (省 → 市 → 县): a filing belongs to its unit's *nearest* bureau. That bureau's 审核层级 applies
(or, left “沿用上级”, the next bureau's up), and the 财政 review turn is that bureau's alone: a 财政 member of a
higher bureau sees the filing but neither has it in 待审核 nor approves or returns it. A 审核人 reviews what lies
below their unit within its bureau (`within_bureau`): a 审核人 at a city bureau reviews the units directly under it,
not a county's, which are the county's 审核人's.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .bureaus import Bureaus
from .models import Filing, FilingStatus, Membership, Role, Unit, UnitKind

REVIEWABLE = (FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED)


def unit_prefixes(path: str) -> list[str]:
    """The paths of a unit and all its ancestors: “/A/B/” → [“/A/”, “/A/B/”]."""
    codes = [code for code in path.strip("/").split("/") if code]
    return ["/" + "/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]


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
    memberships = list(Membership.objects.filter(user=user).values_list("role", "unit_id", "unit__path"))
    return Unit.objects.filter(unit_condition(memberships))


def outermost(paths) -> list[str]:
    """The paths that lie under no other of them (a subtree inside another adds nothing)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return kept


def unit_condition(memberships) -> Q:
    """The visible units of (role, unit id, unit path) memberships, as a condition without an OR: an OR of a filer's
    units and a subtree makes PostgreSQL expect half the units table and scan every filing. One subtree (the usual
    审核人 or 财政 member) is a path prefix, which the path index serves; filer units only, their ids; anything
    else is resolved once into ids."""
    filer_units = {unit_id: path for role, unit_id, path in memberships if role == Role.FILER}
    subtrees = outermost(path for role, _unit_id, path in memberships if role in (Role.REVIEWER, Role.FINANCE))
    outside = [unit_id for unit_id, path in filer_units.items() if not any(path.startswith(p) for p in subtrees)]
    if not subtrees:
        return Q(pk__in=sorted(filer_units))
    if len(subtrees) == 1 and not outside:
        return Q(path__startswith=subtrees[0])
    below = Q(path__startswith=subtrees[0])
    for path in subtrees[1:]:
        below |= Q(path__startswith=path)  # on the units table alone, once; the filings see only the ids
    return Q(pk__in=sorted({*Unit.objects.filter(below).values_list("pk", flat=True), *outside}))


def visible_filings(user):
    return Filing.objects.filter(unit__in=visible_units(user))


def is_filer(user, filing: Filing) -> bool:
    """Whether the user files for the filing's unit (whatever state the filing is in)."""
    return user.is_superuser or Membership.objects.filter(user=user, unit=filing.unit_id, role=Role.FILER).exists()


def can_edit(user, filing: Filing) -> bool:
    """Only a filer of the filing's own unit edits it, and only while it is a draft or returned."""
    return filing.is_editable and is_filer(user, filing)


def get_filing_for_filer(request, pk) -> Filing:
    """The filing if the user files for its unit, whatever its state (404 if unseen, 403 for others): for write
    pages that tell a filer "no longer editable" instead of refusing them like strangers."""
    filing = get_filing_for_user(request, pk)
    if not is_filer(request.user, filing):
        raise PermissionDenied("这份申报表当前不能由您修改。")
    return filing


def bureaus_of(filing: Filing) -> Bureaus:
    """The bureaus on the path of the filing's unit (one query)."""
    return Bureaus.of_unit(filing.unit)


def review_levels(filing: Filing, bureaus: Bureaus | None = None) -> int:
    """The filing's effective 审核层级: its nearest bureau's, or the next one up that sets it, else two."""
    return (bureaus or bureaus_of(filing)).review_levels(filing.unit.path)


def reviewing_role(filing: Filing, bureaus: Bureaus | None = None) -> str | None:
    """Whose turn it is: the 主管部门 reviewer, 财政 (of the nearest bureau), or nobody."""
    return _reviewing_role(filing.status, lambda: review_levels(filing, bureaus))


def _reviewing_role(status: str, levels) -> str | None:
    if status == FilingStatus.SUBMITTED:
        return Role.REVIEWER if levels() == 2 else Role.FINANCE
    if status == FilingStatus.DEPARTMENT_APPROVED:
        return Role.FINANCE
    return None


def has_role_over(user, filing: Filing, role: str) -> bool:
    if user.is_superuser:
        return True
    paths = Membership.objects.filter(user=user, role=role).values_list("unit__path", flat=True)
    return any(filing.unit.path.startswith(path) for path in paths)


def within_bureau(membership_path: str, bureau: Unit | None) -> bool:
    """Whether a 审核人 at `membership_path` (on a filing's path) is within the filing's nearest `bureau`: at the bureau
    or below it. The 主管部门 turn is theirs; a 审核人 above the bureau (at a city for a county's filing) has none."""
    return bureau is None or membership_path.startswith(bureau.path)


def can_review(user, filing: Filing) -> bool:
    """Whether the user reviews the filing now; nobody reviews what they submitted themselves. The 主管部门 turn is
    any 审核人 on the unit's path within its nearest bureau; the 财政 turn only the 财政 members of that bureau."""
    if not user.is_authenticated or filing.submitted_by_id == user.pk:
        return False
    bureaus = bureaus_of(filing)
    role = reviewing_role(filing, bureaus)
    if role is None:
        return False
    if role == Role.FINANCE and not user.is_superuser:
        bureau = bureaus.nearest(filing.unit.path)
        return bureau is not None and Membership.objects.filter(user=user, unit=bureau, role=Role.FINANCE).exists()
    if role == Role.REVIEWER and not user.is_superuser:
        bureau = bureaus.nearest(filing.unit.path)
        paths = Membership.objects.filter(user=user, role=role).values_list("unit__path", flat=True)
        return any(filing.unit.path.startswith(path) and within_bureau(path, bureau) for path in paths)
    return has_role_over(user, filing, role)


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
    # Only what the user's 财政 role covers: a 财政 member who also reviews a 主管部门 gets no wider log for it.
    scope = Q(pk__in=[])
    for path in member_units(user, [Role.FINANCE]).values_list("path", flat=True):
        scope |= Q(unit__path__startswith=path)
    return Membership.objects.filter(scope).values("user_id")


def deadline_regions(user):
    """The 财政 regions whose deadlines the user may set: the finance units they are a 财政 member of."""
    regions = Unit.objects.filter(kind=UnitKind.FINANCE)
    if user.is_superuser:
        return regions
    return regions.filter(memberships__user=user, memberships__role=Role.FINANCE).distinct()


# --- who is told -------------------------------------------------------------------------------------------------

def members_over(filing: Filing, role: str, bureaus: Bureaus | None = None):
    """The active users told when it is `role`'s turn on the filing: for 财政, the 财政 members of its nearest bureau
    (`finance_members_of`), nobody above; for 审核人, those on the unit's path below its nearest bureau."""
    bureaus = bureaus or bureaus_of(filing)
    bureau = bureaus.nearest(filing.unit.path)
    if role == Role.FINANCE:
        return finance_members_of(bureau)
    prefixes = [p for p in unit_prefixes(filing.unit.path) if within_bureau(p, bureau)]
    return (get_user_model().objects
            .filter(is_active=True, memberships__role=role, memberships__unit__path__in=prefixes)
            .distinct().order_by("pk"))


def finance_members_of(bureau: Unit | None):
    """Active 财政 members of one bureau (the ones whose turn the bureau's 财政 review is)."""
    if bureau is None:
        return get_user_model().objects.none()
    return (get_user_model().objects
            .filter(is_active=True, memberships__role=Role.FINANCE, memberships__unit=bureau)
            .distinct().order_by("pk"))


def filers_of(unit_id: int):
    """Active users who file for the unit."""
    return (get_user_model().objects
            .filter(is_active=True, memberships__role=Role.FILER, memberships__unit=unit_id)
            .distinct().order_by("pk"))


def units_with_filers(units):
    return units.filter(memberships__role=Role.FILER).distinct()


# --- a whole list at once ----------------------------------------------------------------------------------------

@dataclass
class Scope:
    """A user's memberships (role → unit paths), the 财政 bureaus around them, and the units they may see."""

    user_id: int | None = None
    superuser: bool = False
    paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    filer_unit_ids: frozenset[int] = frozenset()
    bureaus: Bureaus = field(default_factory=Bureaus)
    units: QuerySet | None = None  # the visible units (visible_units)
    zone_units: dict[tuple[str, tuple[str, ...]], list[int]] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of(cls, user) -> "Scope":
        if not user.is_authenticated:
            return cls(units=Unit.objects.none())
        memberships = list(Membership.objects.filter(user=user).values_list("role", "unit_id", "unit__path"))
        paths: dict[str, list[str]] = {}
        for role, _unit_id, path in memberships:
            paths.setdefault(role, []).append(path)
        if user.is_superuser:
            bureaus = Bureaus({unit.code: unit for unit in Unit.objects.filter(kind=UnitKind.FINANCE)})
        else:  # the bureaus above each membership and below it, in one query
            bureaus = Bureaus.around(outermost(path for *_rest, path in memberships))
        return cls(
            user_id=user.pk, superuser=user.is_superuser,
            paths={role: tuple(role_paths) for role, role_paths in paths.items()},
            filer_unit_ids=frozenset(unit_id for role, unit_id, _path in memberships if role == Role.FILER),
            bureaus=bureaus,
            units=Unit.objects.all() if user.is_superuser else Unit.objects.filter(unit_condition(memberships)),
        )

    @property
    def supervises(self) -> bool:
        """A 主管部门 审核人, a 财政 member or an administrator."""
        return self.superuser or bool(self.paths.get(Role.REVIEWER) or self.paths.get(Role.FINANCE))

    def review_levels(self, path: str) -> int:
        return self.bureaus.review_levels(path)

    def reviewing_role(self, status: str, path: str) -> str | None:
        """As `reviewing_role`, without a query."""
        return _reviewing_role(status, lambda: self.review_levels(path))

    def has_role_over(self, role: str, path: str) -> bool:
        return self.superuser or any(path.startswith(own) for own in self.paths.get(role, ()))

    def is_finance_of(self, path: str) -> bool:
        """Whether the user is a 财政 member of the nearest bureau of the unit at `path`."""
        bureau = self.bureaus.nearest(path)
        return self.superuser or (bureau is not None and bureau.path in self.paths.get(Role.FINANCE, ()))

    def can_review(self, filing: Filing) -> bool:
        """As `can_review`, without a query (the filing's unit must be loaded)."""
        path = filing.unit.path
        role = self.reviewing_role(filing.status, path)
        if role is None or filing.submitted_by_id == self.user_id:
            return False
        if role == Role.FINANCE:
            return self.is_finance_of(path)
        bureau = self.bureaus.nearest(path)
        return self.superuser or any(path.startswith(own) and within_bureau(own, bureau)
                                     for own in self.paths.get(role, ()))

    def review_condition(self) -> Q:
        """The filings whose current review level is this user's, as one SQL condition.

        A 审核人 at P: the submitted filings under P but under none of the bureaus below P (those are their own
        审核人's), where P's 审核层级 is two. A 财政 member of the bureau at P: the
        filings under P but under none of the outermost bureaus below P (a province excludes its cities, not every
        county), in the states P's 审核层级 gives to 财政. A plain subtree is a path prefix (the path index); a subtree
        with bureaus cut out is resolved once into its unit ids (`zone`): PostgreSQL cannot estimate a prefix with
        NOT LIKEs (it expected 3,900 of the province's 79 own units and scanned every project)."""
        if self.superuser:
            return Q(status__in=REVIEWABLE) & ~Q(submitted_by=self.user_id)
        condition = Q(pk__in=[])
        for path in self.paths.get(Role.REVIEWER, ()):  # within their nearest bureau: not below a bureau under them
            if self.review_levels(path) == 2:
                inner = [bureau.path for bureau in self.bureaus.under(path)]
                condition |= Q(status=FilingStatus.SUBMITTED) & self.zone(path, inner)
        for path in self.paths.get(Role.FINANCE, ()):
            bureau = self.bureaus.nearest(path)
            if bureau is None or bureau.path != path:
                continue  # a 财政 role outside a bureau reviews nothing: the turn is the nearest bureau's
            statuses = [FilingStatus.DEPARTMENT_APPROVED]
            if self.review_levels(path) == 1:
                statuses.append(FilingStatus.SUBMITTED)
            condition |= Q(status__in=statuses) & self.zone(path, [b.path for b in self.bureaus.under(path)])
        return condition & ~Q(submitted_by=self.user_id)

    def zone(self, prefix: str, excluded: list[str]) -> Q:
        """The filings under `prefix` and under none of `excluded`: a prefix alone, or the units' ids (one query on
        the units table per zone and Scope)."""
        if not excluded:
            return Q(unit__path__startswith=prefix)
        key = (prefix, tuple(excluded))
        if key not in self.zone_units:
            inside = Q(path__startswith=prefix)
            for path in excluded:
                inside &= ~Q(path__startswith=path)
            self.zone_units[key] = sorted(Unit.objects.filter(inside).values_list("pk", flat=True))
        return Q(unit_id__in=self.zone_units[key])

    def filings(self):
        return Filing.objects.filter(unit__in=self.units).select_related("unit", "project")

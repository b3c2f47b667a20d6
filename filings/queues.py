"""Work lists (待审核 / 被退回 / 已审核) and the supervisor's overview of a year, in a fixed number of queries.

`access.reviewing_role` and `access.can_review` read the database once per filing. Here `access.Scope` reads a user's
memberships and the review levels (审核层级) of their 财政 regions once; the same answers are then given for a whole
list: as one SQL condition for the 待审核 queue, and per row in Python where a page shows them.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from .access import Scope, region_code
from .models import (
    Action,
    Filing,
    FilingDeadline,
    FilingKind,
    FilingStatus,
    Role,
    Transition,
    Unit,
    UnitKind,
)

# A department filing in one of these states counts as submitted for the year.
SUBMITTED_STATES = (FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED, FilingStatus.APPROVED)
REVIEW_ACTIONS = (Action.APPROVE, Action.RETURN)
# The overview's columns, in the order of the workflow.
OVERVIEW_STATES = (FilingStatus.DRAFT, FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED,
                   FilingStatus.APPROVED, FilingStatus.RETURNED)


# --- filters -----------------------------------------------------------------------------------------------------

@dataclass
class Filters:
    year: int | None = None
    unit: Unit | None = None  # the unit and every unit below it
    kind: str = ""
    status: str = ""

    def apply(self, filings):
        if self.year:
            filings = filings.filter(year=self.year)
        if self.unit is not None:
            filings = filings.filter(unit__path__startswith=self.unit.path)
        if self.kind:
            filings = filings.filter(kind=self.kind)
        if self.status:
            filings = filings.filter(status=self.status)
        return filings


def _latest(action_filter: Q, column: str):
    """The column of a filing's latest transition matching the filter, as a subquery."""
    transitions = Transition.objects.filter(action_filter, filing=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(transitions.values(column)[:1])


# --- the three work lists ----------------------------------------------------------------------------------------

def to_review(user, filters: Filters | None = None, scope: Scope | None = None):
    """Filings waiting for this user's review level, in their scope; the longest waiting first."""
    scope = scope or Scope.of(user)
    filings = scope.filings().filter(scope.review_condition())
    return (filters or Filters()).apply(filings).order_by(F("submitted_at").asc(nulls_last=True), "pk")


def returned(user, filters: Filters | None = None, scope: Scope | None = None):
    """A filer's units' returned filings, and the filings this user returned that are still returned."""
    scope = scope or Scope.of(user)
    returns = Q(action=Action.RETURN)
    # Driven by the filer's own units and by the user's own RETURN transitions (the unit and actor indexes): the
    # latest return of a filing is looked up only for those, never for every returned filing in a province.
    mine = Transition.objects.filter(returns, actor_id=user.pk).values("filing_id")
    candidates = Q(unit_id__in=scope.filer_unit_ids) | Q(pk__in=mine)
    filings = scope.filings().filter(candidates, status=FilingStatus.RETURNED).annotate(
        returned_at=_latest(returns, "created_at"), returned_by_id=_latest(returns, "actor_id"),
        returned_by_name=_latest(returns, "actor__first_name"), return_comment=_latest(returns, "comment"),
    ).filter(Q(unit_id__in=scope.filer_unit_ids) | Q(returned_by_id=user.pk))
    return (filters or Filters()).apply(filings).order_by(F("returned_at").desc(nulls_last=True), "-pk")


def reviewed(user, filters: Filters | None = None, scope: Scope | None = None):
    """Filings this user approved or returned, each once, the most recently reviewed first."""
    scope = scope or Scope.of(user)
    mine = Q(action__in=REVIEW_ACTIONS, actor_id=user.pk)
    # Driven by the user's own transitions (the actor index), not by a subquery per filing in scope: a province
    # account that reviewed nothing costs nothing.
    filings = scope.filings().filter(pk__in=Transition.objects.filter(mine).values("filing_id")).annotate(
        reviewed_at=_latest(mine, "created_at"), reviewed_action=_latest(mine, "action"),
    )
    return (filters or Filters()).apply(filings).order_by("-reviewed_at", "-pk")


def filing_years(scope: Scope) -> list[int]:
    """The years the user's visible filings belong to, the latest first."""
    years = Filing.objects.filter(unit__in=scope.units).order_by("-year").values_list("year", flat=True)
    return list(years.distinct())


def mark_rows(filings, scope: Scope) -> list[Filing]:
    """Per row, in Python: whether it is this user's turn, at which level, and the user's last action in words."""
    rows = list(filings)
    for filing in rows:
        filing.awaiting_me = scope.can_review(filing)
        role = scope.reviewing_role(filing.status, filing.unit.path)
        filing.review_level = {Role.REVIEWER: "主管部门审核", Role.FINANCE: "财政审核"}.get(role, "")
        action = getattr(filing, "reviewed_action", None)
        filing.reviewed_action_label = Action(action).label if action else ""
    return rows


# --- the overview of a year --------------------------------------------------------------------------------------

@dataclass
class DeadlineState:
    code: str  # none / on_time / submitted / open / late
    label: str

    @property
    def late(self) -> bool:
        return self.code == "late"


def deadline_state(due_on: date | None, first_submitted_on: date | None, submitted: bool, today: date):
    """Where a unit stands against its region's deadline: 按时提交, 剩余 N 天, or 逾期 once the date has passed."""
    if first_submitted_on is not None and due_on is not None and first_submitted_on <= due_on:
        return DeadlineState("on_time", "按时提交")
    if submitted and first_submitted_on is None:
        return DeadlineState("submitted", "已提交")
    if due_on is None:
        return DeadlineState("none", "未设截止日期")
    if today > due_on:
        return DeadlineState("late", "逾期提交" if first_submitted_on else "逾期未提交")
    days = (due_on - today).days
    return DeadlineState("open", "今日截止" if days == 0 else f"剩余 {days} 天")


@dataclass
class UnitRow:
    unit: Unit
    counts: dict[str, int]
    submitted: bool  # a department filing of the year is in review or approved
    deadline: FilingDeadline | None
    state: DeadlineState

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(status, 0) for status in OVERVIEW_STATES]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def missing(self) -> bool:
        return not self.submitted

    @property
    def depth(self) -> int:
        return max(self.unit.path.count("/") - 3, 0)

    @property
    def indent(self) -> int:
        """The depth as the overview draws it: app.css indents up to eight levels (deeper units align with the 8th)."""
        return min(self.depth, 7)


@dataclass
class RegionDeadline:
    region: Unit
    deadline: FilingDeadline | None
    today: date

    @property
    def days_left(self) -> int | None:
        return None if self.deadline is None else (self.deadline.due_on - self.today).days

    @property
    def passed(self) -> bool:
        return self.deadline is not None and self.today > self.deadline.due_on


@dataclass
class Overview:
    year: int
    rows: list[UnitRow]
    regions: list[RegionDeadline]

    @property
    def totals(self) -> list[int]:
        return [sum(row.cells[i] for row in self.rows) for i in range(len(OVERVIEW_STATES))]

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def missing_count(self) -> int:
        return sum(row.missing for row in self.rows)

    @property
    def late_count(self) -> int:
        return sum(row.state.late for row in self.rows)


def latest_year(scope: Scope) -> int:
    years = filing_years(scope)
    return years[0] if years else timezone.localdate().year + 1


def _status_counts(units, year) -> tuple[dict[int, dict[str, int]], set[int]]:
    """Per unit, how many filings of the year are in each state; and the units with a submitted department filing."""
    counts: dict[int, dict[str, int]] = {}
    submitted: set[int] = set()
    rows = (Filing.objects.filter(unit__in=units, year=year).order_by()
            .values_list("unit_id", "kind", "status").annotate(n=Count("pk")))
    for unit_id, kind, status, n in rows:
        unit_counts = counts.setdefault(unit_id, {})
        unit_counts[status] = unit_counts.get(status, 0) + n
        if kind == FilingKind.DEPARTMENT and status in SUBMITTED_STATES:
            submitted.add(unit_id)
    return counts, submitted


def _first_submissions(units, year) -> dict[int, date]:
    """Per unit, the day its department filing of the year was first submitted (any revision)."""
    rows = (Filing.objects.departments().filter(unit__in=units, year=year).order_by().values("unit_id")
            .annotate(by_log=Min("transitions__created_at", filter=Q(transitions__action=Action.SUBMIT)),
                      by_stamp=Min("submitted_at")))
    first = {}
    for row in rows:
        moments = [moment for moment in (row["by_log"], row["by_stamp"]) if moment is not None]
        if moments:
            first[row["unit_id"]] = timezone.localdate(min(moments))
    return first


def year_overview(user, year: int, scope: Scope | None = None, today: date | None = None) -> Overview:
    """Per unit in the user's scope (finance units aside): counts per state, 未提交, and the deadline's verdict."""
    scope = scope or Scope.of(user)
    today = today or timezone.localdate()
    units = list(scope.units.exclude(kind=UnitKind.FINANCE).order_by("path"))
    unit_query = scope.units.exclude(kind=UnitKind.FINANCE)
    counts, submitted = _status_counts(unit_query, year)
    first = _first_submissions(unit_query, year)
    codes = {region_code(unit.path) for unit in units}
    deadlines = {d.region.code: d for d in FilingDeadline.objects.filter(year=year, region__code__in=codes)
                 .select_related("region")}
    rows = []
    for unit in units:
        deadline = deadlines.get(region_code(unit.path))
        state = deadline_state(deadline.due_on if deadline else None, first.get(unit.pk), unit.pk in submitted, today)
        rows.append(UnitRow(unit, counts.get(unit.pk, {}), unit.pk in submitted, deadline, state))
    regions = [RegionDeadline(scope.regions[code], deadlines.get(code), today)
               for code in sorted(codes) if code in scope.regions]
    return Overview(year, rows, regions)


# --- deadlines ---------------------------------------------------------------------------------------------------

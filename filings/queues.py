"""Work lists (待审核 / 被退回 / 已审核) and the supervisor's overview of a year, in a fixed number of queries.

`access.reviewing_role` and `access.can_review` read the database once per filing. Here `access.Scope` reads a user's
memberships and the review levels (审核层级) of their 财政 regions once; the same answers are then given for a whole
list: as one SQL condition for the 待审核 queue, and per row in Python where a page shows them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db import connection
from django.db.models import Case, CharField, Count, DateTimeField, F, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone

from .access import Scope, outermost, unit_prefixes
from .bureaus import Bureaus
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


# --- the overview of a year, level by level ----------------------------------------------------------------------
#
# A page shows one node of the unit tree (the user's scope root unless chosen): a row per child in scope, each
# counting the filing units of its branch (finance units are no filing units), and the node's own filings as a row of
# its own. Everything is counted in SQL, grouped by the child's path (read off each unit's path), in the same number
# of queries whatever the size of the branch; only rows of single units (the units of a 主管部门) come into Python.

KIND_LABELS = {UnitKind.FINANCE: "财政部门", UnitKind.DEPARTMENT: "主管部门", UnitKind.UNIT: "单位"}
KIND_ORDER = {UnitKind.FINANCE: 0, UnitKind.DEPARTMENT: 1, UnitKind.UNIT: 2}


@dataclass
class DeadlineState:
    code: str  # none / on_time / submitted / open / late
    label: str

    @property
    def late(self) -> bool:
        return self.code == "late"


def deadline_state(due_on: date | None, first_submitted_on: date | None, submitted: bool, today: date):
    """Where a unit stands against its deadline: 按时提交, 剩余 N 天, or 逾期 once the date has passed.

    `_late_condition` is the same rule in SQL, for a whole branch at once."""
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
class Tally:
    """What a row counts over its filing units: filings per state, units, and units by 部门整体 submission."""

    counts: dict[str, int] = field(default_factory=dict)
    units: int = 0
    submitted: int = 0  # units whose 部门整体 filing of the year is in review or approved
    late: int = 0  # units past their effective deadline without a submission made in time

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(status, 0) for status in OVERVIEW_STATES]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def missing(self) -> int:
        return self.units - self.submitted

    def __add__(self, other: "Tally") -> "Tally":
        counts = dict(self.counts)
        for status, n in other.counts.items():
            counts[status] = counts.get(status, 0) + n
        return Tally(counts, self.units + other.units, self.submitted + other.submitted, self.late + other.late)


@dataclass
class LevelRow:
    unit: Unit
    tally: Tally
    own: bool = False  # the node's own filings (本级), not its branch
    deadline: FilingDeadline | None = None  # the deadline that applies (shown for bureaus and single units)
    state: DeadlineState | None = None  # single units only

    @property
    def plain(self) -> bool:
        """A single filing unit: shown with its deadline state, nothing to drill into."""
        return self.own or (self.unit.kind != UnitKind.FINANCE and self.tally.units <= 1)

    @property
    def drillable(self) -> bool:
        return not self.plain and self.tally.units > 0

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.unit.kind, "")

    @property
    def bureau(self) -> bool:
        return self.unit.kind == UnitKind.FINANCE

    @property
    def inherited(self) -> bool:
        """The deadline shown is a bureau's above this one (沿用上级)."""
        return self.deadline is not None and self.deadline.region_id != self.unit.pk

    # the single unit's row, as the overview has always shown it
    @property
    def cells(self) -> list[int]:
        return self.tally.cells

    @property
    def total(self) -> int:
        return self.tally.total

    @property
    def missing(self) -> bool:
        return self.tally.submitted == 0

    @property
    def indent(self) -> int:
        """In a 主管部门's table its units are drawn one step in from its own row (app.css: unit-depth-N)."""
        return 0 if self.own else 1


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
    node: Unit | None  # None: the top of a user's several subtrees
    trail: list[Unit]  # the node's ancestors from the user's scope root down, each a link
    several_roots: bool  # the user's scope has several subtrees: a link to all of them leads the trail
    rows: list[LevelRow]
    regions: list[RegionDeadline]  # the bureaus whose deadlines apply here, the outermost first

    @cached_property
    def tally(self) -> Tally:
        return sum((row.tally for row in self.rows), Tally())

    @property
    def plain(self) -> bool:
        """Every row a single unit (a 主管部门's page): the table of units with their deadline states."""
        return bool(self.rows) and all(row.plain for row in self.rows)

    @property
    def totals(self) -> list[int]:
        return self.tally.cells

    @property
    def total(self) -> int:
        return self.tally.total

    @property
    def unit_count(self) -> int:
        return self.tally.units

    @property
    def missing_count(self) -> int:
        return self.tally.missing

    @property
    def late_count(self) -> int:
        return self.tally.late


def latest_year(scope: Scope) -> int:
    """The latest year of the user's visible filings (next year if none), in one query that reads a few index entries.

    A MAX over the visible filings reads every one of them (the province's 54,000); ORDER BY year DESC LIMIT 1 walks
    the (year, unit, …) index down until a visible one comes, tens of thousands for a county. Instead the years are
    stepped through from the top, each the MAX below the last (one index probe, the same on SQLite and PostgreSQL),
    and the first year with a visible filing is the answer: a LIMIT 1 subquery per year (not an EXISTS, which the
    planner would turn into a join over every visible filing), answered from the scope's own units (a county) or the
    first index entries of the year (the province)."""
    table, year, unit_id = (connection.ops.quote_name(name) for name in (Filing._meta.db_table, "year", "unit_id"))
    units_sql, params = scope.units.order_by().values("pk").query.sql_with_params()
    sql = (f"WITH RECURSIVE years(y) AS (SELECT MAX({year}) FROM {table} "
           f"UNION ALL SELECT (SELECT MAX({year}) FROM {table} WHERE {year} < years.y) FROM years "
           f"WHERE years.y IS NOT NULL) "
           f"SELECT y FROM years WHERE y IS NOT NULL AND (SELECT 1 FROM {table} "
           f"WHERE {year} = years.y AND {unit_id} IN ({units_sql}) LIMIT 1) IS NOT NULL LIMIT 1")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return found[0] if found else timezone.localdate().year + 1


def scope_roots(scope: Scope) -> list[tuple[Unit, bool]]:
    """The tops of a user's scope, in path order: (unit, whole branch) for each subtree they review or oversee, and
    (unit, False) for a unit they only file for outside those; for an administrator, the roots of the tree."""
    if scope.superuser:
        return [(unit, True) for unit in Unit.objects.filter(parent__isnull=True).order_by("path")]
    subtrees = outermost([*scope.paths.get(Role.REVIEWER, ()), *scope.paths.get(Role.FINANCE, ())])
    filed = [path for path in scope.paths.get(Role.FILER, ()) if not any(path.startswith(s) for s in subtrees)]
    units = {unit.path: unit for unit in Unit.objects.filter(path__in=[*subtrees, *filed])}
    return sorted([(units[path], True) for path in subtrees if path in units]
                  + [(units[path], False) for path in filed if path in units], key=lambda item: item[0].path)


@dataclass
class _Level:
    """The units one page counts, and the row each belongs to: a row is keyed by a path, a unit's key is the path of
    the row whose branch holds it. `node` set: the node itself and its children; else the given roots."""

    node: Unit | None
    branch: bool = True  # the node's branch (False: the node alone, a unit the user only files for)
    roots: list[tuple[Unit, bool]] = field(default_factory=list)

    def condition(self, prefix: str = "") -> Q:
        if self.node is not None:
            return self._one(self.node.path, self.branch, prefix)
        condition = Q(pk__in=[])
        for unit, branch in self.roots:
            condition |= self._one(unit.path, branch, prefix)
        return condition

    @staticmethod
    def _one(path: str, branch: bool, prefix: str) -> Q:
        return Q(**{f"{prefix}path__startswith" if branch else f"{prefix}path": path})

    def key(self, prefix: str = ""):
        """The row key of the unit at `prefix`path, as an SQL expression."""
        field_name = f"{prefix}path"
        if self.node is not None:
            # the path up to the first “/” after the node's: the child's path; the node's own for the node itself
            length = len(self.node.path)
            rest = Substr(field_name, length + 1)
            return Substr(field_name, 1, Value(length) + StrIndex(rest, Value("/")), output_field=CharField())
        return Case(*[When(self._one(unit.path, branch, prefix), then=Value(unit.path)) for unit, branch in self.roots],
                    default=Value(""), output_field=CharField())


def _due_moment(due_on: date | None, today: date) -> datetime | None:
    """A passed deadline as the moment it ended (local midnight after the day); None if not set or not passed."""
    if due_on is None or due_on >= today:
        return None
    return timezone.make_aware(datetime.combine(due_on + timedelta(days=1), time.min))


def _passed_deadlines(bureaus: Bureaus, prefix: str, today: date):
    """Per unit at `prefix`path, as SQL: the end of its effective deadline if that has passed, else NULL. A bureau
    needs a branch of its own only where its value differs from the next bureau's up; the deepest match first."""
    moments: dict[date | None, datetime | None] = {}

    def moment_of(path: str) -> datetime | None:
        due_on = bureaus.due_on(path)
        if due_on not in moments:
            moments[due_on] = _due_moment(due_on, today)
        return moments[due_on]

    whens = []
    for bureau in sorted(bureaus.by_code.values(), key=lambda b: len(b.path), reverse=True):
        moment = moment_of(bureau.path)
        above = bureaus.chain(bureau.path)[1:2]
        if moment != (moment_of(above[0].path) if above else None):
            whens.append(When(Q(**{f"{prefix}path__startswith": bureau.path}), then=Value(moment)))
    if not whens:
        return None
    return Case(*whens, default=Value(None), output_field=DateTimeField())


def _tallies(level: _Level, bureaus: Bureaus, year: int, today: date) -> dict[str, Tally]:
    """Per row key, in one query: units, filings per state, 部门整体 submitted units and late units.

    Two derived tables, each built by the ORM and read once: the level's filing units (row key, the end of their
    passed deadline) and their filings of the year summed per unit (from the covering (year, unit, …) index, with the
    first submission of their 部门整体 filings, any revision, stored on each filing); the outer query (plain SQL, the
    same on SQLite and PostgreSQL) joins them per unit and sums per row. Late is `deadline_state(...).late`: the
    deadline has passed, the first submission is not before its end, and the unit is not submitted without any
    date."""
    ends = _passed_deadlines(bureaus, "", today)
    units = (Unit.objects.filter(level.condition()).exclude(kind=UnitKind.FINANCE).order_by()
             .annotate(uid=F("pk"), row=level.key(), **({"due_end": ends} if ends is not None else {}))
             .values("uid", "row", *(["due_end"] if ends is not None else [])))
    department = Q(kind=FilingKind.DEPARTMENT)
    # COUNT(unit_id) (never NULL), not COUNT(id): id is no column of the covering index, it would read the table
    per_state = {f"n_{status}": Count("unit", filter=Q(status=status)) for status in OVERVIEW_STATES}
    filings = (Filing.objects.filter(level.condition("unit__"), year=year).order_by()
               .annotate(uid=F("unit_id")).values("uid")
               .annotate(**per_state,
                         dept_submitted=Count("unit", filter=department & Q(status__in=SUBMITTED_STATES)),
                         first=Min("first_submitted_at", filter=department)))
    parts = [queryset.query.sql_with_params() for queryset in (units, filings)]
    q = connection.ops.quote_name
    uid, row, end = q("uid"), q("row"), q("due_end")
    counts = ", ".join(f"SUM(COALESCE(f.{q(name)}, 0))" for name in per_state)
    submitted = f"COALESCE(f.{q('dept_submitted')}, 0) > 0"
    first = f"f.{q('first')}"
    late = "0"
    if ends is not None:
        late = (f"SUM(CASE WHEN u.{end} IS NOT NULL AND ({first} IS NULL OR {first} >= u.{end}) "
                f"AND NOT ({submitted} AND {first} IS NULL) THEN 1 ELSE 0 END)")
    sql = (f"SELECT u.{row}, COUNT(*), SUM(CASE WHEN {submitted} THEN 1 ELSE 0 END), {late}, {counts} "
           f"FROM ({parts[0][0]}) u LEFT JOIN ({parts[1][0]}) f ON f.{uid} = u.{uid} GROUP BY u.{row}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*parts[0][1], *parts[1][1]])
        found = cursor.fetchall()
    tallies = {}
    for row, unit_count, submitted_count, late_count, *cells in found:
        counts_by_state = {status: int(n) for status, n in zip(OVERVIEW_STATES, cells, strict=True) if n}
        tallies[row] = Tally(counts_by_state, int(unit_count), int(submitted_count), int(late_count))
    return tallies


def _first_submissions(unit_ids, year) -> dict[int, date]:
    """Per unit, the day its department filing of the year was first submitted (any revision)."""
    rows = (Filing.objects.departments().filter(unit__in=unit_ids, year=year).order_by().values("unit_id")
            .annotate(first=Min("first_submitted_at")))
    return {row["unit_id"]: timezone.localdate(row["first"]) for row in rows if row["first"] is not None}


def find_node(scope: Scope, unit_id) -> Unit | None:
    """The unit if it is in the user's scope (the overview's ?unit=), else None."""
    text = str(unit_id).strip()
    # an id beyond the column is no unit (PostgreSQL would refuse the query)
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
        return None
    return scope.units.filter(pk=int(text)).first()


def year_overview(user, year: int, scope: Scope | None = None, today: date | None = None,
                  node: Unit | None = None) -> Overview:
    """The node's rows for the year (by default the user's scope root; with several, one row for each root):
    per child in scope its filing units' filings per state, 部门整体 submitted, 未提交 and 逾期 units."""
    scope = scope or Scope.of(user)
    today = today or timezone.localdate()
    roots = scope_roots(scope)
    if node is None and len(roots) == 1:
        node = roots[0][0]
    if node is None and not roots:  # an administrator of an empty tree
        return Overview(year, None, [], False, [], [])
    if node is None:
        level = _Level(None, roots=roots)
        parents: list[tuple[Unit, bool]] = []
        children = [unit for unit, _branch in roots]
        bureaus = Bureaus.around([unit.path for unit in children], year)
    else:
        branch = scope.superuser or any(node.path.startswith(root.path) for root, whole in roots if whole)
        level = _Level(node, branch=branch)
        children = list(Unit.objects.filter(parent=node)) if branch else []
        bureaus = Bureaus.around([node.path], year)
        parents = [(node, True)] if node.kind != UnitKind.FINANCE else []
    tallies = _tallies(level, bureaus, year, today)
    rows = [LevelRow(unit, tallies.get(unit.path, Tally()), own=own) for unit, own in parents]
    rows += [LevelRow(unit, tallies.get(unit.path, Tally()))
             for unit in sorted(children, key=lambda u: (KIND_ORDER.get(u.kind, 9), u.path))]
    for row in rows:
        if row.bureau or row.plain:
            row.deadline = bureaus.deadline(row.unit.path)
    single = [row for row in rows if row.plain]
    first = _first_submissions([row.unit.pk for row in single], year) if single else {}
    for row in single:
        row.state = deadline_state(row.deadline.due_on if row.deadline else None, first.get(row.unit.pk),
                                   row.tally.submitted > 0, today)
    trail = _trail(node, roots) if node is not None else []
    return Overview(year, node, trail, len(roots) > 1, rows, _regions(node, children, bureaus, today))


def _trail(node: Unit, roots: list[tuple[Unit, bool]]) -> list[Unit]:
    """The node's ancestors from the scope root that holds it, in path order (one query)."""
    root = next((unit for unit, _branch in roots if node.path.startswith(unit.path)), None)
    if root is None or root.pk == node.pk:
        return []
    prefixes = [p for p in unit_prefixes(node.path) if p.startswith(root.path) and p != node.path]
    return list(Unit.objects.filter(path__in=prefixes).order_by("path"))


def _regions(node: Unit | None, roots: list[Unit], bureaus: Bureaus, today: date) -> list[RegionDeadline]:
    """The bureaus above the node (or above each of several roots), the outermost first: whose deadlines apply."""
    paths = [node.path] if node is not None else [unit.path for unit in roots]
    chain = sorted({b.pk: b for path in paths for b in bureaus.chain(path)}.values(), key=lambda b: b.path)
    return [RegionDeadline(bureau, bureaus.deadlines.get(bureau.code), today) for bureau in chain]


# --- deadlines ---------------------------------------------------------------------------------------------------

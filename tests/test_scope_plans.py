"""Scoped lists use the indexes at province scale (issue 16): a 主管部门 reviewer's lists read the filings through
the unit path index, never by scanning every filing of the province. The tables are filled with generated rows
(about 4,000 units and 20,000 filings outside the reviewer's scope, then ANALYZE), not steered by planner settings:
the plans are the ones PostgreSQL picks for realistic numbers."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from filings import queues
from filings.access import Scope, outermost, unit_condition, visible_filings, visible_units
from filings.models import Filing, FilingKind, FilingStatus, Membership, ProjectDetails, Role, Unit, UnitKind

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="plans are PostgreSQL's: runs when DATABASE_URL names PostgreSQL, as in CI")

CITIES, UNITS_PER_CITY, FILINGS_PER_UNIT = 40, 100, 5


@pytest.fixture
def province(demo):
    """The demo's units and filings, and around them the rest of a province: 40 cities of 100 units, 5 filings
    each (about half of them projects with their details)."""
    sample = demo["s3-proj1"]
    root = Unit.objects.create(code="PROV", name="省财政厅", kind=UnitKind.FINANCE)
    cities = Unit.objects.bulk_create([
        Unit(code=f"C{c:03d}", name=f"市{c}", kind=UnitKind.DEPARTMENT, parent=root, path=f"{root.path}C{c:03d}/")
        for c in range(CITIES)])
    units = Unit.objects.bulk_create([
        Unit(code=f"C{c:03d}U{u:03d}", name=f"单位{c}-{u}", kind=UnitKind.UNIT, parent=city,
             path=f"{city.path}C{c:03d}U{u:03d}/")
        for c, city in enumerate(cities) for u in range(UNITS_PER_CITY)])
    filings = Filing.objects.bulk_create([
        Filing(kind=FilingKind.PROJECT if number % 2 else FilingKind.DEPARTMENT, unit=unit, year=2020 + number,
               variant=sample.variant, scheme=sample.scheme, status=FilingStatus.SUBMITTED)
        for unit in units for number in range(FILINGS_PER_UNIT)], batch_size=5000)
    ProjectDetails.objects.bulk_create([ProjectDetails(filing=filing, name=f"项目{filing.pk}")
                                        for filing in filings if filing.kind == FilingKind.PROJECT], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return get_user_model().objects.get(username="yq_wjw")  # 阳泉市卫健委's 审核人: a handful of units


def scans_everything(queryset) -> list[str]:
    plan = queryset.explain()
    return [table for table in ("filings_filing", "filings_projectdetails") if f"Seq Scan on {table}" in plan]


@on_postgresql
def test_a_departments_reviewer_reads_their_filings_by_the_path_index(province):
    reviewer = province
    scope = Scope.of(reviewer)
    filters = queues.Filters(year=2024)
    lists = {
        "我的申报": visible_filings(reviewer),
        "工作台 待审核": queues.to_review(reviewer, filters, scope),
        "工作台 被退回": queues.returned(reviewer, filters, scope),
        "工作台 已审核": queues.reviewed(reviewer, filters, scope),
        "项目支出": visible_filings(reviewer).projects().filter(year=2024).select_related("project"),
        "下载任务的范围": filters.apply(scope.filings()),
    }
    assert Filing.objects.count() > 20_000 and visible_filings(reviewer).count() < 50
    scanned = {name: tables for name, queryset in lists.items() if (tables := scans_everything(queryset))}
    assert not scanned, scanned

    # The 已审核 tab of a province account that reviewed nothing: driven by its own transitions, not a subquery per
    # filing of the province.
    account = get_user_model().objects.create_user("prov_czt")
    Membership.objects.create(user=account, unit=Unit.objects.get(code="PROV"), role=Role.FINANCE)
    scope = Scope.of(account)
    assert scope.filings().count() == 20_000  # the generated province, nothing of the demo
    reviewed = queues.reviewed(account, queues.Filters(), scope)
    assert reviewed.count() == 0
    assert not scans_everything(reviewed), reviewed.explain()


@on_postgresql
def test_a_province_with_city_bureaus_reads_its_own_review_queue_by_index(province):
    """With 39 of the 40 cities made 财政 bureaus, the province's 财政 reviews only its own part (one city's units):
    its 待审核 cuts the bureaus out on the units table, and reads the filings by unit, not by a scan."""
    Unit.objects.filter(code__startswith="C", kind=UnitKind.DEPARTMENT).exclude(code="C000").update(
        kind=UnitKind.FINANCE)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE filings_unit")
    account = get_user_model().objects.create_user("prov_czt")
    Membership.objects.create(user=account, unit=Unit.objects.get(code="PROV"), role=Role.FINANCE)
    Filing.objects.filter(unit__path__startswith="/PROV/").update(status=FilingStatus.DEPARTMENT_APPROVED)
    scope = Scope.of(account)
    queue = queues.to_review(account, queues.Filters(), scope)
    assert queue.count() == UNITS_PER_CITY * FILINGS_PER_UNIT  # city C000's, not the 39 bureaus'
    assert not scans_everything(queue), queue.explain()

def test_the_scope_condition_has_no_or_between_a_subtree_and_filer_units():
    member = [(Role.REVIEWER, 1, "/A/B/"), (Role.FILER, 2, "/A/B/C/")]  # a reviewer who also files below
    assert unit_condition(member).children == [("path__startswith", "/A/B/")]
    filer = [(Role.FILER, 7, "/A/X/"), (Role.FILER, 3, "/A/Y/")]
    assert unit_condition(filer).children == [("pk__in", [3, 7])]
    assert outermost(["/A/B/C/", "/A/B/", "/D/"]) == ["/A/B/", "/D/"]


@pytest.mark.django_db
def test_the_visible_units_are_the_same_whatever_the_memberships(demo):
    for user in get_user_model().objects.filter(memberships__isnull=False).distinct():
        memberships = list(user.memberships.values_list("role", "unit__path"))
        expected = set()
        for role, path in memberships:
            units = Unit.objects.filter(path__startswith=path) if role != Role.FILER else Unit.objects.filter(path=path)
            expected |= set(units.values_list("pk", flat=True))
        assert set(visible_units(user).values_list("pk", flat=True)) == expected, user.username


@on_postgresql
def test_the_overview_and_its_default_year_read_the_covering_index_not_the_transitions(province):
    """年度概览 (H7): the default year steps down the years by the (year, unit, …) index instead of a MAX over every
    visible filing (a 主管部门 reviewer's: no scan of the province's filings); the year's tallies read no transition
    (the first submission is stored on the filing)."""
    from django.test.utils import CaptureQueriesContext

    account = get_user_model().objects.create_user("prov_czt")
    Membership.objects.create(user=account, unit=Unit.objects.get(code="PROV"), role=Role.FINANCE)
    for user in (account, province):
        scope = Scope.of(user)
        with CaptureQueriesContext(connection) as captured:
            year = queues.latest_year(scope)
        assert year == (2024 if user is account else scope.filings().order_by("-year").first().year)
        [query] = captured.captured_queries
        if user is account:
            # the whole table is the scope: a LIMIT 1 over the year's filings, by the index once VACUUM has marked
            # the pages all-visible (as on the generated province), possibly a scan here right after the inserts
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        # the years by the covering index, the reviewer's filings from their own units
        assert "filing_year_unit_covering" in plan and "Seq Scan on filings_filing" not in plan, plan
    with CaptureQueriesContext(connection) as captured:
        overview = queues.year_overview(account, 2024, Scope.of(account))
    assert overview.unit_count == CITIES * UNITS_PER_CITY + CITIES  # the cities are 主管部门 here, filing units too
    assert not [q["sql"] for q in captured.captured_queries if "filings_transition" in q["sql"]]

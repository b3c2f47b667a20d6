"""One province's year of filings, generated in bulk, and what each role's list pages cost on it.

    .venv/bin/python bench/province.py --scale 0.1 --measure              # generate, measure, drop the database
    .venv/bin/python bench/province.py --scale 1 --db pb_province --keep   # generate only, keep the database
    .venv/bin/python bench/province.py --db pb_province --reuse --measure  # measure a kept database again
    .venv/bin/python bench/province.py --compare 0.1,1 [--runs 5]          # both scales, pages side by side

At --scale 1.0: 1 provincial, 14 city and 120 county 财政 bureaus, about 1,800 主管部门 and 11,000 units, 54,000
filings with about 1,052,000 indicator rows, 87,000 transitions and 134,000 notifications, for one year. The scale
changes how many bureaus there are, not what one bureau holds: a county (K001) and its 主管部门 have the same units
and filings at every scale, so their pages at two scales compare one scope against a larger province.

The database is a fresh one on DATABASE_URL's server (else postgres@127.0.0.1:5432), named --db, dropped first if it
exists and at the end unless --keep (a --reuse database is never dropped). `migrate` and `load_reference` run
first; then units, users, memberships, filings and their details go in with bulk_create, indicators, transitions
and notifications with COPY.

--measure signs in (force_login: no password hashing is measured) with Django's test Client, in this process, as
the first --per-role users of each role, and requests 我的申报 (and its 辖区申报表 page 3), the three 工作台 tabs,
年度概览, 项目支出 and the unit picker's search: one
request under CaptureQueriesContext (its query count), then --runs timed ones. Server time is taken between
Django's request_started and request_finished signals (CPU ms: the median of this process's CPU time over the same
span, the server's Python without PostgreSQL); bytes are the response body's.
"""

import argparse
import io
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import zlib
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from server_clock import ServerClock  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2026
CITIES, COUNTIES = 14, 120
UNITS_PER_DEPARTMENT = 5
PROJECTS_PER_UNIT = 4
BATCH = 10_000
PAGES = [
    ("我的申报", "/"),
    ("工作台·待审核", "/filings/queue/?tab=review"),
    ("工作台·被退回", "/filings/queue/?tab=returned"),
    ("工作台·已审核", "/filings/queue/?tab=reviewed"),
    ("年度概览", "/filings/overview/"),
    ("项目支出", "/filings/projects/"),
    ("我的申报·辖区第3页", "/?spage=3"),
    ("单位搜索", "/filings/units/search/?q=%E5%B1%80"),  # 局
]
ROLES = ["省财政", "市财政", "县财政", "主管部门审核人", "填报人"]
# Status by a hash of the unit's code and the filing's position, so a unit's filings are the same at any scale
# (20 in a cycle): 5 drafts, 4 submitted, 2 returned, 3 主管部门-approved, 6 approved.
STATUS_CYCLE = (["draft"] * 5 + ["submitted"] * 4 + ["returned"] * 2 + ["department_approved"] * 3
                + ["approved"] * 6)
INDICATOR_SAMPLES = [  # (三级指标, 指标值), spread over the scheme's 二级 categories
    ("完成数量", "≥100个"), ("覆盖率", "≥95%"), ("完成时间", "2026年12月底前"), ("质量达标率", "100%"),
    ("成本控制", "≤50万元"), ("服务对象满意度", "≥90%"), ("社会效益", "明显提升"), ("可持续影响", "长期"),
]


# --- the database -------------------------------------------------------------------------------------------------

def server_url() -> str:
    return os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(name: str) -> str:
    return urlunsplit(urlsplit(server_url())._replace(path=f"/{name}"))


@contextmanager
def admin_cursor():
    import psycopg

    parts = urlsplit(server_url())
    with psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                         password=parts.password, dbname="postgres", autocommit=True) as connection:
        yield connection.cursor()


def recreate_database(name: str):
    with admin_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str):
    with admin_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(name: str):
    os.environ["DATABASE_URL"] = database_url(name)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def copy_rows(model, columns: list[str], rows) -> int:
    """COPY `rows` (tuples in the order of `columns`, model field attnames) into the model's table."""
    from django.db import connection

    table = model._meta.db_table
    names = ", ".join(f'"{model._meta.get_field(c).column}"' for c in columns)
    count = 0
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


# --- the province -------------------------------------------------------------------------------------------------

def departments_of(code: str) -> int:
    """13 or 14 主管部门 per bureau (1,800 over 135), fixed by the bureau's code: the same bureau at any scale."""
    return 13 + (zlib.crc32(code.encode()) % 3 == 0)


def build_units(scale: float):
    from filings.models import Unit, UnitKind

    def make(code, name, kind, parent, **extra):
        return Unit(code=code, name=name, kind=kind, parent=parent, path=f"{parent.path if parent else '/'}{code}/",
                    region="江省", **extra)

    province = Unit.objects.bulk_create([make("P", "江省财政厅", UnitKind.FINANCE, None, review_levels=2)])[0]
    cities = Unit.objects.bulk_create([make(f"C{c:02d}", f"第{c}市财政局", UnitKind.FINANCE, province)
                                       for c in range(1, max(1, round(CITIES * scale)) + 1)])
    counties = Unit.objects.bulk_create([
        make(f"K{k:03d}", f"第{k}县财政局", UnitKind.FINANCE, cities[(k - 1) % len(cities)])
        for k in range(1, max(1, round(COUNTIES * scale)) + 1)])
    bureaus = [province, *cities, *counties]
    departments = Unit.objects.bulk_create([
        make(f"{b.code}D{d:02d}", f"{b.name[:-3]}第{d}局", UnitKind.DEPARTMENT, b, is_primary=True, sector="综合")
        for b in bureaus for d in range(1, departments_of(b.code) + 1)], batch_size=BATCH)
    units = Unit.objects.bulk_create([
        make(f"{d.code}U{u}", f"{d.name}第{u}所", UnitKind.UNIT, d, sector="综合")
        for d in departments for u in range(1, UNITS_PER_DEPARTMENT + 1)], batch_size=BATCH)
    return bureaus, departments, units


def build_people(bureaus, departments, filing_units):
    """A finance member per bureau, a reviewer per 主管部门, a filer per filing unit; one password hash for all."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from filings.models import Membership, Role

    password = make_password("perfbudget-bench")
    User = get_user_model()
    wanted = ([(f"c{u.code}", u, Role.FINANCE) for u in bureaus]
              + [(f"r{u.code}", u, Role.REVIEWER) for u in departments]
              + [(f"f{u.code}", u, Role.FILER) for u in filing_units])
    users = User.objects.bulk_create([User(username=name, password=password, first_name=unit.name[:150])
                                      for name, unit, _role in wanted], batch_size=BATCH)
    Membership.objects.bulk_create([Membership(user=user, unit=unit, role=role)
                                    for user, (_name, unit, role) in zip(users, wanted, strict=True)],
                                   batch_size=BATCH)
    return {(unit.pk, role): user for user, (_name, unit, role) in zip(users, wanted, strict=True)}


def build_filings(filing_units, people):
    from django.utils import timezone

    from filings.models import DepartmentDetails, Filing, FilingKind, FormVariant, ProjectDetails, Role

    department_variant = FormVariant.objects.get(code="dept-mof88")
    project_variant = FormVariant.objects.get(code="proj-mof88")
    submitted_at = timezone.now() - timedelta(days=20)
    filings = []
    for unit in filing_units:
        filer = people[(unit.pk, Role.FILER)]
        for position in range(PROJECTS_PER_UNIT + 1):
            kind, variant = ((FilingKind.DEPARTMENT, department_variant) if position == 0
                             else (FilingKind.PROJECT, project_variant))
            status = STATUS_CYCLE[(zlib.crc32(unit.code.encode()) + position) % len(STATUS_CYCLE)]
            filings.append(Filing(
                kind=kind, unit=unit, year=YEAR, variant=variant, scheme_id=variant.default_scheme_id,
                status=status, position=position, unit_name=unit.name, contact_person="张三",
                contact_phone="0791-8888888", created_by=filer, current_step="indicators",
                submitted_at=None if status == "draft" else submitted_at,
                first_submitted_at=None if status == "draft" else submitted_at,  # before its submit transition
                submitted_by=None if status == "draft" else filer))
    filings = Filing.objects.bulk_create(filings, batch_size=BATCH)
    DepartmentDetails.objects.bulk_create([DepartmentDetails(filing=f, sector="综合") for f in filings
                                           if f.kind == FilingKind.DEPARTMENT], batch_size=BATCH)
    ProjectDetails.objects.bulk_create([ProjectDetails(filing=f, name=f"{f.unit_name}第{f.position}号项目",
                                                       implementing_unit=f.unit_name, period_years=1)
                                        for f in filings if f.kind == FilingKind.PROJECT], batch_size=BATCH)
    return filings


def indicator_rows(filings):
    """The rows of every filing's indicators; reads the database before yielding (COPY then holds the connection)."""
    categories, readings = indicator_samples()
    return _indicator_rows(filings, categories, readings)


def indicator_samples():
    from filings.models import Indicator
    from indicators.models import Category

    categories: dict[int, list[int]] = {}
    for pk, scheme_id in Category.objects.filter(parent__isnull=False).order_by("order", "pk").values_list(
            "pk", "scheme_id"):
        categories.setdefault(scheme_id, []).append(pk)
    readings = []
    for name, value in INDICATOR_SAMPLES:  # read once: apply_reading is what a save would store
        sample = Indicator(name=name, value_text=value)
        sample.apply_reading()
        readings.append((name, value, sample.value_kind, sample.operator, sample.value_number, sample.value_unit))
    return categories, readings


def _indicator_rows(filings, categories, readings):
    for filing in filings:
        scheme_categories = categories[filing.scheme_id]
        rows = 18 + (zlib.crc32(filing.unit.code.encode()) + filing.position) % 4  # 18–21, 19.5 on average
        for order in range(rows):
            name, value, kind, operator, number, unit = readings[order % len(readings)]
            yield (filing.pk, "annual", scheme_categories[order % len(scheme_categories)], order, name, value, kind,
                   operator, number, unit, "", False, "", "{}")


INDICATOR_COLUMNS = ["filing_id", "period", "category_id", "order", "name", "value_text", "value_kind", "operator",
                     "value_number", "value_unit", "standard", "not_applicable", "note", "extra"]


def workflow_rows(filings, people, chains):
    """Transitions as the two-level review makes them, and the notifications today's code sends with each."""
    from django.utils import timezone

    from filings.models import Role

    start = timezone.now() - timedelta(days=20)
    transitions, notifications = [], []
    for filing in filings:
        department = filing.unit if filing.unit.kind == "department" else filing.unit.parent
        filer = people[(filing.unit.pk, Role.FILER)]
        reviewer = people[(department.pk, Role.REVIEWER)]
        finance = [people[(pk, Role.FINANCE)] for pk in chains[department.parent_id]]  # nearest bureau first
        steps = {"draft": [], "submitted": ["submit"], "returned": ["submit", "return"],
                 "department_approved": ["submit", "approve"], "approved": ["submit", "approve", "final"]}
        at = start
        for step in steps[filing.status]:
            at += timedelta(hours=1)
            if step == "submit":
                transitions.append((filing.pk, "submit", "draft", "submitted", filer.pk, at))
                notifications.append((reviewer.pk, filing.pk, f"{filing.unit_name} 提交了申报表，等待审核", at))
            elif step == "return":
                transitions.append((filing.pk, "return", "submitted", "returned", reviewer.pk, at))
                notifications.append((filer.pk, filing.pk, "申报表被退回修改", at))
            elif step == "approve":
                transitions.append((filing.pk, "approve", "submitted", "department_approved", reviewer.pk, at))
                notifications += [(user.pk, filing.pk, f"{filing.unit_name} 的申报表待财政审核", at)
                                  for user in finance]
            else:
                transitions.append((filing.pk, "approve", "department_approved", "approved", finance[0].pk, at))
                notifications.append((filer.pk, filing.pk, "申报表已批复", at))
    return transitions, notifications


def generate(scale: float) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from filings.models import FilingDeadline, Indicator, Notification, Transition

    timings, counts = {}, {}

    @contextmanager
    def phase(name):
        started = time.perf_counter()
        yield
        timings[name] = round(time.perf_counter() - started, 1)

    with phase("migrate + load_reference"):
        call_command("migrate", verbosity=0)
        call_command("load_reference", stdout=io.StringIO())
    with phase("units"):
        bureaus, departments, units = build_units(scale)
        filing_units = [*departments, *units]
        by_pk = {u.pk: u for u in [*bureaus, *filing_units]}
        chains = {}
        for bureau in bureaus:  # a bureau and the bureaus above it, nearest first
            chains[bureau.pk] = [bureau.pk] + (chains[bureau.parent_id] if bureau.parent_id else [])
        for unit in units:
            unit.parent = by_pk[unit.parent_id]
    with phase("users + memberships"):
        people = build_people(bureaus, departments, filing_units)
        FilingDeadline.objects.bulk_create([FilingDeadline(region=b, year=YEAR, due_on=f"{YEAR - 1}-12-31")
                                            for b in bureaus])
    with phase("filings + details"):
        filings = build_filings(filing_units, people)
    with phase("indicators (COPY)"):
        counts["indicators"] = copy_rows(Indicator, INDICATOR_COLUMNS, indicator_rows(filings))
    with phase("transitions + notifications (COPY)"):
        transitions, notifications = workflow_rows(filings, people, chains)
        counts["transitions"] = copy_rows(
            Transition, ["filing_id", "action", "from_status", "to_status", "actor_id", "created_at", "comment",
                         "completeness", "relevance", "appropriateness", "feasibility", "grade"],
            (row + ("",) * 6 for row in transitions))
        counts["notifications"] = copy_rows(Notification, ["user_id", "filing_id", "message", "created_at"],
                                            notifications)
    with phase("VACUUM ANALYZE"):
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    counts.update(bureaus=len(bureaus), departments=len(departments), units=len(bureaus) + len(filing_units),
                  users=len(people), filings=len(filings))
    timings["total"] = round(sum(timings.values()), 1)
    return {"counts": counts, "timings": timings}


# --- the pages ----------------------------------------------------------------------------------------------------

def sample_users(per_role: int) -> dict[str, list]:
    """The first users of each role in code order: K001 is the sample county, its first 主管部门 and unit the
    sample reviewer and filer, at every scale."""
    from filings.models import Membership

    memberships = Membership.objects.select_related("user", "unit").order_by("unit__code")
    return {
        "省财政": [m.user for m in memberships.filter(unit__code="P")],
        "市财政": [m.user for m in memberships.filter(role="finance", unit__code__regex=r"^C\d+$")[:per_role]],
        "县财政": [m.user for m in memberships.filter(role="finance", unit__code__regex=r"^K\d+$")[:per_role]],
        "主管部门审核人": [m.user for m in memberships.filter(role="reviewer", unit__code__startswith="K")[:per_role]],
        "填报人": [m.user for m in memberships.filter(role="filer", unit__kind="unit",
                                                      unit__code__startswith="K")[:per_role]],
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(runs: int, per_role: int, roles: list[str], pages: list[str] | None = None) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # the filer's 403 on 年度概览 is expected
    clock = ServerClock()
    results = []
    for role, users in sample_users(per_role).items():
        if role not in roles:
            continue
        clients = []
        for user in users:
            client = Client()
            client.force_login(user)
            clients.append(client)
        for label, path in PAGES:
            if pages and label not in pages:
                continue
            times, cpus, queries, sizes, statuses = [], [], [], [], set()
            for client in clients:
                with CaptureQueriesContext(connection) as captured:  # also the warm-up
                    response = client.get(path)
                queries.append(len(captured))
                for _run in range(runs):
                    response = client.get(path)
                    times.append(clock.elapsed * 1000)
                    cpus.append(clock.cpu * 1000)
                    sizes.append(len(response.content))
                    statuses.add(response.status_code)
            results.append({"role": role, "page": label, "path": path, "status": sorted(statuses),
                            "queries": max(queries), "p50": statistics.median(times),
                            "p95": percentile(times, 0.95), "cpu": statistics.median(cpus),
                            "bytes": max(sizes)})
            print(f"  {role} {label}: {results[-1]['p50']:.0f} ms", file=sys.stderr, flush=True)
    return results


# --- reports ------------------------------------------------------------------------------------------------------

def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def print_generation(scale: float, generated: dict):
    counts, timings = generated["counts"], generated["timings"]
    print(f"scale {scale}: " + ", ".join(f"{name} {value:,}" for name, value in counts.items()))
    print("  generation seconds: " + ", ".join(f"{name} {value}" for name, value in timings.items()))


def pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns, a Chinese character taking two."""
    return text + " " * max(0, width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))


def print_pages(results: list[dict]):
    print(f"{pad('role', 14)} {pad('page', 18)} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'CPU ms':>7} {'KB':>9}")
    for r in results:
        status = ",".join(map(str, r["status"]))
        print(f"{pad(r['role'], 14)} {pad(r['page'], 18)} {status:>6} {r['queries']:>7} "
              f"{r['p50']:>8.0f} {r['p95']:>8.0f} {r.get('cpu', 0):>7.0f} {r['bytes'] / 1024:>9.1f}")


def print_compare(scales: list[float], results: dict[float, list[dict]]):
    small, large = scales
    print(f"\n{pad('role', 14)} {pad('page', 14)} | queries {small}/{large} | p50 ms {small} / {large} (×) "
          f"| p95 ms {small} / {large} (×) | KB {small} / {large}")
    for a, b in zip(results[small], results[large], strict=True):
        print(f"{pad(a['role'], 14)} {pad(a['page'], 14)} | {a['queries']:>4} / {b['queries']:<4} "
              f"| {a['p50']:>7.0f} / {b['p50']:<7.0f} ({b['p50'] / a['p50']:>5.2f}) "
              f"| {a['p95']:>7.0f} / {b['p95']:<7.0f} ({b['p95'] / a['p95']:>5.2f}) "
              f"| {a['bytes'] / 1024:>8.1f} / {b['bytes'] / 1024:.1f}")


def run_one(args) -> dict:
    """Generate (unless --reuse) and measure (with --measure) one database; returns what was found."""
    if not args.reuse:
        recreate_database(args.db)
    try:
        setup_django(args.db)
        outcome = {"scale": args.scale, "load_before": load_average()}
        if not args.reuse:
            outcome["generated"] = generate(args.scale)
            print_generation(args.scale, outcome["generated"])
        if args.measure:
            outcome["pages"] = measure(args.runs, args.per_role, args.roles.split(","),
                                       args.pages.split(",") if args.pages else None)
            print_pages(outcome["pages"])
        outcome["load_after"] = load_average()
        print(f"load average before {outcome['load_before']}, after {outcome['load_after']}")
        return outcome
    finally:
        if not args.keep and not args.reuse:  # a database measured again is someone's: never dropped here
            from django.db import connections

            connections.close_all()
            drop_database(args.db)


def compare(args):
    scales = [float(s) for s in args.compare.split(",")]
    if len(scales) != 2:
        sys.exit("--compare takes two scales, e.g. 0.1,1")
    found = {}
    for scale in scales:  # one child each: a fresh Django on its own database, its own memory
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            name = f"{args.db}_{str(scale).replace('.', '_')}"
            command = [sys.executable, __file__, "--scale", str(scale), "--db", name,
                       "--measure", "--runs", str(args.runs), "--per-role", str(args.per_role),
                       "--roles", args.roles, "--json", out.name] + (["--pages", args.pages] if args.pages else [])
            subprocess.run(command + (["--keep"] if args.keep else []), check=True)
            found[scale] = json.loads(Path(out.name).read_text())
    print_compare(scales, {scale: found[scale]["pages"] for scale in scales})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.1, help="1.0 = one province (default 0.1)")
    parser.add_argument("--db", default="perfbudget_province", help="database name (with --compare, a prefix)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--reuse", action="store_true", help="measure an existing --db, generate nothing")
    parser.add_argument("--measure", action="store_true", help="measure the pages of each role")
    parser.add_argument("--runs", type=int, default=5, help="timed requests per page and user (default 5)")
    parser.add_argument("--per-role", type=int, default=1, help="users sampled per role (default 1)")
    parser.add_argument("--roles", default=",".join(ROLES), help=f"roles to measure (default {','.join(ROLES)})")
    parser.add_argument("--pages", help="pages to measure by label, e.g. 年度概览 (default all)")
    parser.add_argument("--compare", help="two scales, e.g. 0.1,1: generate and measure both, side by side")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.compare:
        return compare(args)
    outcome = run_one(args)
    if args.json:
        Path(args.json).write_text(json.dumps(outcome, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()

"""Wall time and peak memory of the consolidated Excel export (导出Excel汇总) of 300,000 indicator rows.

Standalone: builds a throw-away database (a SQLite file in a temporary directory; with DATABASE_URL set to a
PostgreSQL server, a new database on that server, dropped at the end), loads the reference data and the demo,
and bulk-creates a 财政 region of --filings filings with --indicators indicators each. The filings are copies of
the twelve seed filings (their real indicators, amounts and tasks, so validation finds what it finds in the
seeds), spread over departments and units, in every status. Then a fresh child process exports the region as
its 财政 member would (`access.Scope` → `write_consolidated`, the view's code path) and reports wall time, peak
RSS (`resource.getrusage`), where the time went, and the size of the file. With --tracemalloc a second child
repeats the export under tracemalloc (slower) and reports the peak of Python allocations.

    .venv/bin/python bench/consolidated_export.py [--filings 5000] [--indicators 60] [--chunk-size 200]
                                                  [--tracemalloc]
"""

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS, TARGET_MB = 30, 300
REGION = "BENCH0"
STATUSES = ["draft", "submitted", "department_approved", "approved", "returned"]
FILINGS_PER_UNIT = 10
UNITS_PER_DEPARTMENT = 10


def setup_django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the data ---------------------------------------------------------------------------------------------------

def _fields(instance, skip=()):
    """The concrete field values of a model instance, without its primary key and the named fields."""
    skip = {"id", *skip}
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.name not in skip}


def build_region(filings: int, per_filing: int) -> int:
    """A 财政 region with departments and units holding `filings` copies of the seed filings; returns the count of
    indicators made."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from filings.demo import load_demo
    from filings.models import (
        AnnualTask,
        DepartmentDetails,
        Filing,
        FilingKind,
        Indicator,
        Membership,
        ProjectDetails,
        Role,
        Unit,
        UnitKind,
    )

    call_command("migrate", verbosity=0)
    load_demo()
    seeds = list(Filing.objects.with_related().filter(source__startswith="seed:").order_by("pk"))
    region = Unit.objects.create(code=REGION, name="基准测试市财政局", kind=UnitKind.FINANCE, region="基准测试市")
    departments = Unit.objects.bulk_create([
        Unit(code=f"B{d:03d}", name=f"基准测试市第{d + 1}主管部门", kind=UnitKind.DEPARTMENT, parent=region,
             path=f"{region.path}B{d:03d}/", sector="卫生健康")
        for d in range(-(-filings // (FILINGS_PER_UNIT * UNITS_PER_DEPARTMENT)))])
    units = Unit.objects.bulk_create([
        Unit(code=f"{department.code}{u:03d}", name=f"{department.name}所属第{u + 1}单位", parent=department,
             path=f"{department.path}{department.code}{u:03d}/", sector="卫生健康")
        for department in departments for u in range(UNITS_PER_DEPARTMENT)])
    finance = get_user_model().objects.create(username="bench_czj", first_name="基准测试财政")
    Membership.objects.create(user=finance, unit=region, role=Role.FINANCE)

    now = timezone.now()
    made = []
    for number in range(filings):
        seed = seeds[number % len(seeds)]
        status = STATUSES[number % len(STATUSES)]
        made.append(Filing(**_fields(seed, skip={"unit", "status", "source", "copied_from", "submitted_at",
                                                 "first_submitted_at", "submitted_by", "created_by"}),
                           unit=units[number // FILINGS_PER_UNIT], status=status, source=f"bench:{number}",
                           submitted_at=None if status == "draft" else now,
                           first_submitted_at=None if status == "draft" else now))
    made = Filing.objects.bulk_create(made, batch_size=500)

    departments_of = {seed.pk: getattr(seed, "department", None) for seed in seeds}
    projects_of = {seed.pk: getattr(seed, "project", None) for seed in seeds}
    tasks_of = {seed.pk: list(seed.tasks.all()) for seed in seeds}
    indicators_of = {seed.pk: list(seed.indicators.order_by("period", "order", "pk")) for seed in seeds}
    details, projects, tasks = [], [], []
    for number, filing in enumerate(made):
        seed = seeds[number % len(seeds)]
        if seed.kind == FilingKind.DEPARTMENT:
            details.append(DepartmentDetails(**_fields(departments_of[seed.pk], skip={"filing"}), filing=filing))
        else:
            projects.append(ProjectDetails(**_fields(projects_of[seed.pk], skip={"filing"}), filing=filing))
        tasks += [AnnualTask(**_fields(task, skip={"filing"}), filing=filing) for task in tasks_of[seed.pk]]
    DepartmentDetails.objects.bulk_create(details, batch_size=500)
    ProjectDetails.objects.bulk_create(projects, batch_size=500)
    AnnualTask.objects.bulk_create(tasks, batch_size=2000)

    count, batch = 0, []
    for number, filing in enumerate(made):
        rows = indicators_of[seeds[number % len(seeds)].pk]
        for order, row in enumerate(itertools.islice(itertools.cycle(rows), per_filing), start=1):
            batch.append(Indicator(**_fields(row, skip={"filing", "order"}), filing=filing, order=order))
        if len(batch) >= 20_000:
            count += len(Indicator.objects.bulk_create(batch, batch_size=2000))
            batch = []
    count += len(Indicator.objects.bulk_create(batch, batch_size=2000))
    # As in production, every filing carries its stored validation result (the write that made it stored it;
    # `manage.py refresh_checks` after the upgrade): the export reads it and validates nothing.
    from filings.checked import refresh_many

    refresh_many(Filing.objects.filter(source__startswith="bench:"))
    return count


# --- PostgreSQL: a throw-away database on the server DATABASE_URL names ------------------------------------------

def _admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username,
                           password=parts.password, dbname="postgres", autocommit=True)


def create_postgres_database(url: str, name: str | None = None) -> str:
    name = name or f"perfbudget_bench_{os.getpid()}"
    connection = _admin_connection(url)  # not `with connection`: that would open a transaction
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def drop_postgres_database(url: str):
    name = urlsplit(url).path.lstrip("/")
    connection = _admin_connection(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        connection.close()


# --- the measured child process --------------------------------------------------------------------------------

def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Stopwatch:
    """Seconds spent inside wrapped functions."""

    def __init__(self):
        self.seconds = 0.0

    def wrap(self, function):
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started
        return timed


def child(args) -> dict:
    setup_django(args.database_url)
    import tracemalloc

    from django.contrib.auth import get_user_model
    from django.db import connection

    from filings import queues
    from filings.access import Scope
    from filings.exports.excel import consolidated

    user = get_user_model().objects.get(username=args.user)
    filings = queues.Filters().apply(Scope.of(user).filings())
    loading, validating, saving, summary = Stopwatch(), Stopwatch(), Stopwatch(), Stopwatch()
    consolidated._load = loading.wrap(consolidated._load)
    consolidated.write_summary = summary.wrap(consolidated.write_summary)
    consolidated.validate_filing = validating.wrap(consolidated.validate_filing)
    consolidated.Workbook.save = saving.wrap(consolidated.Workbook.save)
    consolidated.splice = saving.wrap(consolidated.splice)
    connection.ensure_connection()
    baseline = _rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    started, cpu = time.perf_counter(), _cpu_seconds()
    with tempfile.TemporaryDirectory(prefix="perfbudget-export-") as folder:
        target = Path(folder) / "export.xlsx"
        counts = consolidated.write_consolidated(filings, target, chunk_size=args.chunk_size)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        size = target.stat().st_size
    result = {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": _rss_mb(), "baseline_rss_mb": baseline,
              "bytes": size, "filings": counts.filings, "indicators": counts.indicators, "loading": loading.seconds,
              "validating": validating.seconds, "saving": saving.seconds, "summary": summary.seconds,
              "load": " ".join(f"{value:.1f}" for value in os.getloadavg())}
    if args.tracemalloc:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    return result


def run_child(database_url: str, args, mode: str) -> dict:
    """Run `mode` (build / export / traced) in a fresh interpreter and return what it printed as JSON.

    The parent never imports Django nor holds data: a child's ru_maxrss starts from the RSS of the process it was
    forked from, so the export's peak is only its own if its parent is small."""
    command = [sys.executable, __file__, f"--{mode}", "--database-url", database_url, "--chunk-size",
               str(args.chunk_size), "--filings", str(args.filings), "--indicators", str(args.indicators),
               "--user", args.user]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def build(args) -> dict:
    setup_django(args.database_url)
    import django

    started = time.perf_counter()
    made = build_region(args.filings, args.indicators)
    assert made == args.filings * args.indicators, made
    return {"seconds": time.perf_counter() - started, "django": django.get_version(), "rss_mb": _rss_mb()}


# --- the report --------------------------------------------------------------------------------------------------

def report(result: dict, traced: dict | None, built: dict, backend: str, args) -> bool:
    met = result["seconds"] <= TARGET_SECONDS and result["peak_rss_mb"] <= TARGET_MB
    rows = result["seconds"] - result["loading"] - result["validating"] - result["saving"] - result["summary"]
    print(f"导出Excel汇总：{result['filings']} 份申报表、{result['indicators']} 行指标，分块 {args.chunk_size} 份")
    print(f"Python {platform.python_version()} · Django {built['django']} · {backend} · "
          f"{os.cpu_count()} 个 CPU 核 · 造数 {built['seconds']:.0f} s · 负载 {result['load']}")
    print()
    print("| 项目 | 数值 |")
    print("|---|---:|")
    print(f"| 墙钟时间 | {result['seconds']:.1f} s |")
    print(f"| CPU 时间（子进程，用户态 + 内核态） | {result['cpu_seconds']:.1f} s |")
    print(f"| 其中：读取申报表、明细与指标 | {result['loading']:.1f} s |")
    print(f"| 其中：核对（validate_filing） | {result['validating']:.1f} s |")
    print(f"| 其中：指标行（直接写 XML） | {rows:.1f} s |")
    print(f"| 其中：申报表行（直接写 XML） | {result['summary']:.1f} s |")
    print(f"| 其中：保存（openpyxl 保存，拼入指标行并压缩） | {result['saving']:.1f} s |")
    print(f"| 峰值 RSS（子进程） | {result['peak_rss_mb']:.0f} MB |")
    print(f"| 导出前 RSS（Django 已载入） | {result['baseline_rss_mb']:.0f} MB |")
    if traced:
        print(f"| tracemalloc 峰值（另一次运行，{traced['seconds']:.0f} s） | {traced['traced_peak_mb']:.0f} MB |")
    print(f"| 文件大小 | {result['bytes'] / 2**20:.1f} MiB |")
    print()
    print(f"目标：≤ {TARGET_SECONDS} s 且 ≤ {TARGET_MB} MB —— {'达到' if met else '未达到'}")
    return met


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=5000, help="filings in the region (default 5000)")
    parser.add_argument("--indicators", type=int, default=60, help="indicators per filing (default 60)")
    parser.add_argument("--chunk-size", type=int, default=200, help="filings read per chunk (default 200)")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the tracemalloc peak (slow)")
    for mode in ("build", "export", "traced"):
        parser.add_argument(f"--{mode}", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--db", help="export an existing PostgreSQL database on DATABASE_URL's server (e.g. a "
                                     "clone of bench/province.py's), building and dropping nothing")
    parser.add_argument("--keep", metavar="NAME", help="build into PostgreSQL database NAME and keep it (for --db)")
    parser.add_argument("--user", default="bench_czj", help="whose scope is exported (default bench_czj; with "
                                                            "--db, e.g. the province's 财政 member)")
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(args)))
        return 0
    if args.export or args.traced:
        args.tracemalloc = args.traced
        print(json.dumps(child(args)))
        return 0

    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if args.db:
        if not postgres:
            parser.error("--db needs DATABASE_URL pointing at the PostgreSQL server")
        url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{args.db}"))
        result = run_child(url, args, "export")
        traced = run_child(url, args, "traced") if args.tracemalloc else None
        built = {"seconds": 0, "django": "(existing database)"}
        return 0 if report(result, traced, built, f"PostgreSQL {args.db}", args) else 1
    with tempfile.TemporaryDirectory(prefix="perfbudget-bench-") as folder:
        url = create_postgres_database(os.environ["DATABASE_URL"], args.keep) if postgres \
            else f"sqlite:///{folder}/bench.sqlite3"
        try:
            built = run_child(url, args, "build")
            result = run_child(url, args, "export")
            traced = run_child(url, args, "traced") if args.tracemalloc else None
        finally:
            if postgres and not args.keep:
                drop_postgres_database(url)
    return 0 if report(result, traced, built, "PostgreSQL" if postgres else "SQLite", args) else 1


if __name__ == "__main__":
    sys.exit(main())

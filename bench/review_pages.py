"""Server time and CPU of the 检查 (check) page and the 审核 (review) page of a filing with 100 indicator rows.

Standalone, like `indicator_step.py`: builds a throw-away SQLite database (migrate + load_demo), copies seed 000's
department filing to a new year, fills it up to --rows indicators, submits it as the unit's filer and adds a few open
remarks of the 主管部门's reviewer. Then, with Django's test client, the filer (`cs_zyy`) opens its check page and
the reviewer (`cs_wjw`, who reviews it now) its review page. For each request the server's wall time and CPU time
(`time.process_time`) are taken between Django's request_started and request_finished signals. Prints the median,
min and max of --runs requests each, and the queries of one.

    .venv/bin/python bench/review_pages.py [--rows 100] [--runs 30]
    .venv/bin/python bench/review_pages.py --profile review      # cProfile of 20 review-page requests
    .venv/bin/python bench/review_pages.py --dump DIR            # the pages' normalised text and form fields

`--dump` writes, for the bench filing, seed 000's department filing and a project filing with errors, the text of
the check and review pages (tags removed, whitespace collapsed, CSRF tokens blanked) and the names, values and
option labels of their form fields, one file per page: run it before and after a change and compare with diff.
"""

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

from indicator_step import setup_django  # bench/ is the script's folder, first on sys.path
from server_clock import ServerClock

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 60
VALUES = ["≥95%", "≤30万元", "{year}年12月底前", "有效提高", "100人次", "≥98.5%", "较上年提高", "≤50元/人次"]


class PageText(HTMLParser):
    """A page as compared before and after a change: its text, and every form field with its value and options."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.fields, self.skip, self.option = [], [], 0, None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in {"script", "style"}:
            self.skip += 1
        if tag in {"input", "textarea", "select", "button"} and attributes.get("name"):
            value = "" if attributes["name"] == "csrfmiddlewaretoken" else attributes.get("value", "")
            self.fields.append(f"{tag} {attributes['name']}={value!r}"
                               + (" checked" if "checked" in attributes else "")
                               + (" disabled" if "disabled" in attributes else ""))
        if tag == "option":
            self.option = [attributes.get("value", ""), "selected" in attributes, ""]

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self.skip -= 1
        if tag == "option" and self.option is not None:
            value, selected, label = self.option
            self.fields.append(f"  option {value!r} {label.strip()!r}" + (" selected" if selected else ""))
            self.option = None

    def handle_data(self, data):
        if self.option is not None:
            self.option[2] += data
        if not self.skip:
            self.text.append(data)

    def normalised(self) -> str:
        text = re.sub(r"\s+", " ", " ".join(self.text)).strip()
        text = re.sub(r"\d{1,2}:\d{2}", "hh:mm", text)  # the moment of the bench's own submission
        return text + "\n\n" + "\n".join(self.fields) + "\n"


def normalised(content: bytes) -> str:
    parser = PageText()
    parser.feed(content.decode())
    return parser.normalised()


def build_filings(rows: int):
    """(the submitted bench filing, seed 000's department filing, a project filing with errors), the filer and the
    reviewer."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from filings.demo import load_demo
    from filings.models import AnnualTask, Filing, Indicator, ReviewComment
    from filings.review import add_remark
    from filings.services import copy_filing
    from filings.workflow import submit
    from indicators.models import Category

    call_command("migrate", verbosity=0)
    load_demo()
    users = get_user_model().objects
    filer, reviewer = users.get(username="cs_zyy"), users.get(username="cs_wjw")
    seed = Filing.objects.with_related().get(source="seed:s0-dept")
    filing = copy_filing(seed, seed.year + 4, filer, keep_amounts=True)
    level2 = list(Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False).order_by("pk"))
    start = filing.indicators.count()
    extra = []
    for number in range(start, rows):
        row = Indicator(filing=filing, category=level2[number % len(level2)], order=number + 1,
                        name=f"三级指标{number + 1}",
                        value_text=VALUES[number % len(VALUES)].format(year=filing.year))
        row.apply_reading()
        extra.append(row)
    Indicator.objects.bulk_create(extra)
    filing = Filing.objects.with_related().get(pk=filing.pk)
    department = filing.department  # what seed 000 leaves blank and a submission requires
    department.function_basis, department.subordinate_units = "柴编发〔2021〕12号", "无"
    department.functions_changed, department.is_primary_department = False, False
    department.save()
    tasks = list(filing.tasks.order_by("order"))
    budget = department.expenditure_total or department.funds_total or department.income_total
    for number, task in enumerate(tasks):  # the tasks' amounts add up to the budget (A7)
        task.amount_total = budget if number == 0 else 0
        task.amount_fiscal = task.amount_other = None
    AnnualTask.objects.bulk_update(tasks, ["amount_total", "amount_fiscal", "amount_other"])
    filing.saved_steps = sorted({*filing.saved_steps, "indicators"})
    filing.save(update_fields=["saved_steps"])
    submit(Filing.objects.with_related().get(pk=filing.pk), filer, expected_status="draft")
    first = filing.indicators.order_by("order").first()
    for step, field_name, row_kind, row, text in [
        ("", "", "", None, "整表请再核对一遍。"),
        ("budget", "", "", None, "预算情况的说明不够具体。"),
        ("unit", "function_basis", "", None, "批文号请写全。"),
        ("indicators", "", "indicator", first.pk, "这个指标值偏低。"),
    ]:
        add_remark(ReviewComment(filing=filing, author=reviewer, text=text, step=step, field=field_name,
                                 row_kind=row_kind, row=row))
    # A project filing with errors, in review (a fixture: set directly, as no submission would let it through).
    project = Filing.objects.filter(kind="project", unit=filing.unit).order_by("pk").first()
    errors = None
    if project is not None:
        errors = copy_filing(project, project.year + 4, filer, keep_amounts=False)
        Filing.objects.filter(pk=errors.pk).update(status="submitted", submitted_by=filer)
    return [filing.pk, seed.pk, errors.pk if errors else None], filer, reviewer


def clients(filer, reviewer):
    from django.test import Client

    as_filer, as_reviewer = Client(), Client()
    as_filer.force_login(filer)
    as_reviewer.force_login(reviewer)
    return as_filer, as_reviewer


def page(client, name, pk):
    from django.urls import reverse

    response = client.get(reverse(f"filings:{name}", args=[pk]))
    assert response.status_code == 200, (name, pk, response.status_code, response.get("Location"))
    return response


def requests(filing_pk, as_filer, as_reviewer):
    return [
        ("GET 检查（填报人）", lambda: page(as_filer, "check", filing_pk)),
        ("GET 审核（审核人）", lambda: page(as_reviewer, "review", filing_pk)),
        ("GET 审核（填报人）", lambda: page(as_filer, "review", filing_pk)),
    ]


def measure(rows: int, runs: int):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    (filing_pk, _, _), filer, reviewer = build_filings(rows)
    as_filer, as_reviewer = clients(filer, reviewer)
    clocks = ServerClock()
    calls = requests(filing_pk, as_filer, as_reviewer)
    sizes = {}
    for _ in range(3):  # warm up: templates compiled, caches filled
        for name, call in calls:
            sizes[name] = len(call().content)
    results = {name: ([], []) for name, _ in calls}
    for _ in range(runs):  # interleaved, so that the machine's noise falls on every page alike
        for name, call in calls:
            call()
            results[name][0].append(clocks.elapsed * 1000)
            results[name][1].append(clocks.cpu * 1000)
    queries = {}
    for name, call in calls:
        with CaptureQueriesContext(connection) as captured:
            call()
        queries[name] = len(captured)
    return results, queries, sizes


def profile(rows: int, which: str):
    import cProfile
    import pstats

    (filing_pk, _, _), filer, reviewer = build_filings(rows)
    as_filer, as_reviewer = clients(filer, reviewer)
    call = dict(requests(filing_pk, as_filer, as_reviewer))[
        {"check": "GET 检查（填报人）", "review": "GET 审核（审核人）"}[which]]
    for _ in range(3):
        call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler).sort_stats("cumulative")
    stats.print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def dump(rows: int, folder: Path):
    """The check and review pages of the bench filing and of every seed filing: as a draft (the filer's check and
    review pages), then in review with a remark on a field and on an indicator (the review page of everyone who may
    see it: the reviewer whose turn it is gets the remark form)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from filings.access import can_review, visible_filings
    from filings.models import Filing, ReviewComment
    from filings.review import add_remark

    bench_pk = build_filings(rows)[0][0]
    folder.mkdir(parents=True, exist_ok=True)
    users = list(get_user_model().objects.filter(memberships__isnull=False).distinct().order_by("username"))
    logged_in = {}

    def client_of(user):
        from django.test import Client

        if user.username not in logged_in:
            logged_in[user.username] = Client()
            logged_in[user.username].force_login(user)
        return logged_in[user.username]

    def write(label, filing_pk, only=None):
        for user in users:
            if only and user.username not in only:
                continue
            if not visible_filings(user).filter(pk=filing_pk).exists():
                continue
            for name in ["check", "review"]:
                response = client_of(user).get(reverse(f"filings:{name}", args=[filing_pk]))
                if response.status_code != 200:
                    continue
                (folder / f"{label}-{name}-{user.username}.txt").write_text(normalised(response.content))

    write("bench", bench_pk)
    for filing in Filing.objects.filter(source__startswith="seed:").order_by("source"):
        label = filing.source.removeprefix("seed:")
        write(f"{label}-draft", filing.pk)
        member = filing.unit.memberships.filter(role="filer").select_related("user").first()
        Filing.objects.filter(pk=filing.pk).update(status="submitted", submitted_by=member.user)
        block = next(b for b in filing.variant.description.blocks if b.type == "fields" and b.entries)
        row = filing.indicators.order_by("period", "order").last()
        for user in users:
            if can_review(user, Filing.objects.with_related().get(pk=filing.pk)):
                add_remark(ReviewComment(filing=filing, author=user, text="请核对。", step=block.step,
                                         field=block.entries[0].fields[0]))
                if row is not None:
                    add_remark(ReviewComment(filing=filing, author=user, text="指标值偏低。", step="indicators",
                                             row_kind="indicator", row=row.pk))
        write(f"{label}-review", filing.pk)
    print(f"已写出 {len(list(folder.iterdir()))} 个页面到 {folder}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100, help="indicator rows in the filing (default 100)")
    parser.add_argument("--runs", type=int, default=30, help="timed requests of each kind (default 30)")
    parser.add_argument("--profile", choices=["check", "review"], help="print a cProfile of one page instead")
    parser.add_argument("--dump", type=Path, help="write the pages' normalised text to this folder instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perfbudget-bench-") as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        import django

        if args.profile:
            profile(args.rows, args.profile)
            return 0
        if args.dump:
            dump(args.rows, args.dump)
            return 0
        results, queries, sizes = measure(args.rows, args.runs)
        print(f"检查页与审核页，{args.rows} 行指标，每项 {args.runs} 次（服务器端，毫秒）")
        print(f"Python {platform.python_version()} · Django {django.get_version()} · SQLite · "
              f"{os.cpu_count()} 个 CPU 核 · 负载 {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print()
        print("| 请求 | 时间中位数 | 最小 | 最大 | CPU 中位数 | CPU 最小 | SQL 查询 | 页面 KiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        over = False
        for name, (wall, cpu) in results.items():
            over |= statistics.median(cpu) > TARGET_MS
            print(f"| {name} | {statistics.median(wall):.1f} | {min(wall):.1f} | {max(wall):.1f} | "
                  f"{statistics.median(cpu):.1f} | {min(cpu):.1f} | {queries[name]} | {sizes[name] // 1024} |")
        print()
        print(f"目标：CPU 中位数 ≤ {TARGET_MS} ms —— {'未达到' if over else '达到'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

"""Server time of the indicator step (绩效指标) with 100 rows: GET (render) and POST (save every row).

Standalone: builds a throw-away SQLite database (migrate + load_demo), copies seed 000's department filing to a
new year and fills it up to --rows indicators, then drives the step with Django's test client, signed in as the
unit's filer. The time of each request is taken on the server side, from Django's request_started to
request_finished signals (URL routing, access check, form validation, saving, validation report, rendering; not
the test client's own encoding of the POST body), and the CPU time of the bench's process over the same span (the
test client runs the view in-process; SQLite too). Prints the median CPU time, the median, min and max wall time
of --runs requests each, and the load average before and after.

    .venv/bin/python bench/indicator_step.py [--rows 100] [--runs 20]
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from server_clock import ServerClock  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
# Issue 16: server CPU per request, medians (GET renders the editor, POST saves every row).
TARGETS_MS = {"get": 100, "post": 120}
VALUES = ["≥95%", "≤30万元", "2026年12月底前", "有效提高", "100人次", "≥98.5%", "较上年提高", "≤50元/人次"]


class FormFields(HTMLParser):
    """The fields of the wizard form as a browser submits them (inputs and text areas)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data, self.inside, self.in_template, self.textarea = {}, False, False, None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and "wizard-form" in (attributes.get("class") or "").split():
            self.inside = True
        elif tag == "template":
            self.in_template = True
        elif self.inside and not self.in_template and tag == "input" and attributes.get("name"):
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.data[attributes["name"]] = attributes.get("value") or "on"
            elif kind not in {"submit", "button"}:
                self.data[attributes["name"]] = attributes.get("value") or ""
        elif self.inside and not self.in_template and tag == "textarea" and attributes.get("name"):
            self.textarea = attributes["name"]
            self.data[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template = False
        elif tag == "textarea" and self.textarea:
            self.data[self.textarea] = self.data[self.textarea].removeprefix("\n")
            self.textarea = None
        elif tag == "form":
            self.inside = False

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def form_fields(content: bytes) -> dict[str, str]:
    parser = FormFields()
    parser.feed(content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def setup_django(database: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("PERFBUDGET_DEMO", "1")  # the demo users keep their password (no change at first login)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The demo users' passwords are hashed once while loading; that is not what is measured.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_filing(rows: int):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from filings.demo import load_demo
    from filings.models import Filing, Indicator
    from filings.services import copy_filing
    from indicators.models import Category

    call_command("migrate", verbosity=0)
    load_demo()
    user = get_user_model().objects.get(username="cs_zyy")
    seed = Filing.objects.with_related().get(source="seed:s0-dept")
    filing = copy_filing(seed, seed.year + 4, user, keep_amounts=True)
    level2 = list(Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False).order_by("pk"))
    start = filing.indicators.count()
    extra = []
    for number in range(start, rows):
        row = Indicator(filing=filing, category=level2[number % len(level2)], order=number + 1,
                        name=f"三级指标{number + 1}", value_text=VALUES[number % len(VALUES)])
        row.apply_reading()
        extra.append(row)
    Indicator.objects.bulk_create(extra)
    return filing, user


def measure(rows: int, runs: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from filings.models import Filing

    filing, user = build_filing(rows)
    client = Client()
    client.force_login(user)
    url = reverse("filings:step", args=[filing.pk, "indicators"])
    clock = ServerClock()

    def get():
        response = client.get(url)
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        return response

    def post(data):
        data["lock_version"] = str(Filing.objects.values_list("lock_version", flat=True).get(pk=filing.pk))
        # As a browser sends the form (it has no enctype): URL-encoded, not the test client's default multipart.
        response = client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
        assert response.status_code == 302, (response.status_code, response.content[:2000])
        return response

    page = get()
    data = {**form_fields(page.content), "save": ""}
    assert int(data["indicators-TOTAL_FORMS"]) == rows, data["indicators-TOTAL_FORMS"]
    for _ in range(2):  # warm up: templates compiled, caches filled
        get()
        post(data)

    results = {}
    for kind, name, call in [("get", "GET  绩效指标（渲染）", get), ("post", "POST 保存全部指标", lambda: post(data))]:
        times, cpu = [], []
        for _ in range(runs):
            call()
            times.append(clock.elapsed * 1000)
            cpu.append(clock.cpu * 1000)
        with CaptureQueriesContext(connection) as queries:
            call()
        results[kind] = (name, times, cpu, len(queries))
    return results, len(page.content)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100, help="indicator rows in the filing (default 100)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests of each kind (default 20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perfbudget-bench-") as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        import django

        load_before = os.getloadavg()
        results, page_size = measure(args.rows, args.runs)
        load_after = os.getloadavg()
        print(f"绩效指标步骤，{args.rows} 行指标，每项 {args.runs} 次（服务器端，毫秒）")
        print(f"Python {platform.python_version()} · Django {django.get_version()} · SQLite · "
              f"{os.cpu_count()} 个 CPU 核 · 页面 {page_size // 1024} KiB · "
              f"负载 {load_before[0]:.2f} → {load_after[0]:.2f}")
        print()
        print("| 请求 | CPU 中位数 | 目标（CPU） | 时间中位数 | 最小 | 最大 | SQL 查询 |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        over = False
        for kind, (name, times, cpu, queries) in results.items():
            median = statistics.median(cpu)
            over |= median > TARGETS_MS[kind]
            print(f"| {name} | {median:.1f} | ≤ {TARGETS_MS[kind]} | {statistics.median(times):.1f} | "
                  f"{min(times):.1f} | {max(times):.1f} | {queries} |")
        print()
        print(f"目标：CPU 中位数 GET ≤ {TARGETS_MS['get']} ms，POST ≤ {TARGETS_MS['post']} ms —— "
              f"{'未达到' if over else '达到'}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

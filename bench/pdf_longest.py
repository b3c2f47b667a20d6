"""Render time of the longest filing the product allows: every text field at its limit, every table at its row cap.

Standalone: builds a throw-away SQLite database (migrate + load_demo), fills one seed filing of each form variant
named below to the limits (the model fields' max_length, the row caps of filings/limits.py), renders it once to warm
the process, then times --runs renders and prints the median wall and CPU time, the page count and the machine load.

    .venv/bin/python bench/pdf_longest.py [--runs 3] [--text prose|lines|latin] [--variant dept-jiangxi ...]

Text patterns: ``prose`` is Chinese sentences (break opportunities everywhere, a sentence end every 30 characters);
``lines`` is as many lines as a paragraph may hold, each as long as its share of the limit (the tallest text the
limits allow; one-line fields get the same text with spaces for the line breaks); ``latin`` is one unbroken word
(no break opportunity at all). Exit status 1 when a median exceeds the target (--target, 10 s).
"""

import argparse
import io
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 10.0
# One seed filing per layout that can hold the most: 江西 department (facts, budget, functions, tasks), 88号
# department (tasks with split amounts), 阳泉 project (narratives, 实施期 and 年度 side by side, landscape), 湖南
# project (the 绩效标准 column).
VARIANTS = {"dept-jiangxi": "s0-dept", "dept-mof88": "s2-dept", "proj-yangquan": "s3-proj1",
            "proj-hunan": "s4-proj1"}
PROSE = "围绕年度重点工作推进预算绩效管理，确保财政资金使用规范、安全、有效。"
LATIN = "performancebudgetmanagement"


def text_of(length: int, pattern: str = "prose", single_line: bool = False) -> str:
    """A text of exactly ``length`` characters in the given pattern, as the forms would accept it."""
    from filings.limits import line_limit
    from filings.text import one_line

    if pattern == "lines":
        width = -(-length // line_limit(length))  # characters per line, its line break included
        unit = (PROSE * 2)[:width - 1] + "\n"
    else:
        unit = {"prose": PROSE, "latin": LATIN}[pattern]
    text = (unit * (length // len(unit) + 1))[:length]
    text = text[:-1] + "。" if text.endswith("\n") else text  # forms strip the ends
    return one_line(text) if single_line else text


def limit_of(model, name: str) -> int:
    limit = model._meta.get_field(name).max_length
    if limit is None:
        raise ValueError(f"{model.__name__}.{name} has no max_length")
    return limit


def fill_to_limits(filing, pattern: str = "prose"):
    """Turn ``filing`` into the longest one the product allows (rows replaced, every text at its limit)."""
    from filings.layouts import catalogue
    from filings.limits import MAX_FUNCTION_ROWS, MAX_INDICATOR_ROWS, MAX_TASK_ROWS
    from filings.models import AnnualTask, Filing, FilingKind, FunctionItem, Indicator
    from filings.steps.shared import indicator_periods

    details = filing.department if filing.kind == FilingKind.DEPARTMENT else filing.project
    for name, field_spec in catalogue.data_fields(filing.kind).items():
        if field_spec.kind in {"text", "longtext"}:
            owner = filing if field_spec.owner == "filing" else details
            setattr(owner, name, text_of(field_spec.max_length, pattern, field_spec.kind == "text"))
    filing.save()
    details.save()
    amount = Decimal("123456789.12")
    rows = {FunctionItem: MAX_FUNCTION_ROWS, AnnualTask: MAX_TASK_ROWS}
    for model, count in rows.items():
        model.objects.filter(filing=filing).delete()
        texts = {f.name: f.get_internal_type() == "CharField" for f in model._meta.concrete_fields
                 if f.get_internal_type() in {"CharField", "TextField"}}
        model.objects.bulk_create([
            model(filing=filing, order=order,
                  **{name: text_of(limit_of(model, name), pattern, line) for name, line in texts.items()},
                  **({"amount_total": amount, "amount_fiscal": amount, "amount_other": 0} if model is AnnualTask
                     else {}))
            for order in range(1, count + 1)
        ])
    Indicator.objects.filter(filing=filing).delete()
    categories = list(filing.scheme.level2_categories().order_by("parent__order", "order"))
    periods = indicator_periods(filing)
    indicators = []
    for number in range(MAX_INDICATOR_ROWS):
        indicator = Indicator(
            filing=filing, period=periods[number % len(periods)], order=number,
            category=categories[number // len(periods) % len(categories)],
            **{name: text_of(limit_of(Indicator, name), pattern, True)
               for name in ("name", "value_text", "standard", "note")},
        )
        indicator.apply_reading()
        indicators.append(indicator)
    Indicator.objects.bulk_create(indicators)
    return Filing.objects.with_related().get(pk=filing.pk)


def text_size(filing) -> int:
    """Characters of free text the filing holds (fields and rows)."""
    from filings.layouts import catalogue
    from filings.models import FilingKind

    details = filing.department if filing.kind == FilingKind.DEPARTMENT else filing.project
    total = sum(len(getattr(filing if s.owner == "filing" else details, name) or "")
                for name, s in catalogue.data_fields(filing.kind).items() if s.kind in {"text", "longtext"})
    for rows, names in ((filing.functions.all(), ["name", "mid_term_goal", "annual_goal"]),
                        (filing.tasks.all(), ["name", "content", "related_goal"]),
                        (filing.indicators.all(), ["name", "value_text", "standard"])):
        total += sum(len(getattr(row, name)) for row in rows for name in names)
    return total


def setup(directory: Path):
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfbudget.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())


def page_count(pdf: bytes) -> int | str:
    """The PDF's pages as poppler's pdfinfo counts them ("?" without poppler-utils)."""
    if not shutil.which("pdfinfo"):
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--text", choices=["prose", "lines", "latin"], default="prose")
    parser.add_argument("--variant", action="append", choices=list(VARIANTS))
    parser.add_argument("--target", type=float, default=TARGET_S)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        setup(Path(temporary))
        from filings.exports.pdf import render_filing_pdf
        from filings.models import Filing

        print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"load before: {Path('/proc/loadavg').read_text().strip()}")
        failed = False
        for code in options.variant or list(VARIANTS):
            filing = Filing.objects.with_related().get(source=f"seed:{VARIANTS[code]}")
            filing = fill_to_limits(filing, options.text)
            pdf = render_filing_pdf(filing)  # warm-up
            walls, cpus = [], []
            for _ in range(options.runs):
                wall, cpu = time.perf_counter(), time.process_time()
                pdf = render_filing_pdf(filing)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            failed |= statistics.median(walls) > options.target
            print(f"{code} ({options.text}, {text_size(filing):,} characters, {page_count(pdf)} pages, "
                  f"{len(pdf) / 1e6:.1f} MB): wall median {statistics.median(walls):.2f} s "
                  f"(min {min(walls):.2f}, max {max(walls):.2f}), CPU median {statistics.median(cpus):.2f} s, "
                  f"n={options.runs}")
        print(f"load after: {Path('/proc/loadavg').read_text().strip()}")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

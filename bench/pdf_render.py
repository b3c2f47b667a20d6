"""Render time of the PDF declaration: seed 002's department table (66 indicators) and seed 003's first project.

Standalone: builds a throw-away SQLite database (migrate + load_demo), renders each filing a few times to warm the
process (fonts, templates), then times --runs renders and prints the median, min and max. In the same run, when
LibreOffice is installed (Debian package libreoffice-calc-nogui; not a dependency of the app), it times
`soffice --headless --convert-to pdf` of the same filing's Excel export for comparison (a cold soffice process
per conversion, as a server would run it).

    .venv/bin/python bench/pdf_render.py [--runs 15] [--office-runs 3]
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0
FILINGS = {"s2-dept": "seed 002 部门整体（66 个指标）", "s3-proj1": "seed 003 第一个项目"}


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
    call_command("load_demo", verbosity=0)


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def summary(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"


def office_convert(workbook: bytes, directory: Path) -> None:
    source = directory / "filing.xlsx"
    source.write_bytes(workbook)
    profile = directory / "profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(directory), str(source)], check=True, capture_output=True, timeout=300)
    assert (directory / "filing.pdf").stat().st_size > 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--office-runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        setup(directory)
        from filings.exports.excel.official import workbook_bytes
        from filings.exports.pdf import render_filing_pdf
        from filings.models import Filing

        print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        failed = False
        for key, label in FILINGS.items():
            filing = Filing.objects.with_related().get(source=f"seed:{key}")
            timed(lambda filing=filing: render_filing_pdf(filing), 3)  # warm-up
            times = timed(lambda filing=filing: render_filing_pdf(filing), options.runs)
            failed |= statistics.median(times) > TARGET_S
            print(f"{label}: WeasyPrint PDF {summary(times)}")
            if shutil.which("soffice") and options.office_runs:
                workbook = workbook_bytes(filing)
                office = timed(lambda workbook=workbook: office_convert(workbook, directory), options.office_runs)
                print(f"{label}: LibreOffice xlsx→pdf {summary(office)}")
            else:
                print(f"{label}: LibreOffice not installed (apt-get install libreoffice-calc-nogui) — skipped")
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""A reviewer asks the 工作台 for a 30-filing batch PDF and the consolidated export, watches both being built by a
background worker, is notified, and downloads both, while no request the browser makes takes much over a second."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from openpyxl import load_workbook
from playwright.sync_api import expect

from background.models import WorkerHeartbeat
from filings.models import FormVariant, Unit
from filings.services import create_project_filing

from ..downloads import private_files_dir, private_storage_in
from ..tasks import run_tasks
from .helpers import shoot, sign_in

YEAR, COUNT = 2031, 30
# Every page and htmx request should answer within about a second; 1.5 s leaves room for a loaded CI machine
# whose other core is busy rendering the PDFs in the worker.
SLOWEST_MS = 1500
ROOT = Path(__file__).resolve().parents[2]
# Rendering 30 PDFs takes 10–30 s on a loaded machine: the deadline for a job to finish.
BUILD_DEADLINE_S = 180


class WorkerThread(threading.Thread):
    """The background worker on SQLite, in a thread of the test process: claims and runs queued tasks every 0.2 s
    until stopped. An in-memory SQLite test database lives in one connection and cannot be shared with another
    process: the worker uses the test's, as Django's LiveServerThread does."""

    def __init__(self):
        super().__init__(name="test-download-worker", daemon=True)
        self.stopped, self.error = threading.Event(), None
        self.shared = {conn.alias: conn for conn in connections.all()
                       if conn.vendor == "sqlite" and conn.is_in_memory_db()}
        for conn in self.shared.values():
            conn.inc_thread_sharing()

    def run(self):
        for alias, conn in self.shared.items():
            connections[alias] = conn
        try:
            while not self.stopped.is_set():
                if not run_tasks():
                    self.stopped.wait(0.2)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
        finally:
            if not self.shared:
                connections.close_all()

    def stop(self):
        self.stopped.set()
        self.join(timeout=BUILD_DEADLINE_S)
        for conn in self.shared.values():
            conn.dec_thread_sharing()
        assert not self.is_alive(), "the worker did not stop"
        if self.error is not None:
            raise self.error


class WorkerProcess:
    """The real `manage.py worker` on the test's database (PostgreSQL), in a process of its own: rendering PDFs
    there does not take the GIL from the live server thread, whose answers are timed."""

    def __init__(self, log: Path):
        self.log = log
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
        env.update({
            # the test database of this pytest(-xdist) worker, e.g. test_perfbudget_gw0, on DATABASE_URL's server
            "DATABASE_URL": urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(
                path="/" + connection.settings_dict["NAME"])),
            "SECRET_KEY": os.environ["SECRET_KEY"], "PERFBUDGET_DEMO": "1",
            "PRIVATE_FILES_DIR": str(private_files_dir()), "PRIVATE_ACCEL_REDIRECT": "",
            "WORKER_HEARTBEAT_SECONDS": "1", "DJANGO_SETTINGS_MODULE": "perfbudget.settings", "PYTHONUNBUFFERED": "1",
        })
        with log.open("wb") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "manage.py", "worker", "--interval", "0.2"], cwd=ROOT, env=env, stdout=out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_until_beating(self) -> None:
        """Until its first heartbeat is in the database: its start-up (imports) is over before requests are timed."""
        deadline = time.monotonic() + 120
        while not WorkerHeartbeat.objects.filter(pid=self.popen.pid).exists():
            assert self.popen.poll() is None, f"the worker stopped:\n{self.output()}"
            assert time.monotonic() < deadline, f"no heartbeat from the worker after 120 s:\n{self.output()}"
            time.sleep(0.2)

    def stop(self) -> None:
        exited = self.popen.poll()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)
        assert exited is None, f"the worker stopped during the test ({exited}):\n{self.output()}"


@pytest.fixture
def worker(live_server, private_files, tmp_path):
    if connection.vendor == "sqlite":  # an in-memory test database: no other process can open it
        thread = WorkerThread()
        thread.start()
        yield thread
        thread.stop()
        return
    process = WorkerProcess(tmp_path / "worker.log")
    try:
        process.wait_until_beating()
        yield process
    finally:
        process.stop()


@pytest.fixture
def private_files(settings, tmp_path) -> Path:
    private_storage_in(settings, tmp_path / "private")
    settings.PRIVATE_ACCEL_REDIRECT = ""
    return private_files_dir()


@pytest.fixture
def thirty_filings(demo, private_files):
    unit = Unit.objects.get(code="063001")
    filer = get_user_model().objects.get(username="yq_sy")
    variant = FormVariant.objects.get(code="proj-yangquan")
    for number in range(COUNT):
        create_project_filing(unit, YEAR, variant, f"下载测试项目{number:02d}", filer)


def record_timings(page) -> list[tuple[str, float]]:
    """(request, milliseconds from its start to the response's end) of each page and htmx request finished."""
    seen = []

    def finished(request):
        if request.resource_type in {"document", "xhr", "fetch"}:
            seen.append((f"{request.method} {request.url}", request.timing["responseEnd"]))

    page.on("requestfinished", finished)
    return seen


def watch(page, name: str) -> list[str]:
    """Read the job page's state and count until it is finished; what it showed, in order, without repeats."""
    shown, deadline, shot = [], time.monotonic() + BUILD_DEADLINE_S, False
    job = page.locator("#download-job")
    while time.monotonic() < deadline:
        # state and count in one reading: htmx may swap the fragment between two
        state, count = job.evaluate("job => [job.dataset.state, job.querySelector('.download-count').innerText]")
        text = f"{state} {count}"
        if not shown or shown[-1] != text:
            shown.append(text)
        if state == "running" and counts([text]) and counts([text])[0] >= COUNT // 3 and not shot:
            shoot(page, f"downloads-{name}-running")
            shot = True
        if state in {"done", "failed", "expired"}:
            return shown
        page.wait_for_timeout(200)
    raise AssertionError(f"{name}: not finished after {BUILD_DEADLINE_S} s; it showed {shown}")


def counts(shown: list[str]) -> list[int]:
    return [int(match.group(1)) for text in shown if (match := re.search(r"已生成 (\d+) / ", text))]


def test_a_reviewer_watches_a_batch_and_an_export_being_built_and_downloads_both(
        page, thirty_filings, worker, tmp_path):
    sign_in(page, "yq_wjw")
    # Timed from here: the live server's very first request (the login page) pays for the test process's imports.
    timings = record_timings(page)
    page.goto(f"{page.base_url}/filings/queue/?tab=reviewed&year={YEAR}")

    page.get_by_role("button", name="批量下载PDF").click()
    expect(page.get_by_role("heading", name=re.compile("批量PDF"))).to_be_visible()
    expect(page.locator(".download-count")).to_contain_text(f"/ {COUNT} 份")
    shown = watch(page, "batch")
    assert shown[-1].startswith("done") and f"已生成 {COUNT} / {COUNT} 份" in shown[-1], shown
    moving = {n for n in counts(shown) if 0 < n < COUNT}
    assert moving, f"no count between 0 and {COUNT} was shown while it was being built: {shown}"
    # The page asks every second (plus its answer's time) and the worker writes its count every 0.5 s: a build that
    # takes 6 s or more is seen at two different counts at least (CI's builds take 10–30 s).
    took = int(re.search(r"用时 (\d+) 秒", shown[-1]).group(1))
    assert took < 6 or len(moving) >= 2, f"one count in {took} s: {shown}"
    expect(page.locator(".download-count")).to_contain_text("用时")
    expect(page.locator(".download-expiry")).to_contain_text("保留至")
    shoot(page, "downloads-batch-done")

    page.goto(f"{page.base_url}/filings/queue/?tab=reviewed&year={YEAR}")
    page.get_by_role("button", name="导出Excel汇总").click()
    expect(page.get_by_role("heading", name=re.compile("Excel汇总"))).to_be_visible()
    assert watch(page, "export")[-1].startswith("done")
    shoot(page, "downloads-export-done")

    # The notices: the navbar's count (as of the page's load: htmx only refreshed the job), the inbox, and each
    # notice leads to its job.
    page.reload()
    expect(page.locator("#nav-notifications .badge")).to_have_text("2")
    page.locator("#nav-notifications").click()
    notices = page.locator(".notifications a")
    expect(notices.filter(has_text="批量PDF已生成")).to_contain_text(f"共 {COUNT} 份")
    expect(notices.filter(has_text="Excel汇总已生成")).to_be_visible()
    notices.filter(has_text="批量PDF已生成").click()
    expect(page.locator("#download-job")).to_have_attribute("data-state", "done")

    with page.expect_download(timeout=60_000) as batch:
        page.get_by_role("link", name="下载文件").click()
    zip_path = tmp_path / "batch.zip"
    batch.value.save_as(zip_path)
    assert batch.value.suggested_filename.endswith(".zip") and f"{YEAR}年度" in batch.value.suggested_filename
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        assert len(names) == COUNT and all(archive.read(name).startswith(b"%PDF-") for name in names)

    page.goto(page.base_url + "/filings/downloads/")
    rows = page.locator("table.download-jobs tbody tr")
    expect(rows).to_have_count(2)
    with page.expect_download(timeout=60_000) as export:
        rows.filter(has_text="Excel汇总").get_by_role("link", name="下载", exact=True).click()
    xlsx_path = tmp_path / "export.xlsx"
    export.value.save_as(xlsx_path)
    sheet = load_workbook(xlsx_path)["申报表"]
    titles = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(titles) == COUNT

    slow = [(url, round(ms)) for url, ms in timings if ms > SLOWEST_MS]
    assert len(timings) > 10 and not slow, slow

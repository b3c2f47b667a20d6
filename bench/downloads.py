"""下载任务 as users see them: the request time of asking for a batch PDF or a consolidated export (POST → redirect),
of the 下载任务 page and of its progress poll, against the background time of the build (started → finished).

    .venv/bin/python bench/downloads.py [--filings 30] [--runs 3] [--backend database|rq]

Runs on its own with `tests/cluster.py`: a fresh PostgreSQL database on DATABASE_URL's server (else 127.0.0.1:5432,
dropped at the end) with the demo and `--filings` copies of seed 003's projects, one gunicorn app server and one
`manage.py worker`, driven over HTTP as the reviewer yq_wjw. The request's CPU time is that of the gunicorn worker
process (from /proc) across the request: it serves nothing else meanwhile.
"""

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import cluster  # noqa: E402 - after the path

YEAR = 2031
PASSWORD = "perfbudget-demo"  # the demo users' (tests/personas.py imports Django, this process does not)
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


class Measured:
    def __init__(self, browser: cluster.Browser, app_pid: int):
        self.browser, self.app_pid = browser, app_pid
        self.times: dict[str, list[tuple[float, float]]] = {}

    def __call__(self, what: str, method, *args, **kwargs) -> cluster.Response:
        before = cpu_seconds(self.app_pid)
        answer = method(*args, **kwargs)
        self.times.setdefault(what, []).append((answer.seconds, cpu_seconds(self.app_pid) - before))
        return answer


def one_run(group, server, measured: Measured, path: str, background: dict) -> None:
    browser = measured.browser
    asked = measured(f"{path} POST → 302", browser.post, f"{server.url}{path}", {"year": str(YEAR)})
    assert asked.status == 302, asked.status
    pk = int(asked.location.rstrip("/").rsplit("/", 1)[1])
    page = measured(f"{path} job page", browser.get, server.url + asked.location)
    assert page.status == 200
    while True:
        poll = measured(f"{path} poll", browser.get, server.url + asked.location, **{"HX-Request": "true"})
        if 'data-state="done"' in poll.text:
            break
        assert 'data-state="failed"' not in poll.text, poll.text
        time.sleep(1)  # the page's own htmx interval
    job = group.sql("SELECT extract(epoch FROM started_at - created_at), extract(epoch FROM finished_at - started_at),"
                    " attempts FROM filings_downloadjob WHERE id = %s", (pk,))[0]
    assert job[2] == 1, f"job {pk} was built {job[2]} times: the timing is not of one build"
    background.setdefault(path, []).append((float(job[0]), float(job[1])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--filings", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=["database", "rq"], default="database")
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the servers, drops the database

    server_url = cluster.postgres_server()
    name = f"perfbudget_bench_downloads_{os.getpid()}"
    redis, flush = cluster.redis_url() if options.backend == "rq" else ("", False)
    with tempfile.TemporaryDirectory(prefix="perfbudget-bench-") as workdir:
        group = cluster.Cluster(cluster.create_database(server_url, name), Path(workdir), backend=options.backend,
                                redis=redis, settings={"SWEEP_EVERY_SECONDS": "60", "TASK_STALE_SECONDS": "120"})
        try:
            group.manage("migrate", "-v", "0")
            group.manage("load_demo")
            cluster.add_project_filings(group, YEAR, options.filings)
            group.start_worker("worker")
            app = group.start_app("app")
            group.wait_for_workers(1)
            app_pid = cluster.descendants(app.popen.pid)[0]  # gunicorn's one sync worker
            browser = cluster.Browser()
            browser.sign_in(app.url, "yq_wjw", PASSWORD)
            measured, background = Measured(browser, app_pid), {}
            load_before = os.getloadavg()
            one_run(group, app, Measured(browser, app_pid), "/filings/batches/new/", {})  # warm-up
            for _ in range(options.runs):
                for path in ("/filings/batches/new/", "/filings/export/"):
                    one_run(group, app, measured, path, background)
            load_after = os.getloadavg()
        finally:
            group.stop()
            cluster.drop_database(server_url, name)
            if flush:
                cluster.flush_redis(redis)

    print(f"{options.filings} filings, {options.runs} runs, backend {options.backend}, {os.cpu_count()} cores; "
          f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    print("| request | median wall ms (max) | median CPU ms | requests |")
    print("|---|---:|---:|---:|")
    for what, times in measured.times.items():
        walls, cpus = [wall for wall, _ in times], [cpu for _, cpu in times]
        print(f"| {what} | {statistics.median(walls) * 1000:.0f} ({max(walls) * 1000:.0f}) | "
              f"{statistics.median(cpus) * 1000:.0f} | {len(times)} |")
    print("| background | median queued s | median built s (min–max) |")
    print("|---|---:|---:|")
    for path, runs in background.items():
        built = [seconds for _, seconds in runs]
        print(f"| {path} | {statistics.median(q for q, _ in runs):.2f} | "
              f"{statistics.median(built):.1f} ({min(built):.1f}–{max(built):.1f}) |")
    slowest = max(statistics.median(wall for wall, _ in times) for times in measured.times.values())
    return 1 if slowest > 1.0 else 0  # issue 15: nothing the user waits for takes over about a second in a request


if __name__ == "__main__":
    sys.exit(main())

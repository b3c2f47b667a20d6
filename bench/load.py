"""Deadline day against gunicorn (issue 16): the filers' and reviewers' mix over loopback, with bounded concurrency.

    .venv/bin/python bench/load.py --concurrency 4 --duration 60              # closed loop, no think time
    .venv/bin/python bench/load.py --users 200 --think 10-30 --duration 180   # open-ended users who think
    .venv/bin/python bench/load.py --concurrency 8 --duration 60 --vs 3f5abc1 # the same mix against another commit

A journey is what one person does after opening the browser. 80 % (--filer-share) are filers: sign in (the login
form, its POST, the redirect to 我的申报), open the 绩效指标 step of an editable filing (30 indicator rows), save it
with 保存并继续 (the POST and the page it leads to, which must say 已保存), and the 核对并提交 page. 20 % are reviewers
of a 主管部门: sign in (straight to the 工作台), the queue, the review page of a submitted filing and 审核通过 (the POST
and the review page it leads to, which must say 已审核通过). Every answer is checked — its status, and that the page
has what it should (the step form with its rows, the message, the action buttons) — so an error page never counts.

Data: a clone of the province database (--template, default pb_base_0_1, made by bench/province.py; users'
password "perfbudget-bench", no first-login change) named --db, made fresh for the run and dropped at the end
(--keep keeps it, --reuse uses an existing --db as it is). The bench then prepares, with plain SQL: the filer pool,
--pool editable (draft or returned) filings with their unit's filer, topped up to --rows indicator rows each by
copying the filing's own rows (the names numbered); and the reviewer pool, every submitted filing of a unit with
its 主管部门's reviewer. A filer journey takes the next filing of the pool in turn (the pool is larger than the
number of users, so no two journeys save one filing at the same time); a reviewer journey takes a filing no other
journey has had, so every approval is a real one (after the run the bench counts the approvals in the database).

Server: gunicorn with deploy/gunicorn.conf.py (sync workers; --workers, default 2, through GUNICORN_WORKERS) on a
free port of 127.0.0.1, production settings (DEBUG off, a SECRET_KEY, no demo mode), static files not requested (a
browser has them cached; nginx serves them in production). Ready when /healthz answers. The server's CPU is utime
+ stime of the master and every worker (and of reaped workers, through the master's cutime/cstime) from /proc,
read before and after the measured window; the client's own CPU is reported too (it shares the machine).

Modes: --concurrency C: C virtual users in a closed loop, each starting its next journey as soon as the last one
ended, for --duration seconds after --warmup seconds that are not counted. --users U --think A-B: U virtual users
who each wait a random A–B seconds before every request (the first wait spread over 0–B, so they do not arrive
together). Reported: requests, requests per server CPU-second and per second (counting the requests answered as
expected: a timed-out request or an error page is no work served), server CPU share of the cores, p50/p95/p99 of
all requests and per kind of request, journeys completed, errors by kind, load average.

--vs REV runs the same mix, in the same invocation, against a checkout of REV (`git archive` into a temporary
directory, this repository's .venv) on its own clone of the template, migrated back to REV's migrations with this
checkout's code; then prints the ratios. The two servers run one after the other, never at the same time.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import cluster  # noqa: E402 - after the path (plain SQL and processes: this process never imports Django)

PASSWORD = "perfbudget-bench"  # bench/province.py's users
TICK = os.sysconf("SC_CLK_TCK")
EDITABLE = ("draft", "returned")


# --- the data --------------------------------------------------------------------------------------------------------

@dataclass
class FilerTarget:
    username: str
    filing: int
    rows: int  # indicator rows the step must show


@dataclass
class ReviewTarget:
    username: str
    filing: int


def filer_pool(url: str, size: int, rows: int) -> list[FilerTarget]:
    """`size` editable filings with their unit's filer, each topped up to `rows` indicator rows."""
    with cluster.connect(url, autocommit=False) as db:
        found = db.execute(
            "SELECT f.id, u.username FROM filings_filing f"
            " JOIN filings_membership m ON m.unit_id = f.unit_id AND m.role = 'filer'"
            " JOIN auth_user u ON u.id = m.user_id"
            " WHERE f.status = ANY(%s) AND u.is_active ORDER BY f.id LIMIT %s", (list(EDITABLE), size)).fetchall()
        columns = [name for (name,) in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'filings_indicator'"
            " AND table_schema = current_schema() AND column_name <> 'id' ORDER BY ordinal_position")]
        names = ", ".join(f'"{c}"' for c in columns)
        order, name = columns.index("order"), columns.index("name")
        targets = []
        for filing, username in found:
            existing = db.execute(f'SELECT {names} FROM filings_indicator WHERE filing_id = %s ORDER BY "order", id',
                                  (filing,)).fetchall()
            if existing and len(existing) < rows:
                top = max(row[order] for row in existing)
                copies = []
                for number in range(rows - len(existing)):
                    copy = list(existing[number % len(existing)])
                    copy[order] = top + 1 + number
                    copy[name] = f"{copy[name]}{number + 2}"  # 完成数量2: one name once per category
                    copies.append(copy)
                with db.cursor() as cursor:
                    cursor.executemany(f"INSERT INTO filings_indicator ({names}) VALUES "
                                       f"({', '.join(['%s'] * len(columns))})",
                                       [[json.dumps(v) if isinstance(v, dict) else v for v in c] for c in copies])
            targets.append(FilerTarget(username, filing, max(rows, len(existing))))
        db.commit()
    return targets


def review_pool(url: str) -> list[ReviewTarget]:
    """Every submitted filing of a unit with its 主管部门's reviewer, in an order that mixes the 主管部门."""
    rows = cluster.query(url, (
        "SELECT f.id, u.username FROM filings_filing f JOIN filings_unit unit ON unit.id = f.unit_id"
        " JOIN filings_membership m ON m.unit_id = unit.parent_id AND m.role = 'reviewer'"
        " JOIN auth_user u ON u.id = m.user_id"
        " WHERE f.status = 'submitted' AND unit.kind = 'unit' AND u.is_active ORDER BY md5(f.id::text)"))
    return [ReviewTarget(username, filing) for filing, username in rows]


def approvals_since(url: str, since: float, usernames: list[str]) -> int:
    return cluster.query(url, (
        "SELECT count(*) FROM filings_transition t JOIN auth_user u ON u.id = t.actor_id"
        " WHERE t.action = 'approve' AND t.created_at >= to_timestamp(%s) AND u.username = ANY(%s)"),
        (since, usernames))[0][0]


def password_hash(checkout: Path, password: str) -> str:
    """`make_password(password)` with `checkout`'s settings (its first hasher and that hasher's parameters)."""
    code = ("import django; django.setup(); from django.contrib.auth.hashers import make_password; "
            f"print(make_password({password!r}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update({"SECRET_KEY": "bench-load-hash", "DJANGO_SETTINGS_MODULE": "perfbudget.settings",
                "DATABASE_URL": "sqlite:///:memory:"})
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", code], cwd=checkout, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def migrations(checkout: Path) -> dict[str, set[str]]:
    """Each app's migration names in a checkout."""
    return {init.parent.parent.name: {p.stem for p in init.parent.glob("[0-9]*.py")}
            for init in checkout.glob("*/migrations/__init__.py")}


def migrate_back(url: str, checkout: Path, workdir: Path) -> list[str]:
    """Unapply, with this checkout's code, the migrations `checkout` does not have (additive ones: columns, tables)."""
    ours, theirs = migrations(ROOT), migrations(checkout)
    done = []
    for app, names in sorted(ours.items()):
        if names - theirs.get(app, set()):
            target = max(theirs.get(app, set()) & names, default="zero")
            cluster.Cluster(url, workdir / "migrate").manage("migrate", app, target, "-v", "0")
            done.append(f"migrated back: {app} {target}")
    return done


# --- the server ------------------------------------------------------------------------------------------------------

def cpu_of(pid: int, children: bool) -> float:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
        return ticks / TICK
    return 0.0


class Server:
    """gunicorn as deploy/gunicorn.conf.py sets it up, from `checkout`, on a database."""

    def __init__(self, checkout: Path, database_url: str, workers: int, workdir: Path, name: str):
        self.checkout, self.database_url, self.workers, self.name = checkout, database_url, workers, name
        self.workdir = workdir / name
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log = self.workdir / "gunicorn.log"
        self.port = cluster.free_port()
        self.popen = None

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "GUNICORN_"))}
        env.pop("PERFBUDGET_DEMO", None)
        env.update({
            "DATABASE_URL": self.database_url, "SECRET_KEY": secrets.token_urlsafe(50), "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SETTINGS_MODULE": "perfbudget.settings",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_LOG_LEVEL": "warning", "PRIVATE_FILES_DIR": str(self.workdir / "private"),
            "STATIC_ROOT": str(self.workdir / "static"), "PYTHONUNBUFFERED": "1",
        })
        return env

    def start(self) -> "Server":
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "deploy/gunicorn.conf.py",
                 "--no-control-socket"], cwd=self.checkout, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)

        def healthy():
            assert self.popen.poll() is None, f"gunicorn ({self.name}) stopped:\n{self.output()}"
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                return connection.getresponse().status == 200
            return False

        cluster.wait_for(healthy, 120, f"gunicorn ({self.name}) to answer /healthz")
        cluster.wait_for(lambda: len(self.worker_pids()) >= self.workers, 60, "gunicorn's workers")
        return self

    def worker_pids(self) -> list[int]:
        return cluster.descendants(self.popen.pid)

    def cpu(self) -> float:
        """Seconds of CPU of the master, its workers and the workers it has reaped."""
        return cpu_of(self.popen.pid, children=True) + sum(cpu_of(pid, children=True) for pid in self.worker_pids())

    def output(self, last: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-last:] if self.log.exists() else ""

    def stop(self):
        if self.popen and self.popen.poll() is None:
            family = self.worker_pids()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, 15)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for pid in [*family, self.popen.pid]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, 9)
                self.popen.wait(timeout=10)


# --- a virtual user's browser ----------------------------------------------------------------------------------------

class JourneyFailed(Exception):
    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


@dataclass
class Page:
    status: int
    location: str
    text: str


class Recorder:
    """Every request's (kind, seconds, ok) and every failure, from all threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[str, float, bool]] = []
        self.errors: Counter = Counter()
        self.examples: dict[str, str] = {}
        self.journeys: Counter = Counter()
        self.approved: list[int] = []
        self.cpu_by_kind: dict[str, list[float]] = {}

    def cpu(self, kind: str, seconds: float):
        with self.lock:
            self.cpu_by_kind.setdefault(kind, []).append(seconds)

    def sample(self, kind: str, seconds: float, ok: bool):
        with self.lock:
            self.samples.append((kind, seconds, ok))

    def failure(self, kind: str, detail: str):
        with self.lock:
            self.errors[kind] += 1
            self.examples.setdefault(kind, detail[:300])

    def journey(self, kind: str):
        with self.lock:
            self.journeys[kind] += 1


class Browser:
    """Cookies of one session and a connection per request (gunicorn's sync workers close each one)."""

    def __init__(self, port: int, recorder: Recorder, timeout: float = 60, cpu_probe=None):
        self.port, self.recorder, self.timeout, self.cpu_probe = port, recorder, timeout, cpu_probe
        self.cookies: dict[str, str] = {}

    def request(self, kind: str, method: str, path: str, fields: list | None = None, expect=(200,),
                contains: tuple[str, ...] = (), immediate: bool = False) -> Page:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "perfbudget-bench-load",
                   "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Origin": f"http://127.0.0.1:{self.port}"})
        cpu_before = self.cpu_probe() if self.cpu_probe else 0.0
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                content = answer.read()
            finally:
                connection.close()
        except (OSError, http.client.HTTPException) as error:
            self.recorder.sample(kind, time.perf_counter() - started, False)
            raise JourneyFailed(f"{type(error).__name__}", f"{kind} {path}: {error}") from error
        seconds = time.perf_counter() - started
        if self.cpu_probe:
            self.recorder.cpu(kind, self.cpu_probe() - cpu_before)
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        page = Page(answer.status, answer.headers.get("Location", ""), content.decode("utf-8", "replace"))
        if answer.status not in expect:
            self.recorder.sample(kind, seconds, False)
            raise JourneyFailed(f"HTTP {answer.status}", f"{kind} {method} {path} → {answer.status} "
                                f"{page.location} {page.text[:200]}")
        missing = [text for text in contains if text not in page.text]
        if missing:
            self.recorder.sample(kind, seconds, False)
            raise JourneyFailed(f"content {kind}", f"{method} {path} lacks {missing}")
        self.recorder.sample(kind, seconds, True)
        return page

    def get(self, kind: str, path: str, **checks) -> Page:
        return self.request(kind, "GET", path, **checks)

    def post(self, kind: str, path: str, fields: list, **checks) -> Page:
        return self.request(kind, "POST", path, fields, **checks)

    def follow(self, kind: str, answer: Page, **checks) -> Page:
        """The redirect's target, as a browser asks for it: at once."""
        return self.get(kind, urlsplit(answer.location)._replace(scheme="", netloc="").geturl(), immediate=True,
                        **checks)


def form_fields(html: str, has: str) -> tuple[str, list[tuple[str, str]]]:
    """The action and the fields a browser submits from the first form containing `has` (buttons left out)."""
    document = lxml.html.fromstring(html)
    for form in document.iter("form"):
        if has in lxml.html.tostring(form, encoding="unicode"):
            break
    else:
        raise JourneyFailed("content form", f"no form with {has!r}")
    fields = []
    for element in form.iter("input", "select", "textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None or any(a.tag == "template" for a in element.iterancestors()):
            continue  # a <template>'s fields (a formset's empty row) are not the form's
        if element.tag == "input":
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                continue
            if kind in {"checkbox", "radio"} and element.get("checked") is None:
                continue
            fields.append((name, element.get("value", "on" if kind in {"checkbox", "radio"} else "")))
        elif element.tag == "select":
            options = element.findall(".//option")
            chosen = [o for o in options if o.get("selected") is not None] or options[:1]
            if element.get("multiple") is None:
                chosen = chosen[:1]
            fields += [(name, o.get("value", o.text_content())) for o in chosen]
        else:
            text = element.text or ""
            fields.append((name, text[1:] if text.startswith("\n") else text))  # as browsers read a textarea
    return form.get("action") or "", fields


def sign_in(browser: Browser, username: str, password: str, after: str, contains: tuple[str, ...]) -> Page:
    form = browser.get("登录页", "/accounts/login/", contains=('name="csrfmiddlewaretoken"',))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = browser.post("登录", "/accounts/login/", [
        ("csrfmiddlewaretoken", token), ("username", username), ("password", password), ("next", after)],
        expect=(302,))
    if urlsplit(answer.location).path != after:
        raise JourneyFailed("login", f"{username} was sent to {answer.location}, not {after}")
    return browser.follow("我的申报" if after == "/" else "工作台", answer, contains=contains)


def filer_journey(browser: Browser, target: FilerTarget, password: str, signed_in: bool = False):
    home = f"/filings/{target.filing}/"
    if signed_in:
        browser.get("我的申报", "/", contains=("我的申报", home))
    else:
        sign_in(browser, target.username, password, "/", ("我的申报", home))
    step = f"/filings/{target.filing}/step/indicators/"
    page = browser.get("指标步骤", step, contains=('name="lock_version"', "绩效指标"))
    _, fields = form_fields(page.text, 'name="lock_version"')
    rows = int(dict(fields).get("indicators-TOTAL_FORMS", 0))
    if rows != target.rows:
        raise JourneyFailed("content 指标步骤", f"{step} shows {rows} rows, not {target.rows}")
    saved = browser.post("指标保存", step, [*fields, ("continue", "")], expect=(302,))
    landing = browser.follow("保存后", saved, contains=("已保存",))
    if urlsplit(saved.location).path != f"/filings/{target.filing}/check/" or "核对并提交" not in landing.text:
        browser.get("核对页", f"/filings/{target.filing}/check/", contains=("核对并提交",))


def reviewer_journey(browser: Browser, target: ReviewTarget, password: str, signed_in: bool = False) -> None:
    queue = "/filings/queue/"
    if signed_in:
        browser.get("工作台", queue, contains=("待审核",))
    else:
        sign_in(browser, target.username, password, queue, ("待审核",))
    review = f"/filings/{target.filing}/review/"
    page = browser.get("审核页", review, contains=('value="approve"', "审核意见"))
    action, fields = form_fields(page.text, 'value="approve"')
    fields = [(name, "同意。" if name == "comment" else value) for name, value in fields]
    answer = browser.post("审核通过", action or f"/filings/{target.filing}/act/", [*fields, ("action", "approve")],
                          expect=(302,))
    browser.follow("审核后", answer, contains=("已审核通过",))


# --- the load --------------------------------------------------------------------------------------------------------

@dataclass
class Mix:
    filers: list[FilerTarget]
    reviews: list[ReviewTarget]
    filer_share: float = 0.8
    login_share: float = 1.0
    password: str = PASSWORD
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self.filer_queue, self.review_queue = deque(self.filers), deque(self.reviews)

    def next_filer(self) -> FilerTarget:
        with self.lock:
            target = self.filer_queue.popleft()
            self.filer_queue.append(target)
            return target

    def next_review(self) -> ReviewTarget | None:
        with self.lock:
            return self.review_queue.popleft() if self.review_queue else None


class VirtualUser(threading.Thread):
    """Journeys one after the other until `stop` is set; with `think`, a random pause before every request."""

    def __init__(self, number: int, mix: Mix, port: int, recorder: Recorder, stop: threading.Event,
                 think: tuple[float, float] | None, rng: random.Random, cpu_probe=None):
        super().__init__(name=f"user-{number}", daemon=True)
        self.mix, self.port, self.recorder, self.stop_event, self.think, self.rng = (
            mix, port, recorder, stop, think, rng)
        self.cpu_probe = cpu_probe
        self.sessions: dict[str, Browser] = {}  # kept between journeys when --login-share < 1

    def pause(self, first: bool = False):
        if self.think:
            low, high = self.think
            if self.stop_event.wait(self.rng.uniform(0, high) if first else self.rng.uniform(low, high)):
                raise InterruptedError

    def run(self):
        try:
            self.pause(first=True)
            while not self.stop_event.is_set():
                self.one_journey()
        except InterruptedError:
            pass

    def browser_for(self, username: str) -> tuple[Browser, bool]:
        keep = self.sessions.get(username)
        if keep is not None and self.rng.random() >= self.mix.login_share:
            return keep, True
        browser = _ThinkingBrowser(self)
        self.sessions[username] = browser
        return browser, False

    def one_journey(self):
        review = self.mix.next_review() if self.rng.random() >= self.mix.filer_share else None
        kind = "reviewer" if review else "filer"
        target = review or self.mix.next_filer()
        browser, signed_in = self.browser_for(target.username)
        try:
            if review:
                reviewer_journey(browser, review, self.mix.password, signed_in)
                with self.recorder.lock:
                    self.recorder.approved.append(review.filing)
            else:
                filer_journey(browser, target, self.mix.password, signed_in)
            self.recorder.journey(kind)
        except JourneyFailed as failure:
            self.recorder.failure(failure.kind, failure.detail)
            self.recorder.journey(f"{kind} failed")
            self.sessions.pop(target.username, None)


class _ThinkingBrowser(Browser):
    """A browser whose user thinks before each request (and stops thinking when the run ends)."""

    def __init__(self, user: VirtualUser):
        super().__init__(user.port, user.recorder, cpu_probe=user.cpu_probe)
        self.user = user

    def request(self, *args, immediate: bool = False, **kwargs):
        if not immediate:
            self.user.pause()
        return super().request(*args, **kwargs)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run_load(server: Server, mix: Mix, users: int, duration: float, warmup: float,
             think: tuple[float, float] | None, seed: int, per_request_cpu: bool = False) -> dict:
    """Warm up (not counted), then `duration` seconds of `users` virtual users; what was measured."""
    warm, warm_started = Recorder(), time.time()
    if warmup:  # the workers' first requests load templates and fill caches
        _drive(server, mix, min(users, 4) if think else users, warmup, None, warm, seed + 1)
    recorder = Recorder()
    load_before = load_average()
    cpu_before, client_before, started = server.cpu(), time.process_time(), time.monotonic()
    wall_started = time.time()
    _drive(server, mix, users, duration, think, recorder, seed, server.cpu if per_request_cpu else None)
    wall = time.monotonic() - started
    cpu, client = server.cpu() - cpu_before, time.process_time() - client_before
    times = [seconds for _kind, seconds, _ok in recorder.samples]
    kinds: dict[str, list[float]] = {}
    for kind, seconds, ok in recorder.samples:
        if ok:
            kinds.setdefault(kind, []).append(seconds)
    ok_requests = sum(ok for _kind, _seconds, ok in recorder.samples)
    return {
        "users": users, "think": list(think) if think else None, "duration": round(wall, 1),
        "requests": len(times), "ok_requests": ok_requests, "server_cpu": round(cpu, 2),
        "client_cpu": round(client, 2),
        # answered as expected: a request the client gave up on (timeout) or an error page is not served work
        "requests_per_cpu_second": round(ok_requests / cpu, 2) if cpu else None,
        "requests_per_second": round(ok_requests / wall, 2), "cores_busy": round(cpu / wall, 2),
        "p50": percentile(times, 0.5), "p95": percentile(times, 0.95), "p99": percentile(times, 0.99),
        "max": max(times, default=float("nan")),
        "by_kind": {kind: {"n": len(v), "p50": statistics.median(v), "p95": percentile(v, 0.95),
                           "p99": percentile(v, 0.99)} for kind, v in kinds.items()},
        "cpu_by_kind": {kind: {"n": len(v), "p50": statistics.median(v), "mean": statistics.fmean(v)}
                        for kind, v in recorder.cpu_by_kind.items()},
        "journeys": dict(recorder.journeys), "errors": dict(recorder.errors), "examples": recorder.examples,
        "server_errors": sum(n for kind, n in recorder.errors.items() if kind.startswith("HTTP 5")),
        "approved": len(recorder.approved), "started_at": wall_started, "warmup_started_at": warm_started,
        "approved_with_warmup": len(recorder.approved) + len(warm.approved),
        "warmup": {"requests": len(warm.samples), "errors": dict(warm.errors), "examples": warm.examples},
        "load_before": load_before, "load_after": load_average(),
    }


def _drive(server, mix, users, duration, think, recorder, seed, cpu_probe=None):
    stop = threading.Event()
    threads = [VirtualUser(n, mix, server.port, recorder, stop, think, random.Random(seed * 1000 + n), cpu_probe)
               for n in range(users)]
    for thread in threads:
        thread.start()
    stop.wait(duration)
    stop.set()  # no new request starts; the ones under way end (their answers are counted, their CPU is too)
    for thread in threads:
        thread.join(timeout=120)


# --- reports ---------------------------------------------------------------------------------------------------------

def describe(label: str, result: dict) -> str:
    think = f", think {result['think'][0]:g}–{result['think'][1]:g} s" if result["think"] else ""
    lines = [
        f"{label}: {result['users']} users{think}, {result['duration']} s, load average {result['load_before']} → "
        f"{result['load_after']}",
        f"  requests {result['requests']} ({result['ok_requests']} ok), server CPU {result['server_cpu']} s "
        f"({result['cores_busy']} cores), client CPU {result['client_cpu']} s",
        f"  ok requests per server CPU-second {result['requests_per_cpu_second']}, ok requests/s "
        f"{result['requests_per_second']}",
        f"  latency ms p50 {result['p50'] * 1000:.0f}, p95 {result['p95'] * 1000:.0f}, p99 {result['p99'] * 1000:.0f}, "
        f"max {result['max'] * 1000:.0f}",
        f"  journeys {json.dumps(result['journeys'], ensure_ascii=False)}, approvals {result['approved']} "
        f"({result['approved_with_warmup']} with the warm-up; in the database: {result.get('approved_in_db')})",
        f"  errors {json.dumps(result['errors'], ensure_ascii=False)} (server errors {result['server_errors']})",
    ]
    for kind, detail in result["examples"].items():
        lines.append(f"    e.g. {kind}: {detail}")
    if result["warmup"]["errors"]:
        lines.append(f"  warm-up errors {json.dumps(result['warmup']['errors'], ensure_ascii=False)}: "
                     f"{json.dumps(result['warmup']['examples'], ensure_ascii=False)}")
    lines.append("  by kind (ok requests): " + "; ".join(
        f"{kind} n={v['n']} p50 {v['p50'] * 1000:.0f} p95 {v['p95'] * 1000:.0f} p99 {v['p99'] * 1000:.0f}"
        for kind, v in result["by_kind"].items()))
    if result["cpu_by_kind"]:
        lines.append("  server CPU ms per request (one user: nothing else in flight): " + "; ".join(
            f"{kind} n={v['n']} p50 {v['p50'] * 1000:.0f} mean {v['mean'] * 1000:.0f}"
            for kind, v in result["cpu_by_kind"].items()))
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------------------------------

def parse_think(text: str | None) -> tuple[float, float] | None:
    if not text:
        return None
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def export_checkout(rev: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


@dataclass
class Setup:
    label: str
    checkout: Path
    db: str
    made: bool = False


def prepare(setup: Setup, args, server_url: str, workdir: Path) -> tuple[str, Mix, list[str]]:
    url = cluster.with_database(server_url, setup.db)
    notes = []
    if not args.reuse:
        cluster.drop_database(server_url, setup.db)
        for attempt in range(30):  # the template may not have a visitor meanwhile
            try:
                cluster.create_database(server_url, setup.db, template=args.template)
                break
            except Exception as error:  # psycopg's ObjectInUse: someone is connected to the template
                if "being accessed" not in str(error) or attempt == 29:
                    raise
                time.sleep(1 + attempt % 3)
        setup.made = True
        if setup.checkout != ROOT:
            notes = migrate_back(url, setup.checkout, workdir)
    users = args.users or args.concurrency
    filers = filer_pool(url, max(args.pool, 2 * users), args.rows)
    reviews = review_pool(url)
    if not args.keep_hashes:  # the password as the checkout's own first hasher stores it: no upgrade at login
        hashed = password_hash(setup.checkout, PASSWORD)
        cluster.query(url, "UPDATE auth_user SET password = %s WHERE username = ANY(%s) RETURNING id",
                      (hashed, sorted({t.username for t in [*filers, *reviews]})))
        notes.append("password hash " + "$".join(hashed.split("$")[:-2]))  # the hasher and its parameters
    if len(filers) < 2 * users:
        sys.exit(f"only {len(filers)} editable filings for {users} users")
    mix = Mix(filers, reviews, args.filer_share, args.login_share)
    return url, mix, notes


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--concurrency", type=int, default=4, help="closed loop: this many users, no think time")
    parser.add_argument("--users", type=int, help="users who think (with --think) instead of --concurrency")
    parser.add_argument("--think", help="seconds a user waits before each request, e.g. 10-30")
    parser.add_argument("--duration", type=float, default=60, help="measured seconds (default 60)")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of load before measuring (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--template", default="pb_base_0_1", help="the province database to clone")
    parser.add_argument("--db", default="perfbudget_load", help="the clone's name (--vs: a second one with _vs)")
    parser.add_argument("--reuse", action="store_true", help="use --db as it is (no clone, not dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the clone at the end")
    parser.add_argument("--rows", type=int, default=30, help="indicator rows of the filers' step (default 30)")
    parser.add_argument("--pool", type=int, default=400, help="editable filings the filers share (default 400)")
    parser.add_argument("--filer-share", type=float, default=0.8, help="share of filer journeys (default 0.8)")
    parser.add_argument("--login-share", type=float, default=1.0,
                        help="share of journeys that sign in (else a user's kept session; default 1: all)")
    parser.add_argument("--keep-hashes", action="store_true",
                        help="keep the clone's password hashes (else the checkout's make_password, as at login)")
    parser.add_argument("--vs", help="also run the mix against this commit, and print the ratios")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if args.users and not args.think:
        parser.error("--users needs --think (e.g. 10-30); without think time use --concurrency")
    think = parse_think(args.think)
    users = args.users or args.concurrency
    server_url = cluster.postgres_server()
    workdir = Path(tempfile.mkdtemp(prefix="perfbudget-load-"))
    setups = [Setup("this checkout", ROOT, args.db)]
    if args.vs:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", args.vs], check=True,
                             capture_output=True, text=True).stdout.strip()
        setups.append(Setup(f"vs {rev}", export_checkout(args.vs, workdir / "vs"), f"{args.db}_vs"))
    results = {}
    try:
        for setup in setups:
            url, mix, notes = prepare(setup, args, server_url, workdir)
            print(f"{setup.label}: {setup.db}, {len(mix.filers)} filer filings ({args.rows} rows), "
                  f"{len(mix.reviews)} submitted filings to approve" + "".join(f"; {note}" for note in notes),
                  flush=True)
            server = Server(setup.checkout, url, args.workers, workdir, setup.label.replace(" ", "_"))
            try:
                server.start()
                result = run_load(server, mix, users, args.duration, args.warmup, think, args.seed,
                                  per_request_cpu=users == 1 and not think)
            finally:
                server.stop()
            result["approved_in_db"] = approvals_since(url, result["warmup_started_at"],
                                                       sorted({t.username for t in mix.reviews}))
            results[setup.label] = result
            print(describe(setup.label, result), flush=True)
            if result["server_errors"]:  # the tracebacks, without the access log
                print("\n".join(line for line in server.output(200_000).splitlines()
                                if not line.startswith("127.0.0.1 - ")), file=sys.stderr)
        if args.vs:
            ours, theirs = results[setups[0].label], results[setups[1].label]
            print(f"ratio this/vs: requests per server CPU-second "
                  f"{ours['requests_per_cpu_second'] / theirs['requests_per_cpu_second']:.2f}, p50 "
                  f"{theirs['p50'] / ours['p50']:.2f}× faster, p99 {theirs['p99'] / ours['p99']:.2f}× faster")
        if args.json:
            Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    finally:
        for setup in setups:
            if setup.made and not args.keep:
                cluster.drop_database(server_url, setup.db)
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if any(r["server_errors"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())

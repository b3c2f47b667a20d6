"""Several servers on one machine, for the several-servers test and `bench/downloads.py`: one fresh PostgreSQL
database, app servers (gunicorn) and workers (`manage.py worker`) as child processes that share it, the same
SECRET_KEY and one directory of private files (the "shared storage"); and a `Browser` that talks to them over real
HTTP with a cookie jar, as a user's browser does.

Nothing here imports Django: the processes are configured by their environment only, and the test process reads the
shared database with plain SQL (psycopg), so it sees exactly what the servers wrote.
"""

import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
FALLBACK_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
FALLBACK_REDIS = "redis://127.0.0.1:6379"


# --- waiting ---------------------------------------------------------------------------------------------------------

def wait_for(condition, timeout: float, what: str, interval: float = 0.2):
    """Poll `condition` until it answers something true (returned) or `timeout` seconds pass (AssertionError)."""
    deadline = time.monotonic() + timeout
    while True:
        answer = condition()
        if answer:
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- the database ----------------------------------------------------------------------------------------------------

def postgres_server() -> str:
    """A URL of a PostgreSQL server to make databases on: DATABASE_URL's when it names PostgreSQL (CI), else the
    local one at 127.0.0.1:5432."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else FALLBACK_SERVER


def with_database(url: str, name: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))


def connect(url: str, **options) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), **options)


def create_database(server: str, name: str, template: str | None = None) -> str:
    """A new database on `server` (a copy of `template` when given); its URL."""
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with connect(with_database(server, "postgres"), autocommit=True) as admin:
        admin.execute(statement)
    return with_database(server, name)


def drop_database(server: str, name: str) -> None:
    with connect(with_database(server, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def query(url: str, statement: str, params=()) -> list[tuple]:
    with connect(url, autocommit=True) as db:
        return db.execute(statement, params).fetchall()


# --- Redis (the RQ backend) ------------------------------------------------------------------------------------------

def redis_url() -> tuple[str, bool]:
    """REDIS_URL (CI's own server), else an empty database of the local server; and whether it was chosen here (and
    may be flushed at the end)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"], False
    import redis

    for index in range(15, 0, -1):
        url = f"{FALLBACK_REDIS}/{index}"
        if redis.Redis.from_url(url).dbsize() == 0:
            return url, True
    raise AssertionError(f"no empty database on the Redis server at {FALLBACK_REDIS}")


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- the processes ---------------------------------------------------------------------------------------------------

def descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux: read from /proc), children first."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                # the field after the parenthesised command name: state, then the parent's pid
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def running(pid: int) -> bool:
    """Whether `pid` is a live process (not gone, not a zombie waiting to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    port: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self, last: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-last:] if self.log.exists() else ""

    def kill(self, family: list[int] | None = None) -> None:
        """SIGKILL the process, its process group (a gunicorn master's workers) and its children in groups of their
        own (RQ's work-horse puts itself in a new group, so that a signal to the worker does not reach it): nothing
        of it gets to clean up."""
        for pid in [*(descendants(self.popen.pid) if family is None else family), self.popen.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)  # the child's own group, when it leads one
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def terminate(self) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)


@dataclass
class Cluster:
    """App servers and workers on one database; `stop` ends every process it started."""

    database_url: str
    workdir: Path
    backend: str = "database"  # or "rq"
    redis: str = ""
    settings: dict = field(default_factory=dict)  # more environment for every process
    processes: list[Process] = field(default_factory=list)

    def __post_init__(self):
        self.private_dir = self.workdir / "private"
        self.private_dir.mkdir(parents=True, exist_ok=True)
        self.secret_key = secrets.token_urlsafe(50)

    @property
    def env(self) -> dict:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "DJANGO_"))}
        # A job with no progress for TASK_STALE_SECONDS is taken for abandoned: short here, so that a killed worker's
        # job is re-run soon, but longer than one filing's PDF takes on a loaded machine (≈ 3 s seen at load 13 on
        # 2 cores), or a slow but living build would be re-run too.
        env.update({
            "DATABASE_URL": self.database_url, "SECRET_KEY": self.secret_key, "PERFBUDGET_DEMO": "1",
            "DEBUG": "false", "PRIVATE_FILES_DIR": str(self.private_dir), "PRIVATE_ACCEL_REDIRECT": "",
            "TASK_BACKEND": self.backend, "TASK_STALE_SECONDS": "10", "WORKER_HEARTBEAT_SECONDS": "1",
            "SWEEP_EVERY_SECONDS": "1", "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "perfbudget.settings",
        })
        if self.redis:
            env["REDIS_URL"] = self.redis
        env.update(self.settings)
        return env

    def manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode:
            raise AssertionError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        return done.stdout

    def _start(self, name: str, command: list[str], port: int | None = None) -> Process:
        log = self.workdir / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        process = Process(name, popen, log, port)
        self.processes.append(process)
        return process

    def start_app(self, name: str) -> Process:
        port = free_port()
        app = self._start(name, [str(GUNICORN), "perfbudget.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1",
                                 "--timeout", "60", "--no-control-socket"], port)

        def answers():
            assert app.alive(), f"app server {name} stopped:\n{app.output()}"
            try:
                with urllib.request.urlopen(f"{app.url}/accounts/login/", timeout=5) as response:
                    return response.status == 200
            except OSError:
                return False

        wait_for(answers, 60, f"app server {name} on port {port}")
        return app

    def start_worker(self, name: str, *extra: str) -> Process:
        """A worker that also schedules the periodic tasks (every worker may: each run is enqueued once)."""
        return self._start(name, [str(PYTHON), "manage.py", "worker", "--schedule", "--interval", "0.2", *extra])

    def worker_pids(self) -> dict[int, Process]:
        return {process.popen.pid: process for process in self.processes if process.port is None}

    def wait_for_workers(self, count: int, timeout: float = 60) -> None:
        def beating():
            for process in self.worker_pids().values():
                assert process.alive(), f"worker {process.name} stopped:\n{process.output()}"
            rows = self.sql("SELECT count(*) FROM background_workerheartbeat WHERE pid = ANY(%s)",
                            (list(self.worker_pids()),))
            return rows[0][0] >= count

        wait_for(beating, timeout, f"{count} workers' heartbeats")

    def sql(self, statement: str, params=()) -> list[tuple]:
        return query(self.database_url, statement, params)

    def job(self, pk: int) -> dict:
        rows = self.sql("SELECT row_to_json(j) FROM filings_downloadjob j WHERE id = %s", (pk,))
        return rows[0][0]

    def logs(self) -> str:
        return "\n".join(f"--- {process.name} ---\n{process.output()}" for process in self.processes)

    def stop(self, grace: float = 3) -> None:
        """SIGTERM to every process group, then SIGKILL to whatever is left of them after `grace` seconds (an RQ
        worker's warm shutdown may wait for Redis that long)."""
        families = [descendants(process.popen.pid) for process in self.processes]  # before they are orphaned
        for process in self.processes:
            process.terminate()
        deadline = time.monotonic() + grace
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process, family in zip(self.processes, families, strict=True):
            process.kill(family)


def worker_pid(worker_id: str) -> int:
    """The pid in a worker id (`background.heartbeat.new_worker_id`: host-pid-random; the host may have dashes)."""
    return int(worker_id.rsplit("-", 2)[-2])


# --- a user's browser ------------------------------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    seconds: float  # wall time from sending the request to having read the whole answer

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect comes back as the response itself, so each request is timed on its own


class Browser:
    """Cookies (the session, the CSRF cookie) in one jar for every server: cookies do not depend on the port, so a
    session started on server A goes along to server B, as it would behind one load balancer."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects)

    def request(self, url: str, data: dict | None = None, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as answer:
                status, answer_headers, content = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, answer_headers, content = error.code, error.headers, error.read()
        seconds = time.perf_counter() - started
        return Response(status, {key.lower(): value for key, value in answer_headers.items()}, content, seconds)

    def get(self, url: str, **headers) -> Response:
        return self.request(url, headers=headers)

    def post(self, url: str, data: dict) -> Response:
        return self.request(url, {"csrfmiddlewaretoken": self.csrf_token(), **data})

    def csrf_token(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def session_cookie(self) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == "sessionid"), "")

    def sign_in(self, server: str, username: str, password: str) -> None:
        form = self.get(f"{server}/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert form.status == 200 and token, f"no login form at {server}: {form.status}"
        answer = self.request(f"{server}/accounts/login/", {
            "csrfmiddlewaretoken": token.group(1), "username": username, "password": password, "next": "/"})
        assert answer.status == 302 and answer.location == "/", f"sign-in as {username} failed: {answer.status}"

    def job_state(self, server: str, pk: int) -> str:
        """The state the 下载任务 page shows, read from the fragment its htmx poll asks for."""
        answer = self.get(f"{server}/filings/downloads/{pk}/", **{"HX-Request": "true"})
        assert answer.status == 200, f"job page answered {answer.status}"
        return re.search(r'data-state="(\w+)"', answer.text).group(1)


def run_python(code: str, cluster: Cluster, timeout: float = 300) -> str:
    """Run `code` with Django set up for the cluster's database (for making data the demo does not have)."""
    done = subprocess.run([str(PYTHON), "-c", "import django; django.setup()\n" + code], cwd=ROOT, env=cluster.env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise AssertionError(f"python failed:\n{done.stderr[-4000:]}")
    return done.stdout



_COPIES = """
from django.contrib.auth import get_user_model
from django.db import transaction
from filings.models import Filing
from filings.services import copy_filing

filer = get_user_model().objects.get(username="yq_sy")
sources = list(Filing.objects.filter(source__startswith="seed:s3-proj").order_by("pk"))
with transaction.atomic():
    for number in range({count}):
        copy_filing(sources[number % len(sources)], {year}, filer, keep_amounts=True)
"""


_NEW = """
from django.contrib.auth import get_user_model
from django.db import transaction
from filings.models import FormVariant, Unit
from filings.services import create_project_filing

filer = get_user_model().objects.get(username="yq_sy")
unit, variant = Unit.objects.get(code="063001"), FormVariant.objects.get(code="proj-yangquan")
with transaction.atomic():
    for number in range({count}):
        create_project_filing(unit, {year}, variant, f"批量项目{{number:03d}}", filer)
"""


def add_project_filings(cluster: Cluster, year: int, count: int, copies: bool = True) -> None:
    """`count` project filings of 市四院 (063001: the reviewer yq_wjw sees them) in `year`: copies of seed 003's five
    projects with their indicators and amounts, so that each PDF is a real one; or new, nearly empty ones (quicker
    to render)."""
    run_python((_COPIES if copies else _NEW).format(year=year, count=count), cluster)

"""/healthz tells a load balancer whether this server can serve: the database and the private storage decide; a live
worker (and Redis on the RQ backend) is reported, and decides only with ?strict=1 for monitoring."""

import datetime
import socket
import time

import pytest
from django.db import OperationalError
from django.utils import timezone

from background.models import WorkerHeartbeat
from perfbudget import health


@pytest.fixture
def private_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "private"}}}
    return tmp_path / "private"


def beat(seconds_ago: float, worker_id: str = "w1"):
    seen = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.create(worker_id=worker_id, host="app1", pid=1, backend="db", queues="default",
                                   started_at=seen, seen_at=seen)


@pytest.mark.django_db
def test_all_well_answers_200_without_a_session_and_leaves_no_probe_behind(client, private_dir, settings):
    beat(settings.WORKER_HEARTBEAT_SECONDS)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok", "worker": "ok"},
                               "failed": []}
    assert "Set-Cookie" not in response.headers and not response.cookies
    assert "no-cache" in response["Cache-Control"]
    assert [p for p in private_dir.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_no_worker_seen_within_four_beats_is_reported_but_keeps_the_server_in_the_pool(client, private_dir, settings):
    beat(settings.WORKER_HEARTBEAT_SECONDS * 4 + 5)
    response = client.get("/healthz")
    assert response.status_code == 200  # filing and review need no worker
    assert response.json() == {"status": "degraded", "failed": ["worker"],
                               "checks": {"database": "ok", "storage": "ok", "worker": "fail"}}


@pytest.mark.django_db
def test_strict_answers_503_when_the_worker_is_missing(client, private_dir, settings):
    beat(settings.WORKER_HEARTBEAT_SECONDS * 4 + 5)
    response = client.get("/healthz?strict=1")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded" and response.json()["failed"] == ["worker"]
    beat(0, worker_id="w2")
    assert client.get("/healthz?strict=1").status_code == 200


@pytest.mark.django_db
def test_a_probe_left_by_a_request_killed_mid_probe_is_removed_by_the_next(client, private_dir, settings):
    beat(0)
    leftover = private_dir / health.probe_name()
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half")
    assert client.get("/healthz").status_code == 200
    assert [p for p in private_dir.rglob("*") if p.is_file()] == []
    assert socket.gethostname() in health.probe_name() and health.probe_name() == health.probe_name()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db
def test_on_the_rq_backend_redis_is_pinged_and_reported(client, private_dir, settings):
    beat(0)
    settings.TASK_BACKEND = "rq"
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["checks"]["redis"] == "ok"

    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["failed"] == ["redis"]
    assert client.get("/healthz?strict=1").status_code == 503


@pytest.mark.django_db
def test_a_hanging_redis_is_given_up_on_quickly(client, private_dir, settings):
    beat(0)
    with socket.socket() as silent:  # accepts connections (the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        settings.TASK_BACKEND = "rq"
        settings.REDIS_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        started = time.monotonic()
        response = client.get("/healthz")
        elapsed = time.monotonic() - started
    assert response.json()["failed"] == ["redis"]
    assert elapsed < health.REDIS_TIMEOUT_SECONDS * 3, elapsed


@pytest.mark.django_db
def test_a_storage_that_cannot_be_written_answers_503(client, tmp_path, settings):
    beat(0)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocker}}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "fail" and response.json()["failed"] == ["storage"]


@pytest.mark.django_db
def test_a_database_that_does_not_answer_answers_503(client, private_dir, monkeypatch):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", down)
    monkeypatch.setitem(health.CHECKS, "worker", lambda: True)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


@pytest.mark.django_db
def test_the_database_check_really_queries(django_assert_num_queries):
    with django_assert_num_queries(1):
        assert health.database_answers()


@pytest.mark.django_db
def test_probed_over_plain_http_behind_the_https_redirect(client, private_dir, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    beat(0)
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_only_reads(client, private_dir):
    assert client.post("/healthz").status_code == 405

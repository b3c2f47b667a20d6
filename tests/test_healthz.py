"""/healthz tells a load balancer whether this server can work: database, private storage, a live worker."""

import datetime

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
def test_no_worker_seen_within_four_beats_answers_503_naming_the_worker(client, private_dir, settings):
    beat(settings.WORKER_HEARTBEAT_SECONDS * 4 + 5)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["worker"]
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_a_storage_that_cannot_be_written_answers_503(client, tmp_path, settings):
    beat(0)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocker}}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["storage"]


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

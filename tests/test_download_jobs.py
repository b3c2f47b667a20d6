"""下载任务: a request records a job and returns at once; a worker builds it once, into the private storage."""

import io
import zipfile

import pytest
from django.core.files.storage import storages

from filings.models import DownloadJob, JobState, Notification

from .personas import sign_in
from .tasks import run_tasks


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}


def test_a_batch_is_queued_then_built_by_the_worker(client, demo, django_capture_on_commit_callbacks):
    sign_in(client, "yq_wjw")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/filings/batches/new/", {"year": "2024"})
    job = DownloadJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/filings/downloads/{job.pk}/"
    assert job.state == JobState.QUEUED and job.total == 5 and job.task_id
    assert run_tasks() == 1
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.done == 5 and job.attempts == 1 and job.expires_at
    with storages["private"].open(job.file_name) as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        assert len(archive.namelist()) == 5
    assert Notification.objects.filter(user=job.requested_by, download=job).exists()
    response = client.get(f"/filings/downloads/{job.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")

"""下载任务 in tests: the `private` storage in a temporary directory, a request whose task is enqueued as it would
be after the commit, the worker run on the test's connection, and the built file read back."""

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.test import TestCase
from django.urls import reverse

from filings.models import DownloadJob

from .tasks import run_tasks


def private_storage_in(settings, path) -> None:
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": path}}}


def private_files_dir() -> Path:
    """The directory the `private` storage keeps its files in (a test's own after `private_storage_in`)."""
    return Path(settings.STORAGES["private"]["OPTIONS"]["location"])


def ask(client, url_name: str, data: dict | None = None):
    """POST a request for a file; its task is enqueued as on a real commit. Answers the response."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse(url_name), data or {})


def built(client, url_name: str, data: dict | None = None) -> DownloadJob:
    """Ask for a file, run the worker, answer the job (built, or failed)."""
    response = ask(client, url_name, data)
    assert response.status_code == 302 and "/filings/downloads/" in response["Location"], response.get("Location")
    run_tasks()
    return DownloadJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def stored(job: DownloadJob) -> bytes:
    with storages["private"].open(job.file_name) as file:
        return file.read()


def downloaded(client, job: DownloadJob) -> bytes:
    response = client.get(reverse("filings:download_file", args=[job.pk]))
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return b"".join(response.streaming_content)


def zip_entries(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}

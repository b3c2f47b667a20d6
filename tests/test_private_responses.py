"""What a signed-in user downloads or opens is marked private and not to be stored by any cache."""

import pytest
from django.urls import reverse

from .downloads import built, private_storage_in
from .pages import login


def assert_private(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store", "no-cache"} <= directives, response["Cache-Control"]


@pytest.fixture
def private_files(settings, tmp_path):
    private_storage_in(settings, tmp_path)
    settings.PRIVATE_ACCEL_REDIRECT = ""


@pytest.mark.parametrize("url_name", ["filings:pdf", "filings:xlsx", "filings:check", "filings:tasks"])
def test_a_filers_declarations_and_pages_are_private(client, demo, url_name):
    login(client, "cs_zyy")
    response = client.get(reverse(url_name, args=[demo["s0-dept"].pk]))
    assert response.status_code == 200
    assert_private(response)


@pytest.mark.parametrize("accel", ["", "/_private/"])
def test_a_reviewers_consolidated_export_and_batch_zip_are_private(client, demo, private_files, settings, accel):
    login(client, "yq_wjw")
    export = built(client, "filings:export", {"year": "2024"})
    batch = built(client, "filings:batch_new", {"year": "2024"})
    assert_private(client.get(reverse("filings:download", args=[batch.pk])))
    settings.PRIVATE_ACCEL_REDIRECT = accel  # sent by nginx, or streamed: private either way
    for job, content_type in [(export, "spreadsheetml"), (batch, "application/zip")]:
        download = client.get(reverse("filings:download_file", args=[job.pk]))
        assert download.status_code == 200 and content_type in download["Content-Type"]
        assert "attachment" in download["Content-Disposition"]
        assert_private(download)


def test_static_files_keep_their_own_cache_lifetime(client, demo):
    login(client, "cs_zyy")
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")

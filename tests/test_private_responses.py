"""What a signed-in user downloads or opens is marked private and not to be stored by any cache."""

import pytest
from django.urls import reverse

from .pages import login


def assert_private(response):
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store", "no-cache"} <= directives, response["Cache-Control"]


@pytest.fixture
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


@pytest.mark.parametrize("url_name", ["filings:pdf", "filings:xlsx", "filings:check", "filings:tasks"])
def test_a_filers_declarations_and_pages_are_private(client, demo, url_name):
    login(client, "cs_zyy")
    response = client.get(reverse(url_name, args=[demo["s0-dept"].pk]))
    assert response.status_code == 200
    assert_private(response)


def test_a_reviewers_consolidated_export_and_batch_zip_are_private(client, demo, private_files):
    login(client, "yq_wjw")
    export = client.get(reverse("filings:export"), {"year": "2024"})
    assert export.status_code == 200 and "attachment" in export["Content-Disposition"]
    assert_private(export)
    batch = client.post(reverse("filings:batch_new"), {"year": "2024"})
    download = client.get(batch.url)
    assert download["Content-Type"] == "application/zip"
    assert_private(download)


def test_static_files_keep_their_own_cache_lifetime(client, demo):
    login(client, "cs_zyy")
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")

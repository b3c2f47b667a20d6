"""批量下载PDF: small batches come at once, large ones are built by the command and download as one ZIP file."""

import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from filings.exports import batches
from filings.models import BatchState, FormVariant, Notification, PdfBatch, Unit
from filings.services import create_project_filing

from .personas import person, sign_in


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path




def zip_entries(response) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name) for name in archive.namelist()}


def test_a_small_batch_downloads_at_once_with_one_pdf_per_filing(client, demo):
    user = person("yq_wjw")
    sign_in(client, "yq_wjw")
    response = client.post(reverse("filings:batch_new"), {"year": "2024"})
    batch = PdfBatch.objects.get(requested_by=user)
    assert response.status_code == 302 and response.url == reverse("filings:batch_download", args=[batch.pk])
    download = client.get(response.url)
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]
    entries = zip_entries(download)
    assert len(entries) == 5 == batch.filing_count  # the five 阳泉 projects of seed 003
    assert all(content.startswith(b"%PDF-") for content in entries.values())
    assert sorted(entries)[0].startswith("1-063001-2024-")
    assert Notification.objects.filter(user=user, message__contains="共 5 份").exists()


def test_a_filer_gets_only_the_filings_of_their_own_unit(client, demo):
    sign_in(client, "cs_zyy")
    response = client.post(reverse("filings:batch_new"), {})
    names = list(zip_entries(client.get(response.url)))
    assert len(names) == 1 and "-327002001-" in names[0]


def test_a_hundred_filings_are_queued_built_by_the_command_and_download_as_one_file(client, demo):
    unit = Unit.objects.get(code="063001")
    filer = get_user_model().objects.get(username="yq_sy")
    variant = FormVariant.objects.get(code="proj-yangquan")
    for number in range(100):
        create_project_filing(unit, 2030, variant, f"批量项目{number:03d}", filer)
    reviewer = person("yq_wjw")
    sign_in(client, "yq_wjw")
    response = client.post(reverse("filings:batch_new"), {"year": "2030"})
    assert response.status_code == 302 and response.url == reverse("filings:batches")
    batch = PdfBatch.objects.get(requested_by=reviewer)
    assert (batch.state, batch.filing_count) == (BatchState.QUEUED, 100)
    page = client.get(reverse("filings:batches")).content.decode()
    assert "共 100 份申报表，已排队生成" in page and "排队中" in page
    assert client.get(reverse("filings:batch_download", args=[batch.pk])).status_code == 302  # not yet

    call_command("build_pdf_batches", stdout=io.StringIO())

    batch.refresh_from_db()
    assert batch.state == BatchState.DONE and batch.finished_at
    entries = zip_entries(client.get(reverse("filings:batch_download", args=[batch.pk])))
    assert len(entries) == 100
    assert all(content.startswith(b"%PDF-") for content in entries.values())
    assert {name.split("-", 3)[-1] for name in entries} == {f"批量项目{n:03d}.pdf" for n in range(100)}
    assert Notification.objects.filter(user=reviewer, message__contains="共 100 份").exists()


def test_somebody_elses_batch_does_not_exist_for_you(client, demo):
    owner = get_user_model().objects.get(username="yq_wjw")
    batch, _ = batches.request_batch(owner, batches.queues.Filters(year=2024))
    batches.build(batch)
    sign_in(client, "yq_czj")
    assert client.get(reverse("filings:batch_download", args=[batch.pk])).status_code == 404
    assert batch.description not in client.get(reverse("filings:batches")).content.decode()


def test_nothing_to_print_says_so_and_keeps_no_batch(client, demo):
    sign_in(client, "yq_wjw")
    response = client.post(reverse("filings:batch_new"), {"year": "2024", "kind": "department"}, follow=True)
    assert "符合条件的申报表为 0 份" in response.content.decode()
    assert not PdfBatch.objects.exists()


def test_a_failing_render_ends_as_a_failed_batch_with_a_notice_and_no_file(demo, monkeypatch):
    owner = get_user_model().objects.get(username="yq_wjw")
    batch, _ = batches.request_batch(owner, batches.queues.Filters(year=2024))

    def broken(filing):
        raise OSError("disk full")

    monkeypatch.setattr(batches, "render_filing_pdf", broken)
    batches.build(batch)
    batch.refresh_from_db()
    assert batch.state == BatchState.FAILED and batch.error == "生成失败：OSError"
    assert batches.batch_file(batch) is None and not list(batches.batch_dir().iterdir())
    assert Notification.objects.filter(user=owner, message__startswith="批量PDF生成失败").exists()


def test_a_running_batch_is_not_taken_twice(demo):
    owner = get_user_model().objects.get(username="yq_wjw")
    first, _ = batches.request_batch(owner, batches.queues.Filters(year=2024))
    assert batches.claim_next() == first
    assert batches.claim_next() is None


def test_the_command_refuses_a_non_positive_interval():
    with pytest.raises(CommandError, match="--interval 必须大于 0"):
        call_command("build_pdf_batches", "--interval", "0")


def test_a_filter_outside_the_users_scope_is_refused_with_a_message(client, demo):
    sign_in(client, "yq_wjw")
    other_unit = Unit.objects.get(code="327001")
    response = client.post(reverse("filings:batch_new"), {"unit": other_unit.pk}, follow=True)
    assert "筛选条件有误，未生成批量PDF" in response.content.decode()
    assert not PdfBatch.objects.exists()


def test_a_second_request_while_the_first_is_still_queued_reuses_it(client, demo, settings):
    settings.PDF_BATCH_SYNC_LIMIT = 2  # the five filings are queued, not built in the request
    sign_in(client, "yq_wjw")
    first = client.post(reverse("filings:batch_new"), {"year": "2024"})
    second = client.post(reverse("filings:batch_new"), {"year": "2024"})  # a double click
    assert first.url == second.url == reverse("filings:batches")
    assert PdfBatch.objects.count() == 1
    assert "刚才已申请过" in client.get(second.url).content.decode()

"""下载任务 (批量下载PDF, 导出Excel汇总): a request records a job and returns at once; a worker builds it once, into
the private storage; the job's page shows its progress and, to the requester alone, the download."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from filings import downloads
from filings.exports import batches
from filings.models import DownloadJob, DownloadKind, FormVariant, JobState, Notification, Unit
from filings.services import create_project_filing

from .downloads import ask, built, downloaded, private_storage_in, stored, zip_entries
from .personas import person, sign_in
from .tasks import run_tasks


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    private_storage_in(settings, tmp_path)
    settings.PRIVATE_ACCEL_REDIRECT = ""


def page_of(client, job, **headers) -> str:
    response = client.get(reverse("filings:download", args=[job.pk]), **headers)
    assert response.status_code == 200
    return response.content.decode()


# --- asking: at once, nothing built in the request -----------------------------------------------------------------

def test_a_batch_is_queued_in_the_request_and_built_by_the_worker(client, demo, monkeypatch, tmp_path):
    rendered = []
    real = batches.render_filing_pdf
    monkeypatch.setattr(batches, "render_filing_pdf", lambda filing: rendered.append(filing.pk) or real(filing))
    sign_in(client, "yq_wjw")
    response = ask(client, "filings:batch_new", {"year": "2024"})
    job = DownloadJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("filings:download", args=[job.pk])
    assert job.state == JobState.QUEUED and job.total == 5 and job.task_id and not job.file_name
    assert rendered == [] and not list(tmp_path.rglob("*.zip"))  # no PDF made while the user waited
    assert "排队中" in page_of(client, job) and "已生成 0 / 5 份" in page_of(client, job)

    assert run_tasks() == 1
    job.refresh_from_db()
    assert len(rendered) == 5
    assert job.state == JobState.DONE and job.done == 5 and job.attempts == 1 and job.expires_at > timezone.now()
    assert job.finished_at >= job.started_at and job.seconds is not None
    assert Notification.objects.filter(user=job.requested_by, download=job, message__contains="共 5 份").exists()


def test_one_pdf_per_filing_named_by_unit_year_and_title(client, demo):
    sign_in(client, "yq_wjw")
    job = built(client, "filings:batch_new", {"year": "2024"})
    entries = zip_entries(downloaded(client, job))
    assert len(entries) == 5  # the five 阳泉 projects of seed 003
    assert all(content.startswith(b"%PDF-") for content in entries.values())
    assert all(name.startswith(f"{n}-063001-2024-") for n, name in enumerate(sorted(entries), start=1))


def test_a_dozen_new_filings_each_come_once_with_their_names(client, demo):
    unit = Unit.objects.get(code="063001")
    filer = get_user_model().objects.get(username="yq_sy")
    variant = FormVariant.objects.get(code="proj-yangquan")
    for number in range(12):
        create_project_filing(unit, 2030, variant, f"批量项目{number:03d}", filer)
    sign_in(client, "yq_wjw")
    job = built(client, "filings:batch_new", {"year": "2030"})
    assert (job.state, job.total, job.done) == (JobState.DONE, 12, 12)
    entries = zip_entries(stored(job))
    assert {name.split("-", 3)[-1] for name in entries} == {f"批量项目{n:03d}.pdf" for n in range(12)}


def test_a_filer_gets_only_the_filings_of_their_own_unit(client, demo):
    sign_in(client, "cs_zyy")
    names = list(zip_entries(stored(built(client, "filings:batch_new"))))
    assert len(names) == 1 and "-327002001-" in names[0]


def test_filters_choose_the_filings(client, demo):
    sign_in(client, "cs_czj")
    job = built(client, "filings:batch_new", {"kind": "project"})
    assert len(zip_entries(stored(job))) == 1 and job.description == "全部年度 · 项目支出"


def test_nothing_to_print_says_so_and_keeps_no_job(client, demo):
    sign_in(client, "yq_wjw")
    response = client.post(reverse("filings:batch_new"), {"year": "2024", "kind": "department"}, follow=True)
    assert "符合条件的申报表为 0 份" in response.content.decode()
    assert not DownloadJob.objects.exists()


def test_a_filter_outside_the_users_scope_is_refused_with_a_message(client, demo):
    sign_in(client, "yq_wjw")
    other_unit = Unit.objects.get(code="327001")
    response = client.post(reverse("filings:batch_new"), {"unit": other_unit.pk, "year": "2024"})
    assert response["Location"] == f"{reverse('filings:queue')}?year=2024&unit={other_unit.pk}"  # no csrf token
    assert "筛选条件有误，未生成文件" in client.get(response["Location"]).content.decode()
    assert not DownloadJob.objects.exists()


def test_a_second_request_while_the_first_is_still_queued_reuses_it(client, demo):
    sign_in(client, "yq_wjw")
    first = ask(client, "filings:batch_new", {"year": "2024"})
    second = ask(client, "filings:batch_new", {"year": "2024"})  # a double click
    assert first["Location"] == second["Location"]
    assert DownloadJob.objects.count() == 1
    assert "刚才已申请过" in client.get(second["Location"]).content.decode()
    assert run_tasks() == 1  # one task, one build


# --- the job's page and the download: the requester's alone --------------------------------------------------------

def test_somebody_elses_job_does_not_exist_for_them(client, demo):
    sign_in(client, "yq_wjw")
    job = built(client, "filings:batch_new", {"year": "2024"})
    sign_in(client, "yq_czj")  # 阳泉's 财政 sees the same filings, but did not ask for this file
    for name in ("filings:download", "filings:download_file"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.get(reverse(name, args=[job.pk]), HTTP_HX_REQUEST="true").status_code == 404
    assert job.description not in client.get(reverse("filings:downloads")).content.decode()


def test_the_list_shows_the_users_jobs_with_their_state(client, demo):
    sign_in(client, "yq_wjw")
    job = built(client, "filings:batch_new", {"year": "2024"})
    ask(client, "filings:export", {"year": "2024"})
    page = client.get(reverse("filings:downloads")).content.decode()
    assert page.count(job.description) == 2 and "已完成" in page and "排队中（0 / 5）" in page
    assert reverse("filings:download_file", args=[job.pk]) in page


def test_the_partial_polls_while_unfinished_and_stops_when_done(client, demo):
    sign_in(client, "yq_wjw")
    response = ask(client, "filings:batch_new", {"year": "2024"})
    job = DownloadJob.objects.get()
    partial = page_of(client, job, HTTP_HX_REQUEST="true")
    assert "<html" not in partial and 'hx-trigger="every 1s"' in partial
    assert f'hx-get="{response["Location"]}"' in partial and "下载文件" not in partial
    DownloadJob.objects.filter(pk=job.pk).update(state=JobState.RUNNING, done=3, started_at=timezone.now(),
                                                 heartbeat_at=timezone.now())
    partial = page_of(client, job, HTTP_HX_REQUEST="true")
    assert "已生成 3 / 5 份" in partial and 'value="3"' in partial and "hx-trigger" in partial
    DownloadJob.objects.filter(pk=job.pk).update(state=JobState.QUEUED, done=0)  # back, for the worker to claim
    run_tasks()
    partial = page_of(client, job, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in partial and "hx-get" not in partial
    assert "已生成 5 / 5 份" in partial and "用时" in partial and "下载文件" in partial and "保留至" in partial


def test_a_failed_job_shows_its_reason_and_tells_the_user(client, demo, monkeypatch, tmp_path):
    def broken(filing):
        raise OSError("disk full")

    monkeypatch.setattr(batches, "render_filing_pdf", broken)
    sign_in(client, "yq_wjw")
    job = built(client, "filings:batch_new", {"year": "2024"})
    assert job.state == JobState.FAILED and "无法写入文件" in job.error and not job.file_name
    page = page_of(client, job)
    assert job.error in page and "hx-trigger" not in page and "下载文件" not in page
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
    assert Notification.objects.filter(user=job.requested_by, download=job,
                                       message__startswith="批量PDF生成失败").exists()
    response = client.get(reverse("filings:download_file", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("filings:download", args=[job.pk])


def test_an_expired_file_is_gone_with_a_message(client, demo):
    sign_in(client, "yq_wjw")
    job = built(client, "filings:batch_new", {"year": "2024"})
    assert downloads.remove_expired(timezone.now() + datetime.timedelta(hours=1000)) == 1
    response = client.get(reverse("filings:download_file", args=[job.pk]), follow=True)
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("filings:download", args=[job.pk])
    assert "已过保留期限" in text and "已过期" in text and "下载文件" not in text


def test_an_unfinished_job_has_no_file_yet(client, demo):
    sign_in(client, "yq_wjw")
    ask(client, "filings:batch_new", {"year": "2024"})
    job = DownloadJob.objects.get()
    response = client.get(reverse("filings:download_file", args=[job.pk]), follow=True)
    assert "排队中，还不能下载" in response.content.decode()


def test_the_front_server_sends_the_file_when_configured(client, demo, settings):
    sign_in(client, "yq_wjw")
    job = built(client, "filings:batch_new", {"year": "2024"})
    settings.PRIVATE_ACCEL_REDIRECT = "/_private/"
    response = client.get(reverse("filings:download_file", args=[job.pk]))
    assert response.status_code == 200 and response["X-Accel-Redirect"] == f"/_private/{job.file_name}"
    assert response.content == b"" and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    settings.PRIVATE_ACCEL_REDIRECT = ""
    response = client.get(reverse("filings:download_file", args=[job.pk]))
    assert "X-Accel-Redirect" not in response and b"".join(response.streaming_content) == stored(job)


def test_the_inbox_links_the_notice_to_the_job(client, demo):
    sign_in(client, "yq_wjw")
    job = built(client, "filings:batch_new", {"year": "2024"})
    page = client.get(reverse("filings:notifications")).content.decode()
    assert f'<a href="{reverse("filings:download", args=[job.pk])}">批量PDF已生成' in page


# --- the consolidated export ---------------------------------------------------------------------------------------

def test_a_consolidated_export_job_builds_the_workbook_of_the_filings(client, demo):
    sign_in(client, "yq_wjw")
    job = built(client, "filings:export", {"year": "2024"})
    assert job.kind == DownloadKind.CONSOLIDATED and job.state == JobState.DONE and job.done == 5
    workbook = load_workbook(io.BytesIO(downloaded(client, job)))
    rows = list(workbook["申报表"].iter_rows(values_only=True))
    ids = [row[rows[0].index("申报表编号")] for row in rows[1:]]
    assert sorted(ids) == sorted(demo[f"s3-proj{n}"].pk for n in range(1, 6))


@pytest.mark.parametrize("username", ["cs_zyy", "yq_sy"])
def test_a_filer_is_refused_the_export(client, demo, username):
    sign_in(client, username)
    assert client.post(reverse("filings:export"), {"year": "2024"}).status_code == 403
    assert not DownloadJob.objects.exists()


def test_the_workbench_asks_with_its_filters(client, demo):
    sign_in(client, "cs_czj")
    unit = Unit.objects.get(code="327001").pk
    page = client.get(reverse("filings:queue"), {"tab": "reviewed", "year": "2025", "unit": unit}).content.decode()
    assert f'action="{reverse("filings:batch_new")}"' in page and f'formaction="{reverse("filings:export")}"' in page
    assert '<input type="hidden" name="year" value="2025">' in page
    assert f'<input type="hidden" name="unit" value="{unit}">' in page
    assert reverse("filings:downloads") in page
    sign_in(client, "cs_zyy")
    assert "导出Excel汇总" not in client.get(reverse("filings:queue")).content.decode()


def test_the_overview_asks_for_its_years_export(client, demo):
    sign_in(client, "cs_czj")
    page = client.get(reverse("filings:overview"), {"year": "2025"}).content.decode()
    assert f'action="{reverse("filings:export")}"' in page
    assert '<input type="hidden" name="year" value="2025">' in page


def test_the_requester_is_the_one_a_job_belongs_to(demo):
    owner = person("yq_wjw")
    job, new = downloads.request(owner, DownloadKind.PDF_BATCH, downloads.queues.Filters(year=2024))
    assert new and job.requested_by == owner and job.description == "2024年度"

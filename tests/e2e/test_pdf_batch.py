"""A reviewer filters the 工作台 and downloads every filing of the filter as one ZIP of PDFs."""

import zipfile

import pytest

from .helpers import shoot, sign_in


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path


def test_reviewer_downloads_the_filtered_filings_as_one_zip(page, tmp_path):
    sign_in(page, "yq_wjw")
    page.goto(page.base_url + "/filings/queue/?tab=reviewed&year=2024")
    shoot(page, "pdf-batch-01-queue")
    # Five PDFs are built inside this request: on a loaded machine that takes well over the default 10 s.
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="批量下载PDF").click(timeout=120_000)
    path = tmp_path / "batch.zip"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".zip") and "2024年度" in download.value.suggested_filename
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert len(names) == 5  # the five 阳泉 projects of 2024 in the 卫健委's scope
        assert all(archive.read(name).startswith(b"%PDF-") for name in names)
    page.goto(page.base_url + "/filings/batches/")
    assert "2024年度" in page.locator("table").inner_text() and "已完成" in page.locator("table").inner_text()

"""The PDF declaration of one filing: real Chinese text, status banners, approval facts, access and a safe fetcher."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.urls import reverse

from filings.exports.pdf import StaticFileRefused, StaticOnlyURLFetcher, pdf_filename, render_filing_pdf
from filings.models import FilingStatus
from filings.models.review import Action, Transition

from .pdfs import pdf_text, pdf_tool
from .personas import sign_in as login


def rendered(filing) -> tuple[bytes, str]:
    pdf = render_filing_pdf(filing)  # its time is bench/pdf_render.py's: a wall-clock bound fails on a busy machine
    assert pdf.startswith(b"%PDF-")
    return pdf, pdf_text(pdf)




def test_department_pdf_carries_the_seeds_chinese_text_and_numbers(demo):
    pdf, text = rendered(demo["s1-dept"])
    for expected in ["部门整体支出绩效目标设置申报表", "（2025年度）", "九江市柴桑区医疗保障局", "金额单位：万元",
                     "柴办字[2019]52号", "117%", "参保对象满意度", "≥95%", "第 1 页 共 2 页"]:
        assert expected in text, expected
    assert "130.15" not in text  # the 执行率 is printed as the user typed it, never recomputed
    fonts = pdf_tool("pdffonts", pdf=pdf)
    assert "Noto" in fonts and " no " not in fonts.split("\n", 2)[2]  # every font embedded


def test_project_pdf_with_both_indicator_sets_prints_landscape(demo):
    pdf, text = rendered(demo["s3-proj1"])
    for expected in ["项目支出绩效目标表", "阳泉市第四人民医院", "550,000", "实施期绩效指标", "年度绩效指标",
                     "患者满意度", "≥98%"]:
        assert expected in text, expected
    assert "841.89 x 595.276 pts (A4)" in pdf_tool("pdfinfo", pdf=pdf)


def test_department_pdf_prints_portrait(demo):
    pdf, _ = rendered(demo["s0-dept"])
    assert "595.276 x 841.89" in pdf_tool("pdfinfo", pdf=pdf)


def test_a_draft_carries_the_draft_banner(demo):
    _, text = rendered(demo["s1-dept"])
    assert "草稿 · 当前状态：草稿" in text


def test_a_filing_under_review_carries_the_review_banner(demo):
    filing = demo["s1-proj1"]
    filing.status = FilingStatus.SUBMITTED
    filing.save(update_fields=["status"])
    _, text = rendered(filing)
    assert "审核中 · 当前状态：已提交" in text
    assert "草稿" not in text


def test_an_approved_filing_shows_the_approval_facts_and_no_banner(demo):
    filing = demo["s2-dept"]
    users = get_user_model().objects
    Transition.objects.create(filing=filing, action=Action.APPROVE, from_status=FilingStatus.SUBMITTED,
                              to_status=FilingStatus.DEPARTMENT_APPROVED, actor=users.get(username="dp_jt"))
    approval = Transition.objects.create(filing=filing, action=Action.APPROVE, actor=users.get(username="dp_czj"),
                                         from_status=FilingStatus.DEPARTMENT_APPROVED, to_status=FilingStatus.APPROVED)
    filing.status = FilingStatus.APPROVED
    filing.save(update_fields=["status"])
    _, text = rendered(filing)
    assert "草稿" not in text and "审核中" not in text
    assert f"审核通过：{approval.created_at:%Y}年" in text
    assert f"审核人 {approval.actor.first_name}" in text and approval.actor.first_name == "大鹏新区财政审核人"
    assert f"第 {filing.revision} 版" in text


def test_html_and_control_characters_in_a_field_print_as_text(demo):
    filing = demo["s1-dept"]
    filing.department.function_summary = "<b>加粗</b> & <script>alert(1)</script>\x07响铃\x1b结束"
    filing.department.save(update_fields=["function_summary"])
    filing.contact_person = "<i>张三</i>"
    filing.save(update_fields=["contact_person"])
    _, text = rendered(filing)
    text = text.replace("\n", "")  # the cell wraps
    assert "<b>加粗</b> & <script>alert(1)</script>响铃结束" in text
    assert "<i>张三</i>" in text


def test_a_filer_downloads_their_own_filing_with_a_chinese_filename(client, demo):
    login(client, "cs_ybj")
    filing = demo["s1-dept"]
    response = client.get(reverse("filings:pdf", args=[filing.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''2025-%e4%b9%9d%e6%b1%9f" in disposition.lower()
    assert pdf_filename(filing) == "2025-九江市柴桑区医疗保障局.pdf"


def test_a_project_pdf_is_named_after_the_project(demo):
    assert pdf_filename(demo["s3-proj5"]) == "2024-原妇产医院转租租金.pdf"


def test_a_filer_cannot_download_another_units_filing(client, demo):
    login(client, "cs_zyy")
    assert client.get(reverse("filings:pdf", args=[demo["s1-dept"].pk])).status_code == 404


def test_a_reviewer_downloads_a_filing_in_their_subtree(client, demo):
    login(client, "cs_czj")
    assert client.get(reverse("filings:pdf", args=[demo["s0-dept"].pk])).status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, demo):
    response = client.get(reverse("filings:pdf", args=[demo["s1-dept"].pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_check_and_review_pages_link_to_the_pdf(client, demo):
    login(client, "cs_ybj")
    filing = demo["s1-dept"]
    url = reverse("filings:pdf", args=[filing.pk])
    assert url in client.get(reverse("filings:check", args=[filing.pk])).content.decode()
    assert url in client.get(reverse("filings:review", args=[filing.pk])).content.decode()


@pytest.mark.parametrize("url", [
    "http://example.com/print.css",
    "https://example.com/static/print/print.css",
    "ftp://example.com/x",
    "data:text/css,body{}",
    "file:///etc/passwd",
    f"file://{Path(settings.BASE_DIR) / 'perfbudget' / 'settings.py'}",
    "https://perfbudget.invalid/static/../perfbudget/settings.py",
    "https://perfbudget.invalid/static/print/missing.css",
    "https://perfbudget.invalid/media/anything.png",
])
def test_the_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(StaticFileRefused):
        StaticOnlyURLFetcher().fetch(url)


def test_the_fetcher_serves_the_apps_static_files():
    fetcher = StaticOnlyURLFetcher()
    response = fetcher.fetch("https://perfbudget.invalid/static/print/print.css")
    assert b"@page" in response.read()
    assert response.content_type == "text/css"
    on_disk = Path(finders.find("print/print.css")).as_uri()
    assert b"@page" in fetcher.fetch(on_disk).read()


def test_each_first_level_group_is_kept_together_on_the_printed_form(demo, client):

    login(client, "dp_bj")
    page = client.get(f"/filings/{demo['s2-dept'].pk}/check/").content.decode()
    table = page[page.index('class="table table-bordered table-sm printed-table indicators-table"'):]
    table = table[: table.index("</table>")]
    assert table.count('<tbody class="level1-group">') == 3  # 产出, 效益, 满意度
    assert table.count("</tbody>") == 3

"""导出Excel汇总 (issue 8, part 2): the consolidated workbook of a supervisor's filings, written in chunks by the
background worker (issue 15: the request only records a 下载任务) and downloaded from the job.

The workbook is read back with openpyxl: which filings and indicators are in it for each reviewer's scope and
filter, the parsed columns, numbers as numbers with formats, formula-like text kept as text, statuses in Chinese,
validation counts equal to `validate_filing`'s, and a number of queries that grows with chunks, not filings.
"""

import io
import tempfile
import zipfile
from datetime import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from filings import download_jobs
from filings.exports.excel.consolidated import (
    AMOUNT_FORMAT,
    INDICATOR_COLUMNS,
    SUMMARY_COLUMNS,
    BodyRows,
    write_consolidated,
)
from filings.models import DownloadJob, Filing, FilingStatus, Indicator, JobState, ProjectDetails, Unit
from filings.services import copy_filing
from filings.validation import validate_filing
from indicators.models import Category

from .downloads import ask, built, downloaded, private_storage_in
from .tasks import run_tasks

ALL = ["s0-dept", "s1-dept", "s1-proj1", "s2-dept", "s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5",
       "s4-dept", "s4-proj1", "s4-proj2"]
INDICATOR_HEADERS = [name for name, _width in INDICATOR_COLUMNS]
SUMMARY_HEADERS = [name for name, _width in SUMMARY_COLUMNS]


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    private_storage_in(settings, tmp_path)
    settings.PRIVATE_ACCEL_REDIRECT = ""


def download(client, username, **params) -> bytes:
    """The workbook's bytes as the user downloads it: asked for, built by the worker, fetched from the job."""
    client.force_login(user(username))
    job = built(client, "filings:export", params)
    assert job.state == JobState.DONE, job.error
    return downloaded(client, job)


def export(client, username, **params):
    return load_workbook(io.BytesIO(download(client, username, **params)))


def records(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def cells_by_header(sheet) -> list[dict]:
    rows = list(sheet.iter_rows())
    headers = [cell.value for cell in rows[0]]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def filing_ids(workbook) -> list[int]:
    return [row["申报表编号"] for row in records(workbook["申报表"])]


def indicator_count(keys, demo) -> int:
    return Indicator.objects.filter(filing__in=[demo[key].pk for key in keys]).count()


def add_indicator(filing, **fields) -> Indicator:
    category = Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False).order_by("pk").first()
    return Indicator.objects.create(filing=filing, category=category, order=999, **fields)


# --- scope and filters -------------------------------------------------------------------------------------------

SCOPES = [
    ("cs_wjw", ["s0-dept"]),  # 卫健委: its hospital, not the sibling 医保局's filings
    ("cs_ybj_sh", ["s1-dept", "s1-proj1"]),
    ("cs_czj", ["s0-dept", "s1-dept", "s1-proj1"]),
    ("dp_jt", ["s2-dept"]),
    ("yq_wjw", ["s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5"]),
    ("yj_czj", ["s4-dept", "s4-proj1", "s4-proj2"]),
    ("admin", ALL),
]


@pytest.mark.parametrize("username, keys", SCOPES, ids=[username for username, _keys in SCOPES])
def test_each_supervisor_gets_exactly_the_filings_in_their_scope(client, demo, username, keys):
    workbook = export(client, username)
    assert workbook.sheetnames == ["指标", "申报表"]
    assert sorted(filing_ids(workbook)) == sorted(demo[key].pk for key in keys)
    indicators = records(workbook["指标"])
    assert len(indicators) == indicator_count(keys, demo) > 0
    assert {row["申报表编号"] for row in indicators} == {demo[key].pk for key in keys}


def test_a_sibling_units_filings_are_absent(client, demo):
    workbook = export(client, "cs_wjw")
    units = {row["单位代码"] for sheet in ("指标", "申报表") for row in records(workbook[sheet])}
    assert units == {"327002001"}
    assert demo["s1-dept"].pk not in filing_ids(workbook)


def test_rows_follow_the_workbench_order_and_indicators_the_forms_order(client, demo):
    workbook = export(client, "admin")
    expected = list(Filing.objects.filter(source__startswith="seed:").order_by("-year", "unit__path", "kind",
                                                                                "position", "pk")
                    .values_list("pk", flat=True))
    assert filing_ids(workbook) == expected
    rows = [row for row in records(workbook["指标"]) if row["申报表编号"] == demo["s3-proj1"].pk]
    database = sorted(demo["s3-proj1"].indicators.all(), key=lambda i: (i.period != "implementation", i.order, i.pk))
    assert [(row["指标期间"], row["三级指标"] or "") for row in rows] == [
        ({"implementation": "实施期", "annual": "年度"}[i.period], i.name) for i in database]
    assert rows[0]["指标期间"] == "实施期" and rows[-1]["指标期间"] == "年度"


@pytest.mark.parametrize("params, keys", [
    ({"year": "2024"}, ["s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5", "s4-dept", "s4-proj1",
                        "s4-proj2"]),
    ({"kind": "project"}, ["s1-proj1", "s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5", "s4-proj1",
                           "s4-proj2"]),
    ({"kind": "department", "year": "2024"}, ["s4-dept"]),
    ({"unit": "327001"}, ["s1-dept", "s1-proj1"]),
    ({"unit": "327002"}, ["s0-dept"]),
    ({"unit": "DP101"}, ["s2-dept"]),
], ids=["year", "kind", "kind+year", "unit", "unit subtree", "unit subtree 2"])
def test_filters_work_like_the_workbench(client, demo, params, keys):
    if "unit" in params:
        params["unit"] = str(Unit.objects.get(code=params["unit"]).pk)
    workbook = export(client, "admin", **params)
    assert sorted(filing_ids(workbook)) == sorted(demo[key].pk for key in keys)
    assert len(records(workbook["指标"])) == indicator_count(keys, demo)


def test_status_filter_and_statuses_in_chinese(client, demo):
    Filing.objects.filter(pk=demo["s1-proj1"].pk).update(status=FilingStatus.SUBMITTED)
    workbook = export(client, "cs_czj", status="submitted")
    assert filing_ids(workbook) == [demo["s1-proj1"].pk]
    assert {row["状态"] for sheet in ("指标", "申报表") for row in records(workbook[sheet])} == {"已提交"}
    everything = records(export(client, "cs_czj")["申报表"])
    assert {row["申报表编号"]: row["状态"] for row in everything} == {
        demo["s0-dept"].pk: "草稿", demo["s1-dept"].pk: "草稿", demo["s1-proj1"].pk: "已提交"}
    assert {row["表类型"] for row in everything} == {"部门整体支出", "项目支出"}


@pytest.mark.parametrize("params", [{"unit": "OUT"}, {"unit": "abc"}, {"year": "1999"}, {"year": "二〇二六"},
                                    {"kind": "everything"}, {"status": "lost"}])
def test_a_bad_filter_exports_nothing_and_says_why(client, demo, params):
    if params.get("unit") == "OUT":  # a unit outside 卫健委's subtree
        params = {"unit": str(Unit.objects.get(code="327001").pk)}
    client.force_login(user("cs_wjw"))
    response = client.post(reverse("filings:export"), params)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("filings:queue"))
    text = [str(message) for message in get_messages(response.wsgi_request)]
    assert len(text) == 1 and text[0].startswith("筛选条件有误，未生成文件：")
    assert not DownloadJob.objects.exists()


@pytest.mark.parametrize("username", ["cs_zyy", "cs_ybj", "yq_sy"])
def test_a_filer_is_refused(client, demo, username):
    client.force_login(user(username))
    response = client.post(reverse("filings:export"))
    assert response.status_code == 403


def test_only_a_post_asks_for_an_export(client, demo):
    client.force_login(user("cs_czj"))
    response = client.get(reverse("filings:export"), follow=True)  # an old bookmark: to the 工作台, with a word
    assert response.redirect_chain == [(reverse("filings:queue"), 302)]
    assert "Excel汇总现在在后台生成" in response.content.decode()
    assert not DownloadJob.objects.exists()


def test_anonymous_is_sent_to_login(client, demo):
    response = client.post(reverse("filings:export"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_empty_selection_asks_for_nothing_and_writes_headers_only(client, demo):
    client.force_login(user("cs_wjw"))
    response = client.post(reverse("filings:export"), {"kind": "project"}, follow=True)
    assert "符合条件的申报表为 0 份" in response.content.decode() and not DownloadJob.objects.exists()
    target = io.BytesIO()
    write_consolidated(Filing.objects.none(), target)
    assert [list(sheet.iter_rows(values_only=True)) for sheet in load_workbook(target)] == [
        [tuple(INDICATOR_HEADERS)], [tuple(SUMMARY_HEADERS)]]


# --- the cells -------------------------------------------------------------------------------------------------

def test_parsed_columns(client, demo):
    filing = demo["s0-dept"]
    add_indicator(filing, name="门诊患者满意度测试", value_text="≥95%")
    add_indicator(filing, name="次均费用测试", value_text="≦47.75万元")
    add_indicator(filing, name="运行情况测试", value_text="有效提高")
    rows = {row["三级指标"]: row for row in records(export(client, "cs_wjw")["指标"])}
    satisfied = rows["门诊患者满意度测试"]
    assert (satisfied["指标值（按填写）"], satisfied["指标值类型"], satisfied["解析：运算符"], satisfied["解析：数值"],
            satisfied["解析：计量单位"]) == ("≥95%", "定量", "≥", 95, "%")
    cost = rows["次均费用测试"]
    assert (cost["指标值（按填写）"], cost["解析：运算符"], cost["解析：数值"], cost["解析：计量单位"]) == (
        "≦47.75万元", "≤", 47.75, "万元")
    vague = rows["运行情况测试"]
    assert (vague["指标值类型"], vague["解析：运算符"], vague["解析：数值"], vague["解析：计量单位"]) == (
        "定性", None, None, None)


def test_every_row_matches_its_indicator_in_the_database(client, demo):
    filing = demo["s4-proj1"]  # 湖南: with 绩效标准
    rows = [row for row in records(export(client, "yj_czj")["指标"]) if row["申报表编号"] == filing.pk]
    database = sorted(filing.indicator_rows(), key=lambda i: (i.period != "implementation", i.order, i.pk))
    assert len(rows) == len(database)
    for row, indicator in zip(rows, database, strict=True):
        number = row["解析：数值"]
        assert (row["一级指标"], row["二级指标"], row["三级指标"] or "", row["指标值（按填写）"] or "",
                row["绩效标准"] or "", row["备注"] or "", row["解析：计量单位"] or "") == (
            indicator.category.parent.name, indicator.category.name, indicator.name, indicator.value_text,
            indicator.standard, indicator.note, indicator.value_unit)
        assert (Decimal(str(number)) if number is not None else None) == (
            indicator.value_number.normalize() if indicator.value_number is not None else None)
        assert (row["单位代码"], row["年度"], row["项目名称"], row["表样"]) == (
            filing.unit.code, filing.year, filing.project.name, filing.variant.name)
    assert any(row["绩效标准"] for row in rows)


def test_formula_like_text_stays_text_and_control_characters_are_stripped(client, demo):
    filing = demo["s0-dept"]
    Filing.objects.filter(pk=filing.pk).update(unit_name="=1+1 医院")
    add_indicator(filing, name='=HYPERLINK("x")', value_text="+1", standard="@SUM(A1)", note="-2-3")
    add_indicator(filing, name="#N/A", value_text="＝A1", note="响铃\x07字符")
    content = download(client, "cs_wjw")
    workbook = load_workbook(io.BytesIO(content))
    rows = {row["三级指标"].value: row for row in cells_by_header(workbook["指标"])}
    link = rows['=HYPERLINK("x")']
    for header, text in [("三级指标", '=HYPERLINK("x")'), ("指标值（按填写）", "+1"), ("绩效标准", "@SUM(A1)"),
                         ("备注", "-2-3"), ("单位名称", "=1+1 医院")]:
        assert (link[header].value, link[header].data_type, link[header].quotePrefix) == (text, "s", True), header
    error_like = rows["#N/A"]
    assert (error_like["三级指标"].data_type, error_like["三级指标"].quotePrefix) == ("s", True)
    assert error_like["备注"].value == "响铃字符"
    summary = cells_by_header(workbook["申报表"])[0]
    assert (summary["单位名称"].value, summary["单位名称"].data_type) == ("=1+1 医院", "s")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in sheets)


def test_markup_and_spaces_are_kept_exactly(client, demo):
    texts = ["<b>粗体</b> & “引号” 'x'", "  前后有空格  ", "第一行\n第二行", "≥1 & ≤2 <3>"]
    for number, text in enumerate(texts):
        add_indicator(demo["s0-dept"], name=f"原样{number}", value_text=text, standard=text)
    rows = {row["三级指标"]: row for row in records(export(client, "cs_wjw")["指标"])}
    for number, text in enumerate(texts):
        assert (rows[f"原样{number}"]["指标值（按填写）"], rows[f"原样{number}"]["绩效标准"]) == (text, text)


def test_the_fast_rows_take_text_and_exact_numbers_only():
    body = BodyRows(4, quoted_style=2)
    body.append(["文本", 7, Decimal("0.000001"), None])
    for bad in (1.5, Decimal("NaN"), object()):  # refused, and no row is used up
        with pytest.raises(TypeError):
            body.append([None, bad, None, None])
    body.append(["=1+1", "", Decimal("123456789012.5"), "#N/A"])
    body.flush()
    body.file.seek(0)
    assert body.file.read().decode() == (
        '<row r="2"><c r="A2" t="inlineStr"><is><t>文本</t></is></c><c r="B2"><v>7</v></c>'
        '<c r="C2"><v>0.000001</v></c></row>'
        '<row r="3"><c r="A3" s="2" t="inlineStr"><is><t>=1+1</t></is></c><c r="C3"><v>123456789012.5</v></c>'
        '<c r="D3" s="2" t="inlineStr"><is><t>#N/A</t></is></c></row>')


def test_amounts_are_numbers_in_yuan_with_a_format(client, demo):
    Filing.objects.filter(pk=demo["s1-proj1"].pk).update(
        status=FilingStatus.SUBMITTED, submitted_at=timezone.make_aware(datetime(2025, 1, 15, 9, 30)))
    workbook = export(client, "cs_czj")
    rows = {row["申报表编号"].value: row for row in cells_by_header(workbook["申报表"])}
    department = demo["s1-dept"].department
    project = ProjectDetails.objects.get(pk=demo["s1-proj1"].pk)
    checks = [(demo["s1-dept"].pk, "部门：收入合计（元）", department.income_total),
              (demo["s1-dept"].pk, "部门：支出合计（元）", department.expenditure_total),
              (demo["s1-proj1"].pk, "项目：年度资金总额（元）", project.annual_total)]
    for pk, header, value in checks:
        assert value is not None and value > 0, header
        cell = rows[pk][header]
        assert cell.data_type == "n" and cell.number_format == AMOUNT_FORMAT, header
        assert Decimal(str(cell.value)) == value, header
    assert rows[demo["s1-dept"].pk]["项目：年度资金总额（元）"].value is None
    moment = rows[demo["s1-proj1"].pk]["提交时间"]
    assert moment.value == datetime(2025, 1, 15, 9, 30) and moment.is_date
    assert rows[demo["s1-proj1"].pk]["修订版本"].value == 1


def test_sheet_layout_header_frozen_filtered_and_sized(client, demo):
    workbook = export(client, "cs_czj")
    for sheet, headers in [(workbook["指标"], INDICATOR_HEADERS), (workbook["申报表"], SUMMARY_HEADERS)]:
        assert [cell.value for cell in sheet[1]] == headers
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(headers)).column_letter}{sheet.max_row}"
        assert sheet.column_dimensions["C"].width >= 20


# --- validation state ------------------------------------------------------------------------------------------

def _codes(findings) -> str | None:
    return "、".join(sorted({finding.code for finding in findings})) or None


def assert_validation_matches(workbook):
    rows = records(workbook["申报表"])
    assert rows
    filings = Filing.objects.with_related().in_bulk([row["申报表编号"] for row in rows])
    for row in rows:
        report = validate_filing(filings[row["申报表编号"]])
        assert (row["错误数"], row["警告数"], row["错误代码"], row["警告代码"]) == (
            len(report.errors), len(report.warnings), _codes(report.errors), _codes(report.warnings)), row
        assert row["指标数"] == filings[row["申报表编号"]].indicators.count()


def test_validation_counts_match_validate_filing(client, demo):
    workbook = export(client, "admin")
    assert_validation_matches(workbook)
    assert any(row["错误数"] for row in records(workbook["申报表"]))
    assert any(row["警告数"] for row in records(workbook["申报表"]))


def test_validation_compares_projects_outside_the_filter_and_the_chunk(client, demo):
    # Two projects of the same unit and year with one name: W10 on both, even when only one is exported.
    same = ProjectDetails.objects.get(pk=demo["s3-proj1"].pk).name
    ProjectDetails.objects.filter(pk=demo["s3-proj2"].pk).update(name=same)
    Filing.objects.filter(pk=demo["s3-proj1"].pk).update(status=FilingStatus.SUBMITTED)
    assert "W10" in validate_filing(Filing.objects.with_related().get(pk=demo["s3-proj1"].pk)).codes()
    workbook = export(client, "yq_wjw", status="submitted")
    assert filing_ids(workbook) == [demo["s3-proj1"].pk]
    assert "W10" in records(workbook["申报表"])[0]["警告代码"]
    assert_validation_matches(workbook)
    target = io.BytesIO()  # the five projects in chunks of two: s3-proj2's twin is in another chunk
    write_consolidated(Filing.objects.filter(unit__code="063001"), target, chunk_size=2)
    assert_validation_matches(load_workbook(target))


# --- streaming: chunks, queries, row limit, the temporary file ---------------------------------------------------

@pytest.fixture
def many(demo):
    """Copies of s0-dept (department) and s3-proj1 (project) filings: make(n) gives n more filings in 327002001."""
    admin = user("admin")
    made = []

    def make(n):
        while len(made) < n:
            source = demo["s0-dept"] if len(made) % 2 else demo["s3-proj1"]
            made.append(copy_filing(source, 2030 + len(made), admin, keep_amounts=True))
        return Filing.objects.filter(pk__in=[filing.pk for filing in made[:n]])

    return make


def queries_for(filings, chunk_size) -> int:
    with CaptureQueriesContext(connection) as queries:
        write_consolidated(filings, io.BytesIO(), chunk_size=chunk_size)
    return len(queries)


def test_queries_grow_with_chunks_not_with_filings(many):
    five, fifty = many(5), many(50)
    assert queries_for(five, chunk_size=100) == queries_for(fifty, chunk_size=100)
    # 50 filings in chunks of 10 are 5 chunks, 5 filings one: 4 more chunks of 2 queries each (filings, indicators)
    assert queries_for(fifty, chunk_size=10) == queries_for(five, chunk_size=10) + 4 * 2


def test_the_request_and_the_build_make_as_many_queries_for_5_as_for_50_filings(client, many, monkeypatch):
    monkeypatch.setattr(download_jobs, "PROGRESS_EVERY", 3600)  # one progress write (the last), however long it takes
    client.force_login(user("admin"))
    counts = []
    for n in (5, 50):
        many(n)
        with CaptureQueriesContext(connection) as request_queries:
            response = ask(client, "filings:export")
        with CaptureQueriesContext(connection) as build_queries:
            assert run_tasks() == 1
        job = DownloadJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
        workbook = load_workbook(io.BytesIO(downloaded(client, job)))
        assert len(workbook["申报表"]["A"]) == 1 + len(ALL) + n
        counts.append((len(request_queries), len(build_queries)))
    assert counts[0] == counts[1]


def test_the_whole_export_is_chunk_size_independent(many):
    filings = many(7)
    contents = []
    for chunk_size in (1, 3, 100):
        target = io.BytesIO()
        counts = write_consolidated(filings, target, chunk_size=chunk_size)
        workbook = load_workbook(target)
        contents.append([list(sheet.iter_rows(values_only=True)) for sheet in workbook])
        assert counts.filings == 7 and counts.indicators == len(contents[-1][0]) - 1
    assert contents[0] == contents[1] == contents[2]


def test_a_sheet_full_to_the_row_limit_continues_on_a_new_sheet(demo):
    filings = Filing.objects.filter(source__startswith="seed:")
    total = Indicator.objects.filter(filing__in=filings).count()
    target = io.BytesIO()
    write_consolidated(filings, target, max_rows=101)  # 100 data rows a sheet
    workbook = load_workbook(target)
    indicator_sheets = [name for name in workbook.sheetnames if name.startswith("指标")]
    assert len(indicator_sheets) == -(-total // 100) > 1
    assert indicator_sheets[:2] == ["指标", "指标(2)"]
    rows = []
    for name in indicator_sheets:
        sheet_rows = list(workbook[name].iter_rows(values_only=True))
        assert sheet_rows[0] == tuple(INDICATOR_HEADERS) and len(sheet_rows) <= 101
        assert workbook[name].auto_filter.ref.endswith(str(len(sheet_rows)))
        rows += sheet_rows[1:]
    assert len(rows) == total
    assert workbook.sheetnames[-1] == "申报表"


def test_the_scratch_file_is_closed_once_the_workbook_is_stored(client, demo, monkeypatch):
    made, real = [], tempfile.TemporaryFile

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", recording)
    client.force_login(user("cs_czj"))
    job = built(client, "filings:export")
    assert made and all(file.closed for file in made)  # the worker's scratch file (and any openpyxl made)
    assert job.file_name.endswith(".xlsx") and job.file_size > 0
    response = client.get(reverse("filings:download_file", args=[job.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    b"".join(response.streaming_content)

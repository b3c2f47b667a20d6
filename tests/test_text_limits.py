"""Text and row limits a filing's PDF and e-mails can carry (issue 12 item 4): what an officer may type, how a
too-long text is refused (in Chinese, the text kept), one-line names, and the PDF of the longest allowed filing."""


import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from bench.pdf_longest import fill_to_limits, text_of
from filings.exports.excel.template_import import read_upload
from filings.exports.pdf import render_filing_pdf
from filings.layouts import catalogue
from filings.limits import ROW_LIMITS, line_limit, row_limit, rows_message
from filings.models import AnnualTask, Filing, FilingKind, FunctionItem, Indicator, ProjectDetails
from filings.steps.shared import IndicatorsStep
from indicators import paste

from .pages import admin_form_data, form_data, html, login, message_next_to, open_step, step_url
from .pdfs import pdf_tool
from .test_excel_import import cell, edited, find, upload
from .test_wizard_steps import post_step, reload, snapshot

TEXT_FIELDS = {"CharField", "TextField"}


def text_fields(model):
    return [f for f in model._meta.concrete_fields
            if f.get_internal_type() in TEXT_FIELDS and f.editable and not f.choices and f.name != "source"]


# --- the limits fit what officers write ---------------------------------------------------------------------------

def test_every_free_text_of_a_filing_has_a_limit():
    from filings.models import DepartmentDetails, ReviewComment, Transition

    for model in (Filing, DepartmentDetails, ProjectDetails, FunctionItem, AnnualTask, Indicator, ReviewComment,
                  Transition):
        assert all(f.max_length for f in text_fields(model)), model


def test_every_seed_fits_its_limits_with_room_to_spare(demo):
    """The longest real texts (the seeds) use at most half of any limit, and at most half the rows."""
    for filing in demo.values():
        details = filing.department if filing.kind == FilingKind.DEPARTMENT else filing.project
        owners = [(filing, Filing), (details, type(details))]
        owners += [(row, type(row)) for rows in (filing.functions.all(), filing.tasks.all(), filing.indicators.all())
                   for row in rows]
        for owner, model in owners:
            for f in text_fields(model):
                text = getattr(owner, f.name)
                assert len(text) * 2 <= f.max_length, (filing, f.name, len(text))
                if f.get_internal_type() == "TextField":
                    assert text.count("\n") * 2 < line_limit(f.max_length), (filing, f.name)
        for rows in (filing.functions, filing.tasks, filing.indicators):
            assert rows.count() * 2 <= row_limit(rows.model), (filing, rows.model)


def test_the_paste_import_and_the_excel_import_read_the_same_limits_as_the_forms():
    assert {paste.MAX_CELL} == {Indicator._meta.get_field(name).max_length for name in ("name", "value_text",
                                                                                           "standard")}
    assert paste.MAX_ROWS == ROW_LIMITS["filings.indicator"]
    fields = catalogue.data_fields(FilingKind.PROJECT)
    assert fields["overview"].max_length == ProjectDetails._meta.get_field("overview").max_length == 3000


# --- the wizard: refused in Chinese, the text kept -------------------------------------------------------------

def test_a_too_long_project_overview_is_refused_and_kept_on_the_page(client, demo):
    filing = demo["s3-proj1"]
    login(client, "yq_sy")
    before = snapshot_of_project(filing)
    typed = "项目概况正文。" * 429  # 3,003 characters
    response = post_step(client, filing, "narrative", {"narrative-overview": typed})
    assert response.status_code == 422
    assert "最多 3000 个字，现有 3003 个字。" in message_next_to(html(response), "id_narrative-overview")
    assert form_data(response)["narrative-overview"] == typed  # nothing typed is lost
    assert snapshot_of_project(filing) == before


def snapshot_of_project(filing):
    return ProjectDetails.objects.filter(filing_id=filing.pk).values().get()


def test_the_browser_is_not_told_to_cut_a_paste_and_counts_the_characters_instead(client, demo):
    login(client, "yq_sy")
    page = html(client.get(step_url(demo["s3-proj1"], "narrative")))
    area = page[page.index('<textarea name="narrative-overview"'):]
    area = area[:area.index(">")]
    assert 'data-maxlength="3000"' in area and " maxlength=" not in area
    assert "/static/js/limits.js" in page


def test_a_text_at_its_limit_with_windows_line_breaks_is_accepted_and_stored_with_one_per_line(client, demo):
    filing = demo["s3-proj1"]
    login(client, "yq_sy")
    line = ("第一项措施。" * 42)[:250]
    expected = "\n".join([line] * 11 + [line[:239]])  # 3,000 characters, 12 lines
    typed = expected.replace("\n", "\r\n")  # as a browser sends a text area: 3,011 characters
    assert post_step(client, filing, "narrative", {"narrative-overview": typed}).status_code == 302
    stored = reload(filing).project.overview
    assert stored == expected and len(stored) == 3000


def test_a_text_of_too_many_lines_is_refused(client, demo):
    filing = demo["s3-proj1"]
    login(client, "yq_sy")
    typed = "\n".join(["一"] * 101)  # 201 characters, but 101 lines where 100 are allowed
    response = post_step(client, filing, "goals", {"goals-annual_goal": typed})
    assert response.status_code == 422
    assert "最多 100 行，现有 101 行。" in message_next_to(html(response), "id_goals-annual_goal")


@pytest.mark.parametrize("breaking", ["\n", "\r\n", "\u2028", "\u2029", "\x85", "\t", "\x0b"])
def test_a_line_break_in_a_project_name_or_a_person_becomes_a_space(client, demo, breaking):
    filing = demo["s3-proj1"]
    login(client, "yq_sy")
    response = post_step(client, filing, "project", {
        "details-name": f"中央财政{breaking}补助资金", "signoff-handler": f"张{breaking}{breaking}三"})
    assert response.status_code == 302
    saved = reload(filing)
    assert (saved.project.name, saved.handler) == ("中央财政 补助资金", "张 三")


def test_a_line_break_in_a_unit_name_becomes_a_space(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    assert post_step(client, filing, "unit", {"header-unit_name": "九江市\r\n柴桑区总医院"}).status_code == 302
    assert reload(filing).unit_name == "九江市 柴桑区总医院"


def test_an_indicator_name_over_its_limit_is_refused_in_its_row(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    _, data = open_step(client, filing, "indicators")
    before = snapshot(filing)
    response = post_step(client, filing, "indicators", {"indicators-0-name": "名" * 101}, data=data)
    assert response.status_code == 422
    assert "最多 100 个字，现有 101 个字。" in message_next_to(html(response), "id_indicators-0-name")
    assert snapshot(filing) == before


# --- rows: at most what the product allows -------------------------------------------------------------------------

def rows_data(prefix, rows, initial=0):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for number, row in enumerate(rows):
        data |= {f"{prefix}-{number}-{name}": value for name, value in row.items()}
    return data


def test_a_functions_table_of_more_rows_than_allowed_is_refused_with_the_rows_kept(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    limit = row_limit(FunctionItem)
    _, data = open_step(client, filing, "functions")
    initial = int(data["functions-INITIAL_FORMS"])
    kept = {key: value for key, value in data.items() if not key.startswith("functions-")}
    existing = [{name: data[f"functions-{n}-{name}"] for name in ("id", "order", "name", "mid_term_goal",
                                                                    "annual_goal")} for n in range(initial)]
    added = [{"order": str(initial + n + 1), "name": f"新增职能{n}", "mid_term_goal": "", "annual_goal": ""}
             for n in range(limit - initial + 1)]
    before = snapshot(filing)
    response = client.post(step_url(filing, "functions"),
                           {**kept, **rows_data("functions", existing + added, initial), "save": ""})
    assert response.status_code == 422
    page = html(response)
    assert f"这张表最多 {limit} 行，现有 {limit + 1} 行。" in page
    assert f"新增职能{limit - initial}" in page  # the typed rows are still on the page
    assert snapshot(filing) == before
    # one row marked deleted: now it fits
    response = client.post(step_url(filing, "functions"), {
        **kept, **rows_data("functions", existing + added, initial), "functions-0-DELETE": "on", "save": ""})
    assert response.status_code == 302
    assert reload(filing).functions.count() == limit


def test_blank_rows_added_but_not_filled_do_not_count(demo):
    filing = demo["s2-dept"]
    step = IndicatorsStep("indicators", "")
    category = filing.scheme.level2_categories().first()
    existing = list(filing.indicators.order_by("period", "order", "pk"))
    rows = [{"id": str(row.pk), "period": row.period, "category": str(row.category_id), "order": str(n + 1),
             "name": row.name, "value_text": row.value_text, "note": ""} for n, row in enumerate(existing)]
    limit = row_limit(Indicator)
    fill = [{"period": "annual", "category": str(category.pk), "order": str(len(rows) + n + 1),
             "name": f"新增{n}", "value_text": "≥1个", "note": ""} for n in range(limit - len(rows))]
    blank = [{"period": "annual", "category": str(category.pk), "order": "999", "name": "", "value_text": "",
              "note": ""}] * 3
    formset = step.build(filing, rows_data("indicators", rows + fill + blank, len(rows))).formsets["rows"]
    assert formset.is_valid(), formset.non_form_errors()
    one_more = [{**blank[0], "name": "多出的一行", "value_text": "1"}]
    formset = step.build(filing, rows_data("indicators", rows + fill + one_more, len(rows))).formsets["rows"]
    assert not formset.is_valid()
    assert formset.non_form_errors() == [rows_message(limit, limit + 1)]
    assert rows_message(limit, limit + 1).startswith(f"这张表最多 {limit} 行，现有 {limit + 1} 行。")


# --- the Excel import ------------------------------------------------------------------------------------------

def test_an_imported_text_over_its_limit_is_reported_at_its_cell(demo):
    filing = demo["s1-dept"]
    problems = read_upload(upload(edited(filing, lambda wb: setattr(cell(wb, "pb_function_summary"), "value",
                                                                    "长" * 3001))), filing).problems
    assert any("“部门职能简述”最多 3000 个字，现有 3001 个字。" in p.message and p.row for p in problems), problems


def test_imported_names_are_put_on_one_line_and_paragraphs_keep_theirs(demo):
    filing = demo["s1-dept"]

    def change(workbook):
        cell(workbook, "pb_unit_name").value = "九江市\r\n柴桑区\u2028医疗保障局"
        cell(workbook, "pb_function_summary").value = "第一段。\r\n第二段。\r第三段。"

    result = read_upload(upload(edited(filing, change)), filing)
    assert result.ok, [str(p) for p in result.problems]
    assert result.data["fields"]["unit_name"] == "九江市 柴桑区 医疗保障局"
    assert result.data["fields"]["function_summary"] == "第一段。\n第二段。\n第三段。"


def test_an_imported_indicator_table_of_more_rows_than_allowed_is_refused(demo):
    filing = demo["s1-proj1"]
    limit = row_limit(Indicator)

    def more_rows(workbook):
        main = workbook.worksheets[0]
        start = main.max_row + 1
        for n in range(limit + 1 - filing.indicators.count()):
            main.cell(start + n, 3).value = f"新增满意度指标{n}"
            main.cell(start + n, 5).value = "≥90%"

    problems = read_upload(upload(edited(filing, more_rows)), filing).problems
    assert any(f"最多 {limit} 行，文件中有 {limit + 1} 行" in p.message for p in problems), [str(p) for p in problems]


def test_an_import_of_one_period_cannot_take_the_filing_past_the_indicator_limit(demo):
    from filings.exports.excel.official import workbook_bytes
    from filings.exports.excel.template_import import ImportRefused, apply_import
    from filings.snapshots import snapshot as stored

    filing = demo["s3-proj1"]  # 阳泉: 实施期 and 年度 indicators
    limit = row_limit(Indicator)
    result = read_upload(upload(workbook_bytes(filing)), filing)
    data = result.data
    data["indicators"]["periods"] = ["annual"]  # a file that holds the 年度 set only
    data["indicators"]["rows"] = [row for row in data["indicators"]["rows"] if row["period"] == "annual"]
    kept = filing.indicators.filter(period="implementation")
    template = kept.first()
    Indicator.objects.bulk_create(
        Indicator(filing=filing, period="implementation", category=template.category, name=f"实施期指标{n}",
                  order=100 + n) for n in range(limit - kept.count() - len(data["indicators"]["rows"]) + 1))
    before = stored(Filing.objects.get(pk=filing.pk))
    with pytest.raises(ImportRefused, match=f"最多 {limit} 条"):
        apply_import(filing, data, Filing.objects.get(pk=filing.pk).lock_version,
                     user=get_user_model().objects.get(username="yq_sy"))
    assert stored(Filing.objects.get(pk=filing.pk)) == before


def test_an_imported_indicator_name_over_its_limit_is_refused(demo):
    filing = demo["s1-dept"]

    def change(workbook):
        main = workbook.worksheets[0]
        (row, column), = find(main, "参保对象满意度")
        main.cell(row, column).value = "名" * 101

    problems = read_upload(upload(edited(filing, change)), filing).problems
    assert any("最多 100 个字，现有 101 个字。" in p.message for p in problems), [str(p) for p in problems]


# --- the admin -------------------------------------------------------------------------------------------------

def test_the_admin_refuses_a_too_long_text_in_chinese_and_keeps_it(client, demo):
    filing = demo["s3-proj1"]
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse("admin:filings_filing_change", args=[filing.pk])
    page = client.get(url)
    assert 'data-maxlength="3000"' in html(page)
    before = snapshot_of_project(filing)
    typed = "概" * 3001
    response = client.post(url, {**admin_form_data(page), "project-0-overview": typed, "_save": "保存"})
    assert response.status_code == 200
    assert "最多 3000 个字，现有 3001 个字。" in html(response) and typed in html(response)
    assert snapshot_of_project(filing) == before


def test_the_admin_refuses_more_task_rows_than_a_filing_may_hold(client, demo):
    filing = demo["s2-dept"]
    client.force_login(get_user_model().objects.get(username="admin"))
    url = reverse("admin:filings_filing_change", args=[filing.pk])
    data = admin_form_data(client.get(url))
    prefix = next(key.removesuffix("-TOTAL_FORMS") for key in data
                  if key.endswith("-TOTAL_FORMS") and key.startswith(("annualtask", "tasks")))
    existing, limit = int(data[f"{prefix}-TOTAL_FORMS"]), row_limit(AnnualTask)
    for n in range(existing, limit + 1):
        data |= {f"{prefix}-{n}-order": str(n + 1), f"{prefix}-{n}-name": f"任务{n}",
                 f"{prefix}-{n}-filing": str(filing.pk)}
    data[f"{prefix}-TOTAL_FORMS"] = str(limit + 1)
    response = client.post(url, {**data, "_save": "保存"})
    assert response.status_code == 200  # the form again, with the message
    assert AnnualTask.objects.filter(filing=filing).count() == existing


# --- the PDF of the longest filing allowed ------------------------------------------------------------------------

def test_the_longest_allowed_department_filing_prints(demo):
    """Every text at its limit, every table at its row cap (bench/pdf_longest.py measures it; docs/performance.md)."""
    filing = fill_to_limits(Filing.objects.with_related().get(pk=demo["s0-dept"].pk))
    assert filing.indicators.count() == row_limit(Indicator) and filing.tasks.count() == row_limit(AnnualTask)
    assert len(filing.department.function_summary) == 3000
    pdf = render_filing_pdf(filing)  # its time is bench/pdf_longest.py's: a wall-clock bound fails on a busy machine
    assert pdf.startswith(b"%PDF-") and int(pdf_tool("pdfinfo", pdf=pdf).split("Pages:")[1].split()[0]) > 50
    assert text_of(10) in pdf_tool("pdftotext", "-l", "1", "-enc", "UTF-8", pdf=pdf).replace("\n", "")


def test_a_copy_of_a_project_named_at_its_limit_still_fits(demo):
    from filings.services import copy_filing

    filing = demo["s3-proj1"]
    limit = ProjectDetails._meta.get_field("name").max_length
    ProjectDetails.objects.filter(filing=filing).update(name="项" * limit)
    copy = copy_filing(Filing.objects.with_related().get(pk=filing.pk), filing.year,
                       get_user_model().objects.get(username="yq_sy"), keep_amounts=True)
    name = ProjectDetails.objects.get(filing=copy).name
    assert len(name) == limit and name.endswith("（副本）")

"""Required fields are visible (issue 14, item 7): every required field of a step carries a mark and
``aria-required``, one legend per step explains the mark, and saving a step with required fields still blank saves
the draft and names them, in the order of the page, each a link to its field. The names come from the step's own
findings (E1, E11), so the message and the check page never disagree.

The indicator step's completeness banner (E5) is refreshed from the rows posted by the page, without saving them.
"""

import re

import pytest

from filings.models import EventKind, Filing, FilingEvent, FormVariant, Indicator
from filings.services import create_project_filing
from filings.validation import validate_filing
from indicators.models import Category

from .pages import form_data, html, login, open_step, step_url
from .personas import person

MARK = '<svg class="required-mark text-danger ms-1 align-top" aria-hidden="true"'
LEGEND = "带 <span class=\"text-danger\">*</span> 的为必填项"


def input_tag(page: str, name: str) -> str:
    match = re.search(rf'<(?:input|textarea|select)\b[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert match, name
    return match.group(0)


def label_html(page: str, field_id: str) -> str:
    """The inner HTML of the label (or legend) for a field id."""
    match = re.search(rf'<(label|legend)\b[^>]*\bfor="{re.escape(field_id)}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, field_id
    return match.group(2).strip()


def saved_messages(page: str) -> list[str]:
    return re.findall(r'<div class="alert alert-success" role="status">(.*?)</div>', page, re.S)


def links(message: str) -> list[tuple[str, str]]:
    """(href, text) of every link of a message, in order."""
    return re.findall(r'<a class="alert-link" href="([^"]*)">([^<]*)</a>', message)


def press(client, filing, key, changes, button="save"):
    _, data = open_step(client, filing, key)
    response = client.post(step_url(filing, key), {**data, **changes, button: ""}, follow=True)
    assert response.status_code == 200
    return html(response)


# --- the marks ---------------------------------------------------------------------------------------------------

def test_jiangxi_department_unit_step_marks_every_required_field_and_only_those(client, demo):
    filing = demo["s0-dept"]  # 江西: unit name, contact, phone, function basis … are required
    login(client, "cs_zyy")
    page = html(open_step(client, filing, "unit")[0])
    for name in ("header-unit_name", "header-contact_person", "header-contact_phone", "details-function_basis",
                 "details-function_summary", "details-sector", "details-subordinate_units"):
        assert 'aria-required="true"' in input_tag(page, name), name
        assert label_html(page, f"id_{name}").count(MARK) == 1, name
    # drawn, not written: the label's text is still the label (what a screen reader or a search by label reads)
    assert re.sub(r"<[^>]+>", "", label_html(page, "id_header-contact_person")).strip() == "联系人"
    for name in ("details-internal_department_count", "details-staffing_quota", "signoff-handler",
                 "signoff-filled_on"):
        assert "aria-required" not in input_tag(page, name), name
        assert MARK not in label_html(page, f"id_{name}"), name
    assert page.count(LEGEND) == 1


def test_a_yes_no_question_is_marked_on_its_legend_not_on_each_radio(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    page = html(open_step(client, filing, "unit")[0])
    legend = re.search(r'<legend\b[^>]*>\s*近三年单位职能是否出现过重大变化(.*?)</legend>', page, re.S)
    assert legend and MARK in legend.group(1)
    assert "aria-required" not in input_tag(page, "details-functions_changed")


def test_a_field_django_requires_keeps_one_mark_and_is_aria_required(client, demo):
    filing = demo["s3-proj1"]  # 阳泉 project: 项目名称 is required by the form itself
    login(client, "yq_sy")
    page = html(open_step(client, filing, "project")[0])
    label = label_html(page, "id_details-name")
    assert label.count("*") == 1 and MARK not in label
    assert 'aria-required="true"' in input_tag(page, "details-name")
    for name in ("signoff-responsible_person", "signoff-handler", "signoff-contact_phone", "details-period_text"):
        assert 'aria-required="true"' in input_tag(page, name), name
    assert "aria-required" not in input_tag(page, "signoff-filled_time")  # 阳泉 asks the time, does not require it


def test_a_period_asked_as_two_dates_marks_both(client, demo):
    filing = demo["s1-proj1"]  # 江西 project: 项目期 as start and end dates
    login(client, "cs_ybj")
    page = html(open_step(client, filing, "project")[0])
    for name in ("details-start_date", "details-end_date"):
        assert 'aria-required="true"' in input_tag(page, name), name


def test_a_step_without_required_fields_has_no_legend(client, demo):
    filing = demo["s3-proj1"]
    FormVariant.objects.filter(pk=filing.variant_id).update(required_fields=["name"])
    login(client, "yq_sy")
    page = html(open_step(client, Filing.objects.get(pk=filing.pk), "funds")[0])
    assert "aria-required" not in page and LEGEND not in page


def test_the_task_table_marks_its_required_column(client, demo):
    filing = demo["s2-dept"]  # 88号: a task's name is required by the form
    login(client, "dp_bj")
    page = html(open_step(client, filing, "tasks")[0])
    head = re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    marked = re.findall(r'<th scope="col">([^<]*)<svg class="required-mark', head)
    assert marked == [filing.variant.description.columns("tasks")[0].label]
    assert 'aria-required="true"' in input_tag(page, "tasks-0-name")
    template = page[page.index('<template class="empty-row">'):]
    assert 'aria-required="true"' in input_tag(template, "tasks-__prefix__-name")


def test_required_categories_of_the_indicator_step_carry_the_same_mark(client, demo):
    filing = demo["s3-proj1"]
    login(client, "yq_sy")
    page = html(open_step(client, filing, "indicators")[0])
    required = Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False, is_required=True)
    for category in required:
        heading = re.search(rf'<strong class="me-auto">{re.escape(category.name)}(.*?)</strong>', page, re.S)
        assert heading and MARK in heading.group(1) and "（必填）" in heading.group(1), category.name
    assert page.count(LEGEND) == 1


def test_the_mark_never_reaches_what_is_stored_or_summarised(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    press(client, filing, "unit", {"header-contact_person": "王小明"})
    event = FilingEvent.objects.filter(filing=filing, kind=EventKind.STEP_SAVED).latest("pk")
    assert event.data["fields"]["联系人"][1] == "王小明"
    page = html(client.post(step_url(filing, "unit"), {**form_data(client.get(step_url(filing, "unit"))),
                                                      "header-contact_phone": "x" * 60, "save": ""}))
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</ul>', page, re.S).group(0)
    assert '<a href="#id_header-contact_phone">联系电话</a>' in summary and "required-mark" not in summary


# --- the message after a save --------------------------------------------------------------------------------------

def test_saving_the_department_unit_step_with_blanks_names_them_in_page_order(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    page = press(client, filing, "unit", {"header-contact_person": "", "details-sector": ""})
    url = step_url(filing, "unit")
    [message] = saved_messages(page)
    assert message.startswith("已保存“单位基本信息”。还有 6 项必填内容未填写：")
    assert links(message) == [
        (f"{url}#field-contact_person", "联系人"),
        (f"{url}#field-function_basis", "部门职能依据（三定方案批文号）"),
        (f"{url}#field-functions_changed", "近三年单位职能是否出现过重大变化"),
        (f"{url}#field-is_primary_department", "部门是否为一级预算主管部门"),
        (f"{url}#field-sector", "所属部门领域"),
        (f"{url}#field-subordinate_units", "直属部门包括"),
    ]
    saved = Filing.objects.get(pk=filing.pk)
    assert saved.contact_person == "" and saved.department.sector == ""  # the draft was saved
    # Every name is one of the step's E1 findings: the message is no second list of what is required.
    e1 = [f.field for f in validate_filing(saved).for_step("unit") if f.code == "E1"]
    assert sorted(e1) == sorted(href.split("#field-")[1] for href, _ in links(message))


def test_a_step_saved_complete_keeps_the_usual_message(client, demo):
    filing = demo["s4-dept"]  # 湖南: its unit step's required fields are filled
    login(client, "yj_wjj")
    [message] = saved_messages(press(client, filing, "unit", {}))
    assert message == "已保存“单位基本信息”，可以继续填写或稍后再来。"


def test_save_and_continue_names_the_blanks_of_the_step_left_on_the_next_page(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    page = press(client, filing, "unit", {}, button="continue")
    assert "<h1 class=\"h4 mb-1\">预算情况</h1>" in page
    [message] = saved_messages(page)
    assert message.startswith("已保存“单位基本信息”。还有 4 项必填内容未填写：")
    assert all(href.startswith(step_url(filing, "unit")) for href, _ in links(message))


def test_project_step_names_the_period_and_the_sign_off_in_page_order(client, demo):
    filing = demo["s3-proj1"]  # 阳泉: 负责人, 经办人, 联系电话 are blank in the seed
    login(client, "yq_sy")
    page = press(client, filing, "project", {"details-implementing_unit": "", "details-period_text": ""})
    [message] = saved_messages(page)
    assert message.startswith("已保存“项目基本信息”。还有 5 项必填内容未填写：")
    assert [text for _, text in links(message)] == ["实施单位", "项目期", "负责人", "经办人", "联系电话"]


def test_a_period_of_two_dates_is_named_once_and_links_to_its_first_date(client, demo):
    filing = demo["s1-proj1"]  # 江西: no 项目期 in the seed
    login(client, "cs_ybj")
    [message] = saved_messages(press(client, filing, "project", {"details-implementing_unit": ""}))
    assert message.startswith("已保存“项目基本信息”。还有 2 项必填内容未填写：")
    assert links(message) == [(f"{step_url(filing, 'project')}#field-implementing_unit", "实施单位"),
                              (f"{step_url(filing, 'project')}#field-start_date", "项目期")]


@pytest.fixture
def wuhai_project(demo):
    """A new 乌海 project whose variant also requires two of its own fields (项目类别, 归口科室)."""
    variant = FormVariant.objects.get(code="proj-wuhai")
    layout = variant.layout
    for extra in layout["extra_fields"]:
        if extra["key"] in {"project_category", "office"}:
            extra["required"] = True
    variant.layout = layout
    variant.save()
    seed = demo["s1-proj1"]
    return create_project_filing(seed.unit, seed.year + 1, variant, "乌海测试项目", person("cs_ybj"))


def test_a_regional_variant_marks_and_names_its_own_required_fields(client, wuhai_project):
    filing = wuhai_project
    login(client, "cs_ybj")
    page = html(open_step(client, filing, "project")[0])
    for name in ("header-extra.project_category", "header-extra.office"):
        assert 'aria-required="true"' in input_tag(page, name), name
        assert label_html(page, f"id_{name}").count(MARK) == 1, name
    marked = re.findall(r'<label\b[^>]*for="id_([^"]*)"[^>]*>\s*([^<*]+?)\s*<svg class="required-mark', page)
    page = press(client, filing, "project", {"header-extra.project_category": "", "details-implementing_unit": ""})
    [message] = saved_messages(page)
    url = step_url(filing, "project")
    assert links(message) == [(f"{url}#field-extra.project_category", "项目类别"),
                              (f"{url}#field-extra.office", "归口科室"),
                              (f"{url}#field-implementing_unit", "实施单位")]
    assert message.startswith("已保存“项目基本信息”。还有 3 项必填内容未填写：")
    # in the order the page shows them
    order = [label for _, label in marked]
    positions = [order.index(name) for _, name in links(message)]
    assert positions == sorted(positions)
    report = validate_filing(Filing.objects.get(pk=filing.pk))
    codes = {f.field: f.code for f in report.for_step("project") if f.code in {"E1", "E11"}}
    assert codes == {"extra.project_category": "E11", "extra.office": "E11", "implementing_unit": "E1"}


def test_the_indicator_table_of_a_regional_variant_marks_its_required_column(client, wuhai_project):
    variant = wuhai_project.variant
    layout = variant.layout
    next(extra for extra in layout["extra_fields"] if extra["key"] == "weight")["required"] = True
    variant.layout = layout
    variant.save()
    login(client, "cs_ybj")
    page = html(open_step(client, Filing.objects.get(pk=wuhai_project.pk), "indicators")[0])
    heads = re.findall(r'<th scope="col" class="fw-normal column-([^"]*)">([^<]*)(<svg class="required-mark)?', page)
    # 三级指标: a row needs a name (the form requires it); 分值: the variant now requires it
    assert {name for name, _, mark in heads if mark} == {"name", "extra.weight"}
    template = page[page.index('<template class="empty-row">'):]
    assert 'aria-required="true"' in input_tag(template, "indicators-__prefix__-extra.weight")


# --- the completeness banner from the rows on the page ----------------------------------------------------------

def banner(page: str) -> str:
    match = re.search(r'<div class="completeness-check".*?\n</div>', page, re.S)
    assert match, "no completeness banner"
    return match.group(0)


def test_the_banner_is_recomputed_from_posted_rows_without_saving_them(client, wuhai_project):
    filing = wuhai_project  # a new draft: no indicators at all
    login(client, "cs_ybj")
    response, data = open_step(client, filing, "indicators")
    assert "年度绩效指标为空" in banner(html(response))
    categories = {c.code: c for c in Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False)}
    required = [c for c in categories.values() if c.is_required]
    assert len(required) > 1
    rows = dict(data)
    for index, category in enumerate(required[1:]):  # every required 二级 but the first
        rows.update({f"indicators-{index}-period": "annual", f"indicators-{index}-category": str(category.pk),
                     f"indicators-{index}-order": str(index + 1), f"indicators-{index}-name": f"指标{index}",
                     f"indicators-{index}-value_text": "≥95%"})
    rows["indicators-TOTAL_FORMS"] = str(len(required) - 1)
    version = Filing.objects.get(pk=filing.pk).lock_version
    response = client.post(step_url(filing, "indicators"), {**rows, "live_check": "completeness"})
    assert response.status_code == 200
    shown = banner(html(response))
    assert f"“{required[0].name}”至少需要一条三级指标" in shown
    assert all(f"“{c.name}”" not in shown for c in required[1:])
    assert "年度绩效指标为空" not in shown
    assert not Indicator.objects.filter(filing=filing).exists()  # nothing saved
    assert Filing.objects.get(pk=filing.pk).lock_version == version


def test_rows_removed_on_the_page_no_longer_count(client, demo):
    filing = demo["s3-proj1"]
    login(client, "yq_sy")
    response, data = open_step(client, filing, "indicators")
    assert "“数量指标”" not in banner(html(response))
    rows = Indicator.objects.filter(filing=filing)
    quantity = {row.pk for row in rows if row.category.code == "quantity"}
    assert quantity
    for key, value in list(data.items()):
        if key.endswith("-id") and value and int(value) in quantity:
            data[key.replace("-id", "-DELETE")] = "on"
    response = client.post(step_url(filing, "indicators"), {**data, "live_check": "completeness"})
    assert "“数量指标”" in banner(html(response))
    assert Indicator.objects.filter(pk__in=quantity).count() == len(quantity)

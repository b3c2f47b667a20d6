"""The projects list of a unit and year: what it shows, new project, 复制为新项目, 复制上年, delete, who may do what,
and a constant number of queries however many projects the unit files."""

import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.checked import STORED, refresh_unchecked
from filings.models import (
    Filing,
    FilingKind,
    FilingStatus,
    FormVariant,
    Indicator,
    Novelty,
    ProjectDetails,
    Transition,
    Unit,
)
from filings.money import MoneyField
from filings.services import copy_filing
from filings.validation import validate_filing

from .personas import sign_in as login

YANGQUAN_PROJECTS = ["s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5"]
PROJECT_MONEY = [f.name for f in ProjectDetails._meta.concrete_fields if isinstance(f, MoneyField)]
# Filing columns a copy sets anew rather than taking from its source
FILING_NOT_COPIED = {
    "id", "kind", "unit", "year", "status", "revision", "lock_version", "source", "created_by", "created_at",
    "updated_at", "submitted_at", "submitted_by", "filled_on", "filled_time", "current_step", "saved_steps",
    "completed_steps", "copied_from", "position", *STORED,  # the stored checks are the copy's own
}
INDICATOR_COLUMNS = ["period", "category_id", "order", "name", "value_text", "value_kind", "operator", "value_number",
                     "value_unit", "standard", "not_applicable", "note"]


# --- helpers --------------------------------------------------------------------------------------------------



def html(response) -> str:
    return response.content.decode()


def messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def unit(code) -> Unit:
    return Unit.objects.get(code=code)


def list_url(unit_code=None, year=None) -> str:
    params = []
    if unit_code:
        params.append(f"unit={unit(unit_code).pk}")
    if year:
        params.append(f"year={year}")
    return reverse("filings:projects") + (f"?{'&'.join(params)}" if params else "")


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def list_rows(page: str) -> list[dict]:
    """The rows of the projects table: the cells as text, and the action cell's HTML."""
    body = re.search(r'<table class="[^"]*projects-table.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) == 1:  # the “no projects yet” row
            continue
        link = re.search(r'<a href="/filings/(\d+)/">', cells[1])
        rows.append({
            "pk": int(link.group(1)), "name": text(re.search(r"<a [^>]*>(.*?)</a>", cells[1], re.S).group(1)),
            "badge": text(cells[1].split("</a>", 1)[1]),
            "variant": text(cells[2]), "annual": text(cells[3]), "implementation": text(cells[4]),
            "status": text(cells[5]), "check": text(cells[6]), "actions": cells[7],
        })
    return rows


def check_cell(report) -> str:
    """What the list's 核对 column says for a validation report."""
    cell = f"错误 {len(report.errors)}" if report.errors else "无错误"
    return cell + (f" · 警告 {len(report.warnings)}" if report.warnings else "")


def continuing_offers(page: str) -> list[str]:
    """Names of last year's projects the page offers to copy into this year."""
    if "复制上年，作为延续项目" not in page:
        return []
    block = page[page.index("复制上年，作为延续项目"):]
    block = block[:block.index("</ul>")]
    return [text(name) for name in re.findall(r"<span>(.*?)</span>\s*<form", block, re.S)]


def picked_unit(page: str) -> tuple[str, str]:
    """The unit picker's (hidden id, shown name)."""
    text = re.search(r'<input type="text" name="unit_q"[^>]*value="([^"]*)"', page).group(1)
    chosen = re.search(r'<input type="hidden" name="unit" value="([^"]*)"', page).group(1)
    return chosen, text


def projects_of(unit_code, year):
    return Filing.objects.filter(kind=FilingKind.PROJECT, unit__code=unit_code, year=year)


def filing_values(filing) -> dict:
    return {k: v for k, v in Filing.objects.filter(pk=filing.pk).values().get().items()
            if k.removesuffix("_id") not in FILING_NOT_COPIED}


def project_values(filing, skip=("filing_id",)) -> dict:
    return {k: v for k, v in ProjectDetails.objects.filter(filing_id=filing.pk).values().get().items()
            if k not in skip}


def indicator_rows(filing) -> list[tuple]:
    return list(Indicator.objects.filter(filing=filing).order_by("period", "order", "pk")
                .values_list(*INDICATOR_COLUMNS))


def duplicate(client, filing, **fields):
    return client.post(reverse("filings:duplicate", args=[filing.pk]), fields)


def variant(code) -> FormVariant:
    return FormVariant.objects.get(code=code)


class _Controls(HTMLParser):
    """What a browser submits from an HTML fragment holding one form: inputs, the selected options, text areas."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type", "text") not in {"submit", "button", "checkbox", "radio"}:
            self.data[name] = attributes.get("value") or ""
        elif tag == "input" and name and "checked" in attributes:
            self.data[name] = attributes.get("value") or "on"
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and ("selected" in attributes or self.select not in self.data):
            self.data[self.select] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self.textarea, self.data[name] = name, ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def new_project_form(page: str) -> dict[str, str]:
    """The fields of the 新建项目 form as the page offers them."""
    start = page.index(">新建项目</h2>")
    reader = _Controls()
    reader.feed(page[start:page.index("</form>", start)])
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


def new_project(client, unit_code, year, **changes):
    """Open the list of a unit and year, fill in the 新建项目 form and press 新建, as the officer would."""
    url = list_url(unit_code, year)
    data = new_project_form(html(client.get(url)))
    return client.post(url, {**data, **changes})


# --- the list ------------------------------------------------------------------------------------------------

def test_the_list_shows_every_project_with_amounts_status_and_validation(client, demo):
    refresh_unchecked()  # the list shows the stored result (filings/checked.py), as the services leave it
    login(client, "yq_sy")
    response = client.get(list_url("063001", 2024))
    assert response.status_code == 200
    page = html(response)
    assert "阳泉市第四人民医院（阳泉市妇产医院） · 2024 年度 · 共 5 个项目" in page
    rows = list_rows(page)
    assert [row["pk"] for row in rows] == [demo[key].pk for key in YANGQUAN_PROJECTS]  # in their order
    assert [row["name"] for row in rows] == [demo[key].project.name for key in YANGQUAN_PROJECTS]
    # amounts in the filing's unit (元), with thousands separators
    assert [(row["annual"], row["implementation"]) for row in rows] == [
        ("550,000 元", "550,000"), ("3,000,000 元", "23,467,700"), ("19,340,000 元", "20,467,700"),
        ("230,000 元", "230,000"), ("513,900 元", "513,900")]
    assert {row["status"] for row in rows} == {"草稿"}
    assert {row["variant"] for row in rows} == {"山西阳泉"}
    for key, row in zip(YANGQUAN_PROJECTS, rows, strict=True):
        assert row["check"] == check_cell(validate_filing(demo[key])), key
    assert rows[2]["check"].startswith("错误 4")  # s3-proj3: three E1 and its A11


def test_the_list_shows_amounts_in_wan_and_a_submitted_status(client, demo):
    Filing.objects.filter(pk=demo["s4-proj2"].pk).update(status=FilingStatus.SUBMITTED)
    refresh_unchecked()
    login(client, "yj_wjj")
    rows = list_rows(html(client.get(list_url("YJ201", 2024))))
    assert [(row["name"], row["annual"], row["implementation"], row["status"]) for row in rows] == [
        ("基本公共卫生服务", "600 万元", "", "草稿"), ("血防服务", "105.8 万元", "", "已提交")]
    assert [row["check"] for row in rows] == [check_cell(validate_filing(demo[k])) for k in ["s4-proj1", "s4-proj2"]]
    assert rows[1]["check"].startswith("错误 3")  # s4-proj2 lacks 填表人, 联系电话 and 填报日期
    # a submitted filing can still be copied but not deleted
    assert "删除" in rows[0]["actions"] and "删除" not in rows[1]["actions"]
    assert "复制为新项目" in rows[1]["actions"]


def test_the_list_defaults_to_the_filers_unit_and_latest_year(client, demo):
    login(client, "yq_sy")
    page = html(client.get(reverse("filings:projects")))
    assert picked_unit(page) == (str(unit("063001").pk), "阳泉市第四人民医院（阳泉市妇产医院）")
    assert 'name="year" value="2024"' in page
    assert len(list_rows(page)) == 5
    # once the unit has a 2025 project, 2025 is the latest year
    copy_filing(demo["s3-proj4"], 2025, get_user_model().objects.get(username="yq_sy"), keep_amounts=False)
    page = html(client.get(reverse("filings:projects")))
    assert 'name="year" value="2025"' in page
    assert [row["name"] for row in list_rows(page)] == ["市四院专项保障资金"]


def test_the_list_of_a_year_without_projects_says_so(client, demo):
    login(client, "yq_sy")
    page = html(client.get(list_url("063001", 2030)))
    assert list_rows(page) == []
    assert "本年度还没有项目支出申报表。" in page
    assert "共 0 个项目" in page


def test_filers_are_offered_new_duplicate_and_delete(client, demo):
    login(client, "yq_sy")
    page = html(client.get(list_url("063001", 2024)))
    assert "新建项目" in page and 'name="name"' in page and 'name="variant"' in page
    for key, row in zip(YANGQUAN_PROJECTS, list_rows(page), strict=True):
        assert f'action="{reverse("filings:duplicate", args=[demo[key].pk])}"' in row["actions"]
        assert "复制为新项目" in row["actions"]
        assert f'href="{reverse("filings:delete", args=[demo[key].pk])}"' in row["actions"]


@pytest.mark.parametrize("username", ["yq_wjw", "yq_czj"])
def test_a_reviewer_sees_the_subordinate_units_list_read_only(client, demo, username):
    login(client, username)
    response = client.get(list_url("063001", 2024))
    assert response.status_code == 200
    page = html(response)
    rows = list_rows(page)
    assert [row["pk"] for row in rows] == [demo[key].pk for key in YANGQUAN_PROJECTS]
    assert all("<form" not in row["actions"] and "删除" not in row["actions"] for row in rows)
    assert "复制为新项目" not in page and "新建项目" not in page and 'name="name"' not in page
    # nor can they act by posting
    before = Filing.objects.count()
    client.post(list_url("063001", 2024), {"name": "审核人新建的项目", "year": "2024",
                                           "variant": variant("proj-yangquan").pk})
    response = duplicate(client, demo["s3-proj1"], same_year="1", keep_amounts="1")
    assert response.status_code == 302
    assert "只有本单位的填报人可以复制项目。" in messages(client.get(response.url))
    assert duplicate(client, demo["s3-proj1"]).status_code == 302  # to next year: refused likewise
    assert client.post(reverse("filings:delete", args=[demo["s3-proj1"].pk])).status_code == 403
    assert Filing.objects.count() == before


def test_a_reviewer_is_not_offered_last_years_projects_to_copy(client, demo):
    login(client, "yq_wjw")
    page = html(client.get(list_url("063001", 2025)))
    assert continuing_offers(page) == []
    assert "复制到 2025 年度" not in page


def test_a_filer_of_another_unit_cannot_list_those_projects(client, demo):
    login(client, "yj_wjj")
    page = html(client.get(list_url("063001", 2024)))
    for key in YANGQUAN_PROJECTS:
        assert demo[key].project.name not in page
    assert "阳泉市第四人民医院" not in page
    assert {row["pk"] for row in list_rows(page)} == {demo["s4-proj1"].pk, demo["s4-proj2"].pk}


def test_the_list_needs_a_login(client, demo):
    response = client.get(list_url("063001", 2024))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.post(reverse("filings:duplicate", args=[demo["s3-proj1"].pk])).status_code == 302
    assert Filing.objects.filter(kind=FilingKind.PROJECT, unit__code="063001").count() == 5


def test_a_filer_of_another_unit_cannot_act_on_those_projects(client, demo):
    login(client, "yj_wjj")
    target = demo["s3-proj1"]
    before = Filing.objects.count()
    assert duplicate(client, target, same_year="1").status_code == 404
    assert duplicate(client, target).status_code == 404
    assert client.get(reverse("filings:delete", args=[target.pk])).status_code == 404
    assert client.post(reverse("filings:delete", args=[target.pk])).status_code == 404
    assert Filing.objects.count() == before
    # a new project posted with another unit named is refused, not filed under the filer's own unit instead
    response = client.post(list_url("063001", 2024), {"name": "别人的项目", "year": "2024",
                                                      "variant": variant("proj-hunan").pk})
    assert response.status_code == 403
    assert not Filing.objects.filter(project__name="别人的项目").exists()


# --- a new project ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username, unit_code, year, variant_code, competent, money_unit, position", [
    ("yq_sy", "063001", 2024, "proj-yangquan", ("阳泉市卫生健康委员会", "063"), "yuan", 6),
    ("yj_wjj", "YJ201", 2024, "proj-hunan", ("沅江市卫生健康局", "YJ201"), "wan", 3),
    ("cs_ybj", "327001", 2025, "proj-jiangxi", ("九江市柴桑区医疗保障局", "327001"), "wan", 2),
    ("yq_sy", "063001", 2026, "proj-mof88", ("阳泉市卫生健康委员会", "063"), "wan", 1),
])
def test_a_filer_starts_a_new_project(client, demo, username, unit_code, year, variant_code, competent, money_unit,
                                      position):
    login(client, username)
    chosen = variant(variant_code)
    page = html(client.get(list_url(unit_code, year)))
    assert {"name", "variant"} <= set(new_project_form(page))
    response = new_project(client, unit_code, year, name="  新建的测试项目 ", variant=str(chosen.pk))
    filing = projects_of(unit_code, year).get(project__name="新建的测试项目")
    assert response.status_code == 302 and response.url == reverse("filings:tasks", args=[filing.pk])
    assert (filing.status, filing.variant, filing.scheme_id, filing.money_unit) == (
        FilingStatus.DRAFT, chosen, chosen.default_scheme_id, money_unit)
    assert (filing.competent_department, filing.competent_department_code) == competent
    assert filing.position == position
    assert filing.created_by.username == username
    assert filing.project.implementing_unit == unit(unit_code).name
    assert not filing.indicators.exists()
    assert "已新建项目“新建的测试项目”。" in messages(client.get(response.url))
    # it is listed last
    rows = list_rows(html(client.get(list_url(unit_code, year))))
    assert rows[-1]["pk"] == filing.pk and rows[-1]["status"] == "草稿"


@pytest.mark.parametrize("data, field, message", [
    ({"name": "", "variant": "VARIANT"}, "name", "这个字段是必填项。"),
    ({"name": "   ", "variant": "VARIANT"}, "name", "这个字段是必填项。"),
    ({"name": "没有选表样的项目", "variant": ""}, "variant", "这个字段是必填项。"),
    ({"name": "部门表样的项目", "variant": "DEPARTMENT"}, "variant", "选择一个有效的选项"),
    ({"name": "项" * 201, "variant": "VARIANT"}, "name", "最多 200 个字，现有 201 个字。"),
])
def test_a_new_project_with_bad_input_is_refused_in_chinese(client, demo, data, field, message):
    login(client, "yq_sy")
    replacements = {"VARIANT": str(variant("proj-yangquan").pk), "DEPARTMENT": str(variant("dept-jiangxi").pk)}
    data = {name: replacements.get(value, value) for name, value in data.items()}
    before = Filing.objects.count()
    response = new_project(client, "063001", 2024, **data)
    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert "is-invalid" in re.search(rf'<(?:input|select)[^>]*id="id_{field}"[^>]*>', page).group(0)
    if data["name"].strip():
        assert f'value="{data["name"]}"' in page  # what was typed is kept
    assert Filing.objects.count() == before
    assert len(list_rows(page)) == 5  # the list is still shown


# --- 复制为新项目 ----------------------------------------------------------------------------------------------

def test_copy_as_a_new_project_copies_every_field_indicator_and_amount(client, demo):
    source = demo["s3-proj2"]
    login(client, "yq_sy")
    response = duplicate(client, source, same_year="1", keep_amounts="1")
    copy = projects_of("063001", 2024).exclude(pk__in=[demo[key].pk for key in YANGQUAN_PROJECTS]).get()
    assert response.status_code == 302 and response.url == reverse("filings:tasks", args=[copy.pk])
    assert (copy.year, copy.status, copy.position, copy.copied_from_id) == (2024, FilingStatus.DRAFT, 6, source.pk)
    assert copy.created_by.username == "yq_sy" and copy.source == ""  # a copy is no seed
    assert filing_values(copy) == filing_values(source)
    assert copy.project.name == "公立医院人员经费和社保缴费补助（副本）"
    assert project_values(copy, skip=("filing_id", "name")) == project_values(source, skip=("filing_id", "name"))
    assert copy.project.implementation_total == Decimal("23467700.00")
    rows = indicator_rows(copy)
    assert rows == indicator_rows(source)
    assert {row[0] for row in rows} == {"implementation", "annual"}
    assert "已复制为“公立医院人员经费和社保缴费补助（副本）”（2024 年度），请逐步核对。" in messages(
        client.get(response.url))
    # the source is untouched, and the copy is listed after the others
    assert ProjectDetails.objects.get(pk=source.pk).name == "公立医院人员经费和社保缴费补助"
    listed = list_rows(html(client.get(list_url("063001", 2024))))
    assert [row["pk"] for row in listed][-1] == copy.pk
    assert listed[-1]["annual"] == "3,000,000 元"


def test_copying_twice_gives_two_new_positions(client, demo):
    login(client, "yj_wjj")
    duplicate(client, demo["s4-proj1"], same_year="1", keep_amounts="1")
    duplicate(client, demo["s4-proj1"], same_year="1", keep_amounts="1")
    copies = projects_of("YJ201", 2024).filter(copied_from=demo["s4-proj1"]).order_by("position")
    assert [(c.position, c.project.name, c.project.local_amount) for c in copies] == [
        (3, "基本公共卫生服务（副本）", Decimal("6000000.00")), (4, "基本公共卫生服务（副本）", Decimal("6000000.00"))]
    assert [row[5] for row in indicator_rows(copies[0])] == [row[5] for row in indicator_rows(demo["s4-proj1"])]


def test_copy_as_a_new_project_is_refused_for_a_department_filing(demo):
    """The list's 复制为新项目 must not make a second 部门整体 filing of the same unit and year (nor a server error)."""
    client = Client(raise_request_exception=False)
    login(client, "cs_zyy")
    before = Filing.objects.count()
    response = duplicate(client, demo["s0-dept"], same_year="1", keep_amounts="1")
    assert response.status_code in {302, 400, 403, 404}, response.status_code
    assert Filing.objects.count() == before


# --- 复制到下一年度 (复制上年) ----------------------------------------------------------------------------------

def test_the_next_years_list_offers_last_years_projects_until_copied(client, demo):
    login(client, "yq_sy")
    page = html(client.get(list_url("063001", 2025)))
    assert list_rows(page) == []
    assert continuing_offers(page) == [demo[key].project.name for key in YANGQUAN_PROJECTS]
    assert page.count("复制到 2025 年度") == 5
    assert f'action="{reverse("filings:duplicate", args=[demo["s3-proj1"].pk])}"' in page
    response = duplicate(client, demo["s3-proj1"])
    copy = projects_of("063001", 2025).get()
    assert response.url == reverse("filings:tasks", args=[copy.pk])
    page = html(client.get(list_url("063001", 2025)))
    assert [row["pk"] for row in list_rows(page)] == [copy.pk]
    assert continuing_offers(page) == [demo[key].project.name for key in YANGQUAN_PROJECTS[1:]]
    assert f'action="{reverse("filings:duplicate", args=[demo["s3-proj1"].pk])}"' not in page.split(
        "复制上年，作为延续项目")[1]


def test_copy_to_the_next_year_makes_a_continuing_draft_without_amounts(client, demo):
    source = demo["s3-proj1"]
    Filing.objects.filter(pk=source.pk).update(status=FilingStatus.APPROVED)
    login(client, "yq_sy")
    response = duplicate(client, source)
    copy = projects_of("063001", 2025).get()
    assert response.status_code == 302
    assert (copy.year, copy.status, copy.copied_from_id, copy.position) == (2025, FilingStatus.DRAFT, source.pk, 1)
    assert copy.submitted_at is None and copy.filled_on is None and copy.saved_steps == []
    assert copy.project.name == source.project.name  # no “（副本）” for next year's copy
    assert copy.project.novelty == Novelty.CONTINUING
    assert all(getattr(copy.project, name) is None for name in PROJECT_MONEY)
    kept = project_values(copy, skip=("filing_id", "novelty", *PROJECT_MONEY))
    assert kept == project_values(source, skip=("filing_id", "novelty", *PROJECT_MONEY))
    assert indicator_rows(copy) == indicator_rows(source)
    assert (copy.competent_department, copy.competent_department_code) == ("阳泉市卫生健康委员会", "063")
    assert "（2025 年度）" in messages(client.get(response.url))[0]
    row = list_rows(html(client.get(list_url("063001", 2025))))[0]
    assert (row["name"], row["badge"]) == (source.project.name, "延续项目")
    assert row["annual"] == "元" and row["implementation"] == ""


def test_copy_to_the_next_year_keeps_amounts_when_asked(client, demo):
    source = demo["s3-proj3"]
    login(client, "yq_sy")
    duplicate(client, source, keep_amounts="on")
    copy = projects_of("063001", 2025).get()
    assert copy.project.novelty == Novelty.CONTINUING and copy.copied_from_id == source.pk
    assert {name: getattr(copy.project, name) for name in PROJECT_MONEY} == {
        name: getattr(source.project, name) for name in PROJECT_MONEY}
    assert (copy.project.implementation_total, copy.project.annual_total) == (
        Decimal("20467700.00"), Decimal("19340000.00"))
    row = list_rows(html(client.get(list_url("063001", 2025))))[0]
    assert (row["annual"], row["implementation"]) == ("19,340,000 元", "20,467,700")


def test_copies_into_the_next_year_take_positions_after_its_projects(client, demo):
    login(client, "yq_sy")
    for key in ["s3-proj2", "s3-proj5", "s3-proj1"]:
        duplicate(client, demo[key])
    copies = projects_of("063001", 2025).order_by("position")
    assert [(c.position, c.copied_from_id) for c in copies] == [
        (1, demo["s3-proj2"].pk), (2, demo["s3-proj5"].pk), (3, demo["s3-proj1"].pk)]


# --- delete ----------------------------------------------------------------------------------------------------

def test_delete_asks_for_confirmation_in_chinese(client, demo):
    filing = demo["s3-proj5"]
    login(client, "yq_sy")
    response = client.get(reverse("filings:delete", args=[filing.pk]))
    assert response.status_code == 200
    page = html(response)
    assert "确定要删除“原妇产医院转租租金 项目支出绩效目标申报表”（2024 年度）吗？删除后不能恢复" in page
    assert ">确认删除</button>" in page and ">取消</a>" in page
    assert Filing.objects.filter(pk=filing.pk).exists()  # GET deletes nothing


def test_deleting_a_draft_removes_it_with_its_rows(client, demo):
    filing = demo["s3-proj5"]
    assert Indicator.objects.filter(filing=filing).exists()
    login(client, "yq_sy")
    response = client.post(reverse("filings:delete", args=[filing.pk]))
    assert response.status_code == 302
    assert response.url == list_url("063001", 2024)
    assert not Filing.objects.filter(pk=filing.pk).exists()
    assert not ProjectDetails.objects.filter(pk=filing.pk).exists()
    assert not Indicator.objects.filter(filing_id=filing.pk).exists()
    after = client.get(response.url)
    assert "已删除“原妇产医院转租租金 项目支出绩效目标申报表”。" in messages(after)
    assert [row["pk"] for row in list_rows(html(after))] == [demo[key].pk for key in YANGQUAN_PROJECTS[:4]]


def test_a_new_project_after_a_deletion_still_goes_last(client, demo):
    login(client, "yq_sy")
    client.post(reverse("filings:delete", args=[demo["s3-proj3"].pk]))
    new_project(client, "063001", 2024, name="删除之后新建", variant=str(variant("proj-yangquan").pk))
    assert projects_of("063001", 2024).get(project__name="删除之后新建").position == 6


@pytest.mark.parametrize("status", [FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED, FilingStatus.APPROVED])
def test_a_submitted_filing_cannot_be_deleted(client, demo, status):
    filing = demo["s3-proj4"]
    Filing.objects.filter(pk=filing.pk).update(status=status)
    login(client, "yq_sy")
    tasks = reverse("filings:tasks", args=[filing.pk])
    for response in (client.get(reverse("filings:delete", args=[filing.pk])),
                     client.post(reverse("filings:delete", args=[filing.pk]))):
        assert response.status_code == 302 and response.url == tasks  # the filer is told why, not refused as a stranger
    assert "不能删除；只能删除从未提交过的草稿" in client.get(tasks).content.decode()
    assert Filing.objects.filter(pk=filing.pk).exists()


@pytest.mark.parametrize("username, status_code", [("yj_wjj", 404), ("cs_ybj", 404), ("yq_wjw", 403),
                                                   ("yq_czj", 403)])
def test_others_cannot_delete_a_units_draft(client, demo, username, status_code):
    filing = demo["s3-proj4"]
    login(client, username)
    assert client.get(reverse("filings:delete", args=[filing.pk])).status_code == status_code
    assert client.post(reverse("filings:delete", args=[filing.pk])).status_code == status_code
    assert Filing.objects.filter(pk=filing.pk).exists()


@pytest.mark.parametrize("status", [FilingStatus.DRAFT, FilingStatus.RETURNED])
def test_a_filing_that_was_ever_submitted_is_not_deleted(client, demo, status):
    filing = demo["s3-proj4"]
    filer = get_user_model().objects.get(username="yq_sy")
    Transition.objects.create(filing=filing, from_status=FilingStatus.DRAFT, to_status=FilingStatus.SUBMITTED,
                              actor=filer)
    Filing.objects.filter(pk=filing.pk).update(status=status)
    login(client, "yq_sy")
    response = client.post(reverse("filings:delete", args=[filing.pk]))
    assert response.status_code == 302 and response.url == reverse("filings:tasks", args=[filing.pk])
    assert "只能删除从未提交过的草稿。" in messages(client.get(response.url))
    assert Filing.objects.filter(pk=filing.pk).exists()
    assert Indicator.objects.filter(filing=filing).count() == 14


# --- a constant number of queries however many projects --------------------------------------------------------

def add_projects(source: Filing, count: int, user) -> None:
    """`count` more projects of the source's unit and year, each with its details and a few indicators."""
    fields = {f.attname: getattr(source, f.attname) for f in Filing._meta.concrete_fields if not f.primary_key}
    start = source.position + 100
    filings = Filing.objects.bulk_create(
        Filing(**{**fields, "source": "", "position": start + n, "created_by_id": user.pk}) for n in range(count))
    details = ProjectDetails.objects.get(pk=source.pk)
    indicators = list(Indicator.objects.filter(filing=source).order_by("period", "order")[:4])
    ProjectDetails.objects.bulk_create(
        ProjectDetails(**{**{f.attname: getattr(details, f.attname) for f in ProjectDetails._meta.concrete_fields},
                          "filing_id": filing.pk, "name": f"批量项目 {n:03d}"})
        for n, filing in enumerate(filings))
    rows = []
    for filing in filings:
        for row in indicators:
            row.pk = None
            row.filing_id = filing.pk
            rows.append(Indicator(**{f.attname: getattr(row, f.attname) for f in Indicator._meta.concrete_fields}))
    Indicator.objects.bulk_create(rows)


def count_queries(client, url) -> tuple[list[str], str]:
    client.get(url)  # warm up: session, content types …
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries], html(response)


def repeated(queries: list[str]) -> str:
    """The statement run most often, with its count: what grows with the number of projects."""
    sql = max(set(queries), key=queries.count)
    return f"{queries.count(sql)} × {sql}"


@pytest.mark.parametrize("username", ["yq_sy", "yq_wjw"])
def test_the_projects_list_costs_the_same_queries_for_5_and_200_projects(client, demo, username):
    login(client, username)
    url = list_url("063001", 2024)
    few, page = count_queries(client, url)
    assert len(list_rows(page)) == 5
    add_projects(demo["s3-proj2"], 195, get_user_model().objects.get(username="yq_sy"))
    many, page = count_queries(client, url)
    rows = list_rows(page)
    assert len(rows) == 50 and "共 200 个项目 · 第 1 / 4 页" in page  # 50 a page
    assert len(many) == len(few), f"{len(few)} queries for 5 projects, {len(many)} for 200; {repeated(many)}"
    last, page = count_queries(client, f"{url}&page=4")
    rows = list_rows(page)
    assert len(rows) == 50 and rows[-1]["name"] == "批量项目 194" and rows[-1]["annual"] == "3,000,000 元"
    assert len(last) == len(few)


def test_the_next_years_list_costs_the_same_queries_for_5_and_200_projects_of_last_year(client, demo):
    login(client, "yq_sy")
    url = list_url("063001", 2025)
    few, page = count_queries(client, url)
    assert len(continuing_offers(page)) == 5
    add_projects(demo["s3-proj1"], 195, get_user_model().objects.get(username="yq_sy"))
    many, page = count_queries(client, url)
    assert len(continuing_offers(page)) == 200
    assert len(many) == len(few), f"{len(few)} queries for 5 projects of last year, {len(many)} for 200"


def test_copy_filing_copies_a_project_with_its_rows(demo):
    """The service the list's actions use, called directly."""
    source = demo["s4-proj1"]
    user = get_user_model().objects.get(username="yj_wjj")
    copy = copy_filing(source, 2025, user, keep_amounts=True)
    assert (copy.year, copy.position, copy.copied_from, copy.status) == (2025, 1, source, FilingStatus.DRAFT)
    assert copy.project.local_amount == Decimal("6000000.00") and copy.project.novelty == Novelty.CONTINUING
    assert copy.project.higher_level_note == "中央4193.9、省1048.48"
    assert indicator_rows(copy) == indicator_rows(source)
    assert {row[9] for row in indicator_rows(copy)} - {""}  # 湖南's 绩效标准 travel with the rows

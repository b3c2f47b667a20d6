"""工作台 (待审核 / 被退回 / 已审核) and 年度概览: what each role sees, scope, filters, pagination, deadlines, and a
constant number of queries for 10 and 1,000 filings."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings import queues
from filings.access import Scope, can_review
from filings.models import (
    Action,
    DepartmentDetails,
    Filing,
    FilingDeadline,
    FilingKind,
    FilingStatus,
    ProjectDetails,
    Transition,
    Unit,
)
from filings.services import copy_filing
from filings.workflow import Review, perform

from .personas import sign_in as login

S = FilingStatus
YANGQUAN_PROJECTS = ["s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5"]
# (reviewer, finance, filer, seed filing) of each two-level region with a 主管部门 reviewer
REGIONS = [("dp_jt", "dp_czj", "dp_bj", "s2-dept"), ("cs_wjw", "cs_czj", "cs_zyy", "s0-dept"),
           ("yq_wjw", "yq_czj", "yq_sy", "s3-proj1")]


# --- helpers --------------------------------------------------------------------------------------------------

def user(username):
    return get_user_model().objects.get(username=username)




def unit(code) -> Unit:
    return Unit.objects.get(code=code)


def fresh(filing) -> Filing:
    return Filing.objects.with_related().get(pk=filing.pk)


def html(response) -> str:
    return response.content.decode()


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def queue_url(tab=None, **params) -> str:
    query = {"tab": tab, **params} if tab else params
    return reverse("filings:queue") + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def queue_rows(page: str) -> list[dict]:
    rows = []
    for pk, row in re.findall(r'<tr data-filing="(\d+)">(.*?)</tr>', page, re.S):
        cells = [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        link = re.search(r'<a href="([^"]+)">', row).group(1)
        rows.append({"pk": int(pk), "link": link, "cells": cells})
    return rows


def shown(client, tab, **params) -> list[int]:
    response = client.get(queue_url(tab, **params))
    assert response.status_code == 200
    return [row["pk"] for row in queue_rows(html(response))]


def tab_counts(page: str) -> dict[str, int]:
    tabs = re.search(r'<ul class="nav nav-tabs[^"]*queue-tabs">(.*?)</ul>', page, re.S).group(1)
    return {label: int(n) for label, n in re.findall(r'">\s*(\S+) <span class="badge[^"]*">(\d+)</span>', tabs)}


def overview_rows(page: str) -> dict[str, dict]:
    rows = {}
    for code, row in re.findall(r'<tr data-unit="([^"]+)">(.*?)</tr>', page, re.S):
        cells = [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[code] = {"counts": [int(n) for n in cells[:5]], "total": int(cells[5]), "department": cells[6],
                      "deadline": cells[7]}
    return rows


def level_rows(page: str) -> dict[str, dict]:
    """The rows of a level's table (bureaus and 主管部门 with their branches), by unit code."""
    rows = {}
    for code, row in re.findall(r'<tr data-level="([^"]+)">(.*?)</tr>', page, re.S):
        cells = [text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows[code] = {"kind": cells[0], "units": int(cells[1]), "counts": [int(n) for n in cells[2:7]],
                      "total": int(cells[7]), "submitted": int(cells[8]), "missing": int(cells[9]),
                      "late": int(cells[10]), "deadline": cells[11]}
    return rows


def overview(client, year=None, unit=None):
    """The overview page, of the unit with code `unit` if given (its drill-down), else of the user's scope root."""
    query = {"year": year} if year else {}
    if unit:
        query["unit"] = Unit.objects.get(code=unit).pk
    response = client.get(reverse("filings:overview") + ("?" + "&".join(f"{k}={v}" for k, v in query.items())
                                                         if query else ""))
    assert response.status_code == 200
    return html(response)


def mark_submitted(filing, filer, when=None):
    """The filer's submission, written directly (the seed filings still carry validation errors)."""
    when = when or timezone.now()
    first = min(m for m in (fresh(filing).first_submitted_at, when) if m is not None)  # as workflow._submit keeps it
    Filing.objects.filter(pk=filing.pk).update(status=S.SUBMITTED, submitted_at=when, first_submitted_at=first,
                                               submitted_by=user(filer))
    entry = Transition.objects.create(filing_id=filing.pk, action=Action.SUBMIT, from_status=fresh(filing).status,
                                      to_status=S.SUBMITTED, actor=user(filer))
    Transition.objects.filter(pk=entry.pk).update(created_at=when)
    return fresh(filing)


def act(filing, username, action, comment=""):
    """A real transition through the workflow."""
    current = fresh(filing)
    return perform(current, user(username), action, current.status, Review(comment=comment))


def set_status(keys, demo, status):
    Filing.objects.filter(pk__in=[demo[key].pk for key in keys]).update(status=status)


# --- 待审核 / 被退回 / 已审核 for the 主管部门 reviewer --------------------------------------------------------

@pytest.mark.parametrize("reviewer, finance, filer, key", REGIONS)
def test_a_reviewer_works_through_the_tabs(client, demo, reviewer, finance, filer, key):
    filing = demo[key]
    login(client, reviewer)
    assert shown(client, "review") == [] and shown(client, "returned") == [] and shown(client, "reviewed") == []
    filing = mark_submitted(filing, filer)
    page = html(client.get(queue_url("review")))
    [row] = queue_rows(page)
    assert row["pk"] == filing.pk and row["link"] == reverse("filings:review", args=[filing.pk])
    assert row["cells"][:5] == [filing.unit.name, filing.title, str(filing.year), "已提交",
                                timezone.localtime(filing.submitted_at).strftime("%Y-%m-%d %H:%M")]
    assert row["cells"][5] == "主管部门审核"
    assert tab_counts(page) == {"待审核": 1, "被退回": 0, "已审核": 0}

    act(filing, reviewer, Action.RETURN, "请补充绩效指标的计算依据。")
    assert shown(client, "review") == []
    page = html(client.get(queue_url("returned")))
    [row] = queue_rows(page)
    assert row["pk"] == filing.pk and row["cells"][3] == "已退回"
    assert "请补充绩效指标的计算依据。" in row["cells"][6]
    [row] = queue_rows(html(client.get(queue_url("reviewed"))))
    assert row["pk"] == filing.pk and row["cells"][5] == "退回修改"
    assert shown(login(client, filer), "returned") == [filing.pk]  # the filer sees it too

    mark_submitted(filing, filer)  # fixed and resubmitted
    login(client, reviewer)
    assert shown(client, "review") == [filing.pk]
    assert shown(client, "returned") == []
    [row] = queue_rows(html(client.get(queue_url("reviewed"))))
    assert row["pk"] == filing.pk and "待您审核" in row["cells"][1]

    act(filing, reviewer, Action.APPROVE)
    assert shown(client, "review") == [] and shown(client, "returned") == []
    [row] = queue_rows(html(client.get(queue_url("reviewed"))))  # reviewed twice, listed once
    assert (row["pk"], row["cells"][3], row["cells"][5]) == (filing.pk, "主管部门审核通过", "审核通过")
    assert shown(login(client, filer), "returned") == []


def test_the_whole_chain_through_the_workflow_reaches_each_queue(client, demo):
    """大鹏's seed passes validation: submitted, approved twice, each step through `perform`."""
    filing = demo["s2-dept"]
    act(filing, "dp_bj", Action.SUBMIT)
    assert shown(login(client, "dp_jt"), "review") == [filing.pk]
    assert shown(login(client, "dp_czj"), "review") == []  # not 财政's turn yet
    act(filing, "dp_jt", Action.APPROVE)
    assert shown(login(client, "dp_jt"), "review") == []
    [row] = queue_rows(html(login(client, "dp_czj").get(queue_url("review"))))
    assert (row["pk"], row["cells"][3], row["cells"][5]) == (filing.pk, "主管部门审核通过", "财政审核")
    act(filing, "dp_czj", Action.APPROVE)
    assert shown(client, "review") == []
    for username in ["dp_jt", "dp_czj"]:
        [row] = queue_rows(html(login(client, username).get(queue_url("reviewed"))))
        assert (row["pk"], row["cells"][3], row["cells"][5]) == (filing.pk, "已批复", "审核通过")
    login(client, "dp_bj")
    assert shown(client, "review") == [] and shown(client, "returned") == [] and shown(client, "reviewed") == []


# --- 财政 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reviewer, finance, filer, key", REGIONS)
def test_finance_reviews_after_the_department_and_returns(client, demo, reviewer, finance, filer, key):
    filing = mark_submitted(demo[key], filer)
    login(client, finance)
    assert shown(client, "review") == []  # two levels: the 主管部门 first
    act(filing, reviewer, Action.APPROVE)
    assert shown(client, "review") == [filing.pk]
    act(filing, finance, Action.RETURN, "预算金额与批复数不一致。")
    assert shown(client, "review") == []
    assert shown(client, "returned") == [filing.pk]
    assert shown(client, "reviewed") == [filing.pk]
    assert shown(login(client, filer), "returned") == [filing.pk]
    login(client, reviewer)  # approved by them, returned by 财政: not in their 被退回
    assert shown(client, "returned") == []
    assert shown(client, "reviewed") == [filing.pk]


def test_with_one_review_level_finance_reviews_a_submitted_filing(client, demo):
    Unit.objects.filter(code="430981").update(review_levels=1)
    filing = demo["s4-dept"]
    act(filing, "yj_wjj", Action.SUBMIT)
    [row] = queue_rows(html(login(client, "yj_czj").get(queue_url("review"))))
    assert (row["pk"], row["cells"][3], row["cells"][5]) == (filing.pk, "已提交", "财政审核")
    act(filing, "yj_czj", Action.APPROVE)
    assert fresh(filing).status == S.APPROVED
    assert shown(client, "review") == [] and shown(client, "reviewed") == [filing.pk]


def test_with_one_review_level_the_department_reviewer_has_nothing_to_review(client, demo):
    Unit.objects.filter(code="DP000").update(review_levels=1)
    filing = mark_submitted(demo["s2-dept"], "dp_bj")
    assert shown(login(client, "dp_jt"), "review") == []
    assert shown(login(client, "dp_czj"), "review") == [filing.pk]


def test_the_queue_agrees_with_the_workflow_for_every_user_and_filing(demo):
    """`to_review` answers in bulk what `access.can_review` answers filing by filing."""
    Unit.objects.filter(code="430981").update(review_levels=1)
    statuses = [S.DRAFT, S.SUBMITTED, S.DEPARTMENT_APPROVED, S.APPROVED, S.RETURNED]
    for n, filing in enumerate(sorted(demo.values(), key=lambda f: f.pk)):
        Filing.objects.filter(pk=filing.pk).update(status=statuses[n % len(statuses)])
    filings = list(Filing.objects.with_related())
    assert {f.status for f in filings} == set(statuses)
    for person in get_user_model().objects.all():
        expected = {f.pk for f in filings if can_review(person, f)}
        assert set(queues.to_review(person).values_list("pk", flat=True)) == expected, person.username
        scope = Scope.of(person)
        assert {f.pk for f in filings if scope.can_review(f)} == expected, person.username


# --- the filer -------------------------------------------------------------------------------------------------

def test_a_filer_sees_their_units_returned_filings_only(client, demo):
    mark_submitted(demo["s0-dept"], "cs_zyy")
    mark_submitted(demo["s1-dept"], "cs_ybj")
    act(demo["s0-dept"], "cs_wjw", Action.RETURN, "指标不完整。")
    login(client, "cs_zyy")
    response = client.get(reverse("filings:queue"))
    page = html(response)
    assert 'aria-current="page" href="?tab=returned"' in page  # a filer starts on 被退回
    assert [row["pk"] for row in queue_rows(page)] == [demo["s0-dept"].pk]
    assert tab_counts(page) == {"待审核": 0, "被退回": 1, "已审核": 0}
    assert "没有等待您审核的申报表。" in html(client.get(queue_url("review")))
    assert "您还没有审核过申报表。" in html(client.get(queue_url("reviewed")))
    assert shown(login(client, "cs_ybj"), "returned") == []  # a sibling unit's filer
    assert shown(login(client, "yq_sy"), "returned") == []


def test_the_queue_needs_a_login(client, demo):
    for name in ["filings:queue", "filings:overview"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- scope -----------------------------------------------------------------------------------------------------

def everything_in_review(demo):
    for key, filing in demo.items():
        Filing.objects.filter(pk=filing.pk).update(status=S.SUBMITTED if key.endswith("1") or "dept" in key
                                                    else S.DEPARTMENT_APPROVED, submitted_at=timezone.now())


@pytest.mark.parametrize("username, prefix", [
    ("dp_jt", "/DP000/DP101/"), ("cs_wjw", "/360404/327002/"), ("yq_wjw", "/140300/063/"),
    ("dp_czj", "/DP000/"), ("cs_czj", "/360404/"), ("yq_czj", "/140300/"), ("yj_czj", "/430981/"),
])
def test_a_reviewer_never_sees_other_regions(client, demo, username, prefix):
    everything_in_review(demo)
    # every filing returned by someone else, or reviewed by this user, must still stay in scope
    for filing in demo.values():
        Transition.objects.create(filing_id=filing.pk, action=Action.APPROVE, from_status=S.SUBMITTED,
                                  to_status=S.SUBMITTED, actor=user(username))
    login(client, username)
    seen = set()
    for tab in ["review", "returned", "reviewed"]:
        seen |= set(shown(client, tab))
    paths = dict(Filing.objects.values_list("pk", "unit__path"))
    assert seen and all(paths[pk].startswith(prefix) for pk in seen), username
    inside = {pk for pk, path in paths.items() if path.startswith(prefix)}
    assert set(shown(client, "reviewed")) == inside


def test_each_reviewer_sees_their_own_level_in_their_own_branch(client, demo):
    everything_in_review(demo)
    assert shown(login(client, "cs_wjw"), "review") == [demo["s0-dept"].pk]
    assert shown(login(client, "cs_czj"), "review") == []  # all three still with their 主管部门
    assert shown(login(client, "yq_wjw"), "review") == [demo["s3-proj1"].pk]
    assert set(shown(login(client, "yq_czj"), "review")) == {demo[key].pk for key in YANGQUAN_PROJECTS[1:]}


def test_a_unit_outside_the_scope_in_the_filter_shows_nothing_of_it(client, demo):
    everything_in_review(demo)
    login(client, "yq_wjw")
    response = client.get(queue_url("review", unit=unit("327001").pk))
    page = html(response)
    assert response.status_code == 200
    assert "九江市柴桑区医疗保障局" not in page
    assert {row["pk"] for row in queue_rows(page)} == {demo["s3-proj1"].pk}
    assert "没有找到这个单位，或您无权查看。" in page  # the choice is refused, not applied


# --- filters ---------------------------------------------------------------------------------------------------

def test_filters_by_year_unit_kind_and_status(client, demo):
    everything_in_review(demo)
    Filing.objects.filter(pk__in=[demo[k].pk for k in ["s0-dept", "s1-dept", "s1-proj1"]]).update(
        status=S.DEPARTMENT_APPROVED)
    login(client, "cs_czj")
    all_three = {demo["s0-dept"].pk, demo["s1-dept"].pk, demo["s1-proj1"].pk}
    assert set(shown(client, "review")) == all_three
    assert set(shown(client, "review", year=2025)) == {demo["s1-dept"].pk, demo["s1-proj1"].pk}
    assert shown(client, "review", year=2026) == [demo["s0-dept"].pk]
    assert set(shown(client, "review", kind="department")) == {demo["s0-dept"].pk, demo["s1-dept"].pk}
    assert shown(client, "review", kind="project") == [demo["s1-proj1"].pk]
    assert shown(client, "review", unit=unit("327002").pk) == [demo["s0-dept"].pk]  # with the units below it
    assert set(shown(client, "review", unit=unit("327001").pk)) == {demo["s1-dept"].pk, demo["s1-proj1"].pk}
    assert shown(client, "review", unit=unit("327001").pk, kind="project", year=2025) == [demo["s1-proj1"].pk]
    assert shown(client, "review", status="submitted") == []
    page = html(client.get(queue_url("review", year=2025)))
    assert re.search(r'<option value="2025" selected>2025 年度</option>', page)
    assert "九江市柴桑区财政局</option>" not in page  # no finance unit to choose


def test_the_status_filter_on_the_reviewed_tab(client, demo):
    for key in YANGQUAN_PROJECTS[:3]:
        mark_submitted(demo[key], "yq_sy")
    act(demo["s3-proj1"], "yq_wjw", Action.APPROVE)
    act(demo["s3-proj2"], "yq_wjw", Action.APPROVE)
    act(demo["s3-proj3"], "yq_wjw", Action.RETURN, "请修改。")
    login(client, "yq_wjw")
    assert shown(client, "reviewed") == [demo[k].pk for k in ["s3-proj3", "s3-proj2", "s3-proj1"]]  # latest first
    assert shown(client, "reviewed", status="returned") == [demo["s3-proj3"].pk]
    assert shown(client, "reviewed", status="department_approved") == [demo["s3-proj2"].pk, demo["s3-proj1"].pk]
    copy = copy_filing(demo["s3-proj4"], 2025, user("yq_sy"), keep_amounts=True)
    mark_submitted(copy, "yq_sy")
    assert shown(client, "review", year=2025) == [copy.pk]
    assert shown(client, "review", year=2024) == []


# --- pagination ------------------------------------------------------------------------------------------------

def test_fifty_filings_a_page_and_the_filters_kept_across_pages(client, demo):
    add_filings(demo["s3-proj2"], 120, S.SUBMITTED)
    login(client, "yq_wjw")
    url = queue_url("review", year=2024)
    page = html(client.get(url))
    first = queue_rows(page)
    assert len(first) == 50 and tab_counts(page)["待审核"] == 120
    assert "第 1 / 3 页" in page and "上一页</span>" in page
    assert re.search(r'href="\?tab=review&amp;year=2024&amp;page=2">下一页', page)
    second = queue_rows(html(client.get(url + "&page=2")))
    last_page = html(client.get(url + "&page=3"))
    third = queue_rows(last_page)
    assert (len(second), len(third)) == (50, 20)
    assert "下一页</span>" in last_page and 'page=2">上一页' in last_page
    pks = [row["pk"] for row in first + second + third]
    assert len(set(pks)) == 120
    assert queue_rows(html(client.get(url + "&page=99"))) == third  # past the end: the last page
    assert queue_rows(html(client.get(url + "&page=abc"))) == first


# --- 年度概览 ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["cs_zyy", "yq_sy", "dp_bj", "yj_wjj"])
def test_the_overview_is_for_reviewers_and_finance_only(client, demo, username):
    login(client, username)
    assert client.get(reverse("filings:overview")).status_code == 403
    assert client.post(reverse("filings:overview"), {"year": "2026", "due_on": "2026-03-01"}).status_code == 403


def test_the_overview_counts_filings_per_unit_and_state(client, demo):
    for key, status in zip(YANGQUAN_PROJECTS, [S.DRAFT, S.SUBMITTED, S.DEPARTMENT_APPROVED, S.APPROVED, S.RETURNED],
                           strict=True):
        Filing.objects.filter(pk=demo[key].pk).update(status=status)
    Filing.objects.filter(pk=demo["s3-proj1"].pk).update(status=S.SUBMITTED)
    page = overview(login(client, "yq_czj"))  # the latest year: 2024; the region's 主管部门 with its unit
    assert "2024 年度 · 阳泉市财政局 · 2 个单位 · 共 5 份申报表" in page
    assert level_rows(page) == {"063": {"kind": "主管部门", "units": 2, "counts": [0, 2, 1, 1, 1], "total": 5,
                                        "submitted": 0, "missing": 2, "late": 0, "deadline": ""}}
    for username, unit_code in [("yq_wjw", None), ("yq_czj", "063")]:
        page = overview(login(client, username), unit=unit_code)  # the 主管部门's own page: its units
        assert "2024 年度 · 阳泉市卫生健康委员会 · 2 个单位 · 共 5 份申报表" in page
        rows = overview_rows(page)
        assert set(rows) == {"063", "063001"}  # no finance unit, no other region
        assert rows["063001"]["counts"] == [0, 2, 1, 1, 1] and rows["063001"]["total"] == 5
        assert rows["063"]["counts"] == [0, 0, 0, 0, 0]
        assert rows["063001"]["department"] == rows["063"]["department"] == "未提交"  # projects only
        assert rows["063001"]["deadline"] == "未设截止日期"
        assert "尚未设置本年度的申报截止日期" in page
    assert overview_rows(overview(client, 2025, unit="063")) == {
        code: {"counts": [0] * 5, "total": 0, "department": "未提交", "deadline": "未设截止日期"}
        for code in ["063", "063001"]}


def test_the_overview_of_a_department_reviewer_stays_in_their_branch(client, demo):
    rows = overview_rows(overview(login(client, "cs_wjw"), 2026))
    assert set(rows) == {"327002", "327002001"}
    assert rows["327002001"]["counts"] == [1, 0, 0, 0, 0]
    rows = level_rows(overview(login(client, "cs_czj"), 2025))  # the region's 主管部门, each with its branch
    assert set(rows) == {"327001", "327002"}
    assert rows["327001"]["counts"] == [2, 0, 0, 0, 0] and rows["327002"]["units"] == 2


def test_the_overview_indents_each_unit_under_its_department(client, demo):
    page = overview(login(client, "cs_czj"), 2025, unit="327002")
    # by a class of app.css: the Content-Security-Policy refuses style="" attributes
    depth = dict(re.findall(r'<tr data-unit="([^"]+)">\s*<th scope="row" class="fw-normal unit-depth-(\d)">', page))
    assert set(depth) == {"327002", "327002001"}
    assert int(depth["327002001"]) == int(depth["327002"]) + 1


def test_the_overview_defaults_to_the_latest_year(client, demo):
    page = overview(login(client, "cs_czj"))
    assert "2026 年度 ·" in page and 'name="year" value="2026"' in page


def test_a_past_deadline_marks_units_without_a_submission_late(client, demo):
    today = timezone.localdate()
    now = timezone.now()
    FilingDeadline.objects.create(region=unit("360404"), year=2026, due_on=today - timedelta(days=10))
    FilingDeadline.objects.create(region=unit("360404"), year=2025, due_on=today - timedelta(days=10))
    # the hospital submitted in time, was returned and resubmitted after the deadline: not late
    filing = mark_submitted(demo["s0-dept"], "cs_zyy", when=now - timedelta(days=20))
    act(filing, "cs_wjw", Action.RETURN, "请修改。")
    mark_submitted(filing, "cs_zyy")
    # 医保局 submitted its 2025 filing two days ago: late
    mark_submitted(demo["s1-dept"], "cs_ybj", when=now - timedelta(days=2))
    login(client, "cs_czj")
    rows = overview_rows(overview(client, 2026, unit="327002"))
    assert rows["327002001"]["department"] == "已提交" and rows["327002001"]["deadline"] == "按时提交"
    assert rows["327002"]["deadline"] == "逾期 逾期未提交"
    page = overview(client, 2026)
    assert '<strong class="late-count">2</strong>' in page and '<strong class="missing-count">2</strong>' in page
    assert f"申报截止日期 <strong>{today - timedelta(days=10):%Y-%m-%d}</strong>，已过截止日期" in page
    rows = level_rows(page)
    assert (rows["327001"]["submitted"], rows["327001"]["late"], rows["327001"]["deadline"]) == (0, 1, "逾期未提交")
    assert (rows["327002"]["units"], rows["327002"]["submitted"], rows["327002"]["late"]) == (2, 1, 1)
    rows = level_rows(overview(client, 2025))
    assert (rows["327001"]["submitted"], rows["327001"]["late"], rows["327001"]["deadline"]) == (1, 1, "逾期提交")
    assert rows["327001"]["counts"] == [1, 1, 0, 0, 0]


def test_a_returned_filing_submitted_in_time_is_missing_but_not_late(client, demo):
    today = timezone.localdate()
    FilingDeadline.objects.create(region=unit("360404"), year=2026, due_on=today - timedelta(days=1))
    filing = mark_submitted(demo["s0-dept"], "cs_zyy", when=timezone.now() - timedelta(days=5))
    act(filing, "cs_wjw", Action.RETURN, "请修改。")
    row = overview_rows(overview(login(client, "cs_wjw"), 2026))["327002001"]
    assert (row["department"], row["deadline"], row["counts"]) == ("未提交", "按时提交", [0, 0, 0, 0, 1])


def test_a_future_deadline_shows_the_days_left(client, demo):
    today = timezone.localdate()
    FilingDeadline.objects.create(region=unit("360404"), year=2026, due_on=today + timedelta(days=5))
    FilingDeadline.objects.create(region=unit("140300"), year=2024, due_on=today)
    mark_submitted(demo["s0-dept"], "cs_zyy")
    login(client, "cs_czj")
    page = overview(client, 2026)
    assert level_rows(page)["327001"]["deadline"] == "剩余 5 天"
    assert "还剩 5 天" in page and '<strong class="late-count">0</strong>' in page
    rows = overview_rows(overview(client, 2026, unit="327002"))
    assert rows["327002001"]["deadline"] == "按时提交" and rows["327002001"]["department"] == "已提交"
    assert rows["327002"]["deadline"] == "剩余 5 天"
    rows = overview_rows(overview(login(client, "yq_wjw"), 2024))
    assert rows["063001"]["deadline"] == "今日截止"


def test_deadline_state_rules():
    today = timezone.localdate()
    day = timedelta(days=1)
    state = queues.deadline_state
    assert state(None, None, False, today).label == "未设截止日期"
    assert state(None, today, True, today).label == "未设截止日期"
    assert state(today, None, True, today).label == "已提交"  # submitted with no date known: not late
    assert state(today - day, today - 2 * day, True, today).label == "按时提交"
    assert state(today - day, today - day, False, today).label == "按时提交"  # on the day itself
    assert state(today - day, today, True, today).late
    assert state(today - day, None, False, today).label == "逾期未提交"
    assert not state(today, None, False, today).late
    assert state(today + 3 * day, None, False, today).label == "剩余 3 天"


# --- setting a deadline ------------------------------------------------------------------------------------------

def test_finance_sets_and_changes_the_deadline_of_its_region(client, demo):
    login(client, "cs_czj")
    page = overview(client, 2026)
    assert "设置申报截止日期" in page
    response = client.post(reverse("filings:overview") + "?year=2026",
                           {"region": unit("360404").pk, "year": "2026", "due_on": "2026-03-31"})
    assert response.status_code == 302 and response.url == reverse("filings:overview") + "?year=2026"
    deadline = FilingDeadline.objects.get()
    assert (deadline.region.code, deadline.year, str(deadline.due_on)) == ("360404", 2026, "2026-03-31")
    page = html(client.get(response.url))
    assert "已将九江市柴桑区财政局 2026 年度的申报截止日期设为 2026-03-31。" in page
    assert 'value="2026-03-31"' in page  # the form shows the current deadline
    client.post(reverse("filings:overview"), {"region": unit("360404").pk, "year": "2026", "due_on": "2026-04-15"})
    assert [(d.year, str(d.due_on)) for d in FilingDeadline.objects.all()] == [(2026, "2026-04-15")]


def test_finance_cannot_set_another_regions_deadline_nor_a_bad_date(client, demo):
    login(client, "cs_czj")
    response = client.post(reverse("filings:overview"), {"region": unit("140300").pk, "year": "2026",
                                                         "due_on": "2026-03-31"})
    assert response.status_code == 200 and "选择一个有效的选项" in html(response)
    response = client.post(reverse("filings:overview"), {"region": unit("360404").pk, "year": "2026",
                                                         "due_on": "明天"})
    assert response.status_code == 200 and "输入一个有效的日期" in html(response)
    assert not FilingDeadline.objects.exists()


@pytest.mark.parametrize("username", ["cs_wjw", "yq_wjw", "dp_jt"])
def test_only_finance_sets_deadlines(client, demo, username):
    login(client, username)
    assert "设置申报截止日期" not in overview(client)
    response = client.post(reverse("filings:overview"), {"region": unit("360404").pk, "year": "2026",
                                                         "due_on": "2026-03-31"})
    assert response.status_code == 403
    assert not FilingDeadline.objects.exists()


# --- a constant number of queries for 10 and 1,000 filings --------------------------------------------------------

STATUS_CYCLE = [S.SUBMITTED, S.RETURNED, S.DEPARTMENT_APPROVED, S.APPROVED, S.DRAFT]


def add_filings(source: Filing, count: int, status=None, first_revision: int = 100) -> list[Filing]:
    """`count` filings of the source's unit and year (every third a 部门整体 revision, the rest projects), with their
    details and the transitions that brought them to their state; statuses cycle unless one is given."""
    fields = {f.attname: getattr(source, f.attname) for f in Filing._meta.concrete_fields if not f.primary_key}
    filer, reviewer = user("yq_sy"), user("yq_wjw")
    now = timezone.now()
    planned = []
    for n in range(count):
        kind = FilingKind.DEPARTMENT if n % 3 == 1 else FilingKind.PROJECT
        planned.append(Filing(**{**fields, "kind": kind, "source": "", "position": 1000 + n,
                                 "revision": first_revision + n, "status": status or STATUS_CYCLE[n % 5],
                                 "submitted_at": now - timedelta(minutes=n),
                                 "first_submitted_at": now - timedelta(minutes=n), "submitted_by_id": filer.pk}))
    filings = Filing.objects.bulk_create(planned)
    ProjectDetails.objects.bulk_create(ProjectDetails(filing_id=f.pk, name=f"批量项目 {n:04d}")
                                       for n, f in enumerate(filings) if f.kind == FilingKind.PROJECT)
    DepartmentDetails.objects.bulk_create(DepartmentDetails(filing_id=f.pk) for f in filings
                                          if f.kind == FilingKind.DEPARTMENT)
    Transition.objects.bulk_create(transitions_of(f, filer, reviewer) for f in filings if f.status != S.DRAFT)
    return filings


def transitions_of(filing, filer, reviewer):
    if filing.status == S.SUBMITTED:
        return Transition(filing_id=filing.pk, action=Action.SUBMIT, from_status=S.DRAFT, to_status=S.SUBMITTED,
                          actor=filer)
    if filing.status == S.RETURNED:
        return Transition(filing_id=filing.pk, action=Action.RETURN, from_status=S.SUBMITTED, to_status=S.RETURNED,
                          actor=reviewer, comment="请修改。")
    return Transition(filing_id=filing.pk, action=Action.APPROVE, from_status=S.SUBMITTED,
                      to_status=S.DEPARTMENT_APPROVED, actor=reviewer)


def count_queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm up: session, content types …
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), html(response)


def repeated(client, url) -> str:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    sqls = [q["sql"] for q in queries.captured_queries]
    sql = max(set(sqls), key=sqls.count)
    return f"{sqls.count(sql)} × {sql}"


QUEUE_PAGES = [(username, tab) for username in ["yq_wjw", "yq_czj", "yq_sy", "admin"]
               for tab in ["review", "returned", "reviewed"]]


def test_the_queues_and_the_overview_cost_the_same_queries_for_10_and_1000_filings(client, demo):
    add_filings(demo["s3-proj2"], 10)
    urls = [(username, queue_url(tab)) for username, tab in QUEUE_PAGES]
    urls += [(username, queue_url(tab, year=2024, unit=unit("063001").pk, kind="project", status=status))
             for username, tab, status in [("yq_wjw", "review", "submitted"), ("yq_wjw", "reviewed", "returned")]]
    urls += [(username, reverse("filings:overview")) for username in ["yq_wjw", "yq_czj", "admin"]]
    FilingDeadline.objects.create(region=unit("140300"), year=2024, due_on=timezone.localdate())
    few = {}
    for username, url in urls:
        few[username, url] = count_queries(login(client, username), url)
    add_filings(demo["s3-proj2"], 990, first_revision=1000)
    for username, url in urls:
        login(client, username)
        many, page = count_queries(client, url)
        assert many == few[username, url][0], (
            f"{username} {url}: {few[username, url][0]} queries for 10 filings, {many} for 1,000; "
            f"{repeated(client, url)}")
        assert page != few[username, url][1]
    # and the pages did show the many
    login(client, "yq_wjw")
    assert tab_counts(html(client.get(queue_url("review"))))["待审核"] == 200
    assert len(queue_rows(html(client.get(queue_url("review"))))) == 50
    rows = overview_rows(overview(client, 2024))
    assert rows["063001"]["total"] == 1005 and rows["063001"]["counts"] == [205, 200, 200, 200, 200]
    assert rows["063001"]["department"] == "已提交"


def test_the_awaiting_badge_never_shows_on_a_filing_the_user_submitted(demo):
    """The list's bulk answer (`Scope.can_review`, the 待您审核 badge) keeps the rule of `access.can_review`."""
    admin = get_user_model().objects.get(username="admin")
    filing = perform(demo["s2-dept"], admin, "submit", "draft")
    row, = queues.mark_rows(Filing.objects.filter(pk=filing.pk).select_related("unit"), Scope.of(admin))
    assert row.awaiting_me is False and not can_review(admin, filing)
    reviewer = get_user_model().objects.get(username="dp_jt")
    row, = queues.mark_rows(Filing.objects.filter(pk=filing.pk).select_related("unit"), Scope.of(reviewer))
    assert row.awaiting_me is True and can_review(reviewer, filing)

"""The list pages of issue 16 item 2: 我的申报 (the user's own work, and 辖区申报表 for supervisors), the 工作台 tabs
and 项目支出 cost the same number of queries for 2 filings as for 20, page without counting what they do not show,
and the project list reads the stored validation result instead of validating."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings import checked, validation
from filings.models import Action, Filing, FilingStatus, Transition, Unit

from .personas import sign_in
from .test_projects import add_projects

HOME = reverse("home")
QUEUE = reverse("filings:queue")


def user(username):
    return get_user_model().objects.get(username=username)


def hospital_filings():
    """The filings of 063001 阳泉市第四人民医院, in the order they were made."""
    return Filing.objects.filter(unit__code="063001").order_by("pk")


def with_filings(demo, total: int) -> list[int]:
    """063001 with exactly `total` filings (its seeds, trimmed or added to); their ids."""
    have = list(hospital_filings().values_list("pk", flat=True))
    if total < len(have):
        Filing.objects.filter(pk__in=have[total:]).delete()
    else:
        add_projects(demo["s3-proj2"], total - len(have), user("yq_sy"))
    ids = list(hospital_filings().values_list("pk", flat=True))
    assert len(ids) == total
    return ids


def queries(client, url) -> tuple[list[str], str]:
    client.get(url)  # warm up: session, content types …
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries], response.content.decode()


def rows_of(page: str, section: str) -> list[int]:
    """The filings listed in a section of 我的申报 (own-filings / supervised-filings)."""
    start = page.index(f'<section class="{section}')
    part = page[start:page.index("</section>", start)]
    return [int(pk) for pk in re.findall(r'<tr data-filing="(\d+)">', part)]


def returned_by(ids, actor):
    Filing.objects.filter(pk__in=ids).update(status=FilingStatus.RETURNED, submitted_at=timezone.now())
    Transition.objects.bulk_create(
        Transition(filing_id=pk, action=Action.RETURN, from_status=FilingStatus.SUBMITTED,
                   to_status=FilingStatus.RETURNED, actor=actor, comment="请补充。") for pk in ids)


PAGES = [("yq_sy", HOME), ("yq_czj", HOME), ("yq_wjw", HOME), ("yq_wjw", f"{QUEUE}?tab=review"),
         ("yq_wjw", f"{QUEUE}?tab=returned"), ("yq_wjw", f"{QUEUE}?tab=reviewed"), ("yq_sy", f"{QUEUE}?tab=returned"),
         ("yq_czj", f"{QUEUE}?tab=reviewed"), ("yq_czj", reverse("filings:projects") + "?year=2024")]


@pytest.mark.parametrize("username, url", PAGES)
def test_list_pages_cost_the_same_queries_for_2_and_20_filings(client, demo, username, url):
    sign_in(client, username)
    counts, shown = {}, {}
    for total in (2, 20):
        ids = with_filings(demo, total)
        half = len(ids) // 2
        returned_by(ids[:half], user("yq_wjw"))  # 被退回 (and 已审核) of the 主管部门 审核人
        returned_by(ids[half:], user("yq_czj"))  # and of 财政
        if "tab=review" in url and "reviewed" not in url:
            Filing.objects.filter(pk__in=ids).update(status=FilingStatus.SUBMITTED)  # 待审核 of the 审核人
        sql, page = queries(client, url)
        counts[total] = len(sql)
        shown[total] = {int(pk) for pk in re.findall(r'<tr data-filing="(\d+)"', page)} & set(ids)
    assert len(shown[20]) > len(shown[2]) > 0, shown  # the page lists them
    assert counts[2] == counts[20], f"{counts[2]} queries for 2 filings, {counts[20]} for 20"


# --- 我的申报 ------------------------------------------------------------------------------------------------------

def test_home_shows_the_filers_own_work_fifty_a_page_newest_year_first(client, demo):
    ids = with_filings(demo, 60)
    Filing.objects.filter(pk__in=ids[:3]).update(year=2030)
    sign_in(client, "yq_sy")
    sql, page = queries(client, HOME)
    first = rows_of(page, "own-filings")
    assert len(first) == 50 and set(first[:3]) == set(ids[:3])  # 2030 first
    assert page.index("2030 年度") < page.index("2024 年度")
    assert '<section class="supervised-filings' not in page  # a filer supervises nobody
    assert "复制为新年度" in page and "新建部门整体支出绩效目标申报表" in page
    assert 'href="?page=2">下一页</a>' in page and "第 1 页" in page
    assert not [q for q in sql if "COUNT(" in q.upper() and '"filings_filing"' in q]  # nothing counted
    second = rows_of(client.get(HOME, {"page": "2"}).content.decode(), "own-filings")
    assert len(second) == 10 and not set(first) & set(second) and set(first) | set(second) == set(ids)
    assert rows_of(client.get(HOME, {"page": "abc"}).content.decode(), "own-filings") == first
    beyond = client.get(HOME, {"page": "99"}).content.decode()
    assert rows_of(beyond, "own-filings") == [] and 'href="?page=98">上一页</a>' in beyond


def test_a_supervisor_sees_their_scope_in_a_filtered_paginated_block(client, demo):
    ids = with_filings(demo, 60)
    sign_in(client, "yq_czj")  # 财政 of 阳泉: files for no unit
    sql, page = queries(client, HOME)
    assert '<section class="own-filings' not in page and "新建部门整体支出绩效目标申报表" not in page
    first = rows_of(page, "supervised-filings")
    assert first == sorted(ids, reverse=True)[:50]  # the newest first
    assert not [q for q in sql if "COUNT(" in q.upper() and '"filings_filing"' in q]
    assert "复制为新年度" not in page
    assert f'href="{QUEUE}"' in page and f'href="{reverse("filings:overview")}"' in page
    second = rows_of(client.get(HOME, {"spage": "2"}).content.decode(), "supervised-filings")
    assert len(second) == 10 and set(first) | set(second) == set(ids)
    # filtered like the 工作台: by status, and by a unit typed as its code (with the units below it)
    returned_by(ids[:4], user("yq_wjw"))
    page = client.get(HOME, {"status": "returned"}).content.decode()
    assert set(rows_of(page, "supervised-filings")) == set(ids[:4])
    page = client.get(HOME, {"unit_q": "063", "kind": "project", "spage": "2"}).content.decode()
    assert len(rows_of(page, "supervised-filings")) == 10
    page = client.get(HOME, {"unit_q": "327001"}).content.decode()  # 柴桑区 is not theirs: an error, ignored
    assert "没有找到这个单位，或您无权查看。" in page and "九江市柴桑区医疗保障局" not in page


def test_a_reviewer_who_also_files_sees_both_blocks(client, demo):
    hospital = Unit.objects.get(code="063001")
    reviewer = user("yq_wjw")
    reviewer.memberships.create(unit=hospital, role="filer")
    sign_in(client, "yq_wjw")
    page = client.get(HOME).content.decode()
    own, supervised = rows_of(page, "own-filings"), rows_of(page, "supervised-filings")
    assert set(own) == set(hospital_filings().values_list("pk", flat=True)) and set(own) <= set(supervised)
    assert "复制为新年度" in page[:page.index('<section class="supervised-filings')]


# --- 项目支出 ------------------------------------------------------------------------------------------------------

def test_the_project_list_validates_nothing(client, demo, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the project list validated a filing")

    for module, name in [(validation, "validate_filing"), (validation, "validate_many"), (checked, "validate_filing")]:
        monkeypatch.setattr(module, name, refuse)
    Filing.objects.filter(pk=demo["s3-proj1"].pk).update(error_count=7, warning_count=2)
    sign_in(client, "yq_sy")
    page = client.get(reverse("filings:projects"), {"unit": demo["s3-proj1"].unit_id, "year": 2024}).content.decode()
    assert "错误 7</span> · <span class=\"text-warning-emphasis\">警告 2" in page

"""单位操作记录: a unit's own events (deadlines, members) and its deleted filings, to the unit's filers and to the
审核人 and 财政 above it, filtered, paginated, with a constant number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from filings.models import EventKind, FilingEvent, Membership, Role, Unit
from filings.services import copy_filing, delete_draft, record_membership

from .pages import html, login
from .personas import ADMIN, FILER, FINANCE, OTHER_FILER, REVIEWER, new_member, new_outsider, person

URL = reverse("filings:unit_events")
HOSPITAL, REGION = "327002001", "360404"


def rows(page: str) -> str:
    """The table body of the page: what the events say, without the filter's choices."""
    return page[page.index("<tbody>"):page.index("</tbody>")]


def set_deadline(client, due_on: str):
    login(client, FINANCE)
    region = Unit.objects.get(code=REGION)
    response = client.post(reverse("filings:overview"), {"region": region.pk, "year": "2026", "due_on": due_on})
    assert response.status_code == 302


def hospital_event(username="new_filer") -> FilingEvent:
    return FilingEvent.objects.create(unit=Unit.objects.get(code=HOSPITAL), kind=EventKind.MEMBERSHIP_CHANGED,
                                      actor=person(ADMIN), summary=f"添加：{username} · 填报人",
                                      data={"user": username, "role": Role.FILER, "change": "添加"})


def test_a_deadline_moved_twice_shows_to_the_region_s_finance_with_each_old_and_new_date(client, demo):
    set_deadline(client, "2026-03-31")
    set_deadline(client, "2026-04-15")
    body = rows(html(client.get(URL)))
    assert "截止日期：（空） → 2026-03-31" in body and "截止日期：2026-03-31 → 2026-04-15" in body
    assert body.index("2026-03-31 → 2026-04-15") < body.index("（空） → 2026-03-31")  # newest first
    assert "设置截止日期" in body and "2026 年度申报截止日期" in body
    # the region's own event: not in the scope of a 主管部门's 审核人 nor of a unit's filer
    for username in (REVIEWER, FILER):
        login(client, username)
        assert "截止日期" not in rows(html(client.get(URL))), username


def test_a_member_added_in_the_admin_shows_to_the_unit_s_filer_and_the_reviewer_above(client, demo):
    hospital = Unit.objects.get(code=HOSPITAL)
    newcomer = new_outsider("new_filer")
    login(client, ADMIN)
    response = client.post(reverse("admin:filings_membership_add"),
                           {"user": newcomer.pk, "unit": hospital.pk, "role": Role.FILER})
    assert response.status_code == 302
    for username in (FILER, REVIEWER, FINANCE, ADMIN):
        login(client, username)
        body = rows(html(client.get(URL)))
        assert "成员变更" in body and "new_filer 的角色：（空） → 填报人" in body, username
        assert hospital.name in body
    login(client, OTHER_FILER)  # 医保局's filer: another unit of the same region
    assert "new_filer" not in rows(html(client.get(URL)))


def test_a_removed_member_shows_the_role_going_to_nothing(client, demo):
    membership = Membership.objects.get(user__username=FILER, unit__code=HOSPITAL, role=Role.FILER)
    record_membership(membership, person(ADMIN), "删除")
    login(client, REVIEWER)
    assert f"{FILER} 的角色：填报人 → （空）" in rows(html(client.get(URL)))


def test_a_deleted_draft_shows_with_its_number_and_the_filing_s_other_events_do_not(client, demo):
    source = demo["s0-dept"]
    copy = copy_filing(source, 2031, person(FILER), keep_amounts=True)
    FilingEvent.objects.create(filing=source, filing_ref=source.pk, unit=source.unit, kind=EventKind.STEP_SAVED,
                               actor=person(FILER), summary="保存了一个步骤")
    delete_draft(copy, user=person(FILER))
    login(client, FILER)
    body = rows(html(client.get(URL)))
    assert body.count("<tr") == 1
    assert "删除" in body and f"申报表编号 {copy.pk}" in body and copy.title in body
    assert "从 2026 年度" not in body and "保存了一个步骤" not in body  # the copy's creation, a live filing's save


def test_the_kind_the_dates_and_the_unit_filter_the_list(client, demo):
    set_deadline(client, "2026-03-31")
    hospital_event()
    old = hospital_event("old_filer")
    FilingEvent.objects.filter(pk=old.pk).update(created_at=timezone.make_aware(datetime.datetime(2025, 6, 1, 12)))
    login(client, FINANCE)
    everything = rows(html(client.get(URL)))
    assert everything.count("<tr") == 3
    body = rows(html(client.get(URL, {"kind": EventKind.DEADLINE_SET})))
    assert body.count("<tr") == 1 and "截止日期" in body
    body = rows(html(client.get(URL, {"date_from": "2025-05-31", "date_to": "2025-06-01"})))
    assert body.count("<tr") == 1 and "old_filer" in body
    body = rows(html(client.get(URL, {"date_to": "2025-05-31"})))
    assert "没有符合条件的记录" in body
    hospital = Unit.objects.get(code=HOSPITAL)
    body = rows(html(client.get(URL, {"unit": hospital.parent_id})))
    assert body.count("<tr") == 2 and "截止日期" not in body  # 卫健委 and the units below it
    page = html(client.get(URL, {"date_from": "2026-02-01", "date_to": "2026-01-01"}))
    assert "截止日期不能早于起始日期" in page
    assert rows(page).count("<tr") == 2 and "old_filer" not in rows(page)  # the wrong end ignored, the start kept


def test_a_unit_outside_the_scope_does_not_exist_and_a_user_without_units_has_no_list(client, demo):
    login(client, REVIEWER)
    other = Unit.objects.get(code="327001")  # 医保局, beside the reviewer's 卫健委
    assert client.get(URL, {"unit": other.pk}).status_code == 404
    assert client.get(URL, {"unit": "①"}).status_code == 404
    assert client.get(URL, {"unit": Unit.objects.get(code=HOSPITAL).pk}).status_code == 200
    login(client, new_outsider().username)
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("count", [3, 70])
def test_the_page_does_a_constant_number_of_queries(client, demo, count, django_assert_max_num_queries):
    unit = Unit.objects.get(code=HOSPITAL)
    actors = [new_member(f"member{n}", HOSPITAL, Role.FILER) for n in range(3)]
    FilingEvent.objects.bulk_create(
        FilingEvent(unit=unit, kind=EventKind.MEMBERSHIP_CHANGED, actor=actors[n % 3], summary=f"第 {n} 次",
                    data={"user": f"u{n}", "role": Role.REVIEWER, "change": "添加"})
        for n in range(count))
    login(client, REVIEWER)
    with django_assert_max_num_queries(10):
        page = html(client.get(URL, {"unit": unit.pk, "kind": EventKind.MEMBERSHIP_CHANGED}))
    assert rows(page).count("<tr") == min(count, 50)
    if count > 50:
        assert "第 1 / 2 页" in page and "第 69 次" in page and "第 19 次" not in page  # newest first
        second = html(client.get(URL, {"unit": unit.pk, "page": 2}))
        assert "第 19 次" in second and "第 0 次" in second


def test_the_workbench_and_the_overview_link_to_the_page(client, demo):
    login(client, FILER)
    assert URL in html(client.get(reverse("filings:queue")))
    login(client, FINANCE)
    assert f"{URL}?kind=deadline_set" in html(client.get(reverse("filings:overview")))


@pytest.mark.parametrize("dates", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}])
def test_a_date_far_outside_any_filing_year_gets_a_message_not_an_error(client, demo, dates):
    login(client, FINANCE)
    response = client.get(URL, dates)
    assert response.status_code == 200
    assert "年之间的日期" in html(response)


def test_the_login_log_answers_a_far_date_with_a_message_too(client, demo):
    login(client, FINANCE)
    response = client.get(reverse("accounts:login_log"), {"date_to": "9999-12-31"})
    assert response.status_code == 200 and "年之间的日期" in html(response)

"""Every write to a filing leaves a `FilingEvent` (who, when, what, old and new values); 历史记录 shows them."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from filings import workflow
from filings.models import Action, EventKind, Filing, FilingEvent, FilingStatus, FormVariant
from filings.services import copy_filing, create_department_filing, create_project_filing, delete_draft

from .pages import form_data, html, login, step_url

FILER = "dp_bj"


def user(username):
    return get_user_model().objects.get(username=username)


def latest_event(filing_pk) -> FilingEvent:
    return FilingEvent.objects.filter(filing_ref=filing_pk).order_by("-pk").first()


def test_creating_copying_and_deleting_each_leave_an_event(demo):
    filer = user("yq_sy")
    source = demo["s3-proj1"]
    project = create_project_filing(source.unit, 2030, source.variant, "新的项目", filer)
    assert (latest_event(project.pk).kind, latest_event(project.pk).actor) == (EventKind.CREATED, filer)
    copy = copy_filing(source, source.year, filer, keep_amounts=True)
    event = latest_event(copy.pk)
    assert event.kind == EventKind.COPIED and event.data == {"source": source.pk}
    delete_draft(copy, user=filer)
    event = latest_event(copy.pk)
    assert event.kind == EventKind.DELETED and event.filing is None and event.unit_id == source.unit_id
    department = create_department_filing(demo["s2-dept"].unit, 2031, demo["s2-dept"].variant, user(FILER))
    assert latest_event(department.pk).kind == EventKind.CREATED


def test_a_step_save_records_the_fields_it_changed_with_old_and_new_values(client, demo):
    filing = demo["s2-dept"]
    login(client, FILER)
    data = form_data(client.get(step_url(filing, "unit")))
    old = data["signoff-handler"]
    client.post(step_url(filing, "unit"), {**data, "signoff-handler": "王小明", "save": ""})
    event = latest_event(filing.pk)
    assert event.kind == EventKind.STEP_SAVED and event.actor == user(FILER)
    assert event.data["step"] == "unit"
    assert list(event.data["fields"].values()) == [[old, "王小明"]]


def test_an_indicator_save_counts_added_changed_and_deleted_rows(client, demo):
    filing = demo["s2-dept"]
    login(client, FILER)
    data = form_data(client.get(step_url(filing, "indicators")))
    data["indicators-0-value_text"] = "≥ 99 个模块"
    data["indicators-1-DELETE"] = "on"
    client.post(step_url(filing, "indicators"), {**data, "save": ""})
    assert latest_event(filing.pk).data["rows"] == {"added": 0, "changed": 1, "deleted": 1}


def test_a_variant_switch_records_the_variant_and_the_scheme(client, demo):
    filing = demo["s4-proj1"]  # 湖南, 成本 under 产出
    login(client, "yj_wjj")
    data = form_data(client.get(step_url(filing, "project")))
    field = next(name for name in data if name.endswith("variant"))
    jiangxi = FormVariant.objects.get(code="proj-jiangxi")
    client.post(step_url(filing, "project"), {**data, field: str(jiangxi.pk), "save": ""})
    event = latest_event(filing.pk)
    assert event.data["fields"]["表样"] == [str(filing.variant), str(jiangxi)]
    assert event.data["scheme"][0] != event.data["scheme"][1]


def test_remarks_added_and_deleted_leave_events(client, demo):
    filing = demo["s2-dept"]
    workflow.perform(filing, user(FILER), Action.SUBMIT, FilingStatus.DRAFT)
    login(client, "dp_jt")
    client.post(reverse("filings:add_comment", args=[filing.pk]), {"target": "step:goals", "text": "目标太笼统"})
    assert latest_event(filing.pk).kind == EventKind.COMMENTED
    remark = filing.comments.get()
    client.post(reverse("filings:delete_comment", args=[filing.pk, remark.pk]))
    assert latest_event(filing.pk).kind == EventKind.COMMENT_DELETED and not filing.comments.exists()


def test_the_history_page_shows_events_and_transitions_newest_first_to_filer_and_reviewer(client, demo):
    filing = demo["s2-dept"]
    login(client, FILER)
    data = form_data(client.get(step_url(filing, "unit")))
    client.post(step_url(filing, "unit"), {**data, "signoff-handler": "王小明", "save": ""})
    workflow.perform(Filing.objects.get(pk=filing.pk), user(FILER), Action.SUBMIT, FilingStatus.DRAFT)
    for username in [FILER, "dp_jt", "dp_czj"]:
        login(client, username)
        page = html(client.get(reverse("filings:history", args=[filing.pk])))
        body = page[page.index("<tbody>"):]
        assert body.index("草稿 → 已提交") < body.index("王小明"), username


def test_the_history_page_is_not_shown_to_other_units(client, demo):
    login(client, "cs_zyy")
    assert client.get(reverse("filings:history", args=[demo["s2-dept"].pk])).status_code == 404


@pytest.mark.parametrize("saves", [1, 20])
def test_the_history_page_does_a_constant_number_of_queries(client, demo, saves, django_assert_max_num_queries):
    filing = demo["s2-dept"]
    login(client, FILER)
    for number in range(saves):
        FilingEvent.objects.create(filing=filing, filing_ref=filing.pk, unit=filing.unit, kind=EventKind.STEP_SAVED,
                                   actor=user(FILER), summary=f"保存第 {number} 次")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("filings:history", args=[filing.pk])).status_code == 200


def test_a_scheme_switch_moves_every_row_or_none_and_never_drops_one(demo):
    from filings.services import switch_scheme
    from indicators.models import Category, Scheme

    filing = demo["s4-proj1"]  # 成本 under 产出
    other = Scheme.objects.get(code="cost-first")
    rows = filing.indicators.count()
    own = Category.objects.filter(scheme=filing.scheme, parent__isnull=False).first()
    odd = Category.objects.create(scheme=filing.scheme, parent=own.parent, code="local_only", name="本地特有指标",
                                  order=99)
    stranded = filing.indicators.create(period="annual", category=odd, name="只在本地体系中的指标", order=99)
    assert switch_scheme(filing, other) == [stranded]
    filing.refresh_from_db()
    assert filing.scheme.code == "cost-under-output" and filing.indicators.count() == rows + 1
    stranded.delete()
    assert switch_scheme(filing, other) == []
    assert filing.scheme == other and set(filing.indicators.values_list("category__scheme", flat=True)) == {other.pk}


def test_setting_and_moving_a_deadline_leaves_events_with_the_old_and_new_date(client, demo):
    from filings.models import Unit

    region = Unit.objects.get(code="360404")
    login(client, "cs_czj")
    for due_on in ["2026-03-31", "2026-04-15"]:
        response = client.post(reverse("filings:overview"), {"region": region.pk, "year": "2026", "due_on": due_on})
        assert response.status_code == 302
    events = list(FilingEvent.objects.filter(unit=region, kind=EventKind.DEADLINE_SET).order_by("pk"))
    assert [event.data["fields"]["截止日期"] for event in events] == [["", "2026-03-31"], ["2026-03-31", "2026-04-15"]]
    assert all(event.actor == user("cs_czj") and event.filing_ref is None for event in events)


def test_membership_changes_in_the_admin_leave_events(client, demo):
    from filings.models import Membership, Role, Unit

    login(client, "admin")
    unit = Unit.objects.get(code="327002001")
    newcomer = get_user_model().objects.create_user("xin_tianbao", password="x")
    response = client.post(reverse("admin:filings_membership_add"),
                           {"user": newcomer.pk, "unit": unit.pk, "role": Role.FILER, "_save": "保存"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    client.post(reverse("admin:filings_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert not Membership.objects.filter(user=newcomer).exists()
    changes = list(FilingEvent.objects.filter(kind=EventKind.MEMBERSHIP_CHANGED, unit=unit).order_by("pk")
                   .values_list("data__change", flat=True))
    assert changes == ["添加", "删除"]

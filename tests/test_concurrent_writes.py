"""Writes that meet: a save racing a submit or an approval, two windows on one step, two steps at once, double clicks.

Every write locks the filing's row first and re-checks its state and edit version inside the lock
(`filings.services.lock_filing`). The races are played two ways on PostgreSQL, with two threads and two database
connections: made certain by holding one request just before it takes the lock until the other has finished, and
free-running over many rounds. Double clicks are also replayed one after the other, which any database can do.
"""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from filings import wizard, workflow
from filings.models import (
    Action,
    EventKind,
    Filing,
    FilingEvent,
    FilingKind,
    FilingStatus,
    FormVariant,
    Indicator,
    Submission,
    Transition,
)
from filings.snapshots import snapshot
from filings.workflow import Review

from .pages import form_data, html, login, open_step, step_url

FILER, REVIEWER, FINANCE = "dp_bj", "dp_jt", "dp_czj"  # s2-dept, 财预〔2015〕88号, two review levels
STALE = "这份申报表刚在别处被保存过"
LATE = "不能再修改"

def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip(f"needs row locks and concurrent connections, which {connection.display_name} does not give; "
                    "runs on PostgreSQL (DATABASE_URL), as in CI")


def user(username):
    return get_user_model().objects.get(username=username)


def client_for(username) -> Client:
    return login(Client(raise_request_exception=False), username)


def reload(filing) -> Filing:
    return Filing.objects.with_related().get(pk=filing.pk)


def in_threads(*calls):
    """Run each call in its own thread with its own database connection; their results, in order."""
    results = [None] * len(calls)

    def run(index, call):
        try:
            results[index] = call()
        except Exception as error:  # reported by the caller's assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call), name=f"writer-{i}") for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished (a deadlock?)"
    return results


def started(call, results, name="writer-0") -> threading.Thread:
    """`call` running in a thread of its own (its own database connection, closed when it ends)."""

    def run():
        try:
            results.append(call())
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


class HeldBeforeTheLock:
    """Stops one thread's step save just before it locks the filing, until the test lets it go."""

    def __init__(self, monkeypatch, thread_name="writer-0"):
        self.reached, self.go = threading.Event(), threading.Event()
        real = wizard.lock_filing

        def held(*args, **kwargs):
            if threading.current_thread().name == thread_name:
                self.reached.set()
                assert self.go.wait(timeout=60)
            return real(*args, **kwargs)

        monkeypatch.setattr(wizard, "lock_filing", held)

    def wait(self):
        assert self.reached.wait(timeout=60), "the held save never reached the lock"

    def release(self):
        self.go.set()


def goals_post(client, filing, text):
    data = form_data(client.get(step_url(filing, "goals")))
    return step_url(filing, "goals"), {**data, "goals-overall_goal": text, "save": ""}


# --- a save that started while the filing was a draft -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_save_held_until_after_the_submit_is_refused_and_the_submission_is_what_is_stored(demo, monkeypatch):
    postgresql_only()
    filing = demo["s2-dept"]
    url, data = goals_post(client_for(FILER), filing, "提交之后才写到的目标")
    hold = HeldBeforeTheLock(monkeypatch)
    results = []
    saving = started(lambda: client_for(FILER).post(url, data), results)
    hold.wait()
    workflow.perform(reload(filing), user(FILER), Action.SUBMIT, FilingStatus.DRAFT)
    hold.release()
    saving.join(timeout=60)
    response, = results
    assert response.status_code == 409 and LATE in html(response)
    assert form_data(response)["goals-overall_goal"] == "提交之后才写到的目标"  # the typed text is still there
    stored = reload(filing)
    assert stored.status == FilingStatus.SUBMITTED
    assert Submission.objects.get(filing=filing).data == snapshot(stored)


@pytest.mark.django_db(transaction=True)
def test_a_save_held_until_after_the_final_approval_changes_nothing(demo, monkeypatch):
    postgresql_only()
    filing = demo["s2-dept"]
    url, data = goals_post(client_for(FILER), filing, "批复之后才写到的目标")
    hold = HeldBeforeTheLock(monkeypatch)
    results = []
    saving = started(lambda: client_for(FILER).post(url, data), results)
    hold.wait()
    workflow.perform(reload(filing), user(FILER), Action.SUBMIT, FilingStatus.DRAFT)
    workflow.perform(reload(filing), user(REVIEWER), Action.APPROVE, FilingStatus.SUBMITTED, Review("同意"))
    workflow.perform(reload(filing), user(FINANCE), Action.APPROVE, FilingStatus.DEPARTMENT_APPROVED, Review("同意"))
    hold.release()
    saving.join(timeout=60)
    assert results[0].status_code == 409
    stored = reload(filing)
    assert stored.status == FilingStatus.APPROVED
    assert stored.department.overall_goal != "批复之后才写到的目标"
    assert Submission.objects.get(filing=filing).data == snapshot(stored)


@pytest.mark.django_db(transaction=True)
def test_many_rounds_of_a_save_racing_a_submit_never_store_other_content_than_the_submission(demo):
    postgresql_only()
    filing = demo["s2-dept"]
    filer = user(FILER)
    for round_number in range(12):
        url, data = goals_post(client_for(FILER), filing, f"第 {round_number} 轮的目标")
        save, submit = in_threads(
            lambda: client_for(FILER).post(url, data),  # noqa: B023 - run before the loop moves on
            lambda: workflow.perform(reload(filing), filer, Action.SUBMIT, FilingStatus.DRAFT),
        )
        assert save.status_code in {302, 409}, (round_number, save.status_code)
        assert not isinstance(submit, Exception), (round_number, submit)
        stored = reload(filing)
        assert stored.status == FilingStatus.SUBMITTED
        assert filing.submissions.order_by("-number").first().data == snapshot(stored), round_number
        workflow.perform(stored, filer, Action.WITHDRAW, FilingStatus.SUBMITTED)


# --- two windows, two steps ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_windows_saving_the_same_step_never_both_succeed(demo, monkeypatch):
    postgresql_only()
    filing = demo["s2-dept"]
    first_url, first = goals_post(client_for(FILER), filing, "第一个窗口的目标")
    second_url, second = goals_post(client_for(FILER), filing, "第二个窗口的目标")
    hold = HeldBeforeTheLock(monkeypatch)
    results = []
    saving = started(lambda: client_for(FILER).post(first_url, first), results)
    hold.wait()
    assert client_for(FILER).post(second_url, second).status_code == 302
    hold.release()
    saving.join(timeout=60)
    response, = results
    assert response.status_code == 409 and STALE in html(response)
    assert form_data(response)["goals-overall_goal"] == "第一个窗口的目标"
    assert reload(filing).department.overall_goal == "第二个窗口的目标"


@pytest.mark.django_db(transaction=True)
def test_many_rounds_of_two_windows_on_one_step_leave_exactly_one_success(demo):
    postgresql_only()
    filing = demo["s2-dept"]
    for round_number in range(10):
        posts = [goals_post(client_for(FILER), filing, f"第 {round_number} 轮 窗口{n}") for n in (1, 2)]
        responses = in_threads(*(lambda u=url, d=data: client_for(FILER).post(u, d) for url, data in posts))
        codes = sorted(response.status_code for response in responses)
        assert codes == [302, 409], (round_number, codes)
        winner = posts[[r.status_code for r in responses].index(302)][1]["goals-overall_goal"]
        assert reload(filing).department.overall_goal == winner


@pytest.mark.django_db(transaction=True)
def test_saving_two_steps_of_one_filing_at_once_never_deadlocks(demo):
    postgresql_only()
    filing = demo["s2-dept"]
    for round_number in range(15):
        client = client_for(FILER)
        unit = form_data(client.get(step_url(filing, "unit")))
        indicators = form_data(client.get(step_url(filing, "indicators")))
        responses = in_threads(
            lambda: client_for(FILER).post(step_url(filing, "unit"),  # noqa: B023
                                           {**unit, "signoff-handler": f"经办人{round_number}", "save": ""}),  # noqa: B023
            lambda: client_for(FILER).post(step_url(filing, "indicators"),  # noqa: B023
                                           {**indicators, "indicators-0-value_text": f"≥{round_number}个", "save": ""}),  # noqa: B023
        )
        codes = sorted(response.status_code for response in responses)
        assert codes in ([302, 302], [302, 409]), (round_number, codes)



@pytest.mark.django_db(transaction=True)
def test_saves_of_two_projects_of_one_unit_at_once_never_deadlock(demo, monkeypatch):
    """A project's save also refreshes the stored checks of its unit's other projects (rule W10), writing their rows.
    The second save waits for the first on the unit's row instead of locking its own filing first: otherwise the
    first, refreshing, waits for the second's filing while the second waits for the first's (found by bench/load.py
    as 500s with “deadlock detected”)."""
    postgresql_only()
    first, second = demo["s3-proj1"], demo["s3-proj2"]  # 市四院, one year
    Filing.objects.filter(pk__in=[first.pk, second.pk]).update(status=FilingStatus.DRAFT)
    key = wizard.steps_for(first)[0].key
    posts = [(step_url(f, key), {**open_step(client_for("yq_sy"), f, key)[1], "save": ""}) for f in (first, second)]
    assert key == "project" and "details-name" in posts[0][1]
    posts[0][1]["details-name"] += "（调整）"  # a new name: W10's input changes, so this save refreshes the siblings
    reached, go = threading.Event(), threading.Event()
    real = wizard.refresh_checks

    def held(filing, **options):  # the first save, holding its locks, stops just before it refreshes the siblings
        if threading.current_thread().name == "writer-0":
            reached.set()
            assert go.wait(timeout=60)
        return real(filing, **options)

    monkeypatch.setattr(wizard, "refresh_checks", held)
    results, other = [], []
    saving = started(lambda: client_for("yq_sy").post(*posts[0]), results)
    assert reached.wait(timeout=60)
    waiting = started(lambda: client_for("yq_sy").post(*posts[1]), other, name="writer-1")

    def blocked():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                           " AND wait_event_type = 'Lock'")
            return cursor.fetchone()[0] >= 1

    while not blocked():  # the second save is waiting for a lock the first holds
        assert waiting.is_alive(), other
    go.set()
    saving.join(timeout=60)
    waiting.join(timeout=60)
    assert [r.status_code for r in results + other] == [302, 302]
    assert Filing.objects.get(pk=first.pk).lock_version == first.lock_version + 1
    assert Filing.objects.get(pk=second.pk).lock_version == second.lock_version + 1

# --- double clicks ------------------------------------------------------------------------------------------------


def new_department_post(client):
    page = client.get(reverse("home"))
    data = form_data(page, "new-filing-form")
    variant = FormVariant.objects.get(code="dept-mof88")
    return {**data, "year": "2031", "variant": str(variant.pk)}


def copy_post(client, source):
    page = html(client.get(reverse("home")))
    form = page.split(f'action="{reverse("filings:copy", args=[source.pk])}"', 1)[1]
    key = form.split('name="request_key" value="', 1)[1].split('"', 1)[0]
    return {"year": str(source.year + 5), "request_key": key}


@pytest.mark.django_db
def test_a_double_click_on_new_makes_one_filing_and_both_clicks_land_on_it(client, demo):
    login(client, FILER)
    data = new_department_post(client)
    first, second = client.post(reverse("home"), data), client.post(reverse("home"), data)
    made = Filing.objects.filter(unit__code="DP101001", year=2031, kind=FilingKind.DEPARTMENT)
    assert made.count() == 1
    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert FilingEvent.objects.filter(filing=made.get(), kind=EventKind.CREATED).count() == 1


@pytest.mark.django_db
def test_a_double_click_on_copy_to_a_new_year_makes_one_copy(client, demo):
    login(client, FILER)
    source = demo["s2-dept"]
    data = copy_post(client, source)
    url = reverse("filings:copy", args=[source.pk])
    first, second = client.post(url, data), client.post(url, data)
    assert Filing.objects.filter(unit=source.unit, year=source.year + 5).count() == 1
    assert first.status_code == second.status_code == 302 and first.url == second.url


@pytest.mark.django_db
def test_a_new_copy_with_another_form_to_a_year_that_has_one_gets_a_message(client, demo):
    login(client, FILER)
    source = demo["s2-dept"]
    url = reverse("filings:copy", args=[source.pk])
    client.post(url, copy_post(client, source))
    response = client.post(url, copy_post(client, source))  # a second form, not a double click
    assert response.status_code == 302 and response.url == reverse("home")
    assert Filing.objects.filter(unit=source.unit, year=source.year + 5).count() == 1
    assert "已有" in html(client.get(response.url))


@pytest.mark.django_db
def test_a_double_click_on_new_project_and_on_duplicate_makes_one_each(client, demo):
    login(client, "yq_sy")
    source = demo["s3-proj1"]
    list_url = f"{reverse('filings:projects')}?unit={source.unit_id}&year={source.year}"
    data = {**form_data(client.get(list_url), "new-project-form"), "name": "只建一次的项目", "year": str(source.year),
            "variant": str(source.variant_id)}
    first, second = client.post(list_url, data), client.post(list_url, data)
    assert first.url == second.url
    assert Filing.objects.filter(project__name="只建一次的项目").count() == 1
    page = html(client.get(list_url))
    action = f'action="{reverse("filings:duplicate", args=[source.pk])}"'
    key = page.split(action, 1)[1].split('name="request_key" value="', 1)[1].split('"', 1)[0]
    url = reverse("filings:duplicate", args=[source.pk])
    count = Filing.objects.projects().filter(unit=source.unit).count()
    first = client.post(url, {"same_year": "1", "keep_amounts": "1", "request_key": key})
    second = client.post(url, {"same_year": "1", "keep_amounts": "1", "request_key": key})
    assert first.url == second.url
    assert Filing.objects.projects().filter(unit=source.unit).count() == count + 1


@pytest.mark.django_db
def test_a_double_click_on_delete_deletes_once_and_says_so(client, demo):
    login(client, "yq_sy")
    source = demo["s3-proj1"]
    copy = Filing.objects.get(pk=client.post(reverse("filings:duplicate", args=[source.pk]),
                                             {"same_year": "1"}).url.strip("/").split("/")[-1])
    url = reverse("filings:delete", args=[copy.pk])
    assert client.post(url).status_code == 302
    second = client.post(url)
    assert second.status_code == 302 and "已经删除" in html(client.get(second.url))
    assert not Filing.objects.filter(pk=copy.pk).exists()
    assert FilingEvent.objects.filter(filing_ref=copy.pk, kind=EventKind.DELETED).count() == 1


@pytest.mark.django_db
def test_a_double_click_on_submit_submits_once_and_says_so(client, demo):
    login(client, FILER)
    filing = demo["s2-dept"]
    data = form_data(client.get(reverse("filings:check", args=[filing.pk])), "submit-form")
    assert data == {"expected_status": "draft"}
    url = reverse("filings:submit", args=[filing.pk])
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 302 and "已是“已提交”" in html(client.get(second.url))
    assert Transition.objects.filter(filing=filing, action=Action.SUBMIT).count() == 1


@pytest.mark.django_db
def test_a_double_click_on_approve_approves_once_and_says_so(client, demo):
    filing = demo["s2-dept"]
    workflow.perform(filing, user(FILER), Action.SUBMIT, FilingStatus.DRAFT)
    login(client, REVIEWER)
    data = {"action": "approve", "expected_status": "submitted", "comment": "同意"}
    url = reverse("filings:act", args=[filing.pk])
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 302 and "刚才的操作没有执行" in html(client.get(second.url))
    assert Transition.objects.filter(filing=filing, action=Action.APPROVE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_double_clicks_on_new_and_copy_have_one_effect(demo):
    postgresql_only()
    client = client_for(FILER)
    data = new_department_post(client)
    responses = in_threads(*(lambda: client_for(FILER).post(reverse("home"), data) for _ in range(2)))
    assert [r.status_code for r in responses] == [302, 302] and responses[0].url == responses[1].url
    assert Filing.objects.filter(unit__code="DP101001", year=2031).count() == 1
    source = Filing.objects.get(pk=demo["s2-dept"].pk)
    data = copy_post(client, source)
    url = reverse("filings:copy", args=[source.pk])
    responses = in_threads(*(lambda: client_for(FILER).post(url, data) for _ in range(2)))
    assert [r.status_code for r in responses] == [302, 302] and responses[0].url == responses[1].url
    assert Filing.objects.filter(unit=source.unit, year=source.year + 5).count() == 1


# --- big tables and stale pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_300_row_indicator_table_saves_and_reloads_intact(client, demo):
    filing = demo["s2-dept"]
    login(client, FILER)
    data = form_data(client.get(step_url(filing, "indicators")))
    existing = int(data["indicators-TOTAL_FORMS"])
    category = data["indicators-0-category"]
    for number in range(existing, 300):
        data |= {f"indicators-{number}-{name}": value for name, value in {
            "period": "annual", "category": category, "order": str(number + 1), "name": f"第{number + 1}项指标",
            "value_text": f"≥{number + 1}个", "note": "", "id": "",
        }.items()}
    data |= {"indicators-TOTAL_FORMS": "300", "save": ""}
    assert len(data) > 1000  # more fields than Django's default limit
    response = client.post(step_url(filing, "indicators"), data)
    assert response.status_code == 302, response.status_code
    assert Indicator.objects.filter(filing=filing).count() == 300
    page = open_step(client, filing, "indicators")[1]
    assert page["indicators-TOTAL_FORMS"] == "300"
    assert page["indicators-299-name"] == "第300项指标" and page["indicators-299-value_text"] == "≥300个"


@pytest.mark.django_db
def test_a_page_opened_before_a_variant_change_in_another_tab_keeps_all_its_rows(client, demo):
    filing = demo["s4-proj1"]  # 湖南, 成本 under 产出
    login(client, "yj_wjj")
    stale = form_data(client.get(step_url(filing, "indicators")))
    rows = Indicator.objects.filter(filing=filing).count()
    project = form_data(client.get(step_url(filing, "project")))
    variant_field = next(name for name in project if name.endswith("variant"))
    jiangxi = FormVariant.objects.get(code="proj-jiangxi")  # 成本 as 一级
    assert client.post(step_url(filing, "project"), {**project, variant_field: str(jiangxi.pk), "save": ""}
                       ).status_code == 302
    assert reload(filing).scheme.code == "cost-first"
    stale["indicators-0-value_text"] = "在旧页面上改的值"
    response = client.post(step_url(filing, "indicators"), {**stale, "save": ""})
    assert response.status_code == 409 and STALE in html(response)
    shown = form_data(response)
    assert int(shown["indicators-TOTAL_FORMS"]) == rows
    assert len([name for name in shown if name.endswith("-name")]) == rows  # every row is on the page
    assert shown["indicators-0-value_text"] == "在旧页面上改的值"
    again = client.post(step_url(filing, "indicators"), {**shown, "save": ""})
    assert again.status_code == 302
    assert Indicator.objects.filter(filing=filing).count() == rows
    assert Indicator.objects.filter(filing=filing, value_text="在旧页面上改的值").exists()
    assert not Indicator.objects.filter(filing=filing).exclude(category__scheme__code="cost-first").exists()

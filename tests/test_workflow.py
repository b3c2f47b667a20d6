"""The review workflow's rules, transition by transition (filings/workflow.py and the pages that call it).

草稿 → 已提交 → 主管部门审核通过 → 已批复 (or 已提交 → 已批复 in a one-level region); 退回 from either level with an
opinion; 撤回 before review; 调整 after approval as a new revision. Each illegal move is refused with a message and
changes nothing; approved filings are read-only everywhere; the row lock lets one of two reviewers win.

The demo's 大鹏新区 branch is the main stage: DP000 (财政 dp_czj) → DP101 (审核人 dp_jt) → DP101001 (填报人 dp_bj),
whose filing s2-dept has no validation errors. 柴桑区 (360404) gives the neighbours: 327001 (填报人 cs_ybj) beside
327002 (审核人 cs_wjw) → 327002001 (填报人 cs_zyy, s0-dept with errors).
"""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse

from filings import workflow
from filings.models import (
    Action,
    Filing,
    FilingStatus,
    Indicator,
    Membership,
    ReviewComment,
    Role,
    Submission,
    Transition,
    Unit,
)
from filings.review import latest_return
from filings.services import copy_filing
from filings.snapshots import snapshot
from filings.validation import validate_filing
from filings.workflow import Review, TransitionRefused, perform

from .pages import admin_form_data
from .test_wizard_steps import form_data

FILER, REVIEWER, FINANCE = "dp_bj", "dp_jt", "dp_czj"
POINTS = {"completeness": "meets", "relevance": "meets", "appropriateness": "partly", "feasibility": "meets"}
STALE = "这份申报表已是“{}”，刚才的操作没有执行。请刷新页面后再看。"
BLANK_OPINION = "退回时必须填写审核意见，说明需要修改的内容。"


def user(username):
    return get_user_model().objects.get(username=username)


def reload(filing) -> Filing:
    return Filing.objects.with_related().get(pk=filing.pk)


def act(filing, username, action, expected=None, comment="", points=None, grade=""):
    """perform() as the named user; `expected` defaults to the state the filing is in now (what the page showed)."""
    current = reload(filing)
    return perform(current, user(username), action, expected or current.status, Review(comment, points, grade))


def world_of(filing) -> dict:
    """Everything a transition may touch: the filing's state and content, its log, snapshots, remarks and copies."""
    current = reload(filing)
    return {
        "status": current.status, "lock_version": current.lock_version, "submitted_at": current.submitted_at,
        "content": snapshot(current), "transitions": list(current.transitions.values_list("pk", flat=True)),
        "submissions": list(current.submissions.values_list("number", flat=True)),
        "comments": list(ReviewComment.objects.filter(filing=current).values("pk", "transition", "text")),
        "filings": Filing.objects.count(),
    }


def refused(filing, username, action, expected=None, comment="", error=(TransitionRefused, PermissionDenied)):
    """The action is refused (with a message) and nothing about the filing changes; returns the message."""
    before = world_of(filing)
    with pytest.raises(error) as caught:
        act(filing, username, action, expected, comment)
    assert world_of(filing) == before
    message = caught.value.messages[0] if hasattr(caught.value, "messages") else str(caught.value)
    assert message.strip(), "refused without saying why"
    return message


def force_status(filing, status):
    Filing.objects.filter(pk=filing.pk).update(status=status)
    return reload(filing)


def new_user(username, unit_code=None, role=None):
    account = get_user_model().objects.create(username=username, first_name=username)
    if unit_code:
        Membership.objects.create(user=account, unit=Unit.objects.get(code=unit_code), role=role)
    return account


@pytest.fixture
def s2(demo):
    """s2-dept as a draft, with no validation errors."""
    filing = demo["s2-dept"]
    assert not validate_filing(filing).has_errors
    return filing


@pytest.fixture
def submitted(s2):
    act(s2, FILER, Action.SUBMIT)
    return reload(s2)


@pytest.fixture
def level1_approved(submitted):
    act(submitted, REVIEWER, Action.APPROVE, comment="同意", points=POINTS, grade="good")
    return reload(submitted)


@pytest.fixture
def approved(level1_approved):
    act(level1_approved, FINANCE, Action.APPROVE, comment="同意批复", points=POINTS, grade="excellent")
    return reload(level1_approved)


@pytest.fixture
def one_level(s2):
    Unit.objects.filter(code="DP000").update(review_levels=1)
    return s2


def signed_in(client, username):
    client.force_login(user(username))
    return client


def messages_after(client, response) -> list[str]:
    """The flash messages of the page a POST redirected to."""
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    return [str(message) for message in page.context["messages"]]


def post_act(client, filing, action, expected_status, **fields):
    return client.post(reverse("filings:act", args=[filing.pk]),
                       {"action": action, "expected_status": expected_status, **fields})


# --- submit ----------------------------------------------------------------------------------------------------

def test_the_units_filer_submits_and_a_snapshot_is_kept(s2):
    act(s2, FILER, Action.SUBMIT)
    filing = reload(s2)
    assert filing.status == FilingStatus.SUBMITTED and not filing.is_editable
    assert filing.submitted_by == user(FILER) and filing.submitted_at is not None
    entry = filing.transitions.get()
    assert (entry.action, entry.from_status, entry.to_status, entry.actor) == (
        Action.SUBMIT, FilingStatus.DRAFT, FilingStatus.SUBMITTED, user(FILER))
    stored = filing.submissions.get()
    assert (stored.number, stored.submitted_by) == (1, user(FILER))
    assert stored.data == snapshot(filing)


def test_submitting_with_errors_is_refused_in_chinese_and_changes_nothing(demo):
    filing = demo["s0-dept"]
    errors = len(validate_filing(filing).errors)
    assert errors > 0
    message = refused(filing, "cs_zyy", Action.SUBMIT, error=TransitionRefused)
    assert message == f"还有 {errors} 项错误，改正后才能提交。"


def test_the_check_page_tells_the_filer_why_a_filing_with_errors_was_not_submitted(client, demo):
    filing = demo["s0-dept"]
    before = world_of(filing)
    response = signed_in(client, "cs_zyy").post(reverse("filings:submit", args=[filing.pk]),
                                                 {"expected_status": "draft"})
    assert response["Location"] == reverse("filings:check", args=[filing.pk])
    errors = len(validate_filing(filing).errors)
    assert f"还有 {errors} 项错误，改正后才能提交。" in messages_after(client, response)
    assert world_of(filing) == before


@pytest.mark.parametrize("username", [REVIEWER, FINANCE, "cs_zyy", "cs_czj", "nobody"])
def test_only_the_units_filer_may_submit(s2, username):
    if username == "nobody":
        new_user("nobody")
    refused(s2, username, Action.SUBMIT, error=PermissionDenied)


@pytest.mark.parametrize("status", [FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED, FilingStatus.APPROVED])
def test_submit_only_from_draft_or_returned(s2, status):
    refused(force_status(s2, status), FILER, Action.SUBMIT)


def test_a_returned_filing_can_be_submitted_again(submitted):
    act(submitted, REVIEWER, Action.RETURN, comment="请补充")
    act(submitted, FILER, Action.SUBMIT)
    assert reload(submitted).status == FilingStatus.SUBMITTED


# --- withdraw --------------------------------------------------------------------------------------------------

def test_the_filer_withdraws_while_it_waits_for_review(submitted):
    act(submitted, FILER, Action.WITHDRAW)
    filing = reload(submitted)
    assert filing.status == FilingStatus.DRAFT and filing.is_editable
    assert filing.transitions.last().action == Action.WITHDRAW


@pytest.mark.parametrize("username", [REVIEWER, FINANCE, "cs_zyy"])
def test_only_the_filer_withdraws(submitted, username):
    refused(submitted, username, Action.WITHDRAW, error=PermissionDenied)


def test_no_withdrawing_once_a_review_level_has_passed(level1_approved):
    refused(level1_approved, FILER, Action.WITHDRAW, error=PermissionDenied)


def test_no_withdrawing_a_draft_or_an_approved_filing(s2, approved):
    refused(approved, FILER, Action.WITHDRAW, error=PermissionDenied)
    refused(force_status(s2, FilingStatus.DRAFT), FILER, Action.WITHDRAW, error=PermissionDenied)


# --- approve ---------------------------------------------------------------------------------------------------

def test_the_reviewer_above_approves_at_level_one_with_points_and_a_result(submitted):
    act(submitted, REVIEWER, Action.APPROVE, comment="目标明确", points=POINTS, grade="good")
    filing = reload(submitted)
    assert filing.status == FilingStatus.DEPARTMENT_APPROVED
    entry = filing.transitions.last()
    assert (entry.action, entry.from_status, entry.to_status, entry.actor.username) == (
        Action.APPROVE, FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED, REVIEWER)
    assert {name: getattr(entry, name) for name in POINTS} == POINTS
    assert (entry.grade, entry.comment) == ("good", "目标明确")


@pytest.mark.parametrize("username", [
    FILER,       # the filer of the unit
    FINANCE,     # 财政 of the region: not its turn at level 1
    "cs_wjw",    # a 审核人 of another region
    "cs_czj",    # 财政 of another region
    "yq_wjw",
    "nobody",    # no membership at all
])
def test_level_one_is_for_the_reviewer_above_only(submitted, username):
    if username == "nobody":
        new_user("nobody")
    message = refused(submitted, username, Action.APPROVE, error=PermissionDenied)
    assert message == "您现在不能对这份申报表执行“审核通过”。"


@pytest.mark.parametrize("username, allowed", [
    ("cs_wjw", True),       # 卫健委 above 总医院
    ("cs_ybj", False),      # 填报人 of 医保局, the neighbouring 主管部门
    ("ybj_reviewer", False),  # a 审核人 of 医保局: a sibling branch of the same region
    ("cs_czj", False),      # 财政 at level 1
    ("dp_jt", False),       # a 审核人 of another region
])
def test_level_one_scope_follows_the_unit_path(demo, username, allowed):
    new_user("ybj_reviewer", "327001", Role.REVIEWER)
    filing = force_status(demo["s0-dept"], FilingStatus.SUBMITTED)  # as if it had been submitted
    if allowed:
        act(filing, username, Action.APPROVE)
        assert reload(filing).status == FilingStatus.DEPARTMENT_APPROVED
    else:
        refused(filing, username, Action.APPROVE, error=PermissionDenied)


def test_approving_a_draft_is_refused(s2):
    refused(s2, REVIEWER, Action.APPROVE, error=PermissionDenied)
    refused(s2, FINANCE, Action.APPROVE, error=PermissionDenied)


def test_finance_of_the_region_approves_at_level_two(level1_approved):
    act(level1_approved, FINANCE, Action.APPROVE, comment="同意", points=POINTS, grade="excellent")
    filing = reload(level1_approved)
    assert filing.status == FilingStatus.APPROVED and not filing.is_editable
    entry = filing.transitions.last()
    assert (entry.from_status, entry.to_status, entry.actor.username, entry.grade) == (
        FilingStatus.DEPARTMENT_APPROVED, FilingStatus.APPROVED, FINANCE, "excellent")


@pytest.mark.parametrize("username", [REVIEWER, FILER, "cs_czj", "yj_czj"])
def test_level_two_is_for_finance_of_the_region_only(level1_approved, username):
    refused(level1_approved, username, Action.APPROVE, error=PermissionDenied)


def test_nobody_approves_an_approved_filing_again(approved):
    for username in [REVIEWER, FINANCE]:
        refused(approved, username, Action.APPROVE)


def test_a_one_level_region_goes_from_submitted_straight_to_approved_by_finance(one_level):
    act(one_level, FILER, Action.SUBMIT)
    refused(one_level, REVIEWER, Action.APPROVE, error=PermissionDenied)  # no 主管部门 level here
    act(one_level, FINANCE, Action.APPROVE, comment="同意", points=POINTS, grade="good")
    filing = reload(one_level)
    assert filing.status == FilingStatus.APPROVED
    assert [(t.from_status, t.to_status) for t in filing.transitions.all()] == [
        (FilingStatus.DRAFT, FilingStatus.SUBMITTED), (FilingStatus.SUBMITTED, FilingStatus.APPROVED)]


def test_a_one_level_region_returns_by_finance(one_level):
    act(one_level, FILER, Action.SUBMIT)
    refused(one_level, REVIEWER, Action.RETURN, comment="请修改", error=PermissionDenied)
    act(one_level, FINANCE, Action.RETURN, comment="请修改指标")
    assert reload(one_level).status == FilingStatus.RETURNED


def test_one_level_setting_of_another_region_does_not_apply(submitted):
    Unit.objects.filter(code="360404").update(review_levels=1)
    refused(submitted, FINANCE, Action.APPROVE, error=PermissionDenied)
    act(submitted, REVIEWER, Action.APPROVE)
    assert reload(submitted).status == FilingStatus.DEPARTMENT_APPROVED


# --- return ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("opinion", ["", "   ", "\n\t \n"])
def test_returning_needs_an_opinion(submitted, opinion):
    message = refused(submitted, REVIEWER, Action.RETURN, comment=opinion, error=TransitionRefused)
    assert message == BLANK_OPINION


@pytest.mark.parametrize("opinion", ["", "  \n "])
def test_finance_returning_needs_an_opinion_too(level1_approved, opinion):
    message = refused(level1_approved, FINANCE, Action.RETURN, comment=opinion, error=TransitionRefused)
    assert message == BLANK_OPINION


def test_a_blank_return_keeps_the_reviewers_open_remarks_open(client, submitted):
    comment = ReviewComment.objects.create(filing=submitted, author=user(REVIEWER), step="indicators",
                                           text="指标值偏低")
    response = post_act(signed_in(client, REVIEWER), submitted, Action.RETURN, FilingStatus.SUBMITTED, comment=" ")
    assert BLANK_OPINION in messages_after(client, response)
    comment.refresh_from_db()
    assert comment.transition is None and reload(submitted).status == FilingStatus.SUBMITTED


@pytest.mark.parametrize("level, reviewer", [("submitted", REVIEWER), ("level1_approved", FINANCE)])
def test_a_return_from_either_level_sends_it_back_to_the_filer(client, demo, request, level, reviewer):
    # `demo` named here: with the database only behind getfixturevalue, pytest-django would run this test after the
    # browser tests and, on PostgreSQL, leave a connection open that stops the test database from being dropped.
    filing = request.getfixturevalue(level)
    act(filing, reviewer, Action.RETURN, comment="请补充指标的量化口径")
    filing = reload(filing)
    assert filing.status == FilingStatus.RETURNED and filing.is_editable
    assert latest_return(filing).comment == "请补充指标的量化口径"
    assert workflow.available_actions(user(FILER), filing) == [Action.SUBMIT]
    signed_in(client, FILER)
    assert client.get(reverse("filings:step", args=[filing.pk, "goals"])).status_code == 200
    # …and the next submission starts again at level one
    act(filing, FILER, Action.SUBMIT)
    refused(filing, FINANCE, Action.APPROVE, error=PermissionDenied)
    act(filing, REVIEWER, Action.APPROVE)
    assert reload(filing).status == FilingStatus.DEPARTMENT_APPROVED


@pytest.mark.parametrize("username", [FILER, "cs_wjw", "nobody"])
def test_only_the_reviewer_whose_turn_it_is_returns(submitted, username):
    if username == "nobody":
        new_user("nobody")
    refused(submitted, username, Action.RETURN, comment="退回", error=PermissionDenied)


def test_returning_a_draft_or_an_approved_filing_is_refused(s2, approved):
    refused(approved, FINANCE, Action.RETURN, comment="退回")
    refused(force_status(s2, FilingStatus.DRAFT), REVIEWER, Action.RETURN, comment="退回")


def test_the_filer_reads_the_opinion_and_remarks_on_the_task_list_check_page_and_step(client, submitted):
    indicator = submitted.indicators.get(name="患者满意度")
    signed_in(client, REVIEWER)
    client.post(reverse("filings:add_comment", args=[submitted.pk]),
                {"target": f"indicator:{indicator.pk}", "text": "患者满意度目标值应不低于90%"})
    client.post(reverse("filings:add_comment", args=[submitted.pk]), {"target": "step:goals", "text": "目标再具体些"})
    post_act(client, submitted, Action.RETURN, FilingStatus.SUBMITTED, comment="请按批注修改后重新提交")

    signed_in(client, FILER)
    for name in ["filings:tasks", "filings:check"]:
        page = client.get(reverse(name, args=[submitted.pk])).content.decode()
        assert "请按批注修改后重新提交" in page and "患者满意度目标值应不低于90%" in page, name
        assert f"#row-indicator-{indicator.pk}" in page
    step = client.get(reverse("filings:step", args=[submitted.pk, "indicators"])).content.decode()
    assert "患者满意度目标值应不低于90%" in step and "目标再具体些" not in step
    assert f'id="row-indicator-{indicator.pk}"' in step
    assert "目标再具体些" in client.get(reverse("filings:step", args=[submitted.pk, "goals"])).content.decode()

    act(submitted, FILER, Action.SUBMIT)  # once resubmitted the old return is no longer shown
    assert latest_return(reload(submitted)) is None
    assert "请按批注修改后重新提交" not in client.get(reverse("filings:tasks", args=[submitted.pk])).content.decode()


# --- replayed and stale POSTs ------------------------------------------------------------------------------------

def test_a_replayed_approval_is_refused_with_the_message_and_changes_nothing(client, submitted):
    signed_in(client, REVIEWER)
    fields = {"comment": "同意", **POINTS, "grade": "good"}
    first = post_act(client, submitted, Action.APPROVE, FilingStatus.SUBMITTED, **fields)
    assert "已审核通过" in messages_after(client, first)[0]
    before = world_of(submitted)
    again = post_act(client, submitted, Action.APPROVE, FilingStatus.SUBMITTED, **fields)
    assert messages_after(client, again) == [STALE.format("主管部门审核通过")]
    assert world_of(submitted) == before
    assert submitted.transitions.filter(action=Action.APPROVE).count() == 1


@pytest.mark.parametrize("username, action, seen", [
    (FILER, Action.SUBMIT, FilingStatus.DRAFT),            # double click on 提交
    (FILER, Action.WITHDRAW, FilingStatus.SUBMITTED),     # withdraw after the reviewer already approved
    (REVIEWER, Action.RETURN, FilingStatus.SUBMITTED),    # a second reviewer's return after the first approved
    (FINANCE, Action.APPROVE, FilingStatus.SUBMITTED),    # a page opened before level one finished
])
def test_a_stale_expected_status_is_refused_whatever_the_action(level1_approved, username, action, seen):
    message = refused(level1_approved, username, action, expected=seen, comment="意见", error=TransitionRefused)
    assert message == STALE.format("主管部门审核通过")


# --- the status the user saw is required -----------------------------------------------------------------------

MISSING = "页面没有带上申报表的状态，操作没有执行。请刷新页面后再试。"


@pytest.mark.parametrize("state, username, action", [
    ("submitted", REVIEWER, Action.APPROVE),
    ("submitted", REVIEWER, Action.RETURN),
    ("submitted", FILER, Action.WITHDRAW),
    ("approved", FILER, Action.ADJUST),
])
@pytest.mark.parametrize("sent", [None, ""])
def test_an_action_posted_without_the_status_the_user_saw_is_refused(request, client, state, username, action,
                                                                      sent):
    filing = request.getfixturevalue(state)
    signed_in(client, username)
    before = world_of(filing)
    data = {"action": action, "comment": "请修改", **({} if sent is None else {"expected_status": sent})}
    response = client.post(reverse("filings:act", args=[filing.pk]), data)
    assert messages_after(client, response) == [MISSING]
    assert world_of(filing) == before


def test_a_submit_posted_without_the_status_the_check_page_showed_is_refused(client, s2):
    signed_in(client, FILER)
    before = world_of(s2)
    response = client.post(reverse("filings:submit", args=[s2.pk]))
    assert messages_after(client, response) == [MISSING]
    assert world_of(s2) == before
    page = client.get(reverse("filings:check", args=[s2.pk])).content.decode()
    form = page[page.index(f'action="{reverse("filings:submit", args=[s2.pk])}"'):]
    assert '<input type="hidden" name="expected_status" value="draft">' in form[:form.index("</form>")]
    assert form_data_of_submit(page, s2) == {"expected_status": "draft"}
    assert client.post(reverse("filings:submit", args=[s2.pk]), {"expected_status": "draft"}).status_code == 302
    assert reload(s2).status == FilingStatus.SUBMITTED


def form_data_of_submit(page, filing):
    start = page.index(f'action="{reverse("filings:submit", args=[filing.pk])}"')
    form = page[start:page.index("</form>", start)]
    return dict(re.findall(r'<input type="hidden" name="(expected_status)" value="([^"]*)">', form))


def test_perform_refuses_without_the_status_the_user_saw(s2):
    before = world_of(s2)
    for expected in (None, ""):
        with pytest.raises(TransitionRefused, match="页面没有带上申报表的状态"):
            perform(reload(s2), user(FILER), Action.SUBMIT, expected)
    with pytest.raises(TypeError):
        perform(reload(s2), user(FILER), Action.SUBMIT)  # the argument is required
    assert world_of(s2) == before


def test_the_filers_stale_submit_after_a_withdraw_and_resubmit_is_refused(client, submitted):
    act(submitted, FILER, Action.WITHDRAW)
    act(submitted, FILER, Action.SUBMIT)
    signed_in(client, FILER)
    before = world_of(submitted)
    response = post_act(client, submitted, Action.SUBMIT, FilingStatus.DRAFT)
    assert messages_after(client, response) == [STALE.format("已提交")]
    assert world_of(submitted) == before


def test_an_unknown_action_changes_nothing(client, submitted):
    signed_in(client, REVIEWER)
    before = world_of(submitted)
    for action in ["", "delete", "APPROVE", "approve;drop"]:
        response = post_act(client, submitted, action, FilingStatus.SUBMITTED, comment="x")
        assert messages_after(client, response) == ["无法识别的操作，什么都没有改变。"]
    # a known action with a bad field answers the review page with the reviewer's text kept
    response = post_act(client, submitted, Action.APPROVE, FilingStatus.SUBMITTED, grade="perfect",
                        comment="同意，请补充")
    assert response.status_code == 400
    page = response.content.decode()
    assert "审核意见有误，操作没有执行。" in page and "同意，请补充</textarea>" in page
    assert world_of(submitted) == before


def test_the_review_points_and_result_start_unanswered(client, submitted):
    """A reviewer who does not rate a point must not be recorded as having rated it: each select offers a blank
    first choice (what a browser submits when nothing was picked)."""
    page = signed_in(client, REVIEWER).get(reverse("filings:review", args=[submitted.pk])).content.decode()
    for name in [*POINTS, "grade"]:
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select, name
        options = re.findall(r'<option value="([^"]*)"( selected)?', select.group(1))
        assert options[0][0] == "", f"the “{name}” select has no blank choice: a browser submits {options[0][0]!r}"
        assert not any(selected for value, selected in options if value), name


def test_a_return_without_points_records_none(client, submitted):
    signed_in(client, REVIEWER)
    post_act(client, submitted, Action.RETURN, FilingStatus.SUBMITTED, comment="请修改",
             **dict.fromkeys(POINTS, ""), grade="")
    entry = reload(submitted).transitions.get(action=Action.RETURN)
    assert [getattr(entry, name) for name in [*POINTS, "grade"]] == ["", "", "", "", ""]


def test_a_refused_action_through_the_page_says_why(client, submitted):
    signed_in(client, FINANCE)
    before = world_of(submitted)
    response = post_act(client, submitted, Action.APPROVE, FilingStatus.SUBMITTED, comment="同意")
    assert response["Location"] == reverse("filings:review", args=[submitted.pk])
    assert messages_after(client, response) == ["您现在不能对这份申报表执行“审核通过”。"]
    assert world_of(submitted) == before


# --- approved filings are read-only everywhere ----------------------------------------------------------------------

STEP_CHANGES = {
    "unit": {"unit-contact_person": "改过的人"},
    "tasks": {"tasks-0-name": "改过的任务"},
    "goals": {"goals-overall_goal": "改过的目标"},
    "indicators": {"indicators-0-value_text": "≥ 99 个模块"},
}


@pytest.mark.parametrize("username", [FILER, "admin"])
def test_no_step_post_changes_an_approved_filing(client, s2, username):
    signed_in(client, username)
    forms = {}
    for key in STEP_CHANGES:  # the pages as the filer had them open before the filing was approved
        response = client.get(reverse("filings:step", args=[s2.pk, key]))
        assert response.status_code == 200, key
        forms[key] = form_data(response)
    act(s2, FILER, Action.SUBMIT)
    act(s2, REVIEWER, Action.APPROVE)
    act(s2, FINANCE, Action.APPROVE)
    before = world_of(s2)
    for key, changes in STEP_CHANGES.items():
        for button in ["save", "continue"]:
            data = {**forms[key], **changes, button: ""}
            response = client.post(reverse("filings:step", args=[s2.pk, key]), data)
            assert response.status_code == 409 and "不能再修改" in response.content.decode(), (key, button)
        assert client.get(reverse("filings:step", args=[s2.pk, key])).status_code == 403
    assert client.post(reverse("filings:submit", args=[s2.pk])).status_code == 302  # refused with a message
    assert client.post(reverse("filings:delete", args=[s2.pk])).status_code == 302  # back to the tasks, told why
    assert world_of(s2) == before


@pytest.fixture
def as_admin(client, demo):
    return signed_in(client, "admin")


def admin_change(client, filing):
    url = reverse("admin:filings_filing_change", args=[filing.pk])
    return url, client.get(url)


@pytest.mark.parametrize("state", ["s2", "submitted", "level1_approved", "approved"])
@pytest.mark.parametrize("posted", ["approved", "draft", "returned"])
def test_the_admin_never_changes_a_status_for_superusers_either(request, as_admin, state, posted):
    filing = request.getfixturevalue(state)
    assert get_user_model().objects.get(username="admin").is_superuser
    url, page = admin_change(as_admin, filing)
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    before = world_of(filing)
    data = {**admin_form_data(page), "status": posted, "revision": "7", "submitted_at_0": "2020-01-01",
            "submitted_at_1": "00:00:00", "lock_version": "99", "_save": "保存"}
    response = as_admin.post(url, data)
    if filing.is_editable:
        assert response.status_code == 302  # the rest of the form is saved; the workflow's fields are not in it
        assert reload(filing).status == filing.status and not reload(filing).transitions.exists()
        after = world_of(filing)
        assert (after["status"], after["submitted_at"], after["transitions"], after["submissions"]) == (
            before["status"], before["submitted_at"], before["transitions"], before["submissions"])
        # the posted revision and version are ignored; the save raises the version by one, as every write does
        assert (reload(filing).revision, reload(filing).lock_version) == (filing.revision, filing.lock_version + 1)
    else:
        assert response.status_code == 403
        assert world_of(filing) == before


@pytest.mark.parametrize("state", ["submitted", "level1_approved", "approved"])
def test_the_admin_shows_a_filing_out_of_draft_read_only_with_all_its_rows(as_admin, request, state):
    filing = request.getfixturevalue(state)
    url, page = admin_change(as_admin, filing)
    content = page.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in content
    assert 'name="indicators-0-name"' not in content and 'name="department-0-overall_goal"' not in content
    assert filing.indicators.first().name in content  # shown, not editable
    indicator = filing.indicators.first()
    before = world_of(filing)
    indicator_url = reverse("admin:filings_indicator_change", args=[indicator.pk])
    assert 'name="name"' not in as_admin.get(indicator_url).content.decode()
    assert as_admin.post(indicator_url, {"filing": filing.pk, "category": indicator.category_id, "period": "annual",
                                         "order": "1", "name": "改", "value_text": "1"}).status_code == 403
    assert as_admin.post(reverse("admin:filings_indicator_delete", args=[indicator.pk]),
                         {"post": "yes"}).status_code == 403
    assert world_of(filing) == before


def test_the_admin_cannot_move_an_indicator_into_a_submitted_filing(as_admin, demo, submitted):
    indicator = demo["s0-dept"].indicators.first()
    url = reverse("admin:filings_indicator_change", args=[indicator.pk])
    data = {**admin_form_data(as_admin.get(url)), "filing": str(submitted.pk), "_save": "保存"}
    before = world_of(submitted)
    response = as_admin.post(url, data)
    assert response.status_code == 200 and "已提交或已批复，不能修改" in response.content.decode()
    assert world_of(submitted) == before


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_the_admin_bulk_delete_refuses_filings_out_of_draft(as_admin, request, state):
    filing = request.getfixturevalue(state)
    before = world_of(filing)
    response = as_admin.post(reverse("admin:filings_filing_changelist"), {
        "action": "delete_selected", "_selected_action": [str(filing.pk)], "post": "yes"})
    assert response.status_code == 403
    assert world_of(filing) == before


def test_no_admin_action_or_list_edit_can_change_a_status(demo):
    from django.contrib import admin
    from django.test import RequestFactory

    from filings.admin import FilingAdmin

    request = RequestFactory().get("/")
    request.user = user("admin")
    model_admin = FilingAdmin(Filing, admin.site)
    assert set(model_admin.get_actions(request)) == {"delete_selected"}  # refused for filings out of draft, above
    assert not model_admin.list_editable
    assert {"status", "revision", "submitted_at", "submitted_by", "lock_version"} <= set(
        model_admin.get_readonly_fields(request, None))


def test_the_admin_shows_an_approved_filing_read_only(as_admin, approved):
    url = reverse("admin:filings_filing_change", args=[approved.pk])
    page = as_admin.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    before = world_of(approved)
    data = {"kind": "department", "year": "2023", "status": "draft", "unit": str(approved.unit_id),
            "variant": str(approved.variant_id), "scheme": str(approved.scheme_id), "money_unit": approved.money_unit,
            "revision": "1", "position": "0", "unit_name": "改过的单位名称", "_save": "保存"}
    assert as_admin.post(url, data).status_code == 403
    assert world_of(approved) == before


@pytest.mark.parametrize("how", ["change", "add", "delete"])
def test_the_admin_does_not_touch_the_indicators_of_an_approved_filing(as_admin, approved, how):
    """The 指标 admin page (filings.admin.IndicatorAdmin) edits indicators outside their filing's page."""
    indicator = approved.indicators.get(name="患者满意度")
    before = world_of(approved)
    data = {"filing": str(approved.pk), "period": indicator.period, "category": str(indicator.category_id),
            "order": str(indicator.order), "name": indicator.name, "value_text": "≥ 10%", "standard": "", "note": "",
            "_save": "保存"}
    if how == "change":
        response = as_admin.post(reverse("admin:filings_indicator_change", args=[indicator.pk]), data)
    elif how == "add":
        response = as_admin.post(reverse("admin:filings_indicator_add"), {**data, "name": "新增的指标"})
    else:
        response = as_admin.post(reverse("admin:filings_indicator_delete", args=[indicator.pk]), {"post": "yes"})
    assert world_of(approved) == before, f"the admin could {how} an approved filing's indicator"
    assert response.status_code in ({403, 200} if how == "add" else {403}), response.status_code  # 200: form error


def test_the_admin_does_not_delete_an_approved_filing(as_admin, approved):
    """Deleting it would also delete its log and snapshots (CASCADE): the record of what was approved."""
    response = as_admin.post(reverse("admin:filings_filing_delete", args=[approved.pk]), {"post": "yes"})
    assert Filing.objects.filter(pk=approved.pk, status=FilingStatus.APPROVED).exists(), (
        f"the admin deleted an approved filing with its history ({response.status_code})")
    assert response.status_code == 403


def test_the_admin_still_edits_a_draft(as_admin, s2):
    page = as_admin.get(reverse("admin:filings_filing_change", args=[s2.pk]))
    assert 'name="_save"' in page.content.decode()


def test_an_admin_save_of_a_draft_makes_a_filers_open_page_stale_and_leaves_an_event(as_admin, s2, client):
    from filings.models import EventKind, FilingEvent

    url, page = admin_change(as_admin, s2)
    before = reload(s2).lock_version
    response = as_admin.post(url, {**admin_form_data(page), "contact_person": "管理员改的联系人", "_save": "保存"})
    assert response.status_code == 302
    assert reload(s2).lock_version == before + 1 and reload(s2).contact_person == "管理员改的联系人"
    event = FilingEvent.objects.filter(filing=s2).latest("pk")
    assert event.kind == EventKind.ADMIN_EDITED and "联系人／填表人" in event.data["fields"]


# --- adjustment: a new revision ------------------------------------------------------------------------------------

def test_adjusting_makes_revision_two_a_draft_and_keeps_revision_one_approved(client, approved):
    first = world_of(approved)
    revision = act(approved, FILER, Action.ADJUST, comment="预算调整")
    second = reload(revision)
    assert (second.revision, second.status, second.copied_from_id) == (2, FilingStatus.DRAFT, approved.pk)
    assert second.is_editable and second.unit_id == approved.unit_id and second.year == approved.year
    assert snapshot(second)["indicators"] == first["content"]["indicators"]
    assert not second.transitions.exists() and not second.submissions.exists()
    # revision 1: still approved, same content; its log has the 调整 entry
    one = reload(approved)
    assert one.status == FilingStatus.APPROVED and snapshot(one) == first["content"]
    assert one.transitions.last().action == Action.ADJUST
    # one adjustment at a time, by the filer only
    refused(approved, FILER, Action.ADJUST)
    signed_in(client, FILER)
    assert client.get(reverse("filings:check", args=[approved.pk])).status_code == 200


def test_a_double_click_on_adjust_makes_one_revision(client, approved):
    signed_in(client, FILER)
    first = post_act(client, approved, Action.ADJUST, FilingStatus.APPROVED)
    revision = Filing.objects.get(copied_from=approved.pk)
    assert first["Location"] == reverse("filings:tasks", args=[revision.pk])
    assert messages_after(client, first)[0].startswith("已申请调整")
    count = Filing.objects.count()
    again = post_act(client, approved, Action.ADJUST, FilingStatus.APPROVED)
    assert messages_after(client, again) == ["您现在不能对这份申报表执行“申请调整”。"]
    assert Filing.objects.count() == count and reload(approved).status == FilingStatus.APPROVED


@pytest.mark.parametrize("username", [REVIEWER, FINANCE, "cs_zyy"])
def test_only_the_filer_asks_for_an_adjustment(approved, username):
    refused(approved, username, Action.ADJUST, error=PermissionDenied)


@pytest.mark.parametrize("status", [FilingStatus.DRAFT, FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED,
                                    FilingStatus.RETURNED])
def test_adjusting_needs_an_approved_filing(s2, status):
    refused(force_status(s2, status), FILER, Action.ADJUST, error=PermissionDenied)


def test_revision_two_goes_through_review_again(client, approved):
    revision = act(approved, FILER, Action.ADJUST)
    indicator = revision.indicators.get(name="患者满意度")
    Indicator.objects.filter(pk=indicator.pk).update(value_text="≥90%")
    refused(revision, REVIEWER, Action.APPROVE, error=PermissionDenied)  # a draft until submitted
    act(revision, FILER, Action.SUBMIT)
    refused(revision, FINANCE, Action.APPROVE, error=PermissionDenied)
    act(revision, REVIEWER, Action.RETURN, comment="请说明调整原因")
    act(revision, FILER, Action.SUBMIT)
    act(revision, REVIEWER, Action.APPROVE)
    act(revision, FINANCE, Action.APPROVE)
    two, one = reload(revision), reload(approved)
    assert (two.status, one.status) == (FilingStatus.APPROVED, FilingStatus.APPROVED)
    assert list(two.submissions.values_list("number", flat=True)) == [1, 2]
    assert one.indicators.get(name="患者满意度").value_text == "≥85%"
    assert two.indicators.get(name="患者满意度").value_text == "≥90%"
    # the approved revision 2 may be adjusted in turn (revision 3); revision 1 may not any more
    refused(one, FILER, Action.ADJUST)
    assert act(two, FILER, Action.ADJUST).revision == 3


# --- snapshots ------------------------------------------------------------------------------------------------------

def test_each_submission_stores_a_snapshot_with_the_next_number(submitted):
    indicator = submitted.indicators.get(name="患者满意度")
    act(submitted, REVIEWER, Action.RETURN, comment="满意度目标偏低")
    Indicator.objects.filter(pk=indicator.pk).update(value_text="≥90%")
    act(submitted, FILER, Action.SUBMIT)
    act(submitted, FILER, Action.WITHDRAW)
    act(submitted, FILER, Action.SUBMIT)
    stored = list(Submission.objects.filter(filing=submitted).order_by("number"))
    assert [s.number for s in stored] == [1, 2, 3]
    assert all(s.submitted_by.username == FILER for s in stored)

    def value(data):
        return next(row["value_text"] for row in data["indicators"] if row["name"] == "患者满意度")

    assert [value(s.data) for s in stored] == ["≥85%", "≥90%", "≥90%"]
    assert stored[2].data == snapshot(reload(submitted))


def test_a_refused_submission_stores_no_snapshot(demo):
    refused(demo["s0-dept"], "cs_zyy", Action.SUBMIT)
    assert not Submission.objects.filter(filing=demo["s0-dept"]).exists()


# --- review comments ---------------------------------------------------------------------------------------------

def add_comment(client, filing, target, text):
    return client.post(reverse("filings:add_comment", args=[filing.pk]), {"target": target, "text": text})


def test_remarks_travel_with_the_transition_and_are_then_fixed(client, submitted):
    indicator = submitted.indicators.get(name="患者满意度")
    signed_in(client, REVIEWER)
    assert add_comment(client, submitted, f"indicator:{indicator.pk}", "目标值偏低").status_code == 302
    assert add_comment(client, submitted, "step:goals", "总体目标太笼统").status_code == 302
    remarks = list(ReviewComment.objects.filter(filing=submitted).order_by("pk"))
    assert [(c.step, c.row_kind, c.row, c.transition) for c in remarks] == [
        ("indicators", "indicator", indicator.pk, None), ("goals", "", None, None)]
    act(submitted, REVIEWER, Action.RETURN, comment="请修改")
    entry = reload(submitted).transitions.get(action=Action.RETURN)
    assert {c.transition_id for c in ReviewComment.objects.filter(filing=submitted)} == {entry.pk}
    for remark in remarks:
        response = client.post(reverse("filings:delete_comment", args=[submitted.pk, remark.pk]))
        assert response.status_code == 404
    assert ReviewComment.objects.filter(filing=submitted).count() == 2
    assert all(c.is_fixed for c in ReviewComment.objects.filter(filing=submitted))


def test_a_double_click_on_add_remark_adds_it_once(client, submitted):
    signed_in(client, REVIEWER)
    add_comment(client, submitted, "step:goals", "总体目标太笼统")
    second = add_comment(client, submitted, "step:goals", "总体目标太笼统")
    assert messages_after(client, second)[-1] == "同样的批注已经添加过（可能点击了两次），没有重复添加。"
    assert ReviewComment.objects.filter(filing=submitted).count() == 1


def test_open_remarks_are_deleted_by_their_author_only(client, submitted):
    colleague = new_user("dp_jt2", "DP101", Role.REVIEWER)
    mine = ReviewComment.objects.create(filing=submitted, author=user(REVIEWER), step="goals", text="我的批注")
    theirs = ReviewComment.objects.create(filing=submitted, author=colleague, step="goals", text="同事的批注")
    signed_in(client, REVIEWER)
    assert client.post(reverse("filings:delete_comment", args=[submitted.pk, theirs.pk])).status_code == 404
    response = client.post(reverse("filings:delete_comment", args=[submitted.pk, mine.pk]))
    assert messages_after(client, response) == ["已删除批注。"]
    assert list(ReviewComment.objects.filter(filing=submitted)) == [theirs]
    for username in [FILER, FINANCE]:
        signed_in(client, username)
        assert client.post(reverse("filings:delete_comment", args=[submitted.pk, theirs.pk])).status_code == 404
    assert ReviewComment.objects.filter(pk=theirs.pk).exists()


def test_a_remark_of_another_filing_cannot_be_deleted_through_this_one(client, submitted, demo):
    other = force_status(demo["s0-dept"], FilingStatus.SUBMITTED)
    remark = ReviewComment.objects.create(filing=other, author=user(REVIEWER), step="goals", text="别处的批注")
    signed_in(client, REVIEWER)
    assert client.post(reverse("filings:delete_comment", args=[submitted.pk, remark.pk])).status_code == 404
    assert ReviewComment.objects.filter(pk=remark.pk).exists()


@pytest.mark.parametrize("username", [FILER, FINANCE])
def test_only_the_reviewer_whose_turn_it_is_adds_remarks(client, submitted, username):
    signed_in(client, username)
    assert add_comment(client, submitted, "step:goals", "批注").status_code == 403
    assert not ReviewComment.objects.filter(filing=submitted).exists()


@pytest.mark.parametrize("target", ["indicator:OTHER", "indicator:abc", "step:nonsense", "field:unit_name"])
def test_a_remark_must_point_into_this_filing(client, submitted, demo, target):
    other = demo["s0-dept"].indicators.first()
    signed_in(client, REVIEWER)
    response = add_comment(client, submitted, target.replace("OTHER", str(other.pk)), "这条批注")
    assert response.status_code == 400
    page = response.content.decode()
    assert "批注没有添加，请按提示修改。" in page and "这条批注</textarea>" in page  # what was typed is kept
    assert not ReviewComment.objects.filter(filing=submitted).exists()


def test_no_remarks_on_an_approved_filing(client, approved):
    for username in [REVIEWER, FINANCE]:
        signed_in(client, username)
        assert add_comment(client, approved, "step:goals", "批注").status_code == 403


# --- the lock -----------------------------------------------------------------------------------------------------

def test_two_approvals_with_the_same_expected_status_one_wins(submitted):
    colleague = new_user("dp_jt2", "DP101", Role.REVIEWER)
    stale = reload(submitted)  # both reviewers opened the page while it was 已提交
    perform(stale, user(REVIEWER), Action.APPROVE, FilingStatus.SUBMITTED, Review("同意"))
    before = world_of(submitted)
    with pytest.raises(TransitionRefused) as caught:
        perform(stale, colleague, Action.APPROVE, FilingStatus.SUBMITTED, Review("同意"))
    assert caught.value.messages == [STALE.format("主管部门审核通过")]
    with pytest.raises(TransitionRefused):  # the same reviewer clicking twice
        perform(stale, user(REVIEWER), Action.APPROVE, FilingStatus.SUBMITTED, Review("同意"))
    assert world_of(submitted) == before
    assert submitted.transitions.filter(action=Action.APPROVE).count() == 1


def test_an_approval_and_a_return_at_once_one_wins(submitted):
    stale = reload(submitted)
    perform(stale, user(REVIEWER), Action.RETURN, FilingStatus.SUBMITTED, Review("请修改"))
    with pytest.raises(TransitionRefused):
        perform(stale, user(REVIEWER), Action.APPROVE, FilingStatus.SUBMITTED, Review("同意"))
    assert reload(submitted).status == FilingStatus.RETURNED


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_the_same_moment_leave_one_transition(demo, monkeypatch):
    """Two threads, two database connections, both inside perform() at once: the row lock makes one wait."""
    if connection.vendor != "postgresql":
        pytest.skip(f"needs row locks (SELECT … FOR UPDATE) and concurrent connections, which the test database "
                    f"{connection.display_name} ({connection.settings_dict['NAME']}) does not give; runs on PostgreSQL "
                    "(DATABASE_URL), as in CI")
    filing = demo["s2-dept"]
    act(filing, FILER, Action.SUBMIT)
    colleague = new_user("dp_jt2", "DP101", Role.REVIEWER)
    reviewers = [user(REVIEWER), colleague]
    # Hold the lock a little after reading the state: without the lock both would read 已提交 and both approve.
    checks = workflow.available_actions
    monkeypatch.setattr(workflow, "available_actions", lambda *args: (time.sleep(0.5), checks(*args))[1])
    start = threading.Barrier(2)
    outcomes = {}

    def approve(reviewer):
        try:
            start.wait(timeout=10)
            perform(Filing.objects.get(pk=filing.pk), reviewer, Action.APPROVE, FilingStatus.SUBMITTED,
                    Review("同意"))
            outcomes[reviewer.username] = "approved"
        except TransitionRefused as error:
            outcomes[reviewer.username] = error.messages[0]
        except Exception as error:  # reported by the assertion below
            outcomes[reviewer.username] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == sorted(["approved", STALE.format("主管部门审核通过")]), outcomes
    assert Transition.objects.filter(filing=filing, action=Action.APPROVE).count() == 1
    assert reload(filing).status == FilingStatus.DEPARTMENT_APPROVED


def test_nobody_reviews_what_they_submitted_themselves(demo):
    from django.contrib.auth import get_user_model

    from filings.access import can_review
    from filings.queues import to_review
    from filings.workflow import perform

    admin = get_user_model().objects.get(username="admin")
    filing = perform(demo["s2-dept"], admin, "submit", "draft")
    assert not can_review(admin, filing)
    assert filing not in list(to_review(admin))
    reviewer = get_user_model().objects.get(username="dp_jt")
    assert can_review(reviewer, filing)


def test_a_remark_on_a_field_points_the_filer_at_that_field(demo, client):
    from django.contrib.auth import get_user_model

    from filings.workflow import Review, perform

    users = get_user_model().objects
    filing = perform(demo["s2-dept"], users.get(username="dp_bj"), "submit", "draft")
    client.force_login(users.get(username="dp_jt"))
    response = client.get(f"/filings/{filing.pk}/review/")
    assert 'value="field:goals:overall_goal"' in response.content.decode()
    client.post(f"/filings/{filing.pk}/comments/", {"target": "field:goals:overall_goal", "text": "总体目标太笼统。"})
    perform(filing, users.get(username="dp_jt"), "return", "submitted", Review(comment="请修改总体目标。"))
    client.force_login(users.get(username="dp_bj"))
    page = client.get(f"/filings/{filing.pk}/step/goals/").content.decode()
    assert "总体目标太笼统。" in page and 'href="#field-overall_goal"' in page
    review_page = client.get(f"/filings/{filing.pk}/review/").content.decode()
    assert "总体目标 · 年度总体目标：总体目标太笼统。" in review_page


# --- the first submission, kept on the filing (the overview's 逾期 reads it) ----------------------------------------

def test_the_first_submission_is_kept_through_return_withdraw_and_resubmission(submitted):
    first = reload(submitted)
    assert first.first_submitted_at is not None and first.first_submitted_at == first.submitted_at
    earlier = first.submitted_at - timedelta(days=3)  # so a later submission can be told apart
    Filing.objects.filter(pk=first.pk).update(first_submitted_at=earlier, submitted_at=earlier)
    act(submitted, REVIEWER, Action.RETURN, comment="请补充")
    act(submitted, FILER, Action.SUBMIT)
    again = reload(submitted)
    assert again.submitted_at > earlier and again.first_submitted_at == earlier
    act(submitted, FILER, Action.WITHDRAW)
    act(submitted, FILER, Action.SUBMIT)
    assert reload(submitted).first_submitted_at == earlier


def test_a_draft_never_submitted_has_no_first_submission(s2):
    assert reload(s2).first_submitted_at is None
    refused(force_status(s2, FilingStatus.APPROVED), FILER, Action.SUBMIT)
    assert reload(s2).first_submitted_at is None


def test_an_adjustment_keeps_the_first_submission_and_a_copy_to_another_year_starts_without(approved):
    first = reload(approved).first_submitted_at
    assert first is not None
    revision = act(approved, FILER, Action.ADJUST, comment="预算调整")
    assert reload(revision).first_submitted_at == first  # the same filing, adjusted: first submitted back then
    act(revision, FILER, Action.SUBMIT)
    two = reload(revision)
    assert two.submitted_at > first and two.first_submitted_at == first
    copy = copy_filing(reload(approved), approved.year + 1, user(FILER), keep_amounts=True)
    assert reload(copy).first_submitted_at is None and reload(copy).submitted_at is None

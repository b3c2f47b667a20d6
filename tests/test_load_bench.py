"""bench/load.py's journeys run against a real server (pytest-django's live server on the test database): a filer
signs in, opens and saves the 绩效指标 step and lands on the check page; a reviewer signs in, opens the queue and the
review page and approves — every answer checked, and the approval really stored."""

import random
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from accounts.models import AccountState
from filings import workflow
from filings.models import Action, Filing, FilingStatus, Transition

from .personas import FILER_OF, REVIEWER_OF

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import load  # noqa: E402 - bench/ is not a package

PASSWORD = "bench-Passw0rd!"


@pytest.fixture
def people(demo):
    """The demo's filer and reviewers with a known password and no first-login change."""
    users = get_user_model().objects.filter(username__in=[FILER_OF["s0-dept"], FILER_OF["s2-dept"],
                                                          REVIEWER_OF["s2-dept"]])
    for user in users:
        user.set_password(PASSWORD)
        user.save()
    AccountState.objects.update(must_change_password=False)
    return {user.username: user for user in users}


def virtual_user(live_server, mix, recorder) -> load.VirtualUser:
    port = urlsplit(live_server.url).port
    return load.VirtualUser(0, mix, port, recorder, threading.Event(), None, random.Random(1))


@pytest.mark.django_db(transaction=True)
def test_the_journeys_run_without_errors_the_approval_is_stored_and_an_error_page_counts_as_failed(
        live_server, demo, people):
    draft, to_review = demo["s0-dept"], demo["s2-dept"]
    assert draft.status == FilingStatus.DRAFT
    workflow.perform(to_review, people[FILER_OF["s2-dept"]], Action.SUBMIT, FilingStatus.DRAFT)
    rows = draft.indicators.count()
    assert rows > 10
    mix = load.Mix([load.FilerTarget(FILER_OF["s0-dept"], draft.pk, rows)],
                   [load.ReviewTarget(REVIEWER_OF["s2-dept"], to_review.pk)], password=PASSWORD)
    recorder = load.Recorder()
    user = virtual_user(live_server, mix, recorder)
    mix.filer_share = 1.0
    for _ in range(2):
        user.one_journey()
    mix.filer_share = 0.0
    user.one_journey()
    user.one_journey()  # the pool is empty now: a filer journey instead of a second approval

    assert recorder.errors == {}, recorder.examples
    assert recorder.journeys == {"filer": 3, "reviewer": 1}
    kinds = [kind for kind, _seconds, ok in recorder.samples if ok]
    assert len(kinds) == len(recorder.samples) == 3 * 6 + 6
    assert kinds.count("指标保存") == 3 and kinds.count("审核通过") == 1
    assert Filing.objects.get(pk=to_review.pk).status == FilingStatus.DEPARTMENT_APPROVED
    assert Transition.objects.filter(filing=to_review, action=Action.APPROVE,
                                     actor__username=REVIEWER_OF["s2-dept"]).count() == 1
    assert Filing.objects.get(pk=draft.pk).lock_version == draft.lock_version + 3  # three saves stored


    # an error page is never a success: a step showing other rows than prepared, a login that does not sign in
    mix = load.Mix([load.FilerTarget(FILER_OF["s0-dept"], draft.pk, rows + 1)], [], password=PASSWORD)
    failing = load.Recorder()
    virtual_user(live_server, mix, failing).one_journey()
    mix.filers[0].rows, mix.password = rows, "not-the-password"
    virtual_user(live_server, mix, failing).one_journey()
    assert failing.journeys == {"filer failed": 2}
    assert set(failing.errors) == {"content 指标步骤", "HTTP 200"}  # the login form again, not the redirect
    assert Filing.objects.get(pk=draft.pk).lock_version == draft.lock_version + 3  # nothing more saved

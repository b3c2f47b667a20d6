"""The scope functions and the pages give the same answers: for every demo user × every seed filing × the states a
filing passes through, what `filings.access` says (see, edit, review, one by one and in bulk) is what the pages do."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from filings.access import Scope, can_edit, can_review, visible_filings
from filings.models import Filing, FilingStatus

from .personas import sign_in

USERS = ["admin", "cs_czj", "cs_ybj", "cs_ybj_sh", "cs_wjw", "cs_zyy", "dp_czj", "dp_jt", "dp_bj", "yq_czj", "yq_wjw",
         "yq_sy", "yj_czj", "yj_wjj"]
FILINGS = ["s0-dept", "s1-proj1", "s2-dept", "s3-proj1", "s4-dept"]
STATES = [FilingStatus.DRAFT, FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED]


@pytest.fixture
def clients(db):
    return {username: sign_in(Client(), username) for username in USERS}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("key", FILINGS)
def test_the_scope_functions_and_the_pages_agree(demo, clients, key, state):
    filer = get_user_model().objects.get(username="admin")
    Filing.objects.filter(pk=demo[key].pk).update(status=state, submitted_by=None if state == "draft" else filer)
    filing = Filing.objects.select_related("unit").get(pk=demo[key].pk)
    for username in USERS:
        user = get_user_model().objects.get(username=username)
        client = clients[username]
        visible = visible_filings(user).filter(pk=filing.pk).exists()
        tasks = client.get(reverse("filings:tasks", args=[filing.pk]))
        assert tasks.status_code == (200 if visible else 404), (username, key, state)
        if not visible:
            assert not can_edit(user, filing) and not can_review(user, filing)
            continue
        step = client.get(reverse("filings:step", args=[filing.pk, "goals"]))
        assert (step.status_code == 200) == can_edit(user, filing), (username, key, state)
        reviewing = can_review(user, filing)
        assert Scope.of(user).can_review(filing) == reviewing, (username, key, state)
        queue = client.get(reverse("filings:queue"), {"tab": "review"})
        listed = f'href="{reverse("filings:review", args=[filing.pk])}"' in queue.content.decode()
        assert listed == reviewing, (username, key, state)

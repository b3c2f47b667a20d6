"""Every URL pattern of the app, answered for every role relative to one filing (issue 6, "Done when").

The unit under test is 九江市柴桑区总医院 (327002001, seed filing s0-dept). Relative to it:

    filer      cs_zyy   填报人 of 327002001 itself
    reviewer   cs_wjw   审核人 of 327002 卫健委, the parent unit
    finance    cs_czj   财政 of 360404, the region
    sibling    a 填报人 of 327002002, a second hospital under the same 卫健委 (made here)
    outsider   a signed-in user without any membership
    anonymous  nobody signed in

MATRIX below says, explicitly, what each of them gets for each URL pattern (GET, and POST where the URL does
something). A pattern that `get_resolver()` lists but MATRIX does not is a failure asking for a row: a new page
is not reachable by accident. Admin pages are out of scope except that non-staff users are sent to the admin
login.

Codes: 200, 302 (a redirect after doing or refusing something), 403, 404, 405 (wrong method), and LOGIN (302 to
the login page with ?next=). Only the roles a row names in `changes` may change anything: for every other role the
filing, its log, its remarks and the number of filings stay exactly as they were, whatever the answer.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from filings.models import Filing, FormVariant, Membership, ReviewComment, Role, Transition, Unit
from filings.services import create_project_filing

LOGIN = "login"
ROLES = ["filer", "reviewer", "finance", "sibling", "outsider", "anonymous"]
USERS = {"filer": "cs_zyy", "reviewer": "cs_wjw", "finance": "cs_czj", "sibling": "mx_sibling",
         "outsider": "mx_outsider"}
STEP_KEY = "goals"  # a step of s0-dept's form (江西)
OUT_OF_SCOPE = "admin/"  # Django's admin: only its door is tested here


def seen(ok):
    """What a user who may see the filing gets (ok), and 404 for those who may not, login for anonymous."""
    return {"filer": ok, "reviewer": ok, "finance": ok, "sibling": 404, "outsider": 404, "anonymous": LOGIN}


def everyone(ok):
    """Pages that belong to no filing: every signed-in user gets `ok`."""
    return {role: ok for role in ROLES[:-1]} | {"anonymous": LOGIN}


def public(ok):
    return {role: ok for role in ROLES}


@dataclass(frozen=True)
class Case:
    expect: dict
    state: str = "draft"  # draft / submitted: s0-dept put in that state; project: a project filing of the unit
    data: dict = field(default_factory=dict)
    changes: frozenset = frozenset()  # the roles whose request may change something; for the others it must not


FILER_ONLY = {"filer": 302, "reviewer": 403, "finance": 403, "sibling": 404, "outsider": 404, "anonymous": LOGIN}
FILER = frozenset({"filer"})
REVIEWER = frozenset({"reviewer"})

MATRIX: dict[tuple[str, str], Case] = {
    # --- pages of one filing
    ("filings:tasks", "GET"): Case(seen(200)),
    ("filings:check", "GET"): Case(seen(200)),
    ("filings:pdf", "GET"): Case(seen(200)),
    ("filings:xlsx", "GET"): Case(seen(200)),
    # importing a filled template is the draft's filer's business; a POST without a file answers 422 with a message.
    # An unknown preview token sends the filer back to the upload form; nothing changes.
    ("filings:import_xlsx", "GET"): Case(seen(200) | {"reviewer": 403, "finance": 403}),
    ("filings:import_xlsx", "POST"): Case(FILER_ONLY | {"filer": 422}),
    ("filings:import_xlsx_preview", "GET"): Case(FILER_ONLY),
    ("filings:import_xlsx_preview", "POST"): Case(FILER_ONLY),
    ("filings:review", "GET"): Case(seen(200), state="submitted"),
    ("filings:suggestions", "GET"): Case(seen(200)),
    # the paste preview of the indicator editor reads text and saves nothing; only who may edit the filing gets it
    ("filings:paste_preview", "GET"): Case(everyone(405)),
    ("filings:paste_preview", "POST"): Case(FILER_ONLY | {"filer": 200}, data={
        "period": "annual", "paste_text_annual": "数量指标\t门诊人次\t≥100人次"}),
    ("filings:step", "GET"): Case(seen(200) | {"reviewer": 403, "finance": 403}),
    ("filings:step", "POST"): Case(FILER_ONLY, data={"goals-overall_goal": "改过的目标", "save": ""}, changes=FILER),
    ("filings:delete", "GET"): Case(seen(200) | {"reviewer": 403, "finance": 403}),
    ("filings:delete", "POST"): Case(FILER_ONLY, changes=FILER),
    # s0-dept has errors: the filer's submit is refused with a message on the check page (302), nothing changes
    ("filings:submit", "GET"): Case(everyone(405)),
    ("filings:submit", "POST"): Case(FILER_ONLY, data={"expected_status": "draft"}),
    # the 审核人 of the parent unit approves at level 1. The filer and 财政 (not its turn) are refused the way the
    # issue's "Bad input and abuse" asks: a redirect to the review page with the reason, nothing changed.
    ("filings:act", "GET"): Case(everyone(405), state="submitted"),
    ("filings:act", "POST"): Case(seen(302), state="submitted", changes=REVIEWER,
                                  data={"action": "approve", "expected_status": "submitted", "comment": "同意"}),
    ("filings:add_comment", "GET"): Case(everyone(405), state="submitted"),
    ("filings:add_comment", "POST"): Case(
        {"filer": 403, "reviewer": 302, "finance": 403, "sibling": 404, "outsider": 404, "anonymous": LOGIN},
        state="submitted", changes=REVIEWER, data={"target": f"step:{STEP_KEY}", "text": "请写明总体目标的量化口径。"}),
    # an open remark of the reviewer: only its author deletes it; to anybody else it does not exist
    ("filings:delete_comment", "GET"): Case(everyone(405), state="submitted"),
    ("filings:delete_comment", "POST"): Case(
        {"filer": 404, "reviewer": 302, "finance": 404, "sibling": 404, "outsider": 404, "anonymous": LOGIN},
        state="submitted", changes=REVIEWER),
    # copying a filing to a new year, or a project to a new project, is the own unit's filer's business; a
    # reviewer who sees it is sent back with a message (tests/test_home.py, tests/test_projects.py)
    ("filings:copy", "GET"): Case(everyone(405)),
    ("filings:copy", "POST"): Case(seen(302), data={"year": "2031"}, changes=FILER),
    ("filings:duplicate", "GET"): Case(everyone(405), state="project"),
    ("filings:duplicate", "POST"): Case(seen(302), state="project", changes=FILER),
    ("filings:changes", "GET"): Case(seen(200)),
    # --- pages of no single filing
    ("home", "GET"): Case(everyone(200)),
    # a new department filing for 327002001: only its filer may; for the others the form answers 200 with an error
    ("home", "POST"): Case(everyone(200) | {"filer": 302}, changes=FILER,
                           data={"unit": "UNIT", "year": "2031", "variant": "VARIANT"}),
    ("filings:projects", "GET"): Case(everyone(200)),
    # a new project: the filer gets it in 327002001, the sibling's filer in their own unit; the others have no form
    ("filings:projects", "POST"): Case(everyone(200) | {"filer": 302, "sibling": 302}, changes=FILER | {"sibling"},
                                       data={"name": "新项目", "year": "2026", "variant": "PROJECT_VARIANT"}),
    # a new filing from a file: for filers (in their own units) only
    ("filings:import_new", "GET"): Case(everyone(403) | {"filer": 200, "sibling": 200}),
    ("filings:import_new", "POST"): Case(everyone(403) | {"filer": 422, "sibling": 422}),
    ("filings:import_new_preview", "GET"): Case(everyone(403) | {"filer": 302, "sibling": 302}),
    ("filings:import_new_preview", "POST"): Case(everyone(403) | {"filer": 302, "sibling": 302}),
    ("filings:reading", "GET"): Case(everyone(200)),
    ("filings:queue", "GET"): Case(everyone(200)),
    # the year's overview is for supervisors; setting a deadline for 财政 only
    ("filings:overview", "GET"): Case(everyone(403) | {"reviewer": 200, "finance": 200}),
    ("filings:overview", "POST"): Case(everyone(403) | {"finance": 302},
                                       data={"region": "REGION", "year": "2026", "due_on": "2026-03-31"}),
    # the consolidated Excel export is for supervisors too (a filer has each filing's own downloads)
    ("filings:export", "GET"): Case(everyone(403) | {"reviewer": 200, "finance": 200}),
    # batch PDFs: anyone signed in may ask for the filings in their own scope (the outsider's is empty: a message);
    # a batch belongs to whoever asked for it, so somebody else's batch number is 404 (the pk here is no batch)
    ("filings:batches", "GET"): Case(everyone(200)),
    ("filings:batch_new", "GET"): Case(everyone(405)),
    ("filings:batch_new", "POST"): Case(everyone(302)),
    ("filings:batch_download", "GET"): Case(everyone(404)),
    ("filings:notifications", "GET"): Case(everyone(200)),
    ("filings:notifications_read", "GET"): Case(everyone(405)),
    ("filings:notifications_read", "POST"): Case(everyone(302)),
    # --- Django's accounts pages
    ("login", "GET"): Case(public(200)),
    ("logout", "GET"): Case(public(405)),
    ("logout", "POST"): Case(public(302)),
    ("password_change", "GET"): Case(everyone(200)),
    ("password_change_done", "GET"): Case(everyone(200)),
    ("password_reset", "GET"): Case(public(200)),
    ("password_reset_done", "GET"): Case(public(200)),
    ("password_reset_confirm", "GET"): Case(public(200)),
    ("password_reset_complete", "GET"): Case(public(200)),
}


# --- enumerating the URL patterns -------------------------------------------------------------------------------

def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part) or None
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield name or f"(unnamed) {route}", route


def app_patterns() -> dict[str, str]:
    """name -> route of every pattern of the project (home, accounts/, filings/ …) but the admin's."""
    return {name: route for name, route in walk(get_resolver().url_patterns) if not route.startswith(OUT_OF_SCOPE)}


def test_every_url_pattern_has_a_row_in_the_matrix():
    patterns = app_patterns()
    assert {"home", "login", "password_reset_confirm", "filings:act", "filings:review"} <= set(patterns), patterns
    missing = sorted(name for name in patterns if (name, "GET") not in MATRIX)
    assert not missing, (
        f"URL pattern(s) {missing} have no row in MATRIX of tests/test_access_matrix.py: add a row saying what "
        "the filer, reviewer, finance, sibling, outsider and anonymous get (GET, and POST when it does something)")
    post_only = sorted(name for name in patterns if MATRIX[(name, "GET")].expect["filer"] == 405
                       and (name, "POST") not in MATRIX)
    assert not post_only, f"{post_only} answer GET with 405: add their POST rows to MATRIX"


def test_every_row_names_every_role():
    for key, case in MATRIX.items():
        assert set(case.expect) == set(ROLES), key


# --- the world of the matrix -------------------------------------------------------------------------------------

@pytest.fixture
def world(demo):
    User = get_user_model()
    region = Unit.objects.get(code="327002")
    sibling_unit = Unit.objects.create(code="327002002", name="九江市柴桑区中医院", parent=region, sector="卫生健康")
    Membership.objects.create(user=User.objects.create(username=USERS["sibling"]), unit=sibling_unit, role=Role.FILER)
    User.objects.create(username=USERS["outsider"])
    return demo


def prepare(world, case: Case) -> Filing:
    filing = world["s0-dept"]
    if case.state == "project":
        variant = FormVariant.objects.get(code="proj-jiangxi")
        filing = create_project_filing(filing.unit, 2026, variant, "基层卫生服务能力提升项目",
                                       get_user_model().objects.get(username=USERS["filer"]))
    elif case.state != "draft":
        Filing.objects.filter(pk=filing.pk).update(status=case.state)
    return Filing.objects.with_related().get(pk=filing.pk)


def url_for(name: str, route: str, filing: Filing, comment: ReviewComment) -> str:
    values = {"pk": filing.pk, "key": STEP_KEY, "comment_pk": comment.pk, "uidb64": "MQ", "token": "set-password"}
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    unknown = [arg for arg in names if arg not in values]
    assert not unknown, f"{name}: no test value for {unknown}: add one in url_for()"
    return reverse(name, kwargs={arg: values[arg] for arg in names})


def form_data(case: Case, filing: Filing) -> dict:
    fill = {"UNIT": str(filing.unit_id), "REGION": str(Unit.objects.get(code="360404").pk),
            "VARIANT": str(FormVariant.objects.get(code="dept-jiangxi").pk),
            "PROJECT_VARIANT": str(FormVariant.objects.get(code="proj-jiangxi").pk)}
    data = {key: fill.get(value, value) for key, value in case.data.items()}
    return {"lock_version": str(filing.lock_version), **data}


def state_of(filing_pk) -> tuple:
    filing = Filing.objects.select_related("department").filter(pk=filing_pk).first()
    if filing is None:
        return ("deleted",)
    details = getattr(filing, "department", None)
    return (filing.status, filing.lock_version, details.overall_goal if details else None,
            Transition.objects.filter(filing=filing_pk).count(), ReviewComment.objects.filter(filing=filing_pk).count(),
            Filing.objects.count())


CELLS = [(name, method, role) for (name, method) in MATRIX for role in ROLES]


@pytest.mark.parametrize("name, method, role", CELLS, ids=[f"{n}-{m}-{r}" for n, m, r in CELLS])
def test_access_matrix(client, world, name, method, role):
    patterns = app_patterns()
    if name not in patterns:
        pytest.skip(f"no URL pattern {name} in this checkout (yet)")
    case = MATRIX[(name, method)]
    filing = prepare(world, case)
    comment = ReviewComment.objects.create(filing=filing, author=get_user_model().objects.get(username="cs_wjw"),
                                           step=STEP_KEY, text="总体目标太笼统。")
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=USERS[role]))
    url = url_for(name, patterns[name], filing, comment)
    before = state_of(filing.pk)
    response = client.post(url, form_data(case, filing)) if method == "POST" else client.get(url)

    expected = case.expect[role]
    if expected == LOGIN:
        login_url = f"{reverse('login')}?next={quote(url)}"
        assert (response.status_code, response.get("Location")) == (302, login_url), (
            f"{method} {url} as {role}: expected a redirect to {login_url}")
    else:
        assert response.status_code == expected, (
            f"{method} {url} as {role}: expected {expected}, got {response.status_code} "
            f"{response.get('Location', '')}")
    if role not in case.changes:
        assert state_of(filing.pk) == before, f"{method} {url} as {role} changed the filing (or made one)"


# --- the admin: out of scope but for the door ---------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_non_staff_are_sent_to_the_admin_login(client, world, role):
    if role != "anonymous":
        client.force_login(get_user_model().objects.get(username=USERS[role]))
    for url in [reverse("admin:index"), reverse("admin:filings_filing_change", args=[world["s0-dept"].pk])]:
        response = client.get(url)
        assert response.status_code == 302, (role, url)
        assert response["Location"] == f"{reverse('admin:login')}?next={quote(url)}", (role, url)

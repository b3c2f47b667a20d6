"""Every URL pattern × who the user is relative to one filing × GET/POST (issue 6; issue 12, item 7).

The filing under test is the 2026 部门整体 filing of 九江市柴桑区总医院 (327002001, seed s0-dept); rows marked
`state="project"` use a project filing of the same unit made here. The unit tree around it (codes as in
fixtures/units.json; "made here" units and users exist only in this module):

    360404 柴桑区财政局 ─┬─ 327001 医保局
                        └─ 327002 卫健委 ─┬─ 327002001 总医院 ── 327002001001 港口街镇卫生院 (made here)
                                          └─ 327002002 中医院 (made here)
    阳泉: 140300 财政局 ── 063 卫健委 ── 063001 市四院        沅江: 430981 财政局 (one review level) ── YJ201 卫健局

The actors, by role and by where their unit stands relative to 327002001:

    own_filer           cs_zyy        填报人 of 327002001 itself
    child_filer         mx_child      填报人 of 327002001001, a unit below it
    child_reviewer      mx_child_sh   审核人 of 327002001001
    sibling_filer       mx_sibling    填报人 of 327002002, under the same 卫健委
    parent_filer        mx_parent     填报人 of 327002 卫健委, the parent 主管部门
    parent_reviewer     cs_wjw        审核人 of 327002 卫健委
    neighbour_reviewer  cs_ybj_sh     审核人 of 327001 医保局, another 主管部门 of the region
    region_finance      cs_czj        财政 of 360404, the region
    foreign_filer       yq_sy         填报人 of 063001, another region (阳泉)
    foreign_reviewer    yq_wjw        审核人 of 063 阳泉市卫健委
    foreign_finance     yj_czj        财政 of 430981 沅江, another region whose 财政 reviews submissions directly
    admin               admin         superuser
    outsider            mx_outsider   signed in, without any membership
    anonymous           —             nobody signed in

MATRIX says what each of them gets for each URL pattern (GET, and POST where the URL does something). A pattern
that `get_resolver()` lists but MATRIX does not is a failure asking for a row: a new page is not reachable by
accident. Admin pages are out of scope except that non-staff users are sent to the admin login.

Every cell asserts three things:

(a) the status code: 200, 302 (a redirect after doing or refusing something), 403, 404, 405 (wrong method), 422
    (a form with errors), or LOGIN (302 to the login page with ?next=);
(b) no foreign data: the body (the page, or the text inside an xlsx, zip or PDF download) of an actor who may not
    see the filing contains none of its markers (its unit's name, its goal, an indicator, the project's name and a
    reviewer's remark, each a string found nowhere else), and no body shown to a user of one region names a unit of
    another region;
(c) no foreign change: unless the row names the actor in `changes`, a fingerprint of the database is the same
    afterwards: every field of every filing, of its details and rows, submissions, deadlines, units and memberships,
    and the number of transitions, remarks, events and notifications about filings.

Besides the cells: the markers do show on the filing's own pages, lists and downloads for those who may see it (so
their absence elsewhere means something); every list (我的申报, each 工作台 tab, 年度概览, 项目支出, the Excel
export, notifications, batch PDFs and their ZIP) shows each actor nothing of what they may not see; the filing's
notifications go to its reviewers and filers only.

The world is made once for the module inside a transaction rolled back at its end; each cell runs in its own
savepoint (pytest-django's `db`), so whatever one cell writes is gone for the next.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from filings import download_jobs
from filings.access import visible_filings
from filings.demo import load_demo
from filings.models import (
    Action,
    AnnualTask,
    DepartmentDetails,
    DownloadJob,
    DownloadKind,
    Filing,
    FilingDeadline,
    FilingEvent,
    FilingStatus,
    FormVariant,
    FunctionItem,
    Indicator,
    Membership,
    Notification,
    ProjectDetails,
    ReviewComment,
    Role,
    Submission,
    Transition,
    Unit,
)
from filings.notifications import deliver, notices_for
from filings.services import create_project_filing

from .downloads import private_storage_in
from .pdfs import pdf_text, squeezed

LOGIN = "login"
STEP_KEY = "goals"  # a step of s0-dept's form (江西)
OUT_OF_SCOPE = "admin/"  # Django's admin: only its door is tested here

# --- who -----------------------------------------------------------------------------------------------------------

USERS = {
    "own_filer": "cs_zyy", "child_filer": "mx_child", "child_reviewer": "mx_child_sh", "sibling_filer": "mx_sibling",
    "parent_filer": "mx_parent", "parent_reviewer": "cs_wjw", "neighbour_reviewer": "cs_ybj_sh",
    "region_finance": "cs_czj", "foreign_filer": "yq_sy", "foreign_reviewer": "yq_wjw", "foreign_finance": "yj_czj",
    "admin": "admin", "outsider": "mx_outsider",
}
ACTORS = [*USERS, "anonymous"]
SIGNED_IN = set(USERS)
SEES = {"own_filer", "parent_reviewer", "region_finance", "admin"}  # who may see the filing at all
EDITS = frozenset({"own_filer", "admin"})  # who may change it while it is a draft
FILERS = {"own_filer", "child_filer", "sibling_filer", "parent_filer", "foreign_filer", "admin"}
SUPERVISORS = {"child_reviewer", "parent_reviewer", "neighbour_reviewer", "region_finance", "foreign_reviewer",
               "foreign_finance", "admin"}

# The region each actor works in: a page shown to them may name its units and no other region's.
REGION_OF = {actor: "柴桑" for actor in USERS} | {
    "foreign_filer": "阳泉", "foreign_reviewer": "阳泉", "foreign_finance": "沅江", "outsider": None, "admin": "*"}
REGION_NAMES = {"柴桑": "九江市柴桑区", "阳泉": "阳泉市", "沅江": "沅江市", "大鹏": "大鹏新区"}

# --- the filing's markers: strings found nowhere but in the filing under test and its unit's project --------------

UNIT_NAME = "九江市柴桑区总医院"
GOAL = "标记甲：全区医共体门诊量提升总体目标"
INDICATOR = "标记乙：医共体远程会诊覆盖率"
PROJECT = "标记丙：医共体信息平台建设项目"
REMARK = "标记丁：总体目标缺少量化口径。"
MARKERS = [UNIT_NAME, GOAL, INDICATOR, PROJECT, REMARK]


def forbidden(actor: str) -> list[str]:
    """What no page may show the actor: the filing's markers unless they may see it, and other regions' units."""
    region = REGION_OF[actor if actor != "anonymous" else "outsider"]
    if region == "*":
        return []
    names = [name for key, name in REGION_NAMES.items() if key != region]
    return names + ([] if actor in SEES else MARKERS)


# --- the matrix ----------------------------------------------------------------------------------------------------

def answers(default, *groups: tuple[set, object], anonymous=LOGIN, **by_actor) -> dict:
    """`default` for every signed-in actor, then each group's code, then single actors; LOGIN for anonymous."""
    result = {actor: default for actor in SIGNED_IN} | {"anonymous": anonymous}
    for group, code in groups:
        result |= dict.fromkeys(group, code)
    return result | by_actor


def seen(ok, **by_actor):
    """A page of the filing: `ok` for who may see it, 404 for everybody else (it does not exist for them)."""
    return answers(404, (SEES, ok), **by_actor)


def editable(ok):
    """A page for changing the filing: its reviewers see the filing but may not change it (403)."""
    return seen(ok, parent_reviewer=403, region_finance=403)


def everyone(ok, **by_actor):
    """A page of no filing: `ok` for everybody signed in."""
    return answers(ok, **by_actor)


def public(ok):
    return answers(ok, anonymous=ok)


@dataclass(frozen=True)
class Case:
    expect: dict
    state: str = "draft"  # draft / submitted: s0-dept put in that state; project: the unit's project filing
    data: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)  # a query string, e.g. a filter naming the filing's unit
    pk: str = "filing"  # what <pk> in the route is: the filing, or the batch made here
    changes: frozenset = frozenset()  # the actors whose request may change something; for the others it must not


NAMING_THE_UNIT = {"unit": "UNIT", "year": "2026"}

MATRIX: dict[tuple[str, str], Case] = {
    # --- pages of one filing
    ("filings:tasks", "GET"): Case(seen(200)),
    ("filings:history", "GET"): Case(seen(200)),
    ("filings:check", "GET"): Case(seen(200)),
    ("filings:pdf", "GET"): Case(seen(200)),
    ("filings:xlsx", "GET"): Case(seen(200)),
    # importing a filled template is the draft's filer's business; a POST without a file answers 422 with a message.
    # An unknown preview token sends the filer back to the upload form; nothing changes.
    ("filings:import_xlsx", "GET"): Case(editable(200)),
    ("filings:import_xlsx", "POST"): Case(editable(422)),
    ("filings:import_xlsx_preview", "GET"): Case(editable(302)),
    ("filings:import_xlsx_preview", "POST"): Case(editable(302)),
    ("filings:review", "GET"): Case(seen(200), state="submitted"),
    # the suggestions beside an indicator: the shared library and the unit's own earlier filings
    ("filings:suggestions", "GET"): Case(seen(200), query={"category": "CATEGORY", "q": ""}),
    # the paste preview of the indicator editor reads text and saves nothing; only who may edit the filing gets it
    ("filings:paste_preview", "GET"): Case(everyone(405)),
    ("filings:paste_preview", "POST"): Case(editable(200), data={
        "period": "annual", "paste_text_annual": "数量指标\t门诊人次\t≥100人次"}),
    # a Word or Excel file read into that preview: the same (tests/test_paste_view.py posts real files)
    ("filings:paste_upload", "GET"): Case(everyone(405)),
    ("filings:paste_upload", "POST"): Case(editable(200), data={"period": "annual"}),
    ("filings:step", "GET"): Case(editable(200)),
    ("filings:step", "POST"): Case(editable(302), data={"goals-overall_goal": "改过的目标", "save": ""},
                                   changes=EDITS),
    ("filings:delete", "GET"): Case(editable(200)),
    ("filings:delete", "POST"): Case(editable(302), changes=EDITS),
    # s0-dept has errors: the filer's submit is refused with a message on the check page (302), nothing changes
    ("filings:submit", "GET"): Case(everyone(405)),
    ("filings:submit", "POST"): Case(editable(302), data={"expected_status": "draft"}),
    # the 审核人 of the parent unit approves at level 1 (and the superuser may). The filer and 财政 (not its turn)
    # are refused the way the "Bad input and abuse" asks: a redirect to the review page with the reason.
    ("filings:act", "GET"): Case(everyone(405), state="submitted"),
    ("filings:act", "POST"): Case(seen(302), state="submitted", changes=frozenset({"parent_reviewer", "admin"}),
                                  data={"action": "approve", "expected_status": "submitted", "comment": "同意"}),
    ("filings:add_comment", "GET"): Case(everyone(405), state="submitted"),
    ("filings:add_comment", "POST"): Case(
        seen(403, parent_reviewer=302, admin=302), state="submitted", changes=frozenset({"parent_reviewer", "admin"}),
        data={"target": f"step:{STEP_KEY}", "text": "请写明总体目标的量化口径。"}),
    # an open remark of the reviewer: only its author deletes it; to anybody else it does not exist
    ("filings:delete_comment", "GET"): Case(everyone(405), state="submitted"),
    ("filings:delete_comment", "POST"): Case(seen(404, parent_reviewer=302), state="submitted",
                                             changes=frozenset({"parent_reviewer"})),
    # copying a filing to a new year, or a project to a new project, is the own unit's filer's business; a
    # reviewer who sees it is sent back with a message (tests/test_home.py, tests/test_projects.py)
    ("filings:copy", "GET"): Case(everyone(405)),
    ("filings:copy", "POST"): Case(seen(302), data={"year": "2031"}, changes=EDITS),
    ("filings:duplicate", "GET"): Case(everyone(405), state="project"),
    ("filings:duplicate", "POST"): Case(seen(302), state="project", changes=EDITS),
    ("filings:changes", "GET"): Case(seen(200)),
    # --- pages of no single filing
    ("home", "GET"): Case(everyone(200)),
    # a new department filing for 327002001: only its filer (and the superuser) may; for the others the form
    # answers 200 with an error: the unit is not one of theirs
    ("home", "POST"): Case(everyone(200, own_filer=302, admin=302), changes=EDITS,
                           data={"unit": "UNIT", "year": "2031", "variant": "VARIANT"}),
    # the project list of 327002001 asked for by name: the others get their own list, and a new project in it is
    # refused (403), never made in another unit instead
    ("filings:projects", "GET"): Case(everyone(200), query=NAMING_THE_UNIT),
    ("filings:projects", "POST"): Case(everyone(403, own_filer=302, admin=302), query=NAMING_THE_UNIT,
                                       changes=EDITS,
                                       data={"name": "新项目", "year": "2026", "variant": "PROJECT_VARIANT"}),
    # a new filing from a file: for filers (in their own units) only
    ("filings:import_new", "GET"): Case(answers(403, (FILERS, 200))),
    ("filings:import_new", "POST"): Case(answers(403, (FILERS, 422))),
    ("filings:import_new_preview", "GET"): Case(answers(403, (FILERS, 302))),
    ("filings:import_new_preview", "POST"): Case(answers(403, (FILERS, 302))),
    ("filings:reading", "GET"): Case(everyone(200)),
    # the 工作台 filtered by 327002001: outside one's scope the filter is an error and is ignored
    ("filings:queue", "GET"): Case(everyone(200), query=NAMING_THE_UNIT),
    # the year's overview is for supervisors; setting a deadline for the region's 财政 only: another region's 财政
    # gets the form back with an error
    ("filings:overview", "GET"): Case(answers(403, (SUPERVISORS, 200))),
    ("filings:overview", "POST"): Case(answers(403, region_finance=302, admin=302, foreign_finance=200),
                                       changes=frozenset({"region_finance", "admin"}),
                                       data={"region": "REGION", "year": "2026", "due_on": "2026-03-31"}),
    # 下载任务: the consolidated Excel export is for supervisors (a filer has each filing's own downloads), batch PDFs
    # for anyone signed in, over their own scope. Filtered by 327002001, those who see it get a job (302 to its page),
    # the others are sent back to the 工作台 with a message. A job belongs to whoever asked for it: the one made here
    # is 财政's, still queued (its file: 302 to its page); to all others it is 404. DownloadJob rows are no filing's.
    ("filings:export", "GET"): Case(everyone(302)),  # to the 工作台, with a message: exports are made by POST
    ("filings:batches", "GET"): Case(everyone(302)),  # the old batch list's address, now 下载任务
    # /healthz for load balancers: no login, nothing but ok/fail per check (no worker in the test: still 200)
    ("healthz", "GET"): Case(public(200)),
    ("filings:export", "POST"): Case(answers(403, (SUPERVISORS, 302)), data={"unit": "UNIT"}),
    ("filings:batch_new", "GET"): Case(everyone(405)),
    ("filings:batch_new", "POST"): Case(everyone(302), data={"unit": "UNIT"}),
    ("filings:downloads", "GET"): Case(everyone(200)),
    ("filings:download", "GET"): Case(everyone(404, region_finance=200), pk="batch"),
    ("filings:download_file", "GET"): Case(everyone(404, region_finance=302), pk="batch"),
    # 单位操作记录 of 327002001 (tests/test_unit_events.py): like a filing of the unit, it does not exist for who may
    # not see the unit (404); asked for without a unit, a user without any unit is refused (403)
    ("filings:unit_events", "GET"): Case(seen(200), query={"unit": "UNIT"}),
    # the unit picker's search (tests/test_unit_picker.py) for the unit's name: only those who may see the unit
    # find it; for everybody else the same 200 without it
    ("filings:unit_search", "GET"): Case(everyone(200), query={"q": "柴桑区总医院"}),
    ("filings:unit_search", "POST"): Case(everyone(405)),
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
    # --- the login log (tests/test_login_log.py): 财政 administrators only, within their region
    ("accounts:login_log", "GET"): Case(everyone(403, region_finance=200, foreign_finance=200, admin=200)),
    ("accounts:login_log_export", "GET"): Case(everyone(403, region_finance=200, foreign_finance=200, admin=200)),
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
        f"each of {ACTORS} gets (GET, and POST when it does something)")
    post_only = sorted(name for name in patterns if MATRIX[(name, "GET")].expect["own_filer"] == 405
                       and (name, "POST") not in MATRIX)
    assert not post_only, f"{post_only} answer GET with 405: add their POST rows to MATRIX"


def test_every_row_names_every_actor():
    for key, case in MATRIX.items():
        assert set(case.expect) == set(ACTORS), key
        assert case.changes <= SIGNED_IN, key


def test_the_markers_are_found_nowhere_else(world, db):
    """A marker that the demo data held elsewhere would make (b) fail for the wrong reason, or hide a leak."""
    assert Unit.objects.filter(name__contains=UNIT_NAME).count() == 1
    for text in MARKERS[1:]:
        assert Filing.objects.filter(unit_name__contains=text).count() == 0
    others = Filing.objects.exclude(unit__code="327002001")
    assert not DepartmentDetails.objects.filter(filing__in=others, overall_goal__contains="标记").exists()
    assert not Indicator.objects.filter(filing__in=others, name__contains="标记").exists()


# --- the world of the matrix -------------------------------------------------------------------------------------

def _member(username, unit, role):
    user = get_user_model().objects.create(username=username, first_name=username)
    if unit is not None:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


def build_world() -> dict:
    if not Filing.objects.filter(source__startswith="seed:").exists():
        load_demo()  # a transactional test before this module flushed the database (as tests/conftest.py's demo)
    units = {unit.code: unit for unit in Unit.objects.all()}
    hospital, commission = units["327002001"], units["327002"]
    region = "江西省九江市柴桑区"
    child = Unit.objects.create(code="327002001001", name="九江市柴桑区港口街镇卫生院", parent=hospital,
                                sector="卫生健康", region=region)
    sibling = Unit.objects.create(code="327002002", name="九江市柴桑区中医院", parent=commission, sector="卫生健康",
                                  region=region)
    _member(USERS["child_filer"], child, Role.FILER)
    _member(USERS["child_reviewer"], child, Role.REVIEWER)
    _member(USERS["sibling_filer"], sibling, Role.FILER)
    _member(USERS["parent_filer"], commission, Role.FILER)
    _member(USERS["outsider"], None, None)
    users = {actor: get_user_model().objects.get(username=name) for actor, name in USERS.items()}

    filing = Filing.objects.get(source="seed:s0-dept")
    DepartmentDetails.objects.filter(filing=filing).update(overall_goal=GOAL)
    marked = filing.indicators.order_by("order", "pk").first()
    Indicator.objects.filter(pk=marked.pk).update(name=INDICATOR)
    project = create_project_filing(hospital, 2026, FormVariant.objects.get(code="proj-jiangxi"), PROJECT,
                                    users["own_filer"])
    comment = ReviewComment.objects.create(filing=filing, author=users["parent_reviewer"], step=STEP_KEY, text=REMARK)
    # The project's notifications as the workflow sends them: to the reviewers over it, its 财政 and its filers.
    for action, to_status, actor in [(Action.SUBMIT, FilingStatus.SUBMITTED, "own_filer"),
                                     (Action.APPROVE, FilingStatus.DEPARTMENT_APPROVED, "parent_reviewer"),
                                     (Action.APPROVE, FilingStatus.APPROVED, "region_finance"),
                                     (Action.RETURN, FilingStatus.RETURNED, "region_finance")]:
        entry = Transition(filing=project, action=action, to_status=to_status, actor=users[actor], comment=REMARK)
        deliver(notices_for(entry, Filing.objects.with_related().get(pk=project.pk)))
    batch = DownloadJob.objects.create(requested_by=users["region_finance"], description="九江市柴桑区总医院（含下级）",
                                       filters={"unit": hospital.pk}, total=2)
    return {"filing": filing, "project": project, "comment": comment, "batch": batch, "users": users,
            "fingerprints": {},  # before any cell, by the state the cell puts the filing in (the same for all)
            "fill": {"UNIT": str(hospital.pk), "REGION": str(units["360404"].pk), "CATEGORY": str(marked.category_id),
                     "VARIANT": str(FormVariant.objects.get(code="dept-jiangxi").pk),
                     "PROJECT_VARIANT": str(FormVariant.objects.get(code="proj-jiangxi").pk)}}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Made once for the module, in a transaction rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    # Jobs are only queued in the cells (the module's transaction never commits, so no task is enqueued): who may
    # ask is the matrix's question; what the files hold is test_lists_show_nothing_of_what_the_user_may_not_see's.
    private_storage_in(settings, tmp_path)
    settings.PRIVATE_ACCEL_REDIRECT = ""


def prepare(world, case: Case) -> Filing:
    filing = world["project"] if case.state == "project" else world["filing"]
    if case.state not in {"draft", "project"}:
        Filing.objects.filter(pk=filing.pk).update(status=case.state)
    return Filing.objects.with_related().get(pk=filing.pk)


def url_for(name: str, route: str, world, filing: Filing, case: Case) -> str:
    values = {"pk": world["batch"].pk if case.pk == "batch" else filing.pk, "key": STEP_KEY,
              "comment_pk": world["comment"].pk, "uidb64": "MQ", "token": "set-password"}
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    unknown = [arg for arg in names if arg not in values]
    assert not unknown, f"{name}: no test value for {unknown}: add one in url_for()"
    url = reverse(name, kwargs={arg: values[arg] for arg in names})
    return f"{url}?{urlencode(filled(world, case.query))}" if case.query else url


def filled(world, data: dict) -> dict:
    return {key: world["fill"].get(value, value) for key, value in data.items()}


def form_data(world, case: Case, filing: Filing) -> dict:
    return {"lock_version": str(filing.lock_version), **filled(world, case.data)}


CONTENT = [Filing, DepartmentDetails, ProjectDetails, FunctionItem, AnnualTask, Indicator, Submission,
           FilingDeadline, Unit, Membership]
COUNTED = [Transition, ReviewComment, FilingEvent]


def fingerprint() -> tuple:
    """Every field of every filing, of their details and rows, submissions, deadlines, units and memberships; the
    number of transitions, remarks, events and of notifications about filings (a batch's "已生成" is the requester's
    own business). Plain tuples, no model instances: cheap enough to take in every cell."""
    content = tuple(tuple(model.objects.order_by("pk").values_list()) for model in CONTENT)
    counts = tuple(model.objects.count() for model in COUNTED)
    return content, counts, Notification.objects.filter(filing__isnull=False).count()


def readable(response) -> str:
    """The text a user could read in the response: the page, or what is inside an xlsx, a ZIP or a PDF."""
    # Reading a streamed file to its end closes it (the test client's wrapper); never call response.close() here: it
    # would send request_finished, which closes the database connection and with it the module's transaction.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return decoded(body)


def decoded(body: bytes) -> str:
    if body.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()
            return "\n".join([*names, *(decoded(archive.read(name)) for name in names)])
    if body.startswith(b"%PDF"):
        return squeezed(pdf_text(body))  # a cell's text wraps wherever the column ends
    return body.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def browser():
    """One test client for the module: each new one loads the middleware again, and WhiteNoise's scan of the static
    files alone costs more than most cells."""
    return Client()


def login_as(client, world, actor):
    client.logout()
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    return client


CELLS = [(name, method, actor) for (name, method) in MATRIX for actor in ACTORS]


@pytest.mark.parametrize("name, method, actor", CELLS, ids=[f"{n}-{m}-{a}" for n, m, a in CELLS])
def test_access_matrix(browser, world, db, name, method, actor):
    patterns = app_patterns()
    if name not in patterns:
        pytest.skip(f"no URL pattern {name} in this checkout (yet)")
    case = MATRIX[(name, method)]
    filing = prepare(world, case)
    client = login_as(browser, world, actor)
    url = url_for(name, patterns[name], world, filing, case)
    before = world["fingerprints"].get(case.state) or world["fingerprints"].setdefault(case.state, fingerprint())
    response = client.post(url, form_data(world, case, filing)) if method == "POST" else client.get(url)

    expected = case.expect[actor]
    if expected == LOGIN:
        login_url = f"{reverse('login')}?next={quote(url)}"
        assert (response.status_code, response.get("Location")) == (302, login_url), (
            f"{method} {url} as {actor}: expected a redirect to {login_url}")
    else:
        assert response.status_code == expected, (
            f"{method} {url} as {actor}: expected {expected}, got {response.status_code} "
            f"{response.get('Location', '')}")
    if shown := forbidden(actor):
        text = readable(response)
        leaked = [marker for marker in shown if marker in text]
        assert not leaked, f"{method} {url} as {actor} shows {leaked}"
    if actor not in case.changes:
        assert fingerprint() == before, f"{method} {url} as {actor} changed the filing (or another one)"


# --- the markers are where the filing may be seen: (b) would find them if they leaked -------------------------------

SHOWN = [
    ("own_filer", "filings:check", "draft", [UNIT_NAME, GOAL, INDICATOR]),
    ("own_filer", "filings:step", "draft", [GOAL]),
    ("parent_reviewer", "filings:review", "submitted", [UNIT_NAME, GOAL, INDICATOR, REMARK]),
    ("region_finance", "filings:pdf", "draft", [UNIT_NAME, GOAL, INDICATOR]),
    ("region_finance", "filings:xlsx", "draft", [UNIT_NAME, GOAL, INDICATOR]),
    ("own_filer", "filings:tasks", "project", [PROJECT]),
]


@pytest.mark.parametrize("actor, name, state, markers", SHOWN, ids=[f"{n}-{a}" for a, n, _s, _m in SHOWN])
def test_the_filing_s_own_pages_show_its_markers(browser, world, db, actor, name, state, markers):
    filing = prepare(world, Case({}, state=state))
    client = login_as(browser, world, actor)
    kwargs = {"pk": filing.pk} | ({"key": STEP_KEY} if name == "filings:step" else {})
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    text = readable(response)
    assert [marker for marker in markers if marker not in text] == []


# --- the lists: nothing of what a user may not see -----------------------------------------------------------------

LISTS = [("home", {}), ("filings:queue", {"tab": "review"}), ("filings:queue", {"tab": "returned"}),
         ("filings:queue", {"tab": "reviewed"}), ("filings:overview", {"year": "2026"}), ("filings:overview", {}),
         ("filings:projects", {}), ("filings:projects", {"year": "2026"}),
         ("filings:notifications", {}), ("filings:downloads", {}), ("filings:unit_events", {})]
# Where the filing and its project must show, so that their absence elsewhere means something.
LISTED = {
    ("own_filer", "home", ""): [UNIT_NAME, PROJECT],
    ("own_filer", "filings:queue", "tab=returned"): [PROJECT],
    ("own_filer", "filings:notifications", ""): [PROJECT],
    ("parent_reviewer", "filings:queue", "tab=review"): [UNIT_NAME],
    ("parent_reviewer", "filings:overview", "year=2026"): [UNIT_NAME],
    ("parent_reviewer", "filings:notifications", ""): [PROJECT],
    ("region_finance", "filings:queue", "tab=reviewed"): [PROJECT],
    ("region_finance", "filings:notifications", ""): [PROJECT],
    ("admin", "home", ""): [UNIT_NAME, PROJECT],
}


def put_in_the_lists(world):
    """The filing submitted (in its reviewer's 待审核), the project returned by 财政 (被退回, 已审核)."""
    users = world["users"]
    Filing.objects.filter(pk=world["filing"].pk).update(status=FilingStatus.SUBMITTED, submitted_by=users["own_filer"])
    Filing.objects.filter(pk=world["project"].pk).update(status=FilingStatus.RETURNED)
    Transition.objects.create(filing=world["project"], action=Action.RETURN, from_status=FilingStatus.SUBMITTED,
                              to_status=FilingStatus.RETURNED, actor=users["region_finance"], comment=REMARK)


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_show_nothing_of_what_the_user_may_not_see(browser, world, db, actor):
    """我的申报, 工作台 (every tab), 年度概览, 项目支出, the Excel export, notifications, batch PDFs and 单位操作记录,
    unfiltered."""
    put_in_the_lists(world)
    client = login_as(browser, world, actor)
    for name, query in LISTS:
        url = f"{reverse(name)}?{urlencode(query)}"
        response = client.get(url)
        assert response.status_code in ({302} if actor == "anonymous" else {200, 403}), url  # 403: not a supervisor
        text = readable(response)
        leaked = [marker for marker in forbidden(actor) if marker in text]
        assert not leaked, f"{url} as {actor} shows {leaked}"
        missing = [m for m in LISTED.get((actor, name, urlencode(query)), []) if m not in text]
        assert not missing, f"{url} as {actor} does not show {missing}"
    if actor == "anonymous":
        return
    # A batch PDF and (for supervisors) the Excel export of everything the user may see: the filings each will hold,
    # and for two 财政 the files themselves, built here as the worker builds them.
    asked = [("filings:batch_new", DownloadKind.PDF_BATCH), ("filings:export", DownloadKind.CONSOLIDATED)]
    for url_name, kind in asked:
        response = client.post(reverse(url_name), {})
        job = DownloadJob.objects.filter(requested_by=world["users"][actor], kind=kind).order_by("pk").last()
        if job is None:  # nothing in scope: no job, a message; or not a supervisor: no export
            assert response.status_code == 403 or not visible_filings(world["users"][actor]).exists(), actor
            continue
        held = set(download_jobs.filings_of(job).values_list("pk", flat=True))
        assert (world["filing"].pk in held) == (actor in SEES), (actor, kind)
        assert (world["project"].pk in held) == (actor in SEES), (actor, kind)
        region = REGION_OF[actor]
        if region != "*":
            paths = set(download_jobs.filings_of(job).values_list("unit__path", flat=True))
            assert {path.split("/")[1] for path in paths} <= {REGION_CODES[region]}, (actor, paths)
        if actor in {"region_finance", "foreign_finance"}:
            assert download_jobs.run(job.pk, "test") == "done"
            response = client.get(reverse("filings:download_file", args=[job.pk]))
            assert response.status_code == 200
            text = readable(response)
            assert not [marker for marker in forbidden(actor) if marker in text], (actor, kind)
            if actor == "region_finance":
                shown = [UNIT_NAME, GOAL, INDICATOR, PROJECT] if kind == DownloadKind.PDF_BATCH else [
                    UNIT_NAME, INDICATOR, PROJECT]
                assert [marker for marker in shown if marker not in text] == [], kind


REGION_CODES = {"柴桑": "360404", "阳泉": "140300", "沅江": "430981"}


def test_notifications_of_the_filing_go_to_its_reviewers_and_filers_only(world, db):
    told = set(Notification.objects.filter(filing=world["project"]).values_list("user__username", flat=True))
    assert told == {USERS["own_filer"], USERS["parent_reviewer"], USERS["region_finance"]}


# --- the admin: out of scope but for the door ---------------------------------------------------------------------

@pytest.mark.parametrize("actor", sorted(set(ACTORS) - {"admin"}))
def test_non_staff_are_sent_to_the_admin_login(browser, world, db, actor):
    client = login_as(browser, world, actor)
    for url in [reverse("admin:index"), reverse("admin:filings_filing_change", args=[world["filing"].pk])]:
        response = client.get(url)
        assert response.status_code == 302, (actor, url)
        assert response["Location"] == f"{reverse('admin:login')}?next={quote(url)}", (actor, url)

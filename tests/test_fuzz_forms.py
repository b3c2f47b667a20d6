"""Property-based fuzzing of every page, form and upload (issue 12 part 4): no input answers 500, and no request
changes data outside the filing it is about.

Every URL pattern of the project is requested (GET with fuzzed query strings, POST with fuzzed fields named like the
app's own controls), the wizard steps of department and project filings are posted with fuzzed values and fuzzed
formset management data, and the two import views get fuzzed uploads. The user is the filer of the filing (its
reviewer for the review pages, now and then someone else). Each example runs in a savepoint that is rolled back, so
every example starts from the demo data; after the request, a fingerprint of every other filing's rows (and of the
units, users, variants and indicator schemes) must be unchanged, and a filing the request created must belong to a
unit the user files for.

Profiles (``HYPOTHESIS_PROFILE``): ``ci`` (the default: a fixed, bounded set of examples, about a minute in all) and
``long`` (random examples, ≥ 20,000 cases over the module; about an hour on a 2-core machine)::

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz_forms.py -q
    HYPOTHESIS_PROFILE=long DATABASE_URL=postgres://… .venv/bin/python -m pytest tests/test_fuzz_forms.py -q
"""

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filings.checked import STORED as CHECKED
from filings.exports.excel.official import workbook_bytes
from filings.models import Filing, Membership, ReviewComment, Role, Unit
from filings.wizard import steps_for
from filings.workflow import can_review

from .test_access_matrix import walk

HEALTH = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large,
          HealthCheck.filter_too_much]
# ci: 80 fixed examples per test (48 for the slower ones), the module in about a minute; long: 3,400 random
# examples per test, 20,400 in all.
settings.register_profile("ci", max_examples=80, deadline=None, derandomize=True, suppress_health_check=HEALTH,
                          database=None, print_blob=True)
settings.register_profile("long", max_examples=3400, deadline=None, suppress_health_check=HEALTH, print_blob=True)
PROFILE_NAME = os.environ.get("HYPOTHESIS_PROFILE", "ci")
PROFILE = settings.get_profile(PROFILE_NAME)
# The slower fuzz tests (wizard steps, uploads) run 60 % of the examples in CI.
SLOW = settings(PROFILE, max_examples=PROFILE.max_examples * 3 // 5) if PROFILE_NAME == "ci" else PROFILE

DEPARTMENTS = ["s0-dept", "s2-dept", "s4-dept"]
PROJECTS = ["s1-proj1", "s3-proj2", "s4-proj1"]
DOWNLOADS = {"filings:pdf", "filings:xlsx", "filings:export", "filings:download_file"}
REVIEW_PAGES = {"filings:review", "filings:act", "filings:add_comment", "filings:delete_comment"}
# Models a request may change without touching a filing: the user's own notifications read, 下载任务 asked for,
# deadlines set by 财政 on the overview; sessions live elsewhere.
OWN_DATA = {"filings.downloadjob", "filings.filingdeadline"}

# --- values ---------------------------------------------------------------------------------------------------

ODD_TEXT = ["", " ", "0", "-1", "1", "²", "①", "٣", "１２", "9" * 20, str(2**31), str(2**31 - 1), str(2**63),
            f"-{2**63}", "1e309", "NaN", "inf", "-0", "0.000001", "1,000", "1 000", "12.345.678", "2024-02-30",
            "9999-12-31", "0000-00-00", "24:61", "\x00", "a\x00b", "\x01\x1f", "<script>alert(1)</script>",
            "=1+1", "'; DROP TABLE x; --", "%", "%00", "_", "\\", "\u202e", "\ufeff", "\r\n", "\n" * 50, "on",
            "true", "None", "null", "[]", "{}", "≥", "≤95%", "不适用", "万元", "元", "draft", "approved", "current",
            "last_year", "approve", "return", "withdraw", "adjust", "step:goals", "field:goals:overall_goal",
            "indicator:1", "indicator:²", "indicator:99999999999999999999", "annual", "midterm"]
ODD_NUMBERS = ["0", "-1", "1", "3", "²", "①", "٣", "１", "abc", "", " ", "3.5", "1e3", "1000", "1001", "100000",
               str(2**31), "99999999999999999999", "-99999999999999999999", "\x00"]
ODD_INTS = [0, 1, 2, 3, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30]
values = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(max_size=30),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(alphabet="测试指标值≥≤%年月日0123456789.,，、；\n", min_size=300, max_size=5000),
)
management_values = st.sampled_from(ODD_NUMBERS)
slugs = st.one_of(st.sampled_from(["goals", "unit", "indicators", "check", "x", "0", "a" * 60]),
                  st.from_regex(r"[-a-zA-Z0-9_]{1,40}", fullmatch=True))
PARAMETERS = ["q", "category", "page", "tab", "year", "unit", "kind", "status", "from", "to", "against", "next",
              "indicators-0-value_text", "o", "p", "e", "region", "variant", "format", "period"]
query_strings = st.dictionaries(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)), values, max_size=4)


class Controls(HTMLParser):
    """Every named control of every form on a page, with the value a browser would send (the first one wins)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data: dict[str, str] = {}
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in {"submit", "button", "file", "reset"}:
            if attributes.get("type") in {"checkbox", "radio"} and "checked" not in attributes:
                self.data.setdefault(name, "")
            else:
                self.data.setdefault(name, attributes.get("value") or "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data.setdefault(name, "")
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            if "selected" in attributes or not self.data.get(self.select):
                self.data[self.select] = attributes.get("value", "")
        elif tag == "button" and name:
            self.data.setdefault(name, attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def handle_data(self, data):
        if self.textarea and not self.data[self.textarea]:
            self.data[self.textarea] = data.removeprefix("\n")


def controls(response) -> dict[str, str]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}
    reader = Controls()
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


# --- the world ---------------------------------------------------------------------------------------------------

def fingerprints() -> dict:
    """A digest of every row, grouped by the filing it belongs to ("reference" for rows of no filing)."""
    groups: dict = {}
    models = [*apps.get_app_config("filings").get_models(), *apps.get_app_config("indicators").get_models(),
              get_user_model()]
    for model in models:
        if model._meta.label_lower in OWN_DATA:
            continue
        # The stored validation result (filings.checked) is derived: a project's save re-checks its unit's other
        # projects of the year (rule W10 compares them), which changes nothing anyone typed.
        names = [f.attname for f in model._meta.concrete_fields
                 if f.name not in {"last_login", "read_at"} and not (model is Filing and f.name in CHECKED)]
        key = model._meta.pk.attname if model is Filing else next((f.attname for f in model._meta.concrete_fields
                                                 if f.name == "filing"), None)
        for row in model.objects.order_by("pk").values_list(*names):
            group = row[names.index(key)] if key else "reference"
            groups.setdefault(group, hashlib.sha256()).update(repr((model._meta.label, row)).encode())
    return {group: digest.hexdigest() for group, digest in groups.items()}


@dataclass
class World:
    targets: dict  # key → Filing
    filers: dict  # key → username
    reviewers: dict  # key → username
    clients: dict  # username → Client (signed in), "" → anonymous
    comments: dict  # key → ReviewComment pk
    before: dict  # fingerprints()
    filing_pks: set
    routes: dict  # name → route

    def filer_units(self, username) -> set:
        return set(Membership.objects.filter(user__username=username, role=Role.FILER).values_list("unit", flat=True))


def reviewer_of(filing) -> str:
    Filing.objects.filter(pk=filing.pk).update(status="submitted")
    filing = Filing.objects.get(pk=filing.pk)
    for membership in Membership.objects.exclude(role=Role.FILER).select_related("user").order_by("role", "pk"):
        if can_review(membership.user, filing):
            return membership.user.username
    raise LookupError(filing)


@pytest.fixture
def world(demo):
    targets = {key: demo[key] for key in DEPARTMENTS + PROJECTS}
    filers = {key: Membership.objects.filter(unit=filing.unit, role=Role.FILER).first().user.username
              for key, filing in targets.items()}
    with transaction.atomic():
        reviewers = {}
        for key, filing in targets.items():
            reviewers[key] = reviewer_of(filing)
        transaction.set_rollback(True)
    User = get_user_model()
    comments = {key: ReviewComment.objects.create(filing=filing, author=User.objects.get(username=reviewers[key]),
                                                  step="goals", text="请写明量化口径。").pk
                for key, filing in targets.items()}
    usernames = {*filers.values(), *reviewers.values(), "cs_czj", "yq_czj"}
    clients = {"": Client(raise_request_exception=False)}
    for username in usernames:
        clients[username] = Client(raise_request_exception=False)
        clients[username].force_login(User.objects.get(username=username))
    superuser = User.objects.filter(is_superuser=True).first()
    clients["admin"] = Client(raise_request_exception=False)
    clients["admin"].force_login(superuser)
    routes = {name: route for name, route in walk(get_resolver().url_patterns) if not route.startswith("admin/")}
    return World(targets, filers, reviewers, clients, comments, fingerprints(), set(Filing.objects.values_list(
        "pk", flat=True)), routes)


def exchange(world: World, username: str, method: str, url: str, data, own: set[int], prepare=None, follow=None):
    """One request in a savepoint rolled back afterwards: never a 500, nothing changed outside ``own`` filings."""
    client = world.clients[username]
    with transaction.atomic():
        if prepare:
            prepare()
        response = client.post(url, data) if method == "POST" else client.get(url, data)
        assert response.status_code < 500, (method, url, data, response.status_code)
        if follow and response.status_code == 302:
            follow(client, response)
        after = fingerprints()
        changed = {group for group in {*world.before, *after} if world.before.get(group) != after.get(group)}
        created = set(Filing.objects.exclude(pk__in=world.filing_pks).values_list("unit", flat=True))
        transaction.set_rollback(True)
    outside = {group for group in changed if group not in own and group in world.filing_pks | {"reference"}}
    assert not outside, (method, url, data, f"changed data of filings {outside}")
    assert created <= world.filer_units(username), (method, url, data, f"created a filing in units {created}")
    return response


def submitted(filing):
    return lambda: Filing.objects.filter(pk=filing.pk).update(status="submitted")


def path_values(world: World, key: str, draw) -> dict:
    filing = world.targets[key]
    return {
        "pk": draw(st.sampled_from([filing.pk] * 8 + ODD_INTS)),
        "key": draw(st.one_of(st.sampled_from([str(step.key) for step in steps_for(filing)]), slugs)),
        "token": draw(slugs),
        "comment_pk": draw(st.sampled_from([world.comments[key]] * 4 + ODD_INTS)),
        "uidb64": draw(st.sampled_from(["MQ", "Mg", "", "x"]).filter(bool) | slugs),
    }


def url_of(world: World, name: str, key: str, draw) -> str:
    route = world.routes[name]
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    available = path_values(world, key, draw)
    return reverse(name, kwargs={arg: available[arg] for arg in names})


def who(world: World, name: str, key: str, draw) -> str:
    usual = world.reviewers[key] if name in REVIEW_PAGES else world.filers[key]
    others = sorted(name for name in world.clients if name != "admin")
    return draw(st.sampled_from([usual] * 6 + others))


# --- every URL pattern --------------------------------------------------------------------------------------------

def route_names():
    return sorted(name for name, route in walk(get_resolver().url_patterns) if not route.startswith("admin/"))


@PROFILE
@given(data=st.data())
def test_every_page_answers_fuzzed_query_strings_without_a_server_error(world, data):
    name = data.draw(st.sampled_from(route_names()), label="page")
    key = data.draw(st.sampled_from(sorted(world.targets)), label="filing")
    filing = world.targets[key]
    url = url_of(world, name, key, data.draw)
    username = who(world, name, key, data.draw)
    query = data.draw(query_strings, label="query")
    exchange(world, username, "GET", url, query, {filing.pk},
             prepare=submitted(filing) if name in REVIEW_PAGES else None)


@pytest.fixture
def page_controls(world):
    """The named controls of every page of every target, read once (the fields a POST may carry)."""
    found: dict = {}
    for key, filing in world.targets.items():
        for name in route_names():
            arguments = re.findall(r"<(?:\w+:)?(\w+)>", world.routes[name])
            if {"token", "uidb64"} & set(arguments) or name in DOWNLOADS:
                continue
            kwargs = {"pk": filing.pk, "key": "goals", "comment_pk": world.comments[key]}
            url = reverse(name, kwargs={arg: kwargs[arg] for arg in arguments})
            username = world.reviewers[key] if name in REVIEW_PAGES else world.filers[key]
            with transaction.atomic():
                if name in REVIEW_PAGES:
                    submitted(filing)()
                found[(key, name)] = controls(world.clients[username].get(url))
                transaction.set_rollback(True)
    return found


def fuzzed_fields(data, defaults: dict, pool: list[str]) -> dict:
    fields = dict(defaults)
    names = sorted(fields)
    for name in data.draw(st.lists(st.sampled_from(names), max_size=6, unique=True) if names else st.just([])):
        if data.draw(st.booleans()):
            del fields[name]
        else:
            fields[name] = data.draw(management_values if name.endswith("_FORMS") else values)
    for name in data.draw(st.lists(st.sampled_from(pool), max_size=3, unique=True)):
        fields[name] = data.draw(values)
    return fields


ALL_FORMS = "all the app's forms"  # the page_controls key of the union of field names


@PROFILE
@given(data=st.data())
def test_every_form_answers_fuzzed_fields_without_a_server_error(world, page_controls, data):
    name = data.draw(st.sampled_from(route_names()), label="page")
    key = data.draw(st.sampled_from(sorted(world.targets)), label="filing")
    filing = world.targets[key]
    url = url_of(world, name, key, data.draw)
    username = who(world, name, key, data.draw)
    defaults = page_controls.get((key, name)) or {}
    source = {"filings:act": "filings:review", "filings:add_comment": "filings:review",
              "filings:copy": "home", "filings:submit": "filings:check", "filings:paste_preview": "filings:step",
              "filings:duplicate": "filings:projects", "filings:delete_comment": "filings:review"}.get(name)
    if source:
        defaults = {**page_controls.get((key, source), {}), **defaults}
    pool = sorted({field for fields in page_controls.values() for field in fields} | {"action", "expected_status"})
    fields = fuzzed_fields(data, defaults, pool)
    exchange(world, username, "POST", url, fields, {filing.pk},
             prepare=submitted(filing) if name in REVIEW_PAGES else None)


# --- wizard steps -------------------------------------------------------------------------------------------------

def fuzz_step(world, data, keys):
    key = data.draw(st.sampled_from(keys), label="filing")
    filing = world.targets[key]
    step = data.draw(st.sampled_from([str(s.key) for s in steps_for(filing)]), label="step")
    url = reverse("filings:step", args=[filing.pk, step])
    client = world.clients[world.filers[key]]
    form = controls(client.get(url))
    assert form, (key, step)
    fields = fuzzed_fields(data, form, sorted(form))
    management = [name for name in form if name.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS",
                                                          "MAX_NUM_FORMS"))]
    for name in data.draw(st.lists(st.sampled_from(management), unique=True) if management else st.just([])):
        fields[name] = data.draw(management_values, label=name)
    if data.draw(st.booleans()):
        fields["continue"] = ""
    if data.draw(st.integers(0, 9)) == 0:
        fields["lock_version"] = data.draw(management_values)
    exchange(world, world.filers[key], "POST", url, fields, {filing.pk})


@SLOW
@given(data=st.data())
def test_department_wizard_steps_answer_fuzzed_values_without_a_server_error(world, data):
    fuzz_step(world, data, DEPARTMENTS)


@SLOW
@given(data=st.data())
def test_project_wizard_steps_answer_fuzzed_values_without_a_server_error(world, data):
    fuzz_step(world, data, PROJECTS)


# --- uploads ------------------------------------------------------------------------------------------------------

EXPORTS: dict[str, bytes] = {}  # one export per seed filing for the whole session: strategies must not vary


def export_of(filing, key: str) -> bytes:
    if key not in EXPORTS:
        EXPORTS[key] = workbook_bytes(filing)
    return EXPORTS[key]


@st.composite
def uploads(draw, key: str):
    export = EXPORTS[key]
    kind = draw(st.sampled_from(["random", "truncated", "flipped", "garbage-zip", "replaced-part", "export"]))
    if kind == "random":
        data = draw(st.binary(max_size=4000))
        data = draw(st.sampled_from([b"", b"PK\x03\x04", b"PK"])) + data
    elif kind == "truncated":
        data = export[:draw(st.integers(0, len(export)))]
    elif kind == "flipped":
        data = bytearray(export)
        for at in draw(st.lists(st.integers(0, len(export) - 1), min_size=1, max_size=8)):
            data[at] = draw(st.integers(0, 255))
        data = bytes(data)
    elif kind in {"garbage-zip", "replaced-part"}:
        stream = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(export)) as source, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as out:
            names = [item.filename for item in source.infolist()]
            victim = draw(st.sampled_from(names))
            for name in names:
                if kind == "replaced-part" and name == victim:
                    out.writestr(name, draw(st.binary(max_size=2000) | st.sampled_from(
                        [b"<a/>", b"<worksheet/>", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'])))
                else:
                    out.writestr(name, source.read(name))
            if kind == "garbage-zip":
                for extra in draw(st.lists(st.text(min_size=1, max_size=20), max_size=3)):
                    out.writestr(f"xl/{extra}", draw(st.binary(max_size=500)))
        data = stream.getvalue()
    else:
        data = export
    name = draw(st.sampled_from(["申报表.xlsx", "x.XLSX", "a.xltx", "b.xls", "c.csv", "", "..\\..\\x.xlsx",
                                 "\x00.xlsx", "长" * 300 + ".xlsx"]))
    return data, name


def follow_import(client, response):
    """Open the preview the upload led to and confirm it: the import itself must not fail either."""
    preview = response["Location"]
    assert client.get(preview).status_code < 500
    assert client.post(preview).status_code < 500


@SLOW
@given(data=st.data())
def test_uploads_answer_fuzzed_files_without_a_server_error(world, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    key = data.draw(st.sampled_from(sorted(world.targets)), label="filing")
    filing = world.targets[key]
    export_of(filing, key)
    content, name = data.draw(uploads(key), label="upload")
    file = SimpleUploadedFile(name or "x", content, content_type="application/octet-stream")
    username = world.filers[key]
    if data.draw(st.booleans(), label="new filing"):
        unit = data.draw(st.sampled_from([str(filing.unit_id), str(Unit.objects.order_by("pk").first().pk),
                                          *ODD_NUMBERS]), label="unit")
        fields = {"unit": unit, "file": file}
        url, own = reverse("filings:import_new"), {filing.pk}
    else:
        fields, url, own = {"file": file}, reverse("filings:import_xlsx", args=[filing.pk]), {filing.pk}
    exchange(world, username, "POST", url, fields, own, follow=follow_import)


# --- the admin (GET only: its writes are issue 12 part 5) ---------------------------------------------------------

def admin_urls(filing) -> list[str]:
    urls = []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        example = model.objects.order_by("pk").first()
        if example is not None:
            urls += [reverse(f"{prefix}_change", args=[example.pk]), reverse(f"{prefix}_history", args=[example.pk])]
    return urls + [reverse("admin:filings_filing_change", args=[filing.pk]), "/admin/filings/filing/²/change/",
                   f"/admin/filings/filing/{2**63}/change/", "/admin/filings/filing/%00/change/"]


@PROFILE
@given(data=st.data())
def test_admin_pages_answer_fuzzed_query_strings_without_a_server_error(world, data):
    filing = world.targets["s0-dept"]
    url = data.draw(st.sampled_from(admin_urls(filing)), label="page")
    query = data.draw(st.dictionaries(st.sampled_from(["q", "o", "p", "e", "status__exact", "kind__exact",
                                                       "year", "unit__id__exact", "_changelist_filters", "all",
                                                       "_to_field", "_popup"]) | st.text(max_size=8), values,
                                      max_size=3), label="query")
    exchange(world, "admin", "GET", url, query, set())

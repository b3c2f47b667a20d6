"""Who may open which filing in the wizard: filers their own unit's, reviewers and 财政 their subtree read-only."""

import re

import pytest
from django.urls import reverse

from filings.models import Filing, FilingStatus

from .personas import sign_in as login

# (name, method, needs the step key) of every page that belongs to one filing
FILING_PAGES = [
    ("filings:tasks", "get"),
    ("filings:step", "get"),
    ("filings:step", "post"),
    ("filings:check", "get"),
    ("filings:submit", "post"),
    ("filings:suggestions", "get"),
    ("filings:copy", "post"),
]




def url_of(name, filing):
    args = [filing.pk, "goals"] if name == "filings:step" else [filing.pk]
    return reverse(name, args=args)


def request(client, name, method, filing):
    data = {"lock_version": str(filing.lock_version), "goals-overall_goal": "改过的目标", "save": "", "year": "2030"}
    url = url_of(name, filing)
    return client.post(url, data) if method == "post" else client.get(url)


def listed_filings(client) -> set[int]:
    """The filings the home page links to."""
    page = client.get(reverse("home")).content.decode()
    return {int(pk) for pk in re.findall(r'<td><a href="/filings/(\d+)/">', page)}


def unchanged(filing) -> bool:
    saved = Filing.objects.select_related("department").get(pk=filing.pk)
    return (saved.department.overall_goal, saved.status, saved.lock_version) == (
        filing.department.overall_goal, filing.status, filing.lock_version)


# --- a filer and other units' filings ------------------------------------------------------------------------

@pytest.mark.parametrize("name, method", FILING_PAGES)
@pytest.mark.parametrize("username, key", [
    ("cs_zyy", "s1-dept"),  # a sibling unit under the same 财政局
    ("cs_ybj", "s0-dept"),
    ("cs_zyy", "s2-dept"),  # another region
    ("dp_bj", "s4-dept"),
])
def test_a_filer_cannot_open_another_units_filing(client, demo, username, key, name, method):
    login(client, username)
    filing = demo[key]
    assert request(client, name, method, filing).status_code == 404
    assert unchanged(filing)
    assert Filing.objects.count() == len(demo)


def test_the_not_found_page_does_not_reveal_the_filing(client, demo):
    login(client, "cs_zyy")
    page = client.get(url_of("filings:check", demo["s1-dept"])).content.decode()
    assert "医疗保障局" not in page


@pytest.mark.parametrize("name, method", [("filings:tasks", "get"), ("filings:step", "get"), ("filings:check", "get"),
                                          ("filings:suggestions", "get")])
def test_a_filer_opens_their_own_filing(client, demo, name, method):
    login(client, "cs_zyy")
    assert request(client, name, method, demo["s0-dept"]).status_code == 200


# --- reviewers and 财政 see their subtree read-only ----------------------------------------------------------

@pytest.mark.parametrize("username, key", [
    ("cs_wjw", "s0-dept"),  # 卫健委 over 总医院
    ("cs_czj", "s0-dept"),  # 财政局 over the whole district
    ("cs_czj", "s1-dept"),
    ("dp_jt", "s2-dept"),
    ("dp_czj", "s2-dept"),
    ("yj_czj", "s4-dept"),
])
def test_reviewers_and_finance_see_their_subtree_read_only(client, demo, username, key):
    login(client, username)
    filing = demo[key]
    tasks = client.get(url_of("filings:tasks", filing))
    assert tasks.status_code == 200 and "只能查看" in tasks.content.decode()
    assert "继续填写" not in tasks.content.decode()
    check = client.get(url_of("filings:check", filing))
    assert check.status_code == 200
    assert 'id="submit-filing"' not in check.content.decode()
    assert filing.display_unit_name in check.content.decode()
    assert client.get(url_of("filings:suggestions", filing)).status_code == 200
    for name, method in [("filings:step", "get"), ("filings:step", "post"), ("filings:submit", "post")]:
        assert request(client, name, method, filing).status_code == 403, (name, method)
    assert unchanged(filing)


def test_a_reviewer_cannot_submit_a_filing_without_errors(client, demo):
    login(client, "dp_jt")
    filing = demo["s2-dept"]
    assert client.post(url_of("filings:submit", filing)).status_code == 403
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.DRAFT


@pytest.mark.parametrize("username, key", [
    ("cs_wjw", "s1-dept"),  # 医保局 is not under 卫健委
    ("cs_wjw", "s2-dept"),
    ("cs_czj", "s2-dept"),  # another 财政局
    ("cs_czj", "s4-dept"),
    ("dp_jt", "s0-dept"),
    ("yq_wjw", "s0-dept"),
])
def test_reviewers_and_finance_do_not_see_other_subtrees(client, demo, username, key):
    login(client, username)
    for name in ["filings:tasks", "filings:check", "filings:step", "filings:suggestions"]:
        assert client.get(url_of(name, demo[key])).status_code == 404, name


def test_the_administrator_may_edit_any_draft(client, demo):
    login(client, "admin")
    assert client.get(url_of("filings:step", demo["s2-dept"])).status_code == 200


# --- anonymous visitors ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, method", FILING_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, demo, name, method):
    filing = demo["s0-dept"]
    response = request(client, name, method, filing)
    url = url_of(name, filing)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    assert unchanged(filing)


@pytest.mark.parametrize("url", ["/", "/filings/reading/?indicators-0-value_text=%E2%89%A595%25"])
def test_anonymous_visitors_see_neither_home_nor_reading(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the home page lists what the user may see --------------------------------------------------------------

def keys_of(demo, pks):
    by_pk = {filing.pk: key for key, filing in demo.items()}
    return {by_pk.get(pk, pk) for pk in pks}


@pytest.mark.parametrize("username, expected", [
    ("cs_zyy", {"s0-dept"}),
    ("cs_ybj", {"s1-dept", "s1-proj1"}),
    ("cs_wjw", {"s0-dept"}),
    ("cs_czj", {"s0-dept", "s1-dept", "s1-proj1"}),
    ("dp_bj", {"s2-dept"}),
    ("dp_czj", {"s2-dept"}),
    ("yq_sy", {"s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5"}),
    ("yj_wjj", {"s4-dept", "s4-proj1", "s4-proj2"}),
])
def test_home_lists_only_visible_filings(client, demo, username, expected):
    login(client, username)
    assert keys_of(demo, listed_filings(client)) == expected


def test_home_lists_everything_for_the_administrator(client, demo):
    login(client, "admin")
    assert keys_of(demo, listed_filings(client)) == set(demo)


@pytest.mark.parametrize("key", ["s1-proj1", "s3-proj1"])
def test_a_project_filing_linked_from_home_opens_for_its_filer(client, demo, key):
    """Home links every filing to its task list; a project filing (no wizard steps yet) must not be a 500."""
    filing = demo[key]
    login(client, "cs_ybj" if key == "s1-proj1" else "yq_sy")
    assert filing.pk in listed_filings(client)
    assert client.get(url_of("filings:tasks", filing)).status_code == 200

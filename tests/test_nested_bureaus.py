"""Nested 财政 bureaus (issue 16): settings come from a filing's nearest bureau, the 财政 turn is that bureau's, and
only the level whose turn it is is told.

The tree: province NP → city NC → county NK, each a 财政 unit with a 财政 member (np_cz, nc_cz, nk_cz); under each
bureau a 主管部门 (NPD, NCD, NKD, 审核人 np_sh, nc_sh, nk_sh) with one unit (NPU, NCU, NKU, 填报人 np_tb, nc_tb, nk_tb).
The county's filing is the demo's s2-dept (no validation errors) moved to NKU, so it goes through the real workflow.
"""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from filings import queues
from filings.access import Scope, can_review, review_levels, visible_filings
from filings.bureaus import Bureaus
from filings.models import (
    Action,
    Filing,
    FilingDeadline,
    FilingKind,
    FilingStatus,
    Membership,
    Notification,
    Role,
    Unit,
    UnitKind,
)
from filings.workflow import Review, perform

from .tasks import run_tasks

User = get_user_model()
LEVELS = {"NP": "p", "NC": "c", "NK": "k"}


@pytest.fixture
def tree(demo):
    """The units and people of the tree by name, and a department filing per level (the county's is s2-dept)."""
    units, people = {}, {}
    parent = None
    for code in LEVELS:
        bureau = Unit.objects.create(code=code, name=f"{code}财政局", kind=UnitKind.FINANCE, parent=parent,
                                     region=f"{code}地区", review_levels=2 if code == "NP" else None)
        department = Unit.objects.create(code=f"{code}D", name=f"{code}主管部门", kind=UnitKind.DEPARTMENT,
                                         parent=bureau)
        unit = Unit.objects.create(code=f"{code}U", name=f"{code}单位", kind=UnitKind.UNIT, parent=department)
        units.update({code: bureau, f"{code}D": department, f"{code}U": unit})
        for name, at, role in [("cz", bureau, Role.FINANCE), ("sh", department, Role.REVIEWER),
                               ("tb", unit, Role.FILER)]:
            user = User.objects.create_user(f"{code.lower()}_{name}", email=f"{code.lower()}_{name}@example.gov.cn",
                                            first_name=f"{code}{name}")
            Membership.objects.create(user=user, unit=at, role=role)
            people[user.username] = user
        parent = bureau
    county = demo["s2-dept"]
    Filing.objects.filter(pk=county.pk).update(unit=units["NKU"])
    sample = demo["s3-proj1"]
    filings = {"NKU": Filing.objects.get(pk=county.pk)}
    for code in ("NPU", "NCU"):
        filings[code] = Filing.objects.create(kind=FilingKind.DEPARTMENT, unit=units[code], year=county.year,
                                              variant=sample.variant, scheme=sample.scheme)
    return units, people, filings


def set_levels(code, levels):
    Unit.objects.filter(code=code).update(review_levels=levels)


def reload(filing) -> Filing:
    return Filing.objects.with_related().get(pk=filing.pk)


def act(filing, user, action, comment=""):
    """perform() as the page would, then what runs after the commit (notifications) and the mail task."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        current = reload(filing)
        perform(current, user, action, current.status, Review(comment=comment))
    run_tasks()


def told() -> list[str]:
    return sorted(Notification.objects.values_list("user__username", flat=True))


def put(filing, status, by):
    Filing.objects.filter(pk=filing.pk).update(status=status, submitted_by=by)
    return reload(filing)


# --- effective settings ------------------------------------------------------------------------------------------

def test_the_nearest_bureau_sets_the_review_levels_and_an_open_setting_falls_back_upward(tree):
    units, people, filings = tree
    set_levels("NK", 1)  # the county: one level; the city left open (沿用上级); the province two
    assert [review_levels(reload(filings[code])) for code in ("NKU", "NCU", "NPU")] == [1, 2, 2]
    set_levels("NK", None)  # the county open too: the city is open, so the province's
    assert review_levels(reload(filings["NKU"])) == 2
    set_levels("NC", 1)  # the city sets one level: the county, still open, takes it; the province's own stay two
    assert [review_levels(reload(filings[code])) for code in ("NKU", "NCU", "NPU")] == [1, 1, 2]
    set_levels("NP", None)  # nobody sets it above the city: the default
    assert review_levels(reload(filings["NPU"])) == 2
    scope = Scope.of(people["np_cz"])  # the province's scope reads the same answers from one load
    assert [scope.review_levels(units[code].path) for code in ("NKU", "NCU", "NPU")] == [1, 1, 2]


def test_a_units_finance_region_is_its_nearest_bureau(tree):
    units, _people, _filings = tree
    assert units["NKU"].finance_region() == units["NK"]
    assert units["NCD"].finance_region() == units["NC"]
    assert units["NK"].finance_region() == units["NK"]  # a bureau belongs to itself
    from indicators.hierarchy import region_of

    assert region_of(units["NKU"]) == "NK地区"  # the aliases of the county's own 所属地区
    Unit.objects.filter(pk=units["NK"].pk).update(region="")
    units["NKU"].refresh_from_db()
    assert region_of(units["NKU"]) == "NC地区"  # a county that names none takes its city's


def test_the_admin_offers_to_inherit_the_review_levels(tree, admin_client):
    units, _people, _filings = tree
    page = admin_client.get(f"/admin/filings/unit/{units['NK'].pk}/change/").content.decode()
    assert "沿用上级财政部门的设置" in page


# --- notifications -----------------------------------------------------------------------------------------------

def test_two_levels_a_county_submission_tells_the_county_departments_reviewers_only(tree):
    units, people, filings = tree
    above = User.objects.create_user("nc_bureau_sh")  # a 审核人 at the city bureau: above the county's bureau
    Membership.objects.create(user=above, unit=units["NC"], role=Role.REVIEWER)
    act(filings["NKU"], people["nk_tb"], Action.SUBMIT)
    assert told() == ["nk_sh"]


def test_department_approval_tells_the_county_finance_only(tree, mailoutbox):
    _units, people, filings = tree
    act(filings["NKU"], people["nk_tb"], Action.SUBMIT)
    act(filings["NKU"], people["nk_sh"], Action.APPROVE)
    assert told() == ["nk_cz", "nk_sh"]  # the reviewer told of the submission, then the county's 财政
    assert sorted(address for mail in mailoutbox for address in mail.to) == [
        "nk_cz@example.gov.cn", "nk_sh@example.gov.cn"]


def test_one_level_a_county_submission_tells_the_county_finance_only(tree):
    _units, people, filings = tree
    set_levels("NK", 1)
    act(filings["NKU"], people["nk_tb"], Action.SUBMIT)
    assert told() == ["nk_cz"]
    with pytest.raises(PermissionDenied):  # no 主管部门 level here
        perform(reload(filings["NKU"]), people["nk_sh"], Action.APPROVE, FilingStatus.SUBMITTED)


def test_one_level_inherited_from_the_city_tells_the_county_finance_not_the_citys(tree):
    _units, people, filings = tree
    set_levels("NC", 1)  # the county leaves it open: the city's one level applies, the county's 财政 reviews
    act(filings["NKU"], people["nk_tb"], Action.SUBMIT)
    assert told() == ["nk_cz"]


# --- whose 财政 turn it is ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [FilingStatus.DEPARTMENT_APPROVED, "one level submitted"])
def test_higher_bureaus_see_a_county_filing_but_only_the_county_reviews_it(tree, status):
    _units, people, filings = tree
    if status != FilingStatus.DEPARTMENT_APPROVED:
        set_levels("NK", 1)
        status = FilingStatus.SUBMITTED
    county = put(filings["NKU"], status, people["nk_tb"])
    for username in ("np_cz", "nc_cz"):
        user = people[username]
        scope = Scope.of(user)
        assert visible_filings(user).filter(pk=county.pk).exists()
        assert not queues.to_review(user, scope=scope).filter(pk=county.pk).exists()
        assert not can_review(user, county) and not scope.can_review(county)
        with pytest.raises(PermissionDenied):
            perform(county, user, Action.APPROVE, status)
    finance = people["nk_cz"]
    assert list(queues.to_review(finance)) == [county]
    assert can_review(finance, county) and Scope.of(finance).can_review(county)
    perform(county, finance, Action.APPROVE, status)
    assert reload(county).status == FilingStatus.APPROVED


def test_each_bureau_has_its_own_filings_in_its_queue(tree):
    _units, people, filings = tree
    for code, filing in filings.items():
        put(filing, FilingStatus.DEPARTMENT_APPROVED, people[f"{code[:2].lower()}_tb"])
    for level in ("np", "nc", "nk"):
        queue = queues.to_review(people[f"{level}_cz"])
        assert [filing.unit.code for filing in queue] == [f"{level.upper()}U"], level


def test_the_province_excludes_its_cities_not_every_bureau_below(tree, django_assert_num_queries):
    units, people, _filings = tree
    scope = Scope.of(people["np_cz"])
    assert scope.bureaus.under(units["NP"].path) == [units["NC"]]
    with django_assert_num_queries(1):  # the province's own units resolved once per Scope, however often asked
        condition = scope.review_condition()
        assert scope.review_condition() == condition
    [own] = scope.zone_units.values()
    assert own == sorted(units[code].pk for code in ("NP", "NPD", "NPU"))


@pytest.mark.parametrize("levels", [(2, None, None), (2, None, 1), (2, 1, None), (1, 2, 2), (None, 1, 2)])
@pytest.mark.parametrize("status", [FilingStatus.SUBMITTED, FilingStatus.DEPARTMENT_APPROVED])
def test_queue_and_can_review_agree_for_everyone_in_the_tree(tree, levels, status):
    units, people, filings = tree
    above = User.objects.create_user("nc_bureau_sh")  # a 审核人 above a county whose setting may differ
    Membership.objects.create(user=above, unit=units["NC"], role=Role.REVIEWER)
    people["nc_bureau_sh"] = above
    for code, value in zip(LEVELS, levels, strict=True):
        set_levels(code, value)
    for code, filing in filings.items():
        put(filing, status, people[f"{code[:2].lower()}_tb"])
    for username, user in people.items():
        scope = Scope.of(user)
        queue = set(queues.to_review(user, scope=scope).values_list("pk", flat=True))
        for filing in filings.values():
            filing = reload(filing)
            reviews = can_review(user, filing)
            assert scope.can_review(filing) == reviews, (username, filing.unit.code)
            assert (filing.pk in queue) == reviews, (username, filing.unit.code)


# --- deadlines and reminders -------------------------------------------------------------------------------------

def deadline(code, days, year=2026):
    return FilingDeadline.objects.create(region=Unit.objects.get(code=code), year=year,
                                         due_on=timezone.localdate() + datetime.timedelta(days=days))


def test_a_units_deadline_is_its_nearest_bureaus_falling_back_upward(tree):
    units, _people, _filings = tree
    city = deadline("NC", 10)
    bureaus = Bureaus.of_unit(units["NKU"], 2026)
    assert bureaus.deadline(units["NKU"].path) == city  # the county set none: the city's
    assert Bureaus.of_unit(units["NPU"], 2026).deadline(units["NPU"].path) is None  # the province set none
    county = deadline("NK", 5)
    assert Bureaus.of_unit(units["NKU"], 2026).due_on(units["NKU"].path) == county.due_on  # its own wins
    assert Bureaus.of_unit(units["NCU"], 2026).due_on(units["NCU"].path) == city.due_on


def remind() -> str:
    out = io.StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("remind_deadlines", stdout=out)
    run_tasks()
    return out.getvalue()


def reminders() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for username, message in Notification.objects.values_list("user__username", "message"):
        found.setdefault(username, []).append(message)
    return found


def test_reminders_use_each_units_effective_deadline_once_a_day(tree, mailoutbox):
    deadline("NP", 6)
    city, county = deadline("NC", 3), deadline("NK", 5)
    remind()
    remind()  # again the same day: nobody twice
    found = reminders()
    assert sorted(found) == ["nc_tb", "nk_tb", "np_tb"]
    assert all(len(messages) == 1 for messages in found.values())
    assert f"{county.due_on:%Y年%m月%d日}" in found["nk_tb"][0]  # the county's own date, not the city's
    assert f"{city.due_on:%Y年%m月%d日}" in found["nc_tb"][0]
    assert len(mailoutbox) == 3


def test_a_county_with_a_later_date_of_its_own_is_not_reminded_by_the_citys(tree):
    deadline("NC", 3)
    deadline("NK", 20)  # outside the reminder window
    output = remind()
    assert sorted(reminders()) == ["nc_tb"]
    assert "NK单位" not in output


def test_a_county_without_a_date_is_reminded_by_the_citys(tree):
    city = deadline("NC", 2)
    remind()
    found = reminders()
    assert sorted(found) == ["nc_tb", "nk_tb"]
    assert f"{city.due_on:%Y年%m月%d日}" in found["nk_tb"][0]


# --- the 主管部门 turn: 审核人 within the nearest bureau -----------------------------------------------------

def test_a_reviewer_at_a_bureau_is_told_of_its_own_units_and_reviews_only_what_they_are_told_of(tree):
    """A 审核人 at the city bureau reviews the units directly under it (no 主管部门 between) and is told of their
    submissions; a county's filings are the county's 审核人's, neither told to nor reviewable by the city's."""
    units, people, filings = tree
    above = User.objects.create_user("nc_bureau_sh")
    Membership.objects.create(user=above, unit=units["NC"], role=Role.REVIEWER)
    direct = Unit.objects.create(code="NCX", name="市直属单位", kind=UnitKind.UNIT, parent=units["NC"])
    filer = User.objects.create_user("ncx_tb")
    Membership.objects.create(user=filer, unit=direct, role=Role.FILER)
    own = filings["NKU"]  # a complete filing, moved to the unit directly under the city bureau
    Filing.objects.filter(pk=own.pk).update(unit=direct)
    act(own, filer, Action.SUBMIT)
    assert told() == ["nc_bureau_sh"]
    assert can_review(above, reload(own)) and Scope.of(above).can_review(reload(own))
    county = Filing.objects.create(kind=FilingKind.DEPARTMENT, unit=units["NKU"], year=own.year + 1,
                                   variant=own.variant, scheme=own.scheme)
    county = put(county, FilingStatus.SUBMITTED, people["nk_tb"])
    scope = Scope.of(above)
    assert not can_review(above, county) and not scope.can_review(county)
    assert set(queues.to_review(above, scope=scope)) == {reload(own)}

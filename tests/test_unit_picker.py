"""The unit picker of the list filters (filings/forms/units.py) and its search (filings:unit_search): only units of
the user's scope are found or accepted; without JavaScript a typed code or exact name still resolves; an ambiguous
or unknown text is an error next to the field that keeps what was typed."""

import re
from html import unescape

import pytest
from django.urls import reverse

from filings.models import Filing, FilingStatus, Unit, UnitKind

from .personas import sign_in

SEARCH = reverse("filings:unit_search")
QUEUE = reverse("filings:queue")


def unit(code) -> Unit:
    return Unit.objects.get(code=code)


def found(client, q, **params) -> list[str]:
    """The codes of the units a search offers."""
    response = client.get(SEARCH, {"q": q, **params})
    assert response.status_code == 200
    ids = [int(pk) for pk in re.findall(r'data-unit-id="(\d+)"', response.content.decode())]
    return [unit.code for unit in sorted(Unit.objects.filter(pk__in=ids), key=lambda u: u.path)]


def queue_page(client, **params) -> str:
    response = client.get(QUEUE, {"tab": "review", **params})
    assert response.status_code == 200
    return response.content.decode()


def listed(page: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr data-filing="(\d+)">', page)}


def picker(page: str) -> tuple[str, str]:
    """The first unit picker's (hidden id, text shown)."""
    text = re.search(r'<input type="text" name="unit_q"[^>]*value="([^"]*)"', page).group(1)
    chosen = re.search(r'<input type="hidden" name="unit" value="([^"]*)" class="unit-picker-id">', page).group(1)
    return chosen, unescape(text)


def error_next_to_unit(page: str) -> str:
    block = re.search(r'<div id="div_id_unit".*?</div>\s*</div>', page, re.S)
    errors = re.findall(r'<p id="error_\d+_id_unit"><strong>(.*?)</strong>', page)
    assert block is not None
    return " ".join(unescape(e) for e in errors)


@pytest.fixture
def in_review(demo):
    """Every seed filing of 柴桑区 waiting for 财政 (主管部门-approved): s0-dept (总医院), s1-dept and s1-proj1
    (医保局); 阳泉's waiting for their 主管部门 (submitted)."""
    seeds = Filing.objects.filter(source__startswith="seed:")
    seeds.update(status=FilingStatus.DEPARTMENT_APPROVED)
    seeds.filter(unit__path__startswith=unit("140300").path).update(status=FilingStatus.SUBMITTED)
    return demo


# --- the search ----------------------------------------------------------------------------------------------------

def test_the_search_finds_units_of_the_scope_only(client, demo):
    sign_in(client, "cs_wjw")  # 审核人 of 327002 卫健委
    assert found(client, "柴桑区") == ["327002", "327002001"]  # not 医保局, another 主管部门 of the region
    assert found(client, "医疗保障") == []
    sign_in(client, "cs_czj")  # 财政 of 360404
    assert found(client, "柴桑区") == ["327001", "327002", "327002001"]  # the 财政 unit itself only on request
    assert found(client, "柴桑区", finance="1") == ["360404", "327001", "327002", "327002001"]
    assert found(client, "阳泉") == [] and found(client, "063") == []
    sign_in(client, "yq_wjw")
    assert found(client, "柴桑") == [] and found(client, "3270") == []


def test_the_search_matches_a_name_anywhere_and_a_code_from_its_start(client, demo):
    sign_in(client, "cs_czj")
    assert found(client, "总医院") == ["327002001"]
    assert found(client, "327002") == ["327002", "327002001"]
    assert found(client, "7002") == []  # a code matches from its start only
    assert found(client, "  ") == []


def test_the_search_says_when_nothing_matches_and_offers_at_most_twenty(client, demo):
    sign_in(client, "cs_czj")
    response = client.get(SEARCH, {"q": "没有这个单位", "for": "id_unit"})
    assert "没有找到匹配的单位" in response.content.decode()
    commission = unit("327002")
    for n in range(25):
        Unit.objects.create(code=f"327002{n + 100}", name=f"测试卫生院{n:02d}", parent=commission, kind=UnitKind.UNIT)
    page = client.get(SEARCH, {"q": "测试卫生院", "for": "id_unit"}).content.decode()
    assert page.count('role="option"') == 20
    assert "只显示前 20 个" in page and 'id="id_unit-option-' in page
    assert client.get(SEARCH, {"q": "x", "for": '"><script>'}).content.decode().count("<script>") == 0


def test_the_search_is_for_signed_in_users(client, demo):
    response = client.get(SEARCH, {"q": "柴桑"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- the field: ids and typed text ---------------------------------------------------------------------------------

def test_a_chosen_id_filters_and_shows_the_units_name(client, in_review):
    sign_in(client, "cs_czj")
    insurance = unit("327001")
    page = queue_page(client, unit=insurance.pk)
    assert listed(page) == {in_review["s1-dept"].pk, in_review["s1-proj1"].pk}
    assert picker(page) == (str(insurance.pk), "九江市柴桑区医疗保障局")


def test_an_id_outside_the_scope_is_refused_like_an_unknown_one(client, in_review):
    sign_in(client, "yq_wjw")  # 阳泉: 327001 is not theirs
    outside = queue_page(client, unit=unit("327001").pk)
    unknown = queue_page(client, unit="999999")
    for page in (outside, unknown):
        assert error_next_to_unit(page) == "没有找到这个单位，或您无权查看。请输入单位名称或代码，从列表中选择。"
        assert "九江市柴桑区医疗保障局" not in page
        assert picker(page) == ("", "")
    everything = listed(queue_page(client))
    assert in_review["s3-proj1"].pk in everything
    assert listed(outside) == listed(unknown) == everything  # the filter is ignored


@pytest.mark.parametrize("typed", ["327001", "九江市柴桑区医疗保障局", " 327001 "])
def test_without_javascript_a_typed_code_or_exact_name_resolves(client, in_review, typed):
    sign_in(client, "cs_czj")
    page = queue_page(client, unit="", unit_q=typed)
    assert listed(page) == {in_review["s1-dept"].pk, in_review["s1-proj1"].pk}
    assert error_next_to_unit(page) == ""
    assert f'<input type="hidden" name="unit" value="{unit("327001").pk}">' in page  # the batch form's filter


def test_a_name_or_code_outside_the_scope_is_unknown_and_kept(client, in_review):
    sign_in(client, "yq_wjw")
    for typed in ["九江市柴桑区医疗保障局", "327001", "医保"]:
        page = queue_page(client, unit_q=typed)
        assert error_next_to_unit(page) == "没有找到这个单位，或您无权查看。请输入单位名称或代码，从列表中选择。"
        assert picker(page) == ("", typed)  # what was typed stays in the field
        assert listed(page) == listed(queue_page(client)) != set()


def test_an_ambiguous_name_asks_for_a_choice_and_keeps_the_text(client, in_review):
    commission = unit("327002")
    for code in ("327002101", "327002102"):
        Unit.objects.create(code=code, name="柴桑区同名卫生院", parent=commission, kind=UnitKind.UNIT)
    sign_in(client, "cs_czj")
    page = queue_page(client, unit_q="柴桑区同名卫生院")
    assert error_next_to_unit(page) == "有 2 个单位名为“柴桑区同名卫生院”，请从列表中选择，或输入单位代码。"
    assert picker(page) == ("", "柴桑区同名卫生院")
    assert 'class="form-control unit-picker-text is-invalid"' in page
    assert len(listed(page)) == 3  # not filtered
    chosen = queue_page(client, unit_q="327002102")  # its code resolves it
    assert error_next_to_unit(chosen) == "" and listed(chosen) == set()


def test_text_typed_over_a_chosen_unit_wins_and_emptied_text_chooses_nothing(client, in_review):
    sign_in(client, "cs_czj")
    hospital, insurance = unit("327002001"), unit("327001")
    page = queue_page(client, unit=hospital.pk, unit_q="九江市柴桑区医疗保障局")  # the id left behind without JS
    assert listed(page) == {in_review["s1-dept"].pk, in_review["s1-proj1"].pk}
    page = queue_page(client, unit=hospital.pk, unit_q="九江市柴桑区总医院")  # picked: name and id agree
    assert listed(page) == {in_review["s0-dept"].pk}
    page = queue_page(client, unit=insurance.pk, unit_q="")
    assert len(listed(page)) == 3 and error_next_to_unit(page) == ""


def test_the_project_list_and_unit_events_resolve_typed_units(client, demo):
    sign_in(client, "cs_czj")
    page = client.get(reverse("filings:projects"), {"unit_q": "327001", "year": "2025"}).content.decode()
    assert "九江市柴桑区医疗保障局 · 2025 年度" in page and "基层医保经办服务能力建设补助资金" in page
    page = client.get(reverse("filings:unit_events"), {"unit_q": "360404"}).content.decode()  # a 财政 unit here
    assert error_next_to_unit(page) == ""
    sign_in(client, "yq_wjw")
    page = client.get(reverse("filings:projects"), {"unit_q": "327001"}).content.decode()
    assert "没有找到这个单位，或您无权查看。" in page and "基层医保经办服务能力建设补助资金" not in page

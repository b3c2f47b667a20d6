"""Known server errors from odd parameters (issue 12 part 4): a digit that only looks like one, a huge number, NUL.

``str.isdigit()`` is true for “²”, “①” or “٣”, which ``int()`` refuses or reads; PostgreSQL refuses NUL in text. Every
one of these answered 500; now each gets an ordinary page or a 404. Run on PostgreSQL too (DATABASE_URL).
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from filings.models.project import years_in
from filings.text import ascii_number

from .pages import error_summary, html, login, open_step, step_url

ODD_NUMBERS = ["²", "①", "٣", "１", "99999999999999999999999", "-1", " 1", "1\x00", "\x00"]


def client_for(username) -> Client:
    client = Client(raise_request_exception=False)
    return login(client, username)


@pytest.mark.parametrize("text, number", [("12", 12), ("²", None), ("①", None), ("٣", None), ("１", None), ("", None),
                                          ("-1", None), ("1" * 19, None), (None, None), ("0", 0)])
def test_only_ascii_digits_are_numbers(text, number):
    assert ascii_number(text) == number


def test_a_project_period_in_superscript_digits_states_no_years():
    assert years_in("²年") is None and years_in("3年") == 3 and years_in("三年") == 3


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_suggestions_with_an_odd_category_show_no_suggestions(demo, value):
    filing = demo["s1-dept"]
    response = client_for("cs_ybj").get(reverse("filings:suggestions", args=[filing.pk]), {"category": value})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["\x00", "卫生\x00", "\x01\x02", "%", "_", "\\", "'", "\ud7ff"])
def test_suggestions_search_with_nul_or_control_characters(demo, query):
    filing = demo["s1-dept"]
    category = filing.indicators.exclude(category__isnull=True).first().category_id
    response = client_for("cs_ybj").get(reverse("filings:suggestions", args=[filing.pk]),
                                        {"category": category, "q": query})
    assert response.status_code == 200
    assert "\x00" not in html(response)


def test_the_reading_of_a_value_with_nul(demo):
    response = client_for("cs_ybj").get(reverse("filings:reading"), {"indicators-0-value_text": "≥\x0095%"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_comparing_versions_with_an_odd_number_is_a_404(demo, value):
    filing = demo["s1-dept"]
    client = client_for("cs_ybj")
    for parameter in ["from", "to"]:
        response = client.get(reverse("filings:changes", args=[filing.pk]), {parameter: value})
        assert response.status_code == 404, (parameter, value)


@pytest.mark.parametrize("value", ["²", "①", "99999999999999999999999", "\x00"])
def test_an_indicator_row_with_an_odd_category_is_refused(demo, value):
    filing = demo["s1-dept"]
    client = client_for("cs_ybj")
    _, data = open_step(client, filing, "indicators")
    data["indicators-0-category"] = value
    response = client.post(step_url(filing, "indicators"), data)
    assert response.status_code == 422
    assert error_summary(html(response))


@pytest.mark.parametrize("value", ["²", "99999999999999999999999"])
def test_the_admin_change_page_of_an_odd_id(demo, value):
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    response = client.get(f"/admin/filings/filing/{value}/change/")
    assert response.status_code in {302, 404}


@pytest.mark.parametrize("step, total", [("functions", "100000"), ("indicators", "100000"), ("functions", "1000")])
def test_a_forged_form_count_builds_no_more_rows_than_were_posted(demo, step, total):
    filing = demo["s1-dept"]
    client = client_for("cs_ybj")
    response, data = open_step(client, filing, step)
    rows = html(response).count(f'name="{step}-')
    data[f"{step}-TOTAL_FORMS"] = total
    response = client.post(step_url(filing, step), data)
    assert response.status_code in {302, 422}
    if response.status_code == 422:  # over Django's 1,000 forms: said so, and only the posted rows come back
        assert "1000" in html(response)
        assert html(response).count(f'name="{step}-') <= rows + 10


@pytest.mark.parametrize("url", ["/admin/auth/user/1/change/", "/admin/filings/unit/1/change/",
                                 "/admin/filings/filing/1/change/"])
def test_an_empty_to_field_parameter_on_an_admin_page(demo, url):
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.filter(is_superuser=True).first())
    assert client.get(url, {"_to_field": ""}).status_code == 200
    assert client.get(url, {"_to_field": "nonsense"}).status_code == 400  # the admin's own check still applies


HUGE = [str(2**31), str(2**63), "9" * 30, "-" + "9" * 30]


@pytest.mark.parametrize("value", HUGE)
def test_numbers_beyond_the_database_columns_are_refused_in_forms(demo, value):
    """Integer out of range is an error on PostgreSQL, not an empty result: every choice and number field refuses
    such a value with a message instead."""
    filer, finance = client_for("cs_zyy"), client_for("cs_czj")
    unit = str(demo["s0-dept"].unit_id)
    assert filer.post(reverse("home"), {"unit": value, "year": "2031", "variant": "1"}).status_code == 200
    assert filer.post(reverse("home"), {"unit": unit, "year": value, "variant": value}).status_code == 200
    new_project = {"name": "新项目", "year": value, "variant": value}
    assert filer.post(reverse("filings:projects"), new_project).status_code == 200
    assert filer.get(reverse("filings:projects"), {"unit": value, "year": value}).status_code == 200
    assert finance.post(reverse("filings:overview"), {"region": value, "year": "2026", "due_on": "2026-03-31"}
                        ).status_code in {200, 302}
    assert finance.get(reverse("filings:queue"), {"unit": value, "year": value}).status_code == 200
    assert finance.get(reverse("filings:overview"), {"year": value}).status_code == 200
    assert filer.post(reverse("filings:copy", args=[demo["s0-dept"].pk]), {"year": value}).status_code == 302
    assert filer.get(reverse("filings:notifications"), {"page": value}).status_code == 200


@pytest.mark.parametrize("value", HUGE)
def test_counts_beyond_the_database_columns_are_refused_next_to_the_field(demo, value):
    filing = demo["s1-dept"]
    client = client_for("cs_ybj")
    _, data = open_step(client, filing, "unit")
    counts = [name for name in data if "staff" in name or "count" in name or "number" in name]
    assert counts, sorted(data)
    data[counts[0]] = value
    response = client.post(step_url(filing, "unit"), data)
    assert response.status_code == 422
    assert error_summary(html(response))


@pytest.mark.parametrize("value", ["sNaN", "NaN", "-Infinity", "snan123"])
@pytest.mark.parametrize("step", ["tasks", "budget"])
def test_not_a_number_in_an_amount_is_refused_next_to_the_field(demo, step, value):
    """Found by the fuzz suite: comparing a signalling NaN with the saved amount raised decimal.InvalidOperation."""
    filing = demo["s1-dept"]
    client = client_for("cs_ybj")
    _, data = open_step(client, filing, step)
    amounts = [name for name, typed in data.items() if "amount" in name or "income" in name or "expenditure" in name]
    assert amounts, sorted(data)
    for name in amounts[:3]:
        data[name] = value
    response = client.post(step_url(filing, step), data)
    assert response.status_code == 422
    assert error_summary(html(response))


@pytest.mark.parametrize("text", ["\x00", "卫生\x00", "\x01卫生"])
def test_the_unit_search_and_the_unit_filters_with_nul(demo, text):
    """PostgreSQL refuses NUL in text: the unit picker's search and a typed unit name with one were server errors."""
    finance, filer = client_for("cs_czj"), client_for("cs_zyy")
    response = finance.get(reverse("filings:unit_search"), {"q": text})
    assert response.status_code == 200 and "\x00" not in html(response)
    for client, url in [(finance, reverse("filings:queue")), (finance, reverse("home")),
                        (finance, reverse("filings:unit_events")), (filer, reverse("filings:projects"))]:
        response = client.get(url, {"unit": "", "unit_q": text})
        assert response.status_code == 200, url
        assert "\x00" not in html(response), url

"""A 财政 administrator signs in to the admin and finds the seed filings with their rows and indicators."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page, username="admin", password="perfbudget-demo"):
    page.goto(page.base_url + "/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_administrator_finds_a_project_filing_with_both_indicator_sets(page, screenshot):
    sign_in(page)
    page.get_by_role("link", name="绩效目标申报表").first.click()
    expect(page.locator("#result_list tbody tr")).to_have_count(12)
    screenshot("admin-filing-list")

    page.fill("#searchbar", "公立医院综合改革")
    page.keyboard.press("Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list tbody tr th a").first.click()

    expect(page.locator("#id_project-0-name")).to_have_value(
        "2024年中央财政医疗服务与保障能力提升（公立医院综合改革）补助资金")
    expect(page.locator("#id_project-0-implementation_total")).to_have_value("550000")
    names = page.locator("input[id^=id_indicators-][id$=-name]:not([id*=__prefix__])")
    expect(names).to_have_count(12)
    assert "患者满意度" in [names.nth(i).input_value() for i in range(names.count())]
    screenshot("admin-project-filing")


def test_wrong_password_is_refused_in_chinese(page):
    sign_in(page, password="wrong")
    expect(page.locator(".errornote")).to_contain_text("请输入一个正确的")

"""A 财政 administrator signs in to the admin and finds the seed filings with their rows and indicators."""

import re

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


def test_administrator_copies_a_variant_relabels_it_and_previews_the_printed_form(page, screenshot):
    sign_in(page)
    page.goto(page.base_url + "/admin/filings/formvariant/")
    page.get_by_role("link", name="项目支出绩效目标表（湖南）").click()
    page.locator("#variant-copy-link").click()
    page.fill("#id_code", "proj-hunan-2027")
    page.fill("#id_name", "项目支出绩效目标表（湖南2027）")
    page.click("#variant-copy-submit")
    expect(page.locator(".messagelist")).to_contain_text("已复制为新表样")
    expect(page.locator("#id_name")).to_have_value("项目支出绩效目标表（湖南2027）")

    layout = page.locator("#id_layout")
    typed = layout.input_value()
    assert '"label": "项目支出名称"' in typed  # pretty-printed, one key a line
    layout.fill(typed.replace('"label": "项目支出名称"', '"label": "项目支出名称（2027版）"', 1))
    page.fill("#id_name", "项目支出绩效目标表（湖南2027版）")
    page.click("#variant-preview-button")
    preview = page.locator("#variant-preview")
    expect(preview).to_contain_text("预览（尚未保存）")
    expect(preview.locator(".printed-form")).to_contain_text("项目支出名称（2027版）")  # the unsaved layout prints
    expect(preview).to_contain_text("（示例单位）")
    expect(page.locator("#id_layout")).to_have_value(re.compile("项目支出名称（2027版）"))
    screenshot("admin-variant-preview-unsaved")

    page.locator("#id_layout").fill(page.locator("#id_layout").input_value().replace('"blocks"', '"blocks" [', 1))
    page.click("input[name=_save]")
    expect(page.locator(".field-layout .errorlist")).to_contain_text("布局不是有效的 JSON")
    page.locator("#id_layout").fill(page.locator("#id_layout").input_value().replace('"blocks" [', '"blocks"', 1))
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("成功修改了")
    page.locator("#variant-preview-link").click()
    expect(page.locator("#variant-preview .printed-form")).to_contain_text("（示例指标）")
    expect(page.locator("#variant-preview .printed-form")).to_contain_text("项目支出名称（2027版）")
    expect(page.locator(".breadcrumbs")).to_contain_text("项目支出绩效目标表（湖南2027版）")
    screenshot("admin-variant-preview")

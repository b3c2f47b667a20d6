"""财政 moves the region's deadline on the 年度概览, then reads on 单位操作记录 who moved it from when to when."""

from playwright.sync_api import expect

from .helpers import shoot, sign_in


def set_deadline(page, due_on: str):
    page.goto(f"{page.base_url}/filings/overview/?year=2026")
    page.locator("#deadline_due_on").fill(due_on)
    with page.expect_navigation():
        page.locator("form[action*=overview]").get_by_role("button", name="保存").click()
    expect(page.get_by_role("status").first).to_contain_text(due_on)


def test_finance_reads_each_move_of_the_deadline_on_the_unit_events_page(page, demo):
    sign_in(page, "cs_czj")
    set_deadline(page, "2026-03-31")
    set_deadline(page, "2026-04-15")
    with page.expect_navigation():
        page.get_by_role("link", name="截止日期的设置记录（单位操作记录）").click()
    expect(page.get_by_role("heading", name="单位操作记录")).to_be_visible()
    rows = page.locator("table.unit-events tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("设置截止日期")
    expect(rows.first).to_contain_text("截止日期：2026-03-31 → 2026-04-15")
    expect(rows.nth(1)).to_contain_text("截止日期：（空） → 2026-03-31")
    shoot(page, "unit-events-deadlines")
    page.get_by_label("操作").select_option(label="成员变更")
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    expect(page.locator("table.unit-events tbody")).to_contain_text("没有符合条件的记录")

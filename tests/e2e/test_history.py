"""A filer saves a step, then reads the filing's 历史记录: who changed which field from what to what."""

from playwright.sync_api import expect

from .helpers import shoot, sign_in


def test_the_filer_reads_what_a_save_changed_on_the_history_page(page, demo):
    filing = demo["s2-dept"]
    sign_in(page, "dp_bj")
    page.goto(f"{page.base_url}/filings/{filing.pk}/step/unit/")
    page.get_by_label("经办人").fill("王小明")  # the 88号 form asks 经办人 on its sign-off line
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    page.goto(f"{page.base_url}/filings/{filing.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="历史记录").click()
    expect(page.get_by_role("heading", name="历史记录")).to_be_visible()
    first = page.locator("table.history tbody tr").first
    expect(first).to_contain_text("保存步骤")
    expect(first).to_contain_text("经办人")
    expect(first).to_contain_text("→ 王小明")
    shoot(page, "history-01-after-a-save")

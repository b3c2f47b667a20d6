"""财政 opens the 年度概览 of its region, drills into a 主管部门 down to its units, climbs back by the breadcrumb."""

from playwright.sync_api import expect

from .helpers import shoot, sign_in


def test_finance_drills_from_the_region_to_a_departments_units_and_back(page, demo):
    sign_in(page, "cs_czj")
    page.goto(f"{page.base_url}/filings/overview/?year=2026")
    levels = page.locator("table.overview-levels tbody tr")
    expect(levels).to_have_count(2)  # the region's two 主管部门, each with its branch
    expect(page.locator('tr[data-level="327002"]')).to_contain_text("主管部门")
    with page.expect_navigation():
        page.get_by_role("link", name="九江市柴桑区卫生健康委员会").click()
    units = page.locator("table.overview-table tbody tr")
    expect(units).to_have_count(2)
    expect(units.first).to_contain_text("九江市柴桑区卫生健康委员会（本级）")
    expect(page.locator('tr[data-unit="327002001"]')).to_contain_text("九江市柴桑区总医院")
    expect(page.get_by_role("navigation", name="所在层级")).to_contain_text("九江市柴桑区财政局")
    shoot(page, "overview-department-units")
    page.locator("#id_year").fill("2025")  # another year keeps the level (not the deadline form's 年度)
    with page.expect_navigation():
        page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", name="2025 年度 · 九江市柴桑区卫生健康委员会", exact=False)).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("navigation", name="所在层级").get_by_role("link", name="九江市柴桑区财政局").click()
    expect(page.locator("table.overview-levels tbody tr")).to_have_count(2)

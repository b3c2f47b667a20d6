"""The 工作台's unit filter is a search-as-you-type picker: typing shows matching units of one's scope, the arrow
keys and Enter pick one, and the list is filtered by it."""

from playwright.sync_api import expect

from filings.models import Filing, FilingStatus

from .helpers import shoot, sign_in


def test_finance_picks_a_unit_with_the_keyboard_and_the_queue_is_filtered(page, demo):
    hospital, insurance = demo["s0-dept"], demo["s1-dept"]  # 327002001 总医院, 327001 医保局: both 柴桑区
    sign_in(page, "cs_czj")
    Filing.objects.filter(pk__in=[hospital.pk, insurance.pk]).update(status=FilingStatus.DEPARTMENT_APPROVED)
    page.goto(f"{page.base_url}/filings/queue/?tab=review")
    rows = page.locator("table.queue-table tbody tr[data-filing]")
    expect(rows).to_have_count(2)

    field = page.get_by_role("combobox", name="单位（含下级）")
    field.press_sequentially("医疗保障", delay=50)
    results = page.locator("#id_unit-results")  # the picker's options (the drop-downs beside it have options too)
    options = results.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("九江市柴桑区医疗保障局")
    expect(page.locator(".unit-picker-status")).to_contain_text("找到 1 个单位")
    field.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", f"id_unit-option-{insurance.unit_id}")
    field.press("Enter")  # picks; does not submit
    expect(field).to_have_value("九江市柴桑区医疗保障局")
    expect(page.locator("input[type=hidden][name=unit]").first).to_have_value(str(insurance.unit_id))
    expect(options).to_have_count(0)
    shoot(page, "unit-picker-picked")
    with page.expect_navigation():
        field.press("Enter")  # now the form is submitted
    expect(rows).to_have_count(1)
    expect(page.locator(f'tr[data-filing="{insurance.pk}"]')).to_be_visible()
    expect(page.get_by_role("combobox", name="单位（含下级）")).to_have_value("九江市柴桑区医疗保障局")

    # nothing outside the scope, and a search that finds nothing says so
    field = page.get_by_role("combobox", name="单位（含下级）")
    field.fill("")
    field.press_sequentially("阳泉", delay=50)
    expect(page.locator(".unit-picker-none")).to_have_text("没有找到匹配的单位")
    expect(page.locator("#id_unit-results").get_by_role("option")).to_have_count(0)

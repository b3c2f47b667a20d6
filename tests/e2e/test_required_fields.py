"""Required fields in the browser (issue 14, item 7).

The indicator step's completeness banner (E5) is refreshed from the rows on the page when rows are added: rows are
added as the paste import adds them (``window.perfbudgetRows.addRow``) and ``perfbudget:rows-added`` is dispatched as
static/js/paste.js does after a paste. Nothing is saved until the filer saves. A save with required fields blank
says which, with links that lead to the fields. Screenshots: artifacts/screenshots/required-*.png.
"""

import re

import pytest
from playwright.sync_api import expect

from filings.models import Filing, Indicator
from filings.validation import validate_filing
from indicators.models import Category

from .helpers import shoot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def missing_categories(filing) -> list[tuple[str, Category]]:
    """(period, 二级 category) of every required 二级 the saved filing's sets lack, from its E5 findings."""
    level2 = {c.name: c for c in Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False)}
    periods = {"实施期": "implementation", "年度": "annual"}
    missing = []
    for finding in validate_filing(filing).for_step("indicators"):
        match = re.match(r"(实施期|年度)指标中“([^”]+)”至少需要一条三级指标", finding.message)
        if finding.code == "E5" and match and match[2] in level2:
            missing.append((periods[match[1]], level2[match[2]]))
    return missing


ADD_ROW = """([period, category, name, value]) => {
  const formset = document.querySelector(".indicator-editor.formset");
  const group = formset.querySelector(`.indicator-group[data-period="${period}"][data-category="${category}"]`);
  window.perfbudgetRows.addRow(formset, group.querySelector(".formset-rows"),
                               { category: String(category), period: period, name: name, value_text: value });
}"""
ROWS_ADDED = 'document.dispatchEvent(new CustomEvent("perfbudget:rows-added"))'


def test_the_completeness_banner_follows_rows_added_on_the_page_before_saving(page, demo):
    filing = demo["s3-proj1"]  # 阳泉: the seed's 实施期 set lacks a required 二级
    missing = missing_categories(filing)
    assert missing
    stored = Indicator.objects.filter(filing=filing).count()
    sign_in(page, "yq_sy")
    page.goto(f"{page.base_url}/filings/{filing.pk}/step/indicators/")
    banner = page.locator("#completeness-check")
    period, category = missing[0]
    wording = f"“{category.name}”至少需要一条三级指标"
    expect(banner).to_contain_text(wording)

    # A row elsewhere changes nothing about this category: the banner is refreshed and still says so.
    other = Category.objects.filter(scheme_id=filing.scheme_id, parent__isnull=False).exclude(pk=category.pk).first()
    page.evaluate(ADD_ROW, [period, other.pk, "其他指标", "≥1个"])
    page.evaluate(ROWS_ADDED)
    expect(banner).to_have_attribute("data-live", "page")
    expect(banner).to_contain_text(wording)

    page.evaluate(ADD_ROW, [period, category.pk, "项目成本控制数", "≤100万元"])
    page.evaluate(ROWS_ADDED)
    expect(banner).not_to_contain_text(wording)
    for _, other_category in missing[1:]:
        expect(banner).to_contain_text(f"“{other_category.name}”")
    if len(missing) == 1:
        expect(banner).to_contain_text("各必填的一级、二级指标都已有三级指标")
    shoot(page, "required-banner-refreshed")
    assert Indicator.objects.filter(filing=filing).count() == stored  # nothing saved yet

    # Removing the row on the page brings the finding back.
    added = page.locator(f"#group-{period}-{category.code} .indicator-row").last
    expect(added.locator(".indicator-name")).to_have_value("项目成本控制数")
    added.get_by_role("button", name="删除本行").click()
    expect(banner).to_contain_text(wording)


def test_a_save_with_blank_required_fields_names_them_with_links_to_the_fields(page, demo):
    filing = demo["s3-proj1"]  # 阳泉: 负责人, 经办人 and 联系电话 are blank in the seed
    sign_in(page, "yq_sy")
    page.goto(f"{page.base_url}/filings/{filing.pk}/step/project/")
    expect(page.locator(".required-legend")).to_have_text("带 * 的为必填项。")
    handler = page.get_by_label("经办人", exact=True)  # the mark is no part of the field's name
    expect(handler).to_have_attribute("aria-required", "true")
    page.get_by_label("实施单位", exact=True).fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    status = page.get_by_role("status").filter(has_text="已保存“项目基本信息”")
    expect(status).to_contain_text("还有 4 项必填内容未填写：实施单位、负责人、经办人、联系电话。")
    shoot(page, "required-saved-message")
    status.get_by_role("link", name="经办人").click()
    expect(page).to_have_url(re.compile(r"#field-handler$"))
    assert Filing.objects.get(pk=filing.pk).project.implementing_unit == ""  # the draft was saved


def test_a_real_paste_refreshes_the_completeness_banner(page, demo):
    """The whole chain: the paste panel adds the rows, static/js/paste.js announces them, the banner follows."""
    filing = demo["s3-proj1"]
    period, category = missing_categories(filing)[0]
    label = {"implementation": "实施期", "annual": "年度"}[period]
    sign_in(page, "yq_sy")
    page.goto(f"{page.base_url}/filings/{filing.pk}/step/indicators/")
    banner = page.locator("#completeness-check")
    wording = f"“{category.name}”至少需要一条三级指标"
    expect(banner).to_contain_text(wording)
    page.get_by_role("button", name=f"从Excel/Word粘贴{label}指标").click()
    page.get_by_label(f"粘贴{label}绩效指标表").fill(f"二级指标\t三级指标\t指标值\n{category.name}\t项目成本控制数\t≤100万元\n")
    preview = page.locator(f"#paste-preview-{period}")
    page.locator(f"#paste-{period}").get_by_role("button", name="预览", exact=True).click()
    preview.get_by_role("button", name="添加没有问题的 1 行").click()
    expect(preview.locator(".paste-message")).to_contain_text("已添加 1 行")
    expect(banner).not_to_contain_text(wording)

"""Paste import of indicator tables in the browser (issue 8).

A filer of 沅江 opens the indicator step of a draft, types into an existing row without saving, pastes seed 004's
基本公共卫生服务 table as Excel copies it (header, merged blank cells, the 湖南 alias 社会公众或服务对象满意度指标,
绩效标准 column), previews, adds the rows and saves. The database then holds the old rows with the typing and the
pasted rows in their groups. A paste with an unknown 二级 shows the
message and adds nothing until it is fixed. Screenshots: artifacts/screenshots/paste-*.png.
"""

import pytest
from playwright.sync_api import expect

from filings.models import Filing, Indicator
from indicators.hierarchy import CategoryResolver
from indicators.models import Category

from .helpers import seed_filing, shoot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TYPED = "查灭螺灭蚴覆盖面积（含复查）"


def copied_from_excel(rows):
    """Seed rows as Excel puts a table with merged 一级/二级 cells on the clipboard (blank = same as above)."""
    lines, above = ["一级指标\t二级指标\t三级指标\t指标值及单位\t绩效标准"], ("", "")
    for row in rows:
        level1 = "" if row["level1"] == above[0] else row["level1"]
        level2 = "" if (row["level1"], row["level2"]) == above else row["level2"]
        if level2.startswith("社会公众"):
            level1 = ""  # 湖南 prints the 满意度 rows with a blank 一级 cell
        lines.append("\t".join([level1, level2, row["name"], row["value"], row["standard"]]))
        above = (row["level1"], row["level2"])
    return "\r\n".join(lines) + "\r\n"


def stored(filing):
    return [(i.category.code, i.name, i.value_text, i.standard)
            for i in Indicator.objects.filter(filing=filing).select_related("category").order_by("order", "pk")]


def open_indicators(page, filing):
    page.goto(f"{page.base_url}/filings/{filing.pk}/step/indicators/")
    expect(page.locator("h1")).to_have_text("绩效指标")


def test_pasted_rows_are_added_next_to_unsaved_typing_and_saved(page, demo):
    filing = demo["s4-proj2"]
    before = stored(filing)
    pasted = seed_filing(4, "s4-proj1")["indicators"]
    sign_in(page, "yj_wjj")
    open_indicators(page, filing)

    # typing that is not saved yet
    first_name = page.locator("#group-annual-quantity .indicator-name").first
    first_name.fill(TYPED)

    page.get_by_role("button", name="从Excel/Word粘贴").click()
    page.get_by_label("粘贴年度绩效指标表").fill(copied_from_excel(pasted))
    page.get_by_role("button", name="预览", exact=True).click()
    preview = page.locator("#paste-preview-annual")
    expect(preview.locator("tr[data-add]")).to_have_count(len(pasted))
    expect(preview).to_contain_text("服务对象满意度指标 （表上：社会公众或服务对象满意度指标）")
    expect(preview.locator(".paste-errors")).to_have_count(0)
    shoot(page, "paste-preview")

    rows_before = page.locator(".indicator-row:not(.d-none)").count()
    preview.get_by_role("button", name=f"添加没有问题的 {len(pasted)} 行").click()
    expect(preview).to_contain_text(f"已添加 {len(pasted)} 行，跳过 0 行（尚未保存）")
    expect(page.locator(".indicator-row:not(.d-none)")).to_have_count(rows_before + len(pasted))
    satisfaction = page.locator("#group-annual-beneficiary_satisfaction .indicator-row")
    expect(satisfaction.last.locator(".indicator-name")).to_have_value("基本公共卫生服务对象满意度")
    expect(satisfaction.last.locator(".indicator-value")).to_have_value("≥90%")
    expect(satisfaction.last.locator(".reading")).to_contain_text("定量")
    expect(first_name).to_have_value(TYPED)  # nothing typed was lost
    expect(page.get_by_label("粘贴年度绩效指标表")).to_have_value("")
    shoot(page, "paste-added")

    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已保存“绩效指标”")

    # the old rows (the typing included) and the pasted ones, each 二级 group in the scheme's order
    edited = [(before[0][0], TYPED, *before[0][2:]), *before[1:]]
    resolver = CategoryResolver(filing.scheme)
    added = [(resolver.resolve(row["level1"], row["level2"]).code, row["name"], row["value"].strip(),
              row["standard"].strip()) for row in pasted]
    order = [c.code for c in Category.objects.of_scheme(filing.scheme_id) if c.parent_id]
    expected = [row for code in order for row in edited + added if row[0] == code]
    assert stored(Filing.objects.get(pk=filing.pk)) == expected


def test_a_row_with_an_unknown_second_level_stays_in_the_preview_until_fixed_there(page, demo):
    filing = demo["s4-proj2"]
    before = stored(filing)
    sign_in(page, "yj_wjj")
    open_indicators(page, filing)
    rows_before = page.locator(".indicator-row:not(.d-none)").count()

    page.get_by_role("button", name="从Excel/Word粘贴").click()
    box = page.get_by_label("粘贴年度绩效指标表")
    text = "产出指标\t数量指标\t门诊人次\t≥100人次\n\t投入指标\t资金到位率\t100%\n"
    box.fill(text)
    page.get_by_role("button", name="预览", exact=True).click()
    preview = page.locator("#paste-preview-annual")
    expect(preview.locator(".paste-errors")).to_contain_text("第2行第2列：指标体系“成本在产出指标下”中没有二级指标“投入指标”")
    expect(preview.locator("tr.table-danger").first.get_by_label("第2行的二级指标")).to_have_value("投入指标")
    shoot(page, "paste-unknown-level2")

    # the good row goes in at once; the broken one stays
    preview.get_by_role("button", name="添加没有问题的 1 行").click()
    expect(preview.locator(".paste-message")).to_contain_text("已添加 1 行，跳过 0 行（尚未保存）")
    expect(page.locator(".indicator-row:not(.d-none)")).to_have_count(rows_before + 1)
    expect(preview.locator("tr[data-add]")).to_have_count(0)
    expect(box).to_have_value(text)

    # fixed in the preview: now it can be added too, and nothing is added twice
    preview.get_by_label("第2行的二级指标").fill("质量指标")
    preview.get_by_role("button", name="更新预览").click()
    preview.get_by_role("button", name="添加没有问题的 1 行").click()
    expect(preview.locator(".paste-message")).to_contain_text("已添加 2 行，跳过 0 行（尚未保存）")
    expect(page.locator(".indicator-row:not(.d-none)")).to_have_count(rows_before + 2)
    expect(box).to_have_value("")
    quality = page.locator("#group-annual-quality .indicator-row")
    expect(quality.last.locator(".indicator-name")).to_have_value("资金到位率")
    assert stored(filing) == before  # added to the page only: saving is the user's step

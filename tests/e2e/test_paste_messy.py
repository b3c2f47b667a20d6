"""Real tables in, in the browser (issue 14): a messy printed table pasted, and a Word file with two tables.

The messy table has annotated 二级 names (（必填）, ★), a regional 一级 name (效果指标), a 成本 row written the way of
the other scheme, separate 计算符号/目标值/计量单位 columns, a 权重 column, one name no scheme knows and one broken row.
The filer of 沅江 switches the scheme in one click (their unsaved typing is saved with it), chooses the category of
the unknown name once, fixes the broken row in the preview, adds and saves: every row is stored as printed, the 权重
in 说明, nothing lost. Screenshots: artifacts/screenshots/paste-messy-*.png, paste-docx-*.png.
"""

import pytest
from playwright.sync_api import expect

from filings.models import Filing, Indicator
from indicators.models import Scheme
from tests.tables.files import docx_bytes

from .helpers import shoot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

TYPED = "查灭螺灭蚴覆盖面积（含复查）"

MESSY = ("一级指标\t二级指标\t三级指标\t计算符号\t目标值\t计量单位\t权重\n"
         "产出指标\t数量指标（必填）\t高血压患者管理人数\t≥\t41400\t人\t10\n"
         "\t质量指标★\t规范管理率\t≥\t60\t%\t10\n"
         "成本指标\t经济成本指标\t人均补助经费\t≤\t89\t元\t10\n"
         "效果指标\t社会效益指标\t居民健康水平\t\t有效提高\t\t20\n"
         "\t群众获得感指标\t居民获得感\t\t明显增强\t\t10\n"
         "满意度指标\t服务对象满意度指标\t患者满意度\t≥\t90\t%\t10\n"
         "\t\t\t≥\t95\t%\t5\n")

# (二级 category, 三级, 指标值, 说明) of each pasted row as it must be stored
MESSY_STORED = [
    ("数量指标", "高血压患者管理人数", "≥41400人", "权重：10"),
    ("质量指标", "规范管理率", "≥60%", "权重：10"),
    ("经济成本指标", "人均补助经费", "≤89元", "权重：10"),
    ("社会效益指标", "居民健康水平", "有效提高", "权重：20"),
    ("社会效益指标", "居民获得感", "明显增强", "权重：10"),
    ("服务对象满意度指标", "患者满意度", "≥90%", "权重：10"),
    ("服务对象满意度指标", "慢性病患者满意度", "≥95%", "权重：5"),
]


def stored(filing):
    return [(i.category.name, i.name, i.value_text, i.note)
            for i in Indicator.objects.filter(filing=filing).select_related("category").order_by("pk")]


def open_indicators(page, filing):
    page.goto(f"{page.base_url}/filings/{filing.pk}/step/indicators/")
    expect(page.locator("h1")).to_have_text("绩效指标")


def test_a_messy_table_lands_every_row_after_one_switch_one_choice_and_one_fix(page, demo):
    filing = demo["s4-proj2"]
    assert filing.scheme.code == "cost-under-output"
    before = stored(filing)
    sign_in(page, "yj_wjj")
    open_indicators(page, filing)
    first_name = page.locator("#group-annual-quantity .indicator-name").first
    first_name.fill(TYPED)  # typing that is not saved yet

    page.get_by_role("button", name="从Excel/Word粘贴").click()
    page.get_by_label("粘贴年度绩效指标表").fill(MESSY)
    page.get_by_role("button", name="预览", exact=True).click()
    preview = page.locator("#paste-preview-annual")
    for text in ("第4列“计算符号” →", "第6列“计量单位” →", "第7列“权重” →", "把“群众获得感指标”放到："):
        expect(preview).to_contain_text(text)
    expect(preview.get_by_label("第7列“权重” →")).to_have_value("note")
    shoot(page, "paste-messy-preview")

    # the 成本 row is written the way of the other scheme: one click switches, saving what was typed
    with page.expect_navigation():
        preview.get_by_role("button", name="改用“成本指标作为一级指标”并保存本页").click()
    expect(page.get_by_role("status").first).to_contain_text("指标体系已改为“成本指标作为一级指标”")
    filing = Filing.objects.get(pk=filing.pk)
    assert filing.scheme == Scheme.objects.get(code="cost-first")
    assert TYPED in [name for _, name, _, _ in stored(filing)]
    # the pasted text came back and was previewed again
    expect(page.get_by_label("粘贴年度绩效指标表")).to_have_value(MESSY)
    expect(preview.locator(".paste-switch-scheme")).to_have_count(0)
    expect(preview.locator("tr[data-add]")).to_have_count(5)

    # the unknown name, chosen once
    preview.get_by_label("把“群众获得感指标”放到：").select_option(label="社会效益指标")
    expect(preview.locator("tr[data-add]")).to_have_count(6)
    # the broken row, fixed in place
    preview.get_by_label("第8行的三级指标").fill("慢性病患者满意度")
    preview.get_by_label("第8行的三级指标").press("Enter")  # updates the preview, does not save the step
    expect(preview.locator(".paste-errors")).to_have_count(0)
    expect(preview.locator("tr[data-add]")).to_have_count(7)
    shoot(page, "paste-messy-fixed")

    rows_before = page.locator(".indicator-row:not(.d-none)").count()
    preview.get_by_role("button", name="添加没有问题的 7 行").click()
    expect(preview.locator(".paste-message")).to_contain_text("已添加 7 行，跳过 0 行（尚未保存）")
    expect(page.locator(".indicator-row:not(.d-none)")).to_have_count(rows_before + 7)
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("已保存")

    after = stored(Filing.objects.get(pk=filing.pk))
    assert after[len(before):] == MESSY_STORED
    assert len(after) == len(before) + len(MESSY_STORED)  # the rows there before are all still there
    assert TYPED in [name for _, name, _, _ in after[:len(before)]]


SIGNED = [["一级指标", "二级指标", "三级指标", "指标值"],
          ["产出指标", "数量指标", "上年门诊人次", "≥80人次"]]
CURRENT = [["一级指标", "二级指标", "三级指标", "指标值"],
           ["产出指标", "数量指标", "门诊人次", "≥100人次"],
           ["", "质量指标", "治愈率", "≥90%"],
           ["满意度指标", "服务对象满意度指标", "患者满意度", "≥95%"]]


def test_a_word_file_with_two_tables_the_second_picked_added_and_saved(page, demo):
    filing = demo["s0-dept"]
    before = stored(filing)
    sign_in(page, "cs_zyy")
    open_indicators(page, filing)
    page.get_by_role("button", name="从Excel/Word粘贴").click()
    page.get_by_label("选择Word或Excel文件").set_input_files({
        "name": "绩效目标表.docx", "buffer": docx_bytes([(SIGNED, []), (CURRENT, [])]),
        "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"})
    page.get_by_role("button", name="读取文件").click()
    preview = page.locator("#paste-preview-annual")
    expect(preview).to_contain_text("“绩效目标表.docx”中有 2 个表格")
    shoot(page, "paste-docx-tables")
    preview.get_by_role("radio").nth(1).check()
    preview.get_by_role("button", name="读取所选表格").click()
    expect(preview.locator("tr[data-add]")).to_have_count(3)
    expect(page.get_by_label("粘贴年度绩效指标表")).to_have_value(
        "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t门诊人次\t≥100人次\n\t质量指标\t治愈率\t≥90%\n"
        "满意度指标\t服务对象满意度指标\t患者满意度\t≥95%\n")
    preview.get_by_role("button", name="添加没有问题的 3 行").click()
    expect(preview.locator(".paste-message")).to_contain_text("已添加 3 行，跳过 0 行（尚未保存）")
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("已保存")
    assert stored(Filing.objects.get(pk=filing.pk)) == before + [
        ("数量指标", "门诊人次", "≥100人次", ""), ("质量指标", "治愈率", "≥90%", ""),
        ("服务对象满意度指标", "患者满意度", "≥95%", "")]

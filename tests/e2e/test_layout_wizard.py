"""In the browser: the indicator scheme is the filer's choice (rows move, saved, in the 历史记录), and a variant
loaded from a JSON layout shows and saves its own fields (部门预算编码, 权重, 计量单位, 定量/定性)."""

import pytest
from playwright.sync_api import expect

from filings.models import AnnualTask, Filing, FormVariant, Indicator

from ..test_layout_wizard import custom_layout
from .helpers import shoot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FILER = "cs_zyy"  # s0-dept, 江西, 成本为一级指标


def save(page, title):
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text=f"已保存“{title}”")).to_have_count(1)


def test_the_filer_switches_the_indicator_scheme_and_finds_it_in_the_history(page, demo):
    filing = demo["s0-dept"]
    cost = Indicator.objects.filter(filing=filing, category__code="economic_cost").order_by("order").first()
    total = Indicator.objects.filter(filing=filing).count()
    sign_in(page, FILER)
    page.goto(f"{page.base_url}/filings/{filing.pk}/step/indicators/")
    expect(page.locator(".level1-heading").first).to_have_text("成本指标")
    row = page.locator(f"#row-indicator-{cost.pk}")
    expect(row.locator("xpath=ancestor::div[contains(@class,'indicator-group')]//strong")).to_contain_text("经济成本指标")
    row.get_by_label("指标值", exact=True).fill("≤120万元")  # typed before the switch: saved with it
    page.get_by_label("成本指标列在产出指标下").check()
    shoot(page, "scheme-01-chosen")
    save(page, "绩效指标")
    expect(page.get_by_role("status").filter(has_text="指标体系已改为“成本指标列在产出指标下”")).to_have_count(1)
    expect(page.get_by_label("成本指标列在产出指标下")).to_be_checked()
    moved = page.locator(f"#row-indicator-{cost.pk}")
    group = moved.locator("xpath=ancestor::div[contains(@class,'indicator-group')]")
    expect(group.locator("strong")).to_contain_text("成本指标")
    expect(group.locator("xpath=preceding-sibling::h3[1]")).to_have_text("产出指标")
    expect(moved.get_by_label("指标值", exact=True)).to_have_value("≤120万元")
    expect(page.locator(".indicator-row")).to_have_count(total)
    shoot(page, "scheme-02-moved")
    saved = Filing.objects.get(pk=filing.pk)
    assert saved.scheme.code == "cost-under-output"
    assert Indicator.objects.filter(filing=filing).count() == total
    assert Indicator.objects.get(pk=cost.pk).category.code == "output_cost"

    page.goto(f"{page.base_url}/filings/{filing.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="历史记录").click()
    first = page.locator("table.history tbody tr").first
    expect(first).to_contain_text("保存步骤")
    expect(first).to_contain_text("指标体系")
    expect(first).to_contain_text("成本在产出指标下")
    shoot(page, "scheme-03-history")


def test_a_variant_from_a_json_layout_shows_and_saves_its_own_fields(page, demo):
    filing = demo["s0-dept"]
    variant = FormVariant.objects.get(pk=filing.variant_id)
    variant.pk, variant.code, variant.name = None, "dept-custom", "部门整体支出绩效目标表（自定义）"
    variant.layout = custom_layout()
    variant.save()
    Filing.objects.filter(pk=filing.pk).update(variant=variant)
    sign_in(page, FILER)

    page.goto(f"{page.base_url}/filings/{filing.pk}/step/unit/")
    expect(page.locator("form.wizard-form legend.h6:not(.visually-hidden)")).to_have_text(["人员编制情况"])
    expect(page.get_by_label("预算单位名称", exact=True)).to_have_value(filing.unit_name)
    code = page.get_by_label("部门预算编码", exact=True)
    code.fill("3010010000001")  # one character too many
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".error-summary")).to_contain_text("部门预算编码最多 12 个字，现有 13 个字。")
    expect(code).to_have_value("3010010000001")
    code.fill("301001")
    save(page, "单位基本信息")
    shoot(page, "layout-01-unit")

    page.goto(f"{page.base_url}/filings/{filing.pk}/step/tasks/")
    expect(page.locator("thead th").nth(1)).to_have_text("权重（%）")
    page.locator(".formset-row").first.get_by_label("权重（%）", exact=True).fill("40")
    page.get_by_role("button", name="添加一行").click()
    added = page.locator(".formset-row:not(.d-none)").last
    added.get_by_label("年度主要任务", exact=True).fill("新增的任务")
    added.get_by_label("权重（%）", exact=True).fill("10")
    save(page, "年度主要任务")
    weights = [task.extra.get("weight") for task in AnnualTask.objects.filter(filing=filing).order_by("order")]
    assert weights[0] == "40" and weights[-1] == "10"

    page.goto(f"{page.base_url}/filings/{filing.pk}/step/indicators/")
    group = page.locator(".indicator-group[data-period=annual]").first
    group.get_by_role("button", name="添加指标").click()
    row = group.locator(".formset-row:not(.d-none)").last
    row.get_by_label("三级指标", exact=True).fill("新建的指标")
    row.get_by_label("指标值", exact=True).fill("≥3")
    row.get_by_label("计量单位", exact=True).fill("个")
    row.get_by_label("定量/定性", exact=True).select_option("定量")
    shoot(page, "layout-02-indicator-columns")
    save(page, "绩效指标")
    added = Indicator.objects.get(filing=filing, name="新建的指标")
    assert added.extra == {"unit": "个", "kind": "定量"}
    expect(page.locator(f"#row-indicator-{added.pk}").get_by_label("计量单位", exact=True)).to_have_value("个")
    assert Filing.objects.get(pk=filing.pk).extra == {"budget_code": "301001"}

"""A filer fills seed 000's whole 部门整体支出绩效目标设置申报表（江西） through the wizard, over two sittings.

Issue 4's first "Done when": sign in as the demo filer of 九江市柴桑区总医院, start a new 2026 department filing from
the home page, type every field, row and indicator of seed 000 (fixtures/seeds/000.json), leave in the middle, sign
in again in another browser, continue where the task list says, finish, and find the seed's numbers, texts and
validation findings on the check page. Screenshots of every step go to artifacts/screenshots/wizard-*.png.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from filings.models import Filing, FilingKind, FormVariant, FunctionItem, Unit
from filings.money import to_yuan
from filings.services import create_department_filing
from filings.validation import validate_filing
from indicators.hierarchy import CategoryResolver
from indicators.models import Scheme

from .helpers import seed_filing, shoot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

FILER = "cs_zyy"
UNIT_CODE = "327002001"
UNIT_NAME = "九江市柴桑区总医院"
VARIANT = "部门整体支出绩效目标设置申报表（江西）"
CONTEXT_OPTIONS = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "viewport": {"width": 1400, "height": 900}}


def save_and_continue(page, next_heading):
    """保存并继续, then wait for the next page (a step or 核对并提交) to be there."""
    with page.expect_navigation():
        page.get_by_role("button", name="保存并继续").click()
    expect(page.locator("h1")).to_have_text(next_heading)
    expect(page.locator(".error-summary")).to_have_count(0)


def resolved_indicators(seed):
    """The seed's indicators as (name, value_text, 二级 code), in the seed's order."""
    resolver = CategoryResolver(Scheme.objects.get(code=seed["scheme"]))
    return [(row["name"], row["value"], resolver.resolve(row["level1"], row["level2"]).code)
            for row in seed["indicators"]]


def fill_unit_step(page, seed):
    header, facts = seed["header"], seed["department"]
    expect(page.get_by_label("部门（单位）名称", exact=True)).to_have_value(header["unit_name"])
    page.get_by_label("联系人", exact=True).fill(header["contact_person"])
    page.get_by_label("联系电话", exact=True).fill(header["contact_phone"])
    expect(page.get_by_label("部门职能依据（三定方案批文号）", exact=True)).to_have_value("")  # blank as printed
    page.get_by_label("部门职能简述", exact=True).fill(facts["function_summary"])
    # 近三年单位职能是否出现过重大变化 / 部门是否为一级预算主管部门: both boxes unticked on the printed form, and
    # a new filing must not answer them for the officer.
    expect(page.locator("input[type=radio]:checked"), "a 是/否 question is pre-answered").to_have_count(0)
    page.get_by_label("所属部门领域", exact=True).fill(facts["sector"])
    expect(page.get_by_label("直属部门包括", exact=True)).to_have_value("")
    for label, key in [("内设职能部门", "internal_department_count"), ("编制控制数", "staffing_quota"),
                       ("在职人员总数", "staff_total"), ("其中：行政编制人数", "staff_administrative"),
                       ("事业编制人数", "staff_institutional"), ("编外人数", "staff_extra")]:
        page.get_by_label(label, exact=True).fill(str(facts[key]))


def fill_budget_step(page, seed):
    facts = seed["department"]
    typed = {  # the layout's label on the page -> what the officer types (pasted formats on purpose)
        "批复数（万元）": facts["prior_approved"],
        "实际支出数（万元）": f" {facts['prior_actual']} ",  # pasted with stray spaces
        "执行率（%）": facts["prior_execution_rate"],
        "收入合计（万元）": facts["income_total"],
        "本级财政安排（万元）": "４２.００",  # full-width digits, as pasted from a PDF
        "其他（万元）": facts["income_other"],
        "支出合计（万元）": facts["expenditure_total"],
        "其中：人员经费（万元）": facts["expenditure_personnel"],
        "公用经费（万元）": facts["expenditure_public"],
        "项目经费（万元）": facts["expenditure_project"],
    }
    assert facts["income_local"] == "42.00"
    for label, value in typed.items():
        page.get_by_label(label, exact=True).fill(value)
    for label in ["调整数（万元）", "年末结转结余数（万元）", "其中：上级财政拨款（万元）",
                  "其他需要说明的事项"]:
        expect(page.get_by_label(label, exact=True)).to_have_value("")  # blank on the printed form
    # The live checks beside the fields: the recomputed 执行率 and the sums of the parts.
    expect(page.locator(".computed-rate output")).to_have_text("108.97%")
    expect(page.locator(".live-total[data-total=income_total] output")).to_have_text("636.17")
    expect(page.locator(".live-total[data-total=expenditure_total] output")).to_have_text("636.17")


def add_rows(page, rows, labels):
    """Add one row per item with 添加一行 and type its cells; labels map field keys to the cells' labels."""
    body = page.locator(".formset-rows")
    for number, row in enumerate(rows, start=1):
        page.get_by_role("button", name="添加一行").click()
        added = body.locator(".formset-row:not(.d-none)")
        expect(added).to_have_count(number)
        cells = added.nth(number - 1)
        for key, label in labels.items():
            cells.get_by_label(label, exact=True).fill(row[key])


def fill_indicators(page, indicators):
    for name, value, code in indicators:
        group = page.locator(f".indicator-group#group-annual-{code}")
        before = group.locator(".indicator-row").count()
        group.get_by_role("button", name="添加指标").click()
        rows = group.locator(".indicator-row")
        expect(rows).to_have_count(before + 1)
        row = rows.last
        expect(row.get_by_label("三级指标", exact=True)).to_be_focused()
        row.get_by_label("三级指标", exact=True).fill(name)
        row.get_by_label("指标值", exact=True).fill(value)
    # The parser's reading shown next to a value as it is typed (the last one too, before the screenshot).
    first = page.locator("#group-annual-quantity .indicator-row").first
    expect(first.locator(".reading")).to_contain_text("≥ 31.06 %")
    expect(page.locator(".indicator-row").last.locator(".reading")).to_contain_text("≥ 78.86 %")


def cell(page, label):
    """The <td> after a printed <th> label on the check page's form."""
    return page.locator(f"xpath=//table[contains(@class,'printed-table')]//th[normalize-space()='{label}']"
                        "/following-sibling::td[1]")


def amount(page, label):
    """The number printed after a label inside a cell, e.g. 批复数 357.26."""
    return page.locator(f"xpath=//table[contains(@class,'printed-table')]//td[starts-with(normalize-space(), "
                        f"'{label} ') or normalize-space()='{label}']/span[contains(@class,'num')]")


def test_filer_enters_seed_000_through_the_wizard(page, browser, live_server, demo):
    seed = seed_filing(0, "s0-dept")
    expected_report = validate_filing(demo["s0-dept"])
    expected_findings = {
        "errors": sorted((f.code, f.message) for f in expected_report.errors),
        "warnings": sorted((f.code, f.message) for f in expected_report.warnings),
    }
    indicators = resolved_indicators(seed)
    assert len(indicators) == 13
    Filing.objects.filter(source="seed:s0-dept").delete()  # the filer starts the 2026 filing afresh

    # --- first sitting: sign in, start the filing from the home page ------------------------------------------
    sign_in(page, FILER)
    form = page.locator("form", has=page.get_by_role("button", name="新建"))
    expect(form.get_by_label("填报单位")).to_have_value(str(Unit.objects.get(code=UNIT_CODE).pk))
    form.get_by_label("年度").fill(str(seed["year"]))
    form.get_by_label("表样").select_option(label=VARIANT)
    with page.expect_navigation():
        form.get_by_role("button", name="新建").click()
    expect(page.get_by_role("status")).to_contain_text("已新建")
    expect(page.locator("h1")).to_have_text(f"{seed['year']}年 {UNIT_NAME} 部门整体支出绩效目标申报表")
    filing = Filing.objects.get(unit__code=UNIT_CODE, year=seed["year"], kind=FilingKind.DEPARTMENT)
    assert filing.variant.code == seed["variant"] and filing.money_unit == seed["money_unit"]
    with page.expect_navigation():
        page.get_by_role("link", name="开始填写").click()

    expect(page.locator("h1")).to_have_text("单位基本信息")
    fill_unit_step(page, seed)
    shoot(page, "wizard-01-unit")
    save_and_continue(page, "预算情况")

    fill_budget_step(page, seed)
    shoot(page, "wizard-02-budget")
    save_and_continue(page, "部门职能分解")

    add_rows(page, seed["functions"], {"name": "部门职能分解", "mid_term_goal": "部门中期目标",
                                       "annual_goal": "部门年度绩效目标"})
    shoot(page, "wizard-03-functions")
    save_and_continue(page, "年度主要任务")

    # --- leave in the middle: this browser is gone -----------------------------------------------------------
    page.context.close()

    second = browser.new_context(**CONTEXT_OPTIONS)
    try:
        page = second.new_page()
        page.set_default_timeout(10_000)
        page.base_url = live_server.url
        sign_in(page, FILER)
        year = page.locator(f"xpath=//h3[normalize-space()='{seed['year']} 年度']/following-sibling::div[1]"
                            "//table[contains(@class, 'filings-table')]")
        filing_row = year.locator("tbody tr", has_text="部门整体支出")
        expect(filing_row.locator(".badge")).to_have_text("草稿")
        with page.expect_navigation():
            filing_row.get_by_role("link", name=UNIT_NAME).click()
        resume = page.get_by_role("link", name="继续填写：年度主要任务")
        expect(resume).to_be_visible()
        expect(page.locator(".wizard-steps .state-2")).to_have_text("已完成")  # 部门职能分解
        with page.expect_navigation():
            resume.click()
        expect(page.locator("h1")).to_have_text("年度主要任务")

        add_rows(page, seed["tasks"], {"name": "年度主要任务", "content": "工作内容",
                                       "related_goal": "对应年度绩效目标和内容"})
        shoot(page, "wizard-04-tasks")
        save_and_continue(page, "总体目标")  # the step of 年度总体目标

        expect(page.get_by_label("年度总体目标", exact=True)).to_have_value("")  # seed 000 has none
        shoot(page, "wizard-05-goals")
        save_and_continue(page, "绩效指标")

        fill_indicators(page, indicators)
        shoot(page, "wizard-06-indicators")
        save_and_continue(page, "核对并提交")
        shoot(page, "wizard-07-check")

        check_page_shows_seed(page, seed, indicators, expected_findings)
    finally:
        second.close()

    database_holds_seed(seed, indicators)


def check_page_shows_seed(page, seed, indicators, expected_findings):
    header, facts = seed["header"], seed["department"]
    printed = page.locator(".printed-form")
    expect(printed.locator("h2")).to_have_text("部门整体支出绩效目标设置申报表")
    expect(printed).to_contain_text(f"（{seed['year']}年度）")
    expect(cell(page, "部门（单位）名称")).to_have_text(header["unit_name"])
    expect(cell(page, "联系人")).to_have_text(header["contact_person"])
    expect(cell(page, "联系电话")).to_have_text(header["contact_phone"])
    expect(cell(page, "部门职能依据（三定方案批文号）")).to_have_text("")
    expect(cell(page, "部门职能简述")).to_have_text(facts["function_summary"])
    expect(cell(page, "近三年单位职能是否出现过重大变化")).to_have_text("未选择")  # unticked as printed
    expect(cell(page, "部门是否为一级预算主管部门")).to_have_text("未选择")
    expect(cell(page, "所属部门领域")).to_have_text(facts["sector"])
    expect(cell(page, "直属部门包括")).to_have_text("")
    for label, number in [("内设职能部门", "9"), ("编制控制数", "16"), ("在职人员总数", "4"),
                          ("其中：行政编制人数", "0"), ("事业编制人数", "4"), ("编外人数", "0")]:
        expect(cell(page, label)).to_have_text(number)
    for label, number in [("批复数", "357.26"), ("调整数", ""), ("实际支出数", "389.29"), ("执行率", "108.97%"),
                          ("年末结转结余数", ""), ("收入合计", "636.17"), ("其中：上级财政拨款", ""),
                          ("本级财政安排", "42"), ("其他", "594.17"), ("支出合计", "636.17"),
                          ("其中：人员经费", "176.76"), ("公用经费", "459.41"), ("项目经费", "0")]:
        expect(amount(page, label)).to_have_text(number)

    functions = printed.locator("table.printed-table", has=page.locator("th", has_text="部门职能分解"))
    expect(functions.locator("tbody tr td:nth-child(1)")).to_have_text([row["name"] for row in seed["functions"]])
    expect(functions.locator("tbody tr td:nth-child(2)")).to_have_text(
        [row["mid_term_goal"] for row in seed["functions"]])
    expect(functions.locator("tbody tr td:nth-child(3)")).to_have_text(
        [row["annual_goal"] for row in seed["functions"]])
    tasks = printed.locator("table.tasks-table tbody tr")
    expect(tasks.locator("td:nth-child(1)")).to_have_text([row["name"] for row in seed["tasks"]])
    expect(tasks.locator("td:nth-child(2)")).to_have_text([row["content"] for row in seed["tasks"]])
    expect(tasks.locator("td:nth-child(3)")).to_have_text([row["related_goal"] for row in seed["tasks"]])
    for column in (4, 5, 6):
        expect(tasks.locator(f"td:nth-child({column})")).to_have_text([""] * 4)  # no amounts, as printed
    expect(printed).not_to_contain_text("年度总体目标")

    rows = page.locator("table.indicators-table tbody tr")
    names = rows.locator("td:nth-last-child(2)")
    values = rows.locator("td:nth-last-child(1)")
    printed_pairs = list(zip(names.all_inner_texts(), values.all_inner_texts(), strict=True))
    # Every 二级 of the scheme is printed in order; one without 三级 rows (社会成本指标 …) gets an empty row.
    expected_pairs = []
    for category in Scheme.objects.get(code=seed["scheme"]).level2_categories().order_by("parent__order", "order"):
        rows = [(name, value) for name, value, code in indicators if code == category.code]
        expected_pairs += rows or [("", "")]
    assert [(n.strip(), v.strip()) for n, v in printed_pairs] == expected_pairs
    for blank in ("社会成本指标", "生态环境成本指标"):
        expect(page.locator("table.indicators-table th", has_text=blank)).to_have_count(1)

    # The validation report: exactly the findings of the transcribed seed 000 (domain.md §4.1), no way to submit.
    report = page.locator("section[aria-labelledby=report-title]")
    errors = report.locator(".alert-danger")
    for kind, alerts in [("errors", errors), ("warnings", report.locator(".alert-warning"))]:
        texts = alerts.all_inner_texts()  # "错误 E1 单位基本信息：请填写…"
        assert sorted((text.split()[1], text.split("：", 1)[1].strip()) for text in texts) == \
            expected_findings[kind], texts
    expect(report.locator("h2")).to_have_text(
        f"核对结果：错误 {len(expected_findings['errors'])} 项，警告 {len(expected_findings['warnings'])} 项")
    basis = errors.filter(has_text="E1").filter(has_text="部门职能依据（三定方案批文号）")
    expect(basis).to_have_count(1)
    expect(basis.get_by_role("link", name="单位基本信息")).to_have_attribute(
        "href", re.compile(r"/step/unit/#field-function_basis$"))
    expect(errors.filter(has_text="A7")).to_contain_text("年度主要任务均未填预算金额")
    expect(errors.filter(has_text="E10").filter(has_text="社会成本指标")).to_have_count(1)
    expect(errors.filter(has_text="E10").filter(has_text="生态环境成本指标")).to_have_count(1)
    expect(report.locator(".alert-warning").filter(has_text="A5")).to_contain_text("108.97%")
    expect(page.get_by_role("button", name="提交")).to_be_disabled()


def database_holds_seed(seed, indicators):
    filing = Filing.objects.get(unit__code=UNIT_CODE, year=seed["year"], kind=FilingKind.DEPARTMENT)
    assert filing.source == ""
    assert (filing.contact_person, filing.contact_phone) == (seed["header"]["contact_person"],
                                                             seed["header"]["contact_phone"])
    details = filing.department
    for key, value in seed["department"].items():
        stored = getattr(details, key)
        if key == "prior_execution_rate":
            assert stored == Decimal(value), key
        elif key.startswith(("prior_", "income_", "expenditure_")):
            assert stored == to_yuan(value, seed["money_unit"]), key
        else:
            assert stored == value, key
    assert [(f.name, f.mid_term_goal, f.annual_goal) for f in filing.functions.order_by("order")] == [
        (row["name"], row["mid_term_goal"], row["annual_goal"]) for row in seed["functions"]]
    assert [(t.name, t.content, t.related_goal, t.amount_total, t.amount_fiscal, t.amount_other)
            for t in filing.tasks.order_by("order")] == [
        (row["name"], row["content"], row["related_goal"], None, None, None) for row in seed["tasks"]]
    stored = [(i.name, i.value_text, i.category.code)
              for i in filing.indicators.select_related("category").order_by("period", "order", "pk")]
    assert stored == indicators
    assert set(filing.completed_steps) == {"unit", "budget", "functions", "tasks", "goals", "indicators"}
    assert filing.current_step == "check"


# --- the page's small behaviours, on a fresh 2026 filing of the hospital ----------------------------------------

@pytest.fixture
def fresh_filing(demo):
    """An empty 2026 江西 department filing of the hospital, as 新建 leaves it (the seed's copy removed)."""
    Filing.objects.filter(source="seed:s0-dept").delete()
    return create_department_filing(Unit.objects.get(code=UNIT_CODE), 2026,
                                    FormVariant.objects.get(code="dept-jiangxi"),
                                    get_user_model().objects.get(username=FILER))


def step_url(page, filing, key):
    return f"{page.base_url}/filings/{filing.pk}/step/{key}/"


def test_unsaved_changes_warn_before_leaving(page, fresh_filing):
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # 取消: stay on the page

    page.on("dialog", stay)
    sign_in(page, FILER)
    page.goto(step_url(page, fresh_filing, "unit"))
    contact = page.get_by_label("联系人", exact=True)
    contact.click()
    page.keyboard.type("桑梓尧")

    back = page.get_by_role("link", name="返回步骤列表")
    with page.expect_event("dialog"):
        back.click()
    assert dialogs == ["beforeunload"]
    expect(page.locator("h1")).to_have_text("单位基本信息")  # still here, nothing lost
    expect(contact).to_have_value("桑梓尧")

    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已保存“单位基本信息”")
    expect(contact).to_have_value("桑梓尧")
    with page.expect_navigation():
        page.get_by_role("link", name="返回步骤列表").click()
    expect(page.get_by_role("link", name="继续填写：单位基本信息")).to_be_visible()
    assert dialogs == ["beforeunload"]  # saved: no second warning
    fresh_filing.refresh_from_db()
    assert fresh_filing.contact_person == "桑梓尧"


def test_rows_can_be_reordered_and_removed_without_reload(page, fresh_filing):
    sign_in(page, FILER)
    page.goto(step_url(page, fresh_filing, "functions"))
    expect(page.locator("h1")).to_have_text("部门职能分解")
    page.evaluate("window.sameDocument = true")  # gone if the page reloads
    visible = page.locator(".formset-row:not(.d-none)")

    def names():
        return visible.locator(".cell-name textarea").evaluate_all("inputs => inputs.map(i => i.value)")

    def orders():
        return visible.locator(".row-order").evaluate_all("inputs => inputs.map(i => i.value)")

    # Three rows so that the order after moving and removing still says something.
    for number, name in enumerate(["行政管理", "医疗服务", "信息化建设"], start=1):
        page.get_by_role("button", name="添加一行").click()
        expect(visible).to_have_count(number)
        visible.nth(number - 1).get_by_label("部门职能分解", exact=True).fill(name)
    visible.nth(1).get_by_role("button", name="上移").click()
    assert names() == ["医疗服务", "行政管理", "信息化建设"]
    visible.nth(1).get_by_role("button", name="删除本行").click()
    expect(visible).to_have_count(2)
    assert names() == ["医疗服务", "信息化建设"]
    assert orders() == ["1", "2"]
    assert page.evaluate("window.sameDocument") is True
    shoot(page, "wizard-rows-reordered")

    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已保存“部门职能分解”")
    assert list(FunctionItem.objects.filter(filing=fresh_filing).order_by("order").values_list("order", "name")) == [
        (1, "医疗服务"), (2, "信息化建设")]
    assert names() == ["医疗服务", "信息化建设"]

    # Saved rows too: move the last one up and remove the other.
    visible.nth(1).get_by_role("button", name="上移").click()
    visible.nth(1).get_by_role("button", name="删除本行").click()
    assert names() == ["信息化建设"]
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已保存“部门职能分解”")
    assert list(FunctionItem.objects.filter(filing=fresh_filing).order_by("order").values_list("order", "name")) == [
        (1, "信息化建设")]


def test_the_live_reading_takes_a_bare_numbers_unit_from_the_rows_name(page, fresh_filing):
    sign_in(page, FILER)
    page.goto(step_url(page, fresh_filing, "indicators"))
    group = page.locator(".indicator-group#group-annual-quality")
    group.get_by_role("button", name="添加指标").click()
    row = group.locator(".indicator-row").last
    row.get_by_label("三级指标", exact=True).fill("验收合格率（≥**%）")
    row.get_by_label("指标值", exact=True).fill("95")
    expect(row.locator(".reading")).to_contain_text("≥ 95 %")

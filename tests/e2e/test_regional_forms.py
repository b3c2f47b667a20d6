"""The three regional 表样 added as data (福建宁德 部门整体, 内蒙古乌海 项目 with 分值, 四川昭化 项目 with fund
subtotals), each used as a filer would: a new filing of the variant is started from the pages (the home page's 新建
with its 表样 choice for the department form, 项目支出 → 新建 for the projects), every step is typed in the browser
from the published sample (fixtures/regional_samples/), own fields included, the check page shows the layout's
labels, the PDF downloaded through 下载PDF holds the typed values row by row, and the Excel downloaded through
下载Excel, uploaded through 导入Excel into a fresh draft of the same 表样 and confirmed, gives that draft the same data.
Screenshots: artifacts/screenshots/regional-*.png.
"""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from filings.demo import SAMPLE_PREFIX, load_samples
from filings.layouts.catalogue import data_fields
from filings.models import AnnualTask, Filing, FilingKind, FormVariant, Indicator
from filings.money import format_amount, to_yuan
from filings.reference import sample_files
from indicators.hierarchy import CategoryResolver

from ..pdfs import body_text, squeezed
from ..personas import new_member
from .helpers import shoot, sign_in
from .test_project_wizard import open_projects_and_create, start_filling

pytestmark = pytest.mark.django_db(transaction=True)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INDICATOR_ROWS = 3  # a few rows of each sample, not all


def sample(key):
    return next(data for _, file in sample_files() for data in file["filings"] if data["key"] == key)


@pytest.fixture
def regional(demo):
    """The samples' units (with a filer each, the demo has none there); the sample filings themselves are removed:
    the filer types them afresh."""
    load_samples()
    Filing.objects.filter(source__startswith=SAMPLE_PREFIX).delete()


# --- values of the sample, by the layout's field names ----------------------------------------------------------

def cell_value(row, field):
    if field.startswith("extra."):
        return row.get("extra", {}).get(field.removeprefix("extra."), "")
    return row.get({"value_text": "value"}.get(field, field), "")


def printed_rows(filing, type_, rows):
    """Each row's cells as the printed table reads them, left to right (一级/二级 are printed once per group)."""
    columns = [c for c in filing.variant.description.columns(type_) if c.field not in ("level1", "level2")]
    printed = []
    for row in rows:
        cells = []
        for column in columns:
            value = str(cell_value(row, column.field))
            if column.field.startswith("amount_") and value:
                value = format_amount(to_yuan(Decimal(value), filing.money_unit), filing.money_unit)
            cells.append(value)
        printed.append("".join(cells))
    return printed


def sample_value(data, name):
    header = data["header"]
    if name.startswith("extra."):
        return header.get("extra", {}).get(name.removeprefix("extra."), "")
    if data["kind"] == FilingKind.DEPARTMENT:
        return header.get(name, data["department"].get(name, ""))
    project = data["project"]
    match = re.fullmatch(r"annual_(total|fiscal|self_raised|other)", name)
    if match:
        return project["funds"]["annual"].get(match.group(1), "")
    return header.get(name, project.get(name, ""))


def labelled(scope, label):
    """An input by its label as the layout names it; a money field's label may carry the unit, a required one “*”."""
    return scope.get_by_label(re.compile(rf"^\s*{re.escape(label)}(（万元）)?\s*\*?\s*$")).first


def fill(scope, label, value):
    box = labelled(scope, label)
    if box.evaluate("e => e.tagName") == "SELECT":
        box.select_option(value)
    else:
        box.fill(value)


def save_step(page, title):
    with page.expect_navigation():
        page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text=f"已保存“{title}”")).to_have_count(1)


def open_step(page, filing, step):
    page.goto(f"{page.base_url}/filings/{filing.pk}/step/{step}/")
    expect(page.locator(".error-summary")).to_have_count(0)
    return page.locator("h1").inner_text()


def field_label(filing, name):
    """The label the step shows: the layout's where the entry holds this field alone, else the field's own."""
    layout = filing.variant.description
    entry = next(e for block in layout.blocks for e in block.entries if name in e.fields)
    if len(entry.fields) == 1:
        return entry.label
    return layout.extra(name).label if name.startswith("extra.") else data_fields(filing.kind)[name].label


def fill_field_steps(page, filing, data):
    """Every `fields` step of the layout, typed from the sample (own fields included), saved."""
    layout = filing.variant.description
    typed = {}
    for step in layout.steps():
        names = layout.step_fields(step)
        if not names:
            continue
        title = open_step(page, filing, step)
        form = page.locator("form.wizard-form")
        for name in names:
            value = str(sample_value(data, name))
            fill(form, field_label(filing, name), value)
            typed[name] = value
        shoot(page, f"regional-{filing.variant.code}-{step}")
        save_step(page, title)
    return typed


def fill_tasks(page, filing, rows):
    layout = filing.variant.description
    columns = layout.columns("tasks")
    title = open_step(page, filing, "tasks")
    body = page.locator(".formset-rows")
    for number, row in enumerate(rows, start=1):
        page.get_by_role("button", name="添加一行").click()
        added = body.locator(".formset-row:not(.d-none)")
        expect(added).to_have_count(number)
        cells = added.nth(number - 1)
        for column in columns:
            fill(cells, column.label, str(cell_value(row, column.field)))
    shoot(page, f"regional-{filing.variant.code}-tasks")
    save_step(page, title)


def fill_indicators(page, filing, rows):
    layout = filing.variant.description
    resolver = CategoryResolver(filing.scheme)
    columns = [c for c in layout.columns("indicators") if c.field not in ("level1", "level2")]
    title = open_step(page, filing, "indicators")
    for row in rows:
        code = resolver.resolve(row["level1"], row["level2"]).code
        group = page.locator(f".indicator-group#group-{row['period']}-{code}")
        visible = group.locator(".indicator-row:not(.d-none)")
        before = visible.count()
        group.get_by_role("button", name="添加指标").click()
        expect(visible).to_have_count(before + 1)
        added = visible.last
        for column in columns:
            value = cell_value(row, column.field)
            if value != "":
                fill(added, column.label, str(value))
    shoot(page, f"regional-{filing.variant.code}-indicators")
    save_step(page, title)
    # Saved and shown again: each row's cells, own columns included, hold what was typed.
    for row in rows:
        code = resolver.resolve(row["level1"], row["level2"]).code
        shown = page.locator(f"#group-{row['period']}-{code} .indicator-row:not(.d-none)").filter(
            has=page.locator("textarea.indicator-name", has_text=row["name"]))
        expect(shown).to_have_count(1)
        for column in columns:
            expect(labelled(shown, column.label)).to_have_value(str(cell_value(row, column.field)))


# --- what is stored ----------------------------------------------------------------------------------------------

def stored(filing):
    """What the filer entered: header and detail fields, extras, task and indicator rows (without ids and years)."""
    filing = Filing.objects.get(pk=filing.pk)
    details = filing.department if filing.kind == FilingKind.DEPARTMENT else filing.project
    skip = {"id", "filing", "order"}
    header = {f.name: getattr(filing, f.attname) for f in Filing._meta.concrete_fields if f.name in {
        "unit_name", "competent_department", "competent_department_code", "contact_person", "contact_phone",
        "money_unit", "extra", "scheme", "variant"}}
    return {
        "header": header,
        "details": {f.name: getattr(details, f.attname) for f in type(details)._meta.concrete_fields
                    if f.name not in skip},
        "tasks": [(t.name, t.amount_total, t.extra) for t in AnnualTask.objects.filter(filing=filing)
                  .order_by("order", "pk")],
        "indicators": [(i.period, i.category_id, i.name, i.value_text, i.note, i.extra)
                       for i in Indicator.objects.filter(filing=filing).order_by("period", "category__order",
                                                                                     "order", "pk")],
    }


def stored_extra(data, owner_extra, layout, owner):
    """The sample's own-field values as stored: money in 元 as a decimal string, numbers as typed."""
    expected = {}
    for key, value in owner_extra.items():
        field = layout.extra(f"extra.{key}")
        expected[key] = str(to_yuan(Decimal(value), data["money_unit"])) if field.type == "money" else value
    return expected


# --- the journey after the steps: check page, PDF, Excel, import ------------------------------------------------

def check_print_and_round_trip(page, filing, data, typed_texts, new_draft):
    layout = filing.variant.description
    with page.expect_navigation():
        page.goto(f"{page.base_url}/filings/{filing.pk}/check/")
    expect(page.get_by_role("heading", name="核对并提交")).to_be_visible()
    printed = page.locator(".printed-form")
    expect(printed.locator("h2")).to_contain_text(filing.variant.printed_title)
    labels = [entry.printed_label for block in layout.blocks for entry in block.entries]
    labels += [c.printed_label for c in layout.columns("indicators") + layout.columns("tasks") if not c.optional]
    labels += [b.group_label("万元") for b in layout.blocks if b.group]
    labels += [layout.block("indicators").caption_of(period) for period in layout.indicator_periods()]
    labels += [layout.block("tasks").caption] if layout.block("tasks") else []
    for label in labels:
        expect(printed).to_contain_text(label)
    shoot(page, f"regional-{filing.variant.code}-check")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="下载PDF").first.click()
    pdf = Path(pdf_download.value.path()).read_bytes()
    text = squeezed(body_text(pdf))
    missing = [value for value in typed_texts if squeezed(value) not in text]
    assert not missing, missing

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="下载Excel").first.click()
    workbook = Path(xlsx_download.value.path()).read_bytes()

    target = new_draft()
    assert stored(target) != stored(filing)
    page.goto(f"{page.base_url}/filings/{target.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="导入Excel").first.click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(
        {"name": xlsx_download.value.suggested_filename, "mimeType": XLSX, "buffer": workbook})
    with page.expect_navigation():
        page.get_by_role("button", name="上传并预览").click()
    expect(page.locator(".import-problems")).to_have_count(0)
    expect(page.get_by_role("heading", name="确认导入")).to_be_visible()
    changes = page.locator(".changed-fields table")  # the own header fields are among the changes, by label
    for extra in layout.extras_on("filing"):
        expect(changes.locator("tr", has_text=extra.label)).to_have_count(1)
    tasks = AnnualTask.objects.filter(filing=filing).count()
    indicators = Indicator.objects.filter(filing=filing).count()
    expect(page.locator(".diff-counts")).to_contain_text(
        f"行：新增 {tasks}、删除 0、修改 0；指标：新增 {indicators}、删除 0、修改 0")
    shoot(page, f"regional-{filing.variant.code}-import-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_role("heading", name="核对并提交")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("导入")
    assert stored(target) == stored(filing)
    return io.BytesIO(workbook)


def new_filer(unit_code, username):
    new_member(username, unit_code, "filer")
    return username


def test_a_filer_of_ningde_enters_prints_and_round_trips_the_department_form(page, regional):
    data = sample("r-ningde-dept")
    variant = FormVariant.objects.get(code="dept-ningde")
    sign_in(page, new_filer(data["unit"], "nd_filer"))

    def create(year):
        page.goto(page.base_url + "/")
        form = page.locator("form", has=page.get_by_role("button", name="新建", exact=True))
        form.get_by_label("年度").fill(str(year))
        form.get_by_label("表样").select_option(label=variant.name)
        with page.expect_navigation():
            form.get_by_role("button", name="新建", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("已新建")
        return Filing.objects.get(unit__code=data["unit"], year=year, kind=FilingKind.DEPARTMENT)

    filing = create(data["year"])
    assert filing.variant == variant and filing.money_unit == data["money_unit"]
    assert filing.scheme.code == data["scheme"]
    typed = fill_field_steps(page, filing, data)
    fill_tasks(page, filing, data["tasks"])
    rows = data["indicators"][:INDICATOR_ROWS]
    fill_indicators(page, filing, rows)

    saved = Filing.objects.get(pk=filing.pk)
    assert saved.extra == {"budget_code": data["header"]["extra"]["budget_code"]}
    tasks = list(AnnualTask.objects.filter(filing=filing).order_by("order", "pk"))
    assert [(t.name, t.extra) for t in tasks] == [(r["name"], r["extra"]) for r in data["tasks"]]
    assert [t.amount_total for t in tasks] == [to_yuan(Decimal(r["amount_total"]), "wan") for r in data["tasks"]]
    indicators = list(Indicator.objects.filter(filing=filing).order_by("category__order", "order", "pk"))
    assert [(i.name, i.value_text, i.extra) for i in indicators] == [
        (r["name"], r["value"], r.get("extra", {})) for r in rows]

    texts = ["部门预算编码" + typed["extra.budget_code"], *data["department"]["overall_goal"].splitlines()]
    texts += printed_rows(filing, "tasks", data["tasks"]) + printed_rows(filing, "indicators", rows)
    check_print_and_round_trip(page, filing, data, texts, lambda: create(data["year"] + 1))


def project_journey(page, data, username, step_rows=INDICATOR_ROWS):
    variant = FormVariant.objects.get(code=data["variant"])
    sign_in(page, new_filer(data["unit"], username))
    name = data["project"]["name"]

    def create(project_name):
        page.goto(page.base_url + "/")
        form = open_projects_and_create(page, data["year"], project_name, variant.name)
        with page.expect_navigation():
            form.get_by_role("button", name="新建", exact=True).click()
        start_filling(page, project_name, data["year"])
        return Filing.objects.get(unit__code=data["unit"], kind=FilingKind.PROJECT, project__name=project_name)

    filing = create(name)
    assert filing.variant == variant and filing.scheme.code == data["scheme"]
    typed = fill_field_steps(page, filing, data)
    rows = data["indicators"][:step_rows]
    fill_indicators(page, filing, rows)

    saved = Filing.objects.get(pk=filing.pk)
    assert saved.extra == stored_extra(data, data["header"].get("extra", {}), variant.description, "filing")
    indicators = list(Indicator.objects.filter(filing=filing).order_by("category__order", "order", "pk"))
    assert [(i.name, i.value_text, i.extra) for i in indicators] == [
        (r["name"], r["value"], r.get("extra", {})) for r in rows]
    return filing, typed, rows, lambda: create("待导入的项目")


def test_a_filer_of_wuhai_enters_weights_and_units_prints_and_round_trips_them(page, regional):
    data = sample("r-wuhai-proj1")
    filing, typed, rows, new_draft = project_journey(page, data, "wh_filer")
    assert any("unit" in r.get("extra", {}) for r in rows) and all("weight" in r["extra"] for r in rows)
    texts = [f"{field_label(filing, name)}{typed[name]}" for name in
             ("name", "extra.project_category", "extra.office", "implementing_unit")]
    texts.append("主管部门" + typed["competent_department_code"] + typed["competent_department"])
    texts.append(filing.variant.description.block("indicators").caption_of("annual"))  # the weights' caption
    texts += printed_rows(filing, "indicators", rows)  # e.g. 出差人次 正向 = 24 人/次 4
    check_print_and_round_trip(page, filing, data, texts, new_draft)


def test_a_filer_of_zhaohua_enters_the_fund_lines_prints_and_round_trips_them(page, regional):
    data = sample("r-zhaohua-proj1")
    filing, typed, rows, new_draft = project_journey(page, data, "zh_filer")
    saved = Filing.objects.get(pk=filing.pk)
    assert saved.project.annual_fiscal == to_yuan(Decimal("4.00"), "wan")
    assert saved.extra["general_budget"] == str(to_yuan(Decimal("4.00"), "wan"))
    layout = filing.variant.description
    texts = [typed["name"], typed["unit_name"]]
    for name in layout.step_fields("funds"):  # each fund line with its amount, as the filer typed it
        texts.append(layout.label(name) + format_amount(to_yuan(Decimal(typed[name]), "wan"), "wan"))
    texts += printed_rows(filing, "indicators", rows)
    check_print_and_round_trip(page, filing, data, texts, new_draft)

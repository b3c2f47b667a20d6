"""The regional 表样 added as data only (福建宁德, 内蒙古乌海, 四川昭化): their published sample filings load, print
every label and value of the layout (extras included), and survive the Excel round trip.

The samples live in ``fixtures/regional_samples/``; `filings.demo.load_samples` loads them into the test's transaction
(they are not among the demo's twelve seed filings, so counts over the demo are unchanged).
"""

import re
from decimal import Decimal

import pytest

from filings.demo import SAMPLE_PREFIX, load_samples
from filings.exports.excel.official import workbook_bytes
from filings.exports.pdf import render_filing_pdf
from filings.exports.printed import printed_context
from filings.layouts.catalogue import data_fields
from filings.models import Filing
from filings.money import MoneyUnit, format_amount
from filings.reference import sample_files

from .pdfs import body_text, squeezed
from .test_excel_import import empty_draft_for, imported, snapshot

VARIANTS = {"r-ningde-dept": "dept-ningde", "r-wuhai-proj1": "proj-wuhai", "r-zhaohua-proj1": "proj-zhaohua"}


@pytest.fixture
def samples(demo):
    load_samples()
    filings = Filing.objects.with_related().filter(source__startswith=SAMPLE_PREFIX)
    return {filing.source.removeprefix(SAMPLE_PREFIX): filing for filing in filings}


# --- what the layout says a filing shows -------------------------------------------------------------------------

def rows_of(filing, type_):
    return {"tasks": filing.tasks, "functions": filing.functions, "indicators": filing.indicators}[type_].all()


def holds(row, field: str) -> bool:
    value = (row.extra or {}).get(field.removeprefix("extra.")) if field.startswith("extra.") else getattr(row, field)
    return value not in (None, "")


def layout_labels(filing) -> list[str]:
    """Every label the layout prints: title, group labels, entry labels, captions and column headings (an optional
    column's only where some row holds a value: the layout says it is shown only then)."""
    layout = filing.variant.description
    unit_label = MoneyUnit(filing.money_unit).label
    labels = [filing.variant.printed_title]
    for block in layout.blocks:
        if block.group:
            labels.append(block.group_label(unit_label))
        labels += [entry.label for entry in block.entries]
        if block.type == "tasks":
            labels.append(block.caption)
            if block.totals:
                labels.append(block.totals_label)
        if block.type == "indicators":
            labels += [block.caption_of(period) for period in block.periods]
        labels += [column.label for column in block.columns
                   if not column.optional or any(holds(row, column.field) for row in rows_of(filing, block.type))]
    return labels


def shown(filing, name: str) -> str:
    """The printed form of one placed field of the filing (header, details or the filing's own extra)."""
    layout = filing.variant.description
    if name.startswith("extra."):
        extra = layout.extra(name)
        return extra.display(filing.extra.get(extra.key), filing.money_unit)
    spec = data_fields(filing.kind)[name]
    owner = filing if spec.owner == "filing" else (filing.department if filing.kind == "department" else filing.project)
    value = getattr(owner, name)
    if spec.kind == "money":
        return format_amount(value, filing.money_unit)
    if spec.kind == "choice":
        return getattr(owner, f"get_{name}_display")() if value else ""
    assert spec.kind in {"text", "longtext"}, f"{name}: no printed form for {spec.kind} in this test"
    return value or ""


def cell(row, column, filing) -> str:
    layout = filing.variant.description
    if column.field.startswith("extra."):
        extra = layout.extra(column.field)
        return extra.display(row.extra.get(extra.key), filing.money_unit)
    if column.field == "level2":
        return row.category.name
    value = getattr(row, column.field)
    if column.field.startswith("amount_"):
        return format_amount(value, filing.money_unit)
    return value or ""


def table_rows(filing, type_) -> list[list[str]]:
    """Each row of a table as its printed cells, in the layout's column order."""
    layout = filing.variant.description
    if type_ == "tasks":
        rows = filing.tasks.order_by("order")
    else:
        rows = filing.indicators.select_related("category").order_by("period", "order")
    return [[cell(row, column, filing) for column in layout.columns(type_)] for row in rows]


def stored_values(filing) -> list[str]:
    values = [shown(filing, name) for name in filing.variant.description.placed_fields()]
    for type_ in ("tasks", "indicators"):
        values += [value for row in table_rows(filing, type_) for value in row]
    return [value for value in values if value]


def follow_in_order(text: str, parts: list[str], slack: int = 40) -> bool:
    """Whether the parts appear one after the other somewhere in the text, each close after the one before (a cell
    may also stand elsewhere on the form: a task's 部门职能 can repeat a line of 年度总体目标)."""
    def follows(position: int, rest: list[str]) -> bool:
        if not rest:
            return True
        start = text.find(rest[0], position)
        while 0 <= start <= position + slack:
            if follows(start + len(rest[0]), rest[1:]):
                return True
            start = text.find(rest[0], start + 1)
        return False

    if not parts:
        return True
    start = text.find(parts[0])
    while start >= 0:
        if follows(start + len(parts[0]), parts[1:]):
            return True
        start = text.find(parts[0], start + 1)
    return False


def printed(filing) -> str:
    return squeezed(body_text(render_filing_pdf(filing)))


# --- loading -------------------------------------------------------------------------------------------------------

def test_each_sample_file_names_a_regional_variant_and_loads_with_its_own_units(samples):
    keys = [data["key"] for _, sample in sample_files() for data in sample["filings"]]
    assert sorted(keys) == sorted(VARIANTS)
    for key, code in VARIANTS.items():
        filing = samples[key]
        assert filing.variant.code == code and filing.variant.layout and filing.unit.parent is not None
        assert filing.indicators.exists()
    assert samples["r-ningde-dept"].unit.name == "中共宁德市委党史和地方志研究室"
    assert samples["r-zhaohua-proj1"].unit.parent.parent.kind == "finance"


def test_the_samples_do_not_count_among_the_demo_filings(samples, demo):
    assert len(demo) == 12 and not set(samples) & set(demo)


def test_ningde_tasks_keep_their_own_columns_and_the_numbered_goals(samples):
    filing = samples["r-ningde-dept"]
    assert filing.extra == {"budget_code": "901001033"}
    tasks = list(filing.tasks.order_by("order"))
    assert [t.extra["expense_item"] for t in tasks] == ["地情、市志编纂与年鉴出版经费"] * 2 + ["基本支出"]
    assert [t.amount_total for t in tasks] == [Decimal("498000.00"), Decimal("110000.00"), Decimal("1714100.00")]
    assert filing.department.overall_goal.splitlines()[0] == "目标1：确保本室各人员工资及福利的发放；"
    assert len(filing.department.overall_goal.splitlines()) == 4
    explained = filing.indicators.get(name="各类书籍审稿率")
    assert explained.extra == {"explain": "100%(计划标准)"} and explained.value_text == "1"


def test_wuhai_weights_are_stored_per_indicator_and_add_up_to_the_caption(samples):
    filing = samples["r-wuhai-proj1"]
    layout = filing.variant.description
    weight = layout.extra("weight")
    output = [i for i in filing.indicators.select_related("category__parent") if i.level1.name == "产出指标"]
    assert len(output) == 11
    assert sum(weight.python(i.extra["weight"]) for i in output) == Decimal(50)
    assert "产出指标权重分值50分" in layout.block("indicators").caption_of("annual")
    row = filing.indicators.get(name="出差人次")
    assert row.extra == {"nature": "正向", "direction": "=", "unit": "人/次", "weight": "4"}
    assert filing.indicators.get(name="出差人数").extra.get("unit") is None  # blank on the form


def test_every_sum_of_the_regional_layouts_holds_on_the_published_samples(samples):
    for filing in samples.values():
        layout = filing.variant.description
        for total in layout.sums():
            def amount(name, filing=filing, layout=layout):
                if name.startswith("extra."):
                    return layout.extra(name).python(filing.extra.get(name.removeprefix("extra."))) or Decimal(0)
                owner = filing.department if filing.kind == "department" else filing.project
                return getattr(owner, name) or Decimal(0)
            assert amount(total.total) == sum(amount(part) for part in total.parts), (filing.source, total)


def test_zhaohua_fund_lines_under_the_subtotals_are_money_in_yuan(samples):
    filing = samples["r-zhaohua-proj1"]
    assert filing.project.annual_fiscal == Decimal("40000.00")
    assert filing.extra["general_budget"] == "40000.00" and filing.extra["state_capital"] == "0.00"
    assert filing.project.annual_total is None  # not printed on the form


# --- print ---------------------------------------------------------------------------------------------------------
# These wait for the print templates to read the layout description (the print helper's work).

@pytest.mark.parametrize("key", sorted(VARIANTS))
def test_the_print_shows_every_label_of_the_regional_layout(samples, key):
    filing = samples[key]
    text = printed(filing)
    missing = [label for label in layout_labels(filing) if squeezed(label) not in text]
    assert not missing, f"{key}: labels not printed: {missing}"


@pytest.mark.parametrize("key", sorted(VARIANTS))
def test_the_print_shows_every_stored_value_including_the_variants_own_fields(samples, key):
    filing = samples[key]
    text = printed(filing)
    missing = [value for value in stored_values(filing) if squeezed(value) not in text]
    assert not missing, f"{key}: values not printed: {missing}"


@pytest.mark.parametrize("key", sorted(VARIANTS))
def test_the_print_keeps_each_table_row_in_the_layouts_column_order(samples, key):
    filing = samples[key]
    text = printed(filing)
    for type_ in ("tasks", "indicators"):
        for row in table_rows(filing, type_):
            cells = [squeezed(value) for value in row[1 if type_ == "indicators" else 0:] if value]
            assert follow_in_order(text, cells), f"{key} {type_}: row not printed in column order: {cells}"


def test_the_wuhai_print_shows_weights_beside_units_in_their_own_columns(samples):
    filing = samples["r-wuhai-proj1"]
    text = printed(filing)
    assert "三级指标指标性质指标方向目标值计量单位分值" in text
    assert "备注" not in text  # an optional column, and no row of the published form has a note
    assert follow_in_order(text, ["出差人次", "正向", "=", "24", "人/次", "4"], slack=4)
    assert follow_in_order(text, ["年度预算总成本", "反向", "=", "3", "万元", "4"], slack=4)

    filing.indicators.filter(name="出差人次").update(note="含市内出差")
    text = printed(Filing.objects.with_related().get(pk=filing.pk))
    assert re.search("计量单位分值备注", text)
    assert follow_in_order(text, ["出差人次", "正向", "=", "24", "人/次", "4", "含市内出差"], slack=4)


def test_a_task_table_prints_its_caption_unless_its_first_column_already_says_it(samples, demo):
    ningde = printed_context(samples["r-ningde-dept"])["printed"]["parts"]
    tasks = next(part for part in ningde if part["type"] == "tasks")
    assert tasks["caption"] == "年度履职目标" and tasks["headers"][0] == "部门职能"
    text = printed(samples["r-ningde-dept"])
    assert re.search("年度总体目标.*年度履职目标部门职能年度目标任务支出项目名称预算金额", text)
    seed = next(filing for filing in demo.values() if filing.variant.description.block("tasks"))
    parts = printed_context(seed)["printed"]["parts"]
    seed_tasks = next(part for part in parts if part["type"] == "tasks")
    assert seed_tasks["caption"] == "" and seed_tasks["headers"][0] == "年度主要任务"


def test_a_long_text_alone_under_a_group_gets_the_wide_cells(samples):
    parts = printed_context(samples["r-zhaohua-proj1"])["printed"]["parts"]
    fields = next(part for part in parts if part["type"] == "fields")
    goal = next(section["rows"][0] for section in fields["sections"] if section["rows"][0][0].text == "总体目标")
    width = len(fields["columns"])
    assert [cell.text for cell in goal[:2]] == ["总体目标", "年度目标"]
    assert goal[2].text.startswith("每年开展") and goal[2].colspan == width - 2 and goal[2].long
    money = next(section["rows"] for section in fields["sections"] if section["rows"][0][0].text.startswith("项目资金"))
    assert money[0][-1].css == "num" and money[0][-1].colspan == 1  # an amount keeps its narrow cell


# --- Excel ---------------------------------------------------------------------------------------------------------
# These wait for the official workbook to be written from the layout description (the Excel helper's work).

@pytest.mark.parametrize("key", sorted(VARIANTS))
def test_the_official_workbook_of_a_regional_sample_reimports_without_loss(samples, key):
    source = samples[key]
    target = empty_draft_for(source, same_variant=True)
    imported(workbook_bytes(source), target)
    after, expected = snapshot(target), snapshot(source)
    assert after["extra"] == expected["extra"]
    assert after["tasks"] == expected["tasks"] and after["indicators"] == expected["indicators"]
    assert after == expected

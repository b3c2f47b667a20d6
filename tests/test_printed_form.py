"""The printed form (check page, review page, PDF) follows the variant's layout description, and nothing else.

A new arrangement of blocks, a renamed label, an extra indicator column or an extra header field is a change of the
layout data only: these tests load such layouts without touching Python or templates.
"""

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.exports.pdf import render_filing_pdf
from filings.layouts.description import LayoutError, parse_layout
from filings.layouts.legacy import legacy_layout
from filings.reference import variant_files

from .pages import html, login
from .pdfs import body_text, squeezed

FILERS = {"s0-dept": "cs_zyy", "s4-proj1": "yj_wjj"}
TAGS = re.compile(r"<[^>]+>")


def printed_text(page: str) -> str:
    """The printed form's text on a page, whitespace squeezed out."""
    return squeezed(TAGS.sub("", page[page.index('<div class="printed-form">'):]))


def check_page(client, filing, username) -> str:
    login(client, username)
    response = client.get(reverse("filings:check", args=[filing.pk]))
    assert response.status_code == 200
    return html(response)


# The switches the seven variants had before layouts were data (the fields migration 0010 read, removed since).
SWITCHES_OF = json.loads((Path(__file__).parent / "recorded" / "variant_switches.json").read_text(encoding="utf-8"))
SWITCH_DEFAULTS = {"budget_layout": "none", "has_unit_facts": False, "has_function_breakdown": False,
                   "has_annual_tasks": False, "task_amount_split": False, "funding_layout": "fiscal_other",
                   "has_implementation_period": False, "has_project_narrative": False,
                   "has_performance_standard": False, "staff_total_includes_extra": True, "shown_fields": [],
                   "labels": {}}


def with_switches(variant: dict) -> SimpleNamespace:
    """A fixture file's variant as the stored variant `legacy_layout` read in migration 0010."""
    return SimpleNamespace(**{**SWITCH_DEFAULTS, **SWITCHES_OF[variant["code"]],
                              **{k: v for k, v in variant.items() if k != "layout"}})


@pytest.mark.parametrize("variant", [v for v in variant_files() if v["code"] in SWITCHES_OF], ids=lambda v: v["code"])
def test_the_shipped_layouts_are_what_the_migration_gives_stored_variants(variant, db):
    """Migration 0010 gave existing databases `legacy_layout`; the fixtures must say the same, print keys included."""
    assert json.loads(json.dumps(legacy_layout(with_switches(variant)), ensure_ascii=False)) == variant["layout"]


# --- print keys in the description --------------------------------------------------------------------------------

def project_layout(**changes) -> dict:
    layout = copy.deepcopy(next(v for v in variant_files() if v["code"] == "proj-hunan")["layout"])
    layout.update(changes)
    return layout


def test_print_keys_are_read_into_the_description_and_left_out_of_the_placed_fields(db):
    layout = project_layout()
    funds = layout["blocks"][1]
    funds["group"] = "资金（{money_unit}）"
    funds["print"] = {"style": "inline", "separator": "：", "spans": [2, 1],
                      "rows": [[{"label": "本级", "fields": ["local_amount"]}, None]],
                      "after": [[{"label": "期限", "fields": ["period_text", "start_date", "end_date"],
                                  "print": {"joiners": [" ", " 至 "], "label": "项目期", "if_filled": True}}]]}
    described = parse_layout(layout, "project")
    block = described.blocks[1]
    assert (block.print.style, block.print.separator, block.print.spans) == ("inline", "：", (2, 1))
    assert block.printed_rows[0][1] is None and block.printed_rows[0][0].label == "本级"
    entry = block.print.after[0][0]
    assert (entry.printed_label, entry.joiners, entry.if_filled) == ("项目期", (" ", " 至 "), True)
    # what only the print reads is no place of a field: the wizard and the workbook do not see start_date
    assert not described.shows("start_date")
    assert block.rows == parse_layout(project_layout(), "project").blocks[1].rows


def test_wrong_print_keys_are_refused_with_chinese_sentences(db):
    layout = project_layout()
    layout["blocks"][0]["print"] = {"style": "fancy", "colour": "red", "spans": [3, 3], "table": "side"}
    layout["blocks"][0]["rows"][0][0]["print"] = {"joiners": [" ", " "]}
    layout["blocks"][3]["print"] = {"rows": []}
    layout["blocks"][3]["columns"][0]["print"] = {"label": 5}
    with pytest.raises(LayoutError) as refused:
        parse_layout(layout, "project")
    problems = "\n".join(refused.value.problems)
    assert "print 中有不认识的键：colour" in problems
    assert "print.style 应为 cells、inline 之一" in problems
    assert "print.spans 应为 [1, 2] 或 [2, 1]" in problems
    assert "print.table 只能是" in problems
    assert "print.joiners 应为 0 段文字" in problems
    assert "只有栏目块和签章栏可以有 print" in problems
    assert "print.label 应为不超过 60 个字的文字" in problems


# --- a new arrangement is data --------------------------------------------------------------------------------

def rearranged_hunan(demo) -> tuple:
    """s4-proj1 on a copy of proj-hunan: goals before funds, 项目支出名称 renamed, a header extra (项目编码) in the
    first block, and an indicator column 计量单位 from `Indicator.extra`."""
    filing = demo["s4-proj1"]
    layout = project_layout(extra_fields=[
        {"key": "unit", "on": "indicator", "label": "计量单位", "type": "text"},
        {"key": "budget_code", "on": "filing", "label": "项目编码", "type": "text"},
    ])
    project, funds, goals, indicators, signoff = layout["blocks"]
    project["rows"][0][0]["label"] = "项目全称"
    project["rows"].append([{"label": "项目编码", "fields": ["extra.budget_code"]}])
    indicators["columns"].insert(4, {"field": "extra.unit", "label": "计量单位", "optional": True})
    layout["blocks"] = [project, goals, funds, indicators, signoff]
    variant = filing.variant
    variant.pk, variant.code, variant.name, variant.layout = None, "proj-hunan-new", "项目支出绩效目标表（新）", layout
    variant.save()
    filing.variant = variant
    filing.extra = {"budget_code": "430981-2024-017"}
    filing.save()
    indicator = filing.indicators.order_by("order", "pk").first()
    indicator.extra = {"unit": "人次"}
    indicator.save()
    return filing, indicator


def test_a_new_arrangement_prints_on_the_check_page_without_code_changes(client, demo):
    filing, indicator = rearranged_hunan(demo)
    printed = printed_text(check_page(client, filing, FILERS["s4-proj1"]))
    assert "项目全称基本公共卫生服务" in printed and "项目支出名称" not in printed
    assert "项目编码430981-2024-017" in printed
    # the goals now come before the funds
    assert printed.index("本年度绩效目标") < printed.index("年度本级预算金额")
    # the extra column prints after 绩效标准, with the indicator's own value
    assert "一级指标二级指标三级指标指标值绩效标准计量单位" in printed
    assert squeezed(f"{indicator.name}{indicator.value_text}{indicator.standard}人次") in printed


def test_a_new_arrangement_prints_in_the_pdf(demo):
    filing, indicator = rearranged_hunan(demo)
    text = squeezed(body_text(render_filing_pdf(filing)))
    assert "项目全称基本公共卫生服务" in text and "项目编码430981-2024-017" in text
    assert text.index("本年度绩效目标") < text.index("年度本级预算金额")
    assert "计量单位" in text and "人次" in text


def test_an_optional_extra_column_is_left_out_where_no_row_holds_a_value(client, demo):
    filing, indicator = rearranged_hunan(demo)
    indicator.extra = {}
    indicator.save()
    assert "计量单位" not in printed_text(check_page(client, filing, FILERS["s4-proj1"]))


def test_task_extras_print_as_a_column_and_amounts_in_the_filings_unit(client, demo):
    filing = demo["s0-dept"]
    variant = filing.variant
    layout = copy.deepcopy(variant.layout)
    layout["extra_fields"] = [{"key": "lead", "on": "task", "label": "牵头科室", "type": "text"},
                              {"key": "weight", "on": "task", "label": "权重", "type": "number"}]
    tasks = next(block for block in layout["blocks"] if block["type"] == "tasks")
    tasks["columns"][1:1] = [{"field": "extra.lead", "label": "牵头科室"}, {"field": "extra.weight", "label": "权重"}]
    variant.layout = layout
    variant.save()
    task = filing.tasks.order_by("order", "pk").first()
    task.extra, task.amount_total = {"lead": "医务科", "weight": "0.25"}, Decimal("1234500")
    task.save()
    page = check_page(client, filing, FILERS["s0-dept"])
    printed = printed_text(page)
    assert squeezed("年度主要任务牵头科室权重主要内容") in printed
    assert squeezed(f"{task.name}医务科0.25") in printed and "123.45" in printed
    # a column set without fixed widths is laid out by the columns' weights
    assert 'class="table table-bordered table-sm printed-table tasks-table weighted"' in page


def test_a_percent_prints_with_its_sign_and_a_label_without_it(client, demo):
    printed = printed_text(check_page(client, demo["s0-dept"], FILERS["s0-dept"]))
    assert "执行率108.97%" in printed and "执行率（%）" not in printed


def test_booleans_print_as_yes_no_or_not_chosen(client, demo):
    filing = demo["s0-dept"]
    filing.department.functions_changed, filing.department.is_primary_department = True, False
    filing.department.save()
    printed = printed_text(check_page(client, filing, FILERS["s0-dept"]))
    assert "近三年单位职能是否出现过重大变化是部门是否为一级预算主管部门否" in printed


def test_the_check_page_asks_the_database_as_often_however_many_rows_it_prints(client, demo):
    filing = demo["s0-dept"]
    check_page(client, filing, FILERS["s0-dept"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("filings:check", args=[filing.pk]))
        return len(captured)

    before = queries()
    for number in range(6):
        filing.tasks.create(name=f"新增任务{number}", order=100 + number, extra={"lead": "医务科"})
        filing.functions.create(name=f"新增职能{number}", order=100 + number)
    assert queries() == before

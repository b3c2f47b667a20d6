"""A seed or sample file carries the values of a variant's own fields (header, task and indicator extras)."""

import copy
from decimal import Decimal

import pytest

from filings import demo as demo_module
from filings.models import FormVariant, Unit

EXTRAS = [
    {"key": "budget_code", "on": "filing", "label": "部门预算编码", "type": "text"},
    {"key": "income_fiscal", "on": "filing", "label": "财政拨款", "type": "money"},
    {"key": "task_unit", "on": "task", "label": "责任科室", "type": "text"},
    {"key": "weight", "on": "indicator", "label": "分值", "type": "number"},
    {"key": "kind", "on": "indicator", "label": "指标性质", "type": "choice", "choices": ["定量", "定性"]},
]


@pytest.fixture
def variant_with_extras(db):
    """dept-jiangxi with its own fields added (a copy, so the shipped variant stays as it is)."""
    base = FormVariant.objects.get(code="dept-jiangxi")
    layout = copy.deepcopy(base.layout)
    layout["extra_fields"] = EXTRAS
    for block in layout["blocks"]:
        if block["type"] == "tasks":
            block["columns"].append({"field": "extra.task_unit", "label": "责任科室"})
        if block["type"] == "indicators":
            block["columns"] += [{"field": "extra.weight", "label": "分值"},
                                 {"field": "extra.kind", "label": "指标性质"}]
        if block["type"] == "fields" and block["step"] == "budget":
            block["rows"].append([{"label": "财政拨款", "fields": ["extra.income_fiscal"]}])
    return FormVariant.objects.create(code="test-extras", name="带自定义栏目的表样", kind="department",
                                      default_scheme=base.default_scheme, layout=layout)


def seed(**changes) -> dict:
    data = {
        "key": "t-dept", "kind": "department", "variant": "test-extras", "scheme": "cost-first",
        "unit": "327002001", "year": 2031, "money_unit": "wan",
        "header": {"unit_name": "示例单位", "extra": {"budget_code": "101001", "income_fiscal": "968.1918"}},
        "department": {"overall_goal": "保障运转"},
        "tasks": [{"name": "日常运转", "amount_total": "12.5", "extra": {"task_unit": "办公室"}}],
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "维修次数", "value": "≥280次",
             "note": "按合同", "extra": {"weight": "22.5", "kind": "定量"}},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "满意度", "value": "≥90%"},
        ],
    }
    data.update(changes)
    return data


def units():
    return {unit.code: unit for unit in Unit.objects.all()}


def test_the_seed_loader_stores_extras_of_header_tasks_and_indicators_as_the_fields_clean_them(variant_with_extras):
    filing = demo_module.load_filing(seed(), units())
    assert filing.extra == {"budget_code": "101001", "income_fiscal": "9681918.00"}  # money in 元
    assert filing.tasks.get().extra == {"task_unit": "办公室"}
    first, second = filing.indicators.order_by("order")
    assert first.extra == {"weight": "22.5", "kind": "定量"} and first.note == "按合同"
    assert second.extra == {} and second.note == ""
    assert variant_with_extras.description.extra("income_fiscal").python(filing.extra["income_fiscal"]) == \
        Decimal("9681918.00")


def test_a_seed_naming_a_field_the_variant_does_not_have_is_refused_with_the_row(variant_with_extras):
    data = seed()
    data["indicators"][1]["extra"] = {"task_unit": "办公室"}  # a task field on an indicator row
    with pytest.raises(ValueError, match="t-dept 绩效指标第 2 行：表样没有自定义栏目“task_unit”"):
        demo_module.load_filing(data, units())


def test_a_seed_value_the_field_does_not_accept_is_refused_in_chinese(variant_with_extras):
    data = seed()
    data["indicators"][0]["extra"]["kind"] = "定额"
    with pytest.raises(ValueError, match="指标性质应为：定量、定性"):
        demo_module.load_filing(data, units())


def test_blank_extra_values_are_not_stored(variant_with_extras):
    data = seed(header={"extra": {"budget_code": "", "income_fiscal": None}})
    assert demo_module.load_filing(data, units()).extra == {}


def test_sample_files_bring_their_own_units_under_a_demo_parent(db, monkeypatch, variant_with_extras):
    sample = {"units": [{"code": "TESTX1", "name": "示例市财政局", "kind": "finance", "region": "示例省"},
                        {"code": "TESTX2", "name": "示例市政府办公室", "kind": "department", "parent": "TESTX1"}],
              "filings": [seed(key="t-sample", unit="TESTX2")]}
    monkeypatch.setattr(demo_module.reference, "sample_files", lambda: [("x.json", sample)])
    assert demo_module.load_samples() == 1
    filing = Unit.objects.get(code="TESTX2").filings.get()
    assert filing.source == "sample:t-sample" and filing.unit.parent.code == "TESTX1"
    assert demo_module.load_samples() == 1 and Unit.objects.get(code="TESTX2").filings.count() == 1  # replaced

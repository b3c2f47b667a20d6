"""The 项目支出 wizard through its pages, per form variant (阳泉 s3, 湖南 s4, 江西 s1): which fields, labels, fund
columns and indicator sets each step shows, saving, bad input, changing the 表样 of a draft, and the project rules
shown on the steps and the check page.

Pages are read and posted as a browser would (helpers as in test_wizard_steps): `form_data` collects the fields the
page renders, a test changes some of them and posts them back with 保存 (`save`) or 保存并继续 (`continue`).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse

from filings.models import Filing, FormVariant, Indicator, ProjectDetails
from filings.validation import validate_filing

from .pages import BadCase, error_summary, form_data, html, login, message_next_to, open_step, step_states, step_url

FILERS = {"s3-proj1": "yq_sy", "s3-proj2": "yq_sy", "s3-proj3": "yq_sy", "s4-proj1": "yj_wjj",
          "s4-proj2": "yj_wjj", "s1-proj1": "cs_ybj"}
STEPS = {
    "proj-yangquan": ["project", "funds", "narrative", "goals", "indicators"],
    "proj-hunan": ["project", "funds", "goals", "indicators"],
    "proj-jiangxi": ["project", "funds", "goals", "indicators"],
}
TITLES = {"project": "项目基本信息", "funds": "项目资金", "narrative": "项目情况", "goals": "总体目标",
          "indicators": "绩效指标"}


# --- reading and posting pages like a browser ---------------------------------------------------------------

def resolve(data: dict[str, str], name: str) -> str:
    """The input name of a field: given in full (`funds-annual_total`) or by field alone (`contact_person`)."""
    if name in data:
        return name
    matches = [key for key in data if key.split("-", 1)[-1] == name]
    assert len(matches) == 1, f"the page has no single field {name!r}: {sorted(data)}"
    return matches[0]


def post_step(client, filing, key, changes=None, button="save"):
    """Open the step, change some fields and press a button, as the officer would."""
    _, data = open_step(client, filing, key)
    changes = {resolve(data, name): value for name, value in (changes or {}).items()}
    return client.post(step_url(filing, key), {**data, **changes, button: ""})


def reload(filing) -> Filing:
    return Filing.objects.with_related().get(pk=filing.pk)


def lookup(filing, path):
    """`project.annual_total`, `indicators.0.value_text`, `contact_person` … read from the database."""
    value = reload(filing)
    for part in path.split("."):
        if part.isdigit():
            value = list(value.order_by("period", "order", "pk"))[int(part)]
        else:
            value = getattr(value, part)
    return value


def snapshot(filing) -> dict:
    return {
        "filing": Filing.objects.filter(pk=filing.pk).values().get(),
        "details": ProjectDetails.objects.filter(filing_id=filing.pk).values().get(),
        "indicators": list(Indicator.objects.filter(filing_id=filing.pk).order_by("pk").values()),
    }


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def labels(page: str) -> dict[str, str]:
    """Input name → its label's text (without the required mark), for the step's form fields."""
    found = {}
    for target, label in re.findall(r'<label\s+for="id_([^"]+)"[^>]*>(.*?)</label>', page, re.S):
        found[target] = text(label).removesuffix("*").strip()
    return found










def findings_shown(page: str) -> list[tuple[str, str]]:
    """(“错误 A11” or “警告 W10”, message) of every finding box on the page."""
    boxes = re.findall(r'<div class="alert alert-(?:danger|warning) py-2 mb-1">(.*?)</div>', page, re.S)
    shown = []
    for box in boxes:
        code = text(re.search(r"<strong>(.*?)</strong>", box, re.S).group(1))
        shown.append((code, re.sub(r"\s*：\s*", "：", text(box.split("</strong>", 1)[1]), count=1)))
    return shown


def progress_steps(page: str, filing) -> list[tuple[str, str]]:
    """(step key, title) of the steps the progress list shows."""
    nav = re.search(r'<nav aria-label="填写步骤".*?</nav>', page, re.S).group(0)
    return re.findall(rf'href="/filings/{filing.pk}/step/([a-z]+)/"[^>]*>([^<]+)</a>', nav)


def variant(code) -> FormVariant:
    return FormVariant.objects.get(code=code)


@pytest.fixture
def as_filer(client, demo):
    """A client signed in as the filer of a seed filing: `filing, client = as_filer("s3-proj1")`."""

    def sign_in(key):
        return demo[key], login(client, FILERS[key])

    return sign_in


# --- each variant's 项目基本信息 ------------------------------------------------------------------------------
# The step's fields come in several forms (header, details, sign-off …); tests name them by field, as `bare(…)`.

def bare(name: str) -> str:
    """`header-contact_person` → `contact_person`."""
    return name.split("-", 1)[-1]


def project_fields(data: dict[str, str]) -> dict[str, str]:
    """Field name → the value the project step's page shows."""
    return {bare(name): value for name, value in data.items() if name != "lock_version"}


def label_of(model, name: str, variant_: FormVariant) -> str:
    """The label the layout gives a field placed alone in an entry, else the field's own name."""
    return variant_.label(name) or str(model._meta.get_field(name).verbose_name)


PROJECT_VALUES = {
    "s3-proj1": {"money_unit": "yuan", "competent_department": "阳泉市卫生健康委员会",
                 "competent_department_code": "063", "recurrence": "one_off", "period_text": "1年",
                 "filled_on": "2024-01-26", "responsible_person": ""},
    "s4-proj1": {"money_unit": "wan", "name": "基本公共卫生服务", "period_text": "一年",
                 "competent_department": "沅江市卫生健康局"},
    "s1-proj1": {"money_unit": "wan", "name": "基层医保经办服务能力建设补助资金", "start_date": "2025-01-01",
                 "end_date": "", "novelty": "continuing"},
}
OWN_WORDING = {  # what the issue names for each variant
    "s3-proj1": {"responsible_person": "负责人", "handler": "经办人", "name": "项目名称"},
    "s4-proj1": {"name": "项目支出名称", "competent_department": "预算部门", "period_text": "项目支出实施期",
                 "contact_person": "填表人"},
    "s1-proj1": {"start_date": "项目日期范围（起）", "end_date": "项目日期范围（止）", "name": "项目名称"},
}


@pytest.mark.parametrize("key", list(PROJECT_VALUES))
def test_the_project_step_shows_exactly_the_variants_fields_with_its_labels(as_filer, key):
    """The fields of the layout's blocks on the 项目基本信息 step, each once, labelled as the layout's entries."""
    filing, client = as_filer(key)
    response, data = open_step(client, filing, "project")
    page_labels = {bare(name): label for name, label in labels(html(response)).items()}
    configured = filing.variant
    placed = list(dict.fromkeys(configured.description.step_fields("project")))
    fields = project_fields(data)
    assert set(fields) == {"variant", "money_unit", *placed}
    filing_fields = {f.name for f in Filing._meta.concrete_fields}
    expected = {name: label_of(Filing if name in filing_fields else ProjectDetails, name, configured)
                for name in placed}
    expected |= {"variant": "表样", "money_unit": str(Filing._meta.get_field("money_unit").verbose_name)}
    # 主管部门及代码 holds two fields: each input keeps its own name
    expected |= {name: str(Filing._meta.get_field(name).verbose_name)
                 for name in ("competent_department", "competent_department_code") if name in placed
                 and key != "s4-proj1"}
    assert {name: page_labels.get(name) for name in fields} == expected
    assert {name: page_labels[name] for name in OWN_WORDING[key]} == OWN_WORDING[key]
    assert {name: fields[name] for name in PROJECT_VALUES[key]} == PROJECT_VALUES[key]


def test_yangquan_shows_the_sign_off_people_and_no_novelty(as_filer):
    filing, client = as_filer("s3-proj1")
    fields = project_fields(open_step(client, filing, "project")[1])
    assert {"responsible_person", "handler", "contact_phone", "filled_on", "filled_time"} <= set(fields)
    assert not {"novelty", "contact_person", "start_date", "end_date"} & set(fields)


def test_hunan_shows_its_own_wording_and_no_code_or_dates(as_filer):
    filing, client = as_filer("s4-proj1")
    response, data = open_step(client, filing, "project")
    assert {"contact_person", "unit_head"} <= set(project_fields(data))
    assert not {"competent_department_code", "implementing_unit", "novelty", "recurrence", "start_date",
                "responsible_person", "handler"} & set(project_fields(data))
    for absent in ["主管部门代码", "实施单位", "项目名称", "负责人", "经办人"]:
        assert absent not in labels(html(response)).values(), absent


def test_jiangxi_shows_a_date_range(as_filer):
    filing, client = as_filer("s1-proj1")
    response, data = open_step(client, filing, "project")
    assert re.search(r'<input type="date" name="[a-z]+-start_date" value="2025-01-01"', html(response))
    assert re.search(r'<input type="date" name="[a-z]+-end_date"', html(response))
    assert not {"period_text", "recurrence", "responsible_person"} & set(project_fields(data))


def test_a_variants_layout_is_configuration(as_filer):
    """Showing 项目期（年） and renaming 项目名称 for 阳泉 is a change of its layout (data), not of code."""
    filing, client = as_filer("s3-proj1")
    configured = filing.variant
    layout = configured.layout
    for block in layout["blocks"]:
        for row in block.get("rows", []):
            row[:] = [entry for entry in row if entry.get("fields") != ["handler"]]
            for entry in row:
                if entry.get("fields") == ["name"]:
                    entry["label"] = "项目名称（全称）"
        block["rows"] = [row for row in block.get("rows", []) if row] if "rows" in block else None
        if block["rows"] is None:
            del block["rows"]
    layout["blocks"][0]["rows"].append([{"label": "项目期（年）", "fields": ["period_years"]}])
    configured.layout = layout
    configured.save()
    response, data = open_step(client, filing, "project")
    fields = project_fields(data)
    assert "period_years" in fields and "handler" not in fields
    page_labels = {bare(name): label for name, label in labels(html(response)).items()}
    assert (page_labels["name"], page_labels["period_years"]) == ("项目名称（全称）", "项目期（年）")


def test_the_project_step_is_all_in_chinese(as_filer):
    """Choice fields (一次性／经常性, 新增／延续) must not offer Django's English blank “- Select an option -”."""
    filing, client = as_filer("s3-proj1")
    page = html(open_step(client, filing, "project")[0])
    assert "Select an option" not in page


def test_jiangxi_novelty_choice_offers_a_chinese_blank(as_filer):
    filing, client = as_filer("s1-proj1")
    page = html(open_step(client, filing, "project")[0])
    select = re.search(r'<select name="[a-z]+-novelty".*?</select>', page, re.S).group(0)
    assert [text(o) for o in re.findall(r"<option[^>]*>(.*?)</option>", select)][1:] == ["新增项目", "延续项目"]
    assert "Select an option" not in select


@pytest.mark.parametrize("key", ["s3-proj1", "s4-proj1", "s1-proj1"])
def test_the_task_list_has_the_variants_steps(as_filer, key):
    filing, client = as_filer(key)
    page = html(client.get(reverse("filings:tasks", args=[filing.pk])))
    assert progress_steps(page, filing) == [(step, TITLES[step]) for step in STEPS[filing.variant.code]]
    assert ("项目情况" in page) is (key == "s3-proj1")
    assert "核对并提交" in page


@pytest.mark.parametrize("key", ["s4-proj1", "s1-proj1"])
def test_the_narrative_step_of_a_variant_without_it_answers_404(as_filer, key):
    filing, client = as_filer(key)
    assert client.get(step_url(filing, "narrative")).status_code == 404
    assert client.post(step_url(filing, "narrative"), {"narrative-overview": "x", "save": ""}).status_code == 404
    assert client.get(step_url(filing, "budget")).status_code == 404  # nor the department form's steps


# --- 项目资金 ----------------------------------------------------------------------------------------------------

LEVELS = ["total", "central", "provincial", "municipal", "self_raised", "other"]
LEVEL_LABELS = ["资金总额", "中央财政资金", "省级财政资金", "市县（区）财政资金", "单位自筹", "其他资金"]


def test_yangquan_funds_show_the_period_and_the_year_by_level_in_yuan(as_filer):
    filing, client = as_filer("s3-proj1")
    response, data = open_step(client, filing, "funds")
    page = html(response)
    # as the layout arranges them: 实施期 and 年度 side by side, source by source
    names = [f"funds-{scope}_{level}" for level in LEVELS for scope in ("implementation", "annual")]
    assert list(data)[1:] == names  # after lock_version, in this order
    assert re.findall(r'<legend class="h6">(.*?)</legend>', page) == ["项目资金（元）"]
    found = labels(page)
    assert found["funds-implementation_total"] == "实施期资金总额（元）"
    assert found["funds-annual_total"] == "年度资金总额（元）"
    for level, label in zip(LEVELS[1:], LEVEL_LABELS[1:], strict=True):
        assert found[f"funds-annual_{level}"] == f"年度：{label}（元）"
        assert found[f"funds-implementation_{level}"] == f"实施期：{label}（元）"
    assert (data["funds-annual_total"], data["funds-annual_central"], data["funds-annual_other"]) == (
        "550000", "550000", "")
    # live totals know which inputs add up to which total
    assert 'data-total="annual_total" data-parts="annual_central annual_provincial annual_municipal ' \
           'annual_self_raised annual_other "' in page
    assert "local_amount" not in page and "财政拨款" not in page


def test_jiangxi_funds_show_the_year_only_as_fiscal_and_other_in_wan(as_filer):
    filing, client = as_filer("s1-proj1")
    response, data = open_step(client, filing, "funds")
    page = html(response)
    assert list(data)[1:] == ["funds-annual_total", "funds-annual_fiscal", "funds-annual_other"]
    assert re.findall(r'<legend class="h6">(.*?)</legend>', page) == ["项目资金（万元）"]
    assert {name: label for name, label in labels(page).items() if name.startswith("funds-")} == {
        "funds-annual_total": "年度资金总额（万元）", "funds-annual_fiscal": "其中：财政拨款（万元）",
        "funds-annual_other": "其他资金（万元）"}  # the layout's labels
    assert (data["funds-annual_total"], data["funds-annual_fiscal"]) == ("30", "30")
    assert "实施期" not in text(page[page.index('class="wizard-form"'):])


def test_hunan_funds_show_the_local_amount_and_the_higher_level_funds(as_filer):
    filing, client = as_filer("s4-proj1")
    response, data = open_step(client, filing, "funds")
    page = html(response)
    assert data == {"lock_version": data["lock_version"], "funds-local_amount": "600",
                    "funds-higher_level_note": "中央4193.9、省1048.48"}
    assert {name: label for name, label in labels(page).items() if name.startswith("funds-")} == {
        "funds-local_amount": "年度本级预算金额（万元）", "funds-higher_level_note": "该项目支出上级资金"}
    assert "<legend" not in page


@pytest.mark.parametrize("key, changes, stored", [
    ("s3-proj3", {"funds-annual_total": "20,467,700", "funds-annual_municipal": "20,467,700"},
     {"annual_total": Decimal("20467700.00"), "annual_municipal": Decimal("20467700.00")}),
    ("s3-proj1", {"funds-annual_other": "１２,３４５.６７", "funds-annual_total": " 562,345.67 "},
     {"annual_other": Decimal("12345.67"), "annual_total": Decimal("562345.67")}),
    ("s4-proj2", {"funds-local_amount": "600"}, {"local_amount": Decimal("6000000.00")}),
    ("s4-proj1", {"funds-local_amount": "1,234.5678"}, {"local_amount": Decimal("12345678.00")}),
    ("s1-proj1", {"funds-annual_total": "30.5", "funds-annual_other": "0.5"},
     {"annual_total": Decimal("305000.00"), "annual_other": Decimal("5000.00")}),
])
def test_amounts_typed_in_the_filings_unit_are_stored_in_yuan(as_filer, key, changes, stored):
    filing, client = as_filer(key)
    response = post_step(client, filing, "funds", changes)
    assert response.status_code == 302
    project = reload(filing).project
    assert {name: getattr(project, name) for name in stored} == stored
    # shown again in the filing's unit
    data = open_step(client, filing, "funds")[1]
    for name, value in stored.items():
        unit = Decimal(10000) if filing.money_unit == "wan" else Decimal(1)
        assert Decimal(data[f"funds-{name}"]) == value / unit


def test_changing_the_money_unit_keeps_the_amounts_and_shows_them_in_the_new_unit(as_filer):
    filing, client = as_filer("s3-proj2")
    assert post_step(client, filing, "project", {"money_unit": "wan"}).status_code == 302
    assert reload(filing).project.implementation_total == Decimal("23467700.00")
    response, data = open_step(client, filing, "funds")
    assert (data["funds-implementation_total"], data["funds-annual_total"]) == ("2346.77", "300")
    assert labels(html(response))["funds-annual_total"] == "年度资金总额（万元）"
    post_step(client, filing, "funds", {"funds-annual_total": "300.5", "funds-annual_municipal": "300.5"})
    assert reload(filing).project.annual_total == Decimal("3005000.00")


# --- 绩效指标 --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, periods, standard", [
    ("s3-proj1", ["implementation", "annual"], False),
    ("s4-proj1", ["annual"], True),
    ("s1-proj1", ["annual"], False),
])
def test_the_indicators_step_shows_the_variants_sets_and_columns(as_filer, key, periods, standard):
    filing, client = as_filer(key)
    response, data = open_step(client, filing, "indicators")
    page = html(response)
    assert re.findall(r'<section class="indicator-period mb-4" data-period="([a-z]+)"', page) == periods
    both = len(periods) == 2
    assert ("把年度指标复制到实施期" in page) is both and ("实施期与年度并排显示" in page) is both
    assert ("<h2 class=\"h5\">实施期绩效指标</h2>" in page) is both
    rows = filing.indicators.count()
    assert data["indicators-TOTAL_FORMS"] == str(rows)
    assert sorted({data[f"indicators-{n}-period"] for n in range(rows)}) == sorted(periods)
    assert (f"indicators-{rows - 1}-standard" in data) is standard
    assert ('for="id_indicators-0-standard">绩效标准</label>' in page) is standard


def test_hunan_indicators_show_their_performance_standard(as_filer):
    filing, client = as_filer("s4-proj1")
    data = open_step(client, filing, "indicators")[1]
    standards = [row.standard for row in filing.indicators.order_by("period", "order", "pk")]
    assert any(standards)
    assert [data[f"indicators-{n}-standard"] for n in range(len(standards))] == standards


# --- saving each step ------------------------------------------------------------------------------------------

@dataclass
class StepCase:
    key: str
    step: str
    changes: dict[str, str]  # what the officer types
    stored: dict[str, object] = field(default_factory=dict)  # lookup path → value in the database afterwards

    def __str__(self):
        return f"{self.key}-{self.step}"


CASES = [
    StepCase("s3-proj1", "project",
             {"responsible_person": "李建国", "handler": "王芳", "contact_phone": "0353-2021234",
              "recurrence": "recurring", "period_text": "3年", "filled_time": "09:30:00"},
             {"responsible_person": "李建国", "handler": "王芳", "contact_phone": "0353-2021234",
              "project.recurrence": "recurring", "project.period_text": "3年",
              "filled_time": datetime.time(9, 30)}),
    StepCase("s3-proj1", "funds",
             {"funds-implementation_total": "1650000", "funds-implementation_provincial": "1100000"},
             {"project.implementation_total": Decimal("1650000.00"),
              "project.implementation_provincial": Decimal("1100000.00")}),
    StepCase("s3-proj1", "narrative",
             {"narrative-overview": "支持公立医院综合改革，共计55万元。", "narrative-plan": "1月至12月分季度实施。"},
             {"project.overview": "支持公立医院综合改革，共计55万元。", "project.plan": "1月至12月分季度实施。"}),
    StepCase("s3-proj1", "goals",
             {"goals-implementation_goal": "实施期内完成改革任务。", "goals-annual_goal": "本年度完成改革任务。"},
             {"project.implementation_goal": "实施期内完成改革任务。", "project.annual_goal": "本年度完成改革任务。"}),
    StepCase("s3-proj1", "indicators",
             {"indicators-0-value_text": "≥95%", "indicators-0-note": "按季度统计"},
             {"indicators.0.value_text": "≥95%", "indicators.0.note": "按季度统计",
              "indicators.0.value_number": Decimal("95")}),
    StepCase("s4-proj1", "project",
             {"contact_person": "肖雨婷", "unit_head": "周建军", "period_text": "2024年度",
              "name": "基本公共卫生服务项目"},
             {"contact_person": "肖雨婷", "unit_head": "周建军", "project.period_text": "2024年度",
              "project.name": "基本公共卫生服务项目"}),
    StepCase("s4-proj1", "funds",
             {"funds-local_amount": "650", "funds-higher_level_note": "中央4193.9、省1048.48、市100"},
             {"project.local_amount": Decimal("6500000.00"),
              "project.higher_level_note": "中央4193.9、省1048.48、市100"}),
    StepCase("s4-proj1", "goals",
             {"goals-implementation_goal": "三年内基本公共卫生服务全覆盖。", "goals-annual_goal": "本年度建档率≥90%。"},
             {"project.implementation_goal": "三年内基本公共卫生服务全覆盖。",
              "project.annual_goal": "本年度建档率≥90%。"}),
    StepCase("s4-proj1", "indicators",
             {"indicators-0-standard": "按国家基本公共卫生服务规范（第三版）"},
             {"indicators.0.standard": "按国家基本公共卫生服务规范（第三版）"}),
    StepCase("s1-proj1", "project",
             {"end_date": "2025-12-31", "novelty": "continuing", "competent_department_code": "327"},
             {"project.end_date": datetime.date(2025, 12, 31), "project.novelty": "continuing",
              "competent_department_code": "327"}),
    StepCase("s1-proj1", "funds",
             {"funds-annual_total": "35", "funds-annual_other": "5"},
             {"project.annual_total": Decimal("350000.00"), "project.annual_other": Decimal("50000.00"),
              "project.annual_fiscal": Decimal("300000.00")}),
    StepCase("s1-proj1", "goals",
             {"goals-annual_goal": "提升基层医保经办服务能力。"},
             {"project.annual_goal": "提升基层医保经办服务能力。"}),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_save_stores_the_values_and_stays_on_the_step(as_filer, case):
    filing, client = as_filer(case.key)
    response = post_step(client, filing, case.step, case.changes, "save")
    assert response.status_code == 302, form_data(response) if response.status_code == 422 else ""
    assert response.url == step_url(filing, case.step)
    assert {path: lookup(filing, path) for path in case.stored} == case.stored
    saved = reload(filing)
    assert case.step in saved.saved_steps and case.step not in saved.completed_steps
    assert saved.lock_version == filing.lock_version + 1
    page, data = open_step(client, filing, case.step)
    assert {name: data.get(resolve(data, name)) for name in case.changes} == case.changes
    assert f"已保存“{TITLES[case.step]}”，可以继续填写或稍后再来。" in html(page)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_save_and_continue_goes_to_the_variants_next_step(as_filer, case):
    filing, client = as_filer(case.key)
    response = post_step(client, filing, case.step, case.changes, "continue")
    steps = STEPS[filing.variant.code]
    following = steps[steps.index(case.step) + 1] if case.step != steps[-1] else None
    assert response.status_code == 302
    assert response.url == (step_url(filing, following) if following else reverse("filings:check", args=[filing.pk]))
    saved = reload(filing)
    assert case.step in saved.completed_steps
    assert saved.current_step == (following or "check")
    assert {path: lookup(filing, path) for path in case.stored} == case.stored
    assert step_states(html(client.get(response.url)))[TITLES[case.step]] in {"已完成", "有问题"}


# --- bad input: 422, Chinese messages beside the field and in the summary, the typed text kept, nothing saved ---


BAD = [
    BadCase("s3-proj1", "funds", {"funds-annual_central": "-5", "funds-annual_total": "550,000"},
            "funds-annual_central", "确保该值大于或等于0。"),
    BadCase("s3-proj1", "funds", {"funds-implementation_total": "五十五万元"},
            "funds-implementation_total", "输入一个数字。"),
    BadCase("s3-proj1", "funds", {"funds-annual_other": "12.345"}, "funds-annual_other", "确认小数不超过 2 位"),
    BadCase("s4-proj1", "funds", {"funds-local_amount": "-600", "funds-higher_level_note": "中央4193.9"},
            "funds-local_amount", "确保该值大于或等于0。"),
    BadCase("s4-proj1", "funds", {"funds-local_amount": "六百"}, "funds-local_amount", "输入一个数字。"),
    BadCase("s1-proj1", "funds", {"funds-annual_fiscal": "abc"}, "funds-annual_fiscal", "输入一个数字。"),
    BadCase("s3-proj1", "project", {"name": "", "handler": "王芳"}, "name", "这个字段是必填项。"),
    BadCase("s3-proj1", "project", {"filled_on": "2024-02-30"}, "filled_on", "输入一个有效的日期。"),
    BadCase("s3-proj1", "project", {"filled_time": "25:61:00"}, "filled_time", "输入一个有效的时间。"),
    BadCase("s4-proj1", "project", {"name": "", "contact_person": "肖雨婷"}, "name",
            "这个字段是必填项。"),
    BadCase("s1-proj1", "project", {"start_date": "2025-12-31", "end_date": "2025-01-01"},
            "end_date", "项目结束日期不能早于开始日期。"),
    BadCase("s4-proj1", "indicators", {"indicators-0-name": "", "indicators-0-value_text": "≥95%"},
            "indicators-0-name", "请填写三级指标名称。"),
]


@pytest.mark.parametrize("case", BAD, ids=str)
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_is_saved(as_filer, case):
    filing, client = as_filer(case.key)
    before = snapshot(filing)
    response = post_step(client, filing, case.step, case.changes, "continue")
    page = html(response)
    assert response.status_code == 422
    data = form_data(response)
    field_id = f"id_{resolve(data, case.field)}"
    assert case.message in message_next_to(page, field_id)
    assert any(anchor == field_id and case.message in message for anchor, _, message in error_summary(page))
    assert "尚未保存" in page
    assert snapshot(filing) == before
    assert {name: data.get(resolve(data, name)) for name in case.changes} == case.changes


@pytest.mark.parametrize("typed, message", [("abc", "输入整数。"), ("-1", "确保该值大于或等于0。"),
                                            ("1.5", "输入整数。")])
def test_a_bad_project_period_in_years_is_refused(as_filer, typed, message):
    """项目期（年）, where a variant shows it (configured here for 阳泉)."""
    filing, client = as_filer("s3-proj1")
    configured = filing.variant
    if not configured.shows("period_years"):
        configured.layout["blocks"][0]["rows"].append([{"label": "项目期（年）", "fields": ["period_years"]}])
        configured.save()
    before = snapshot(filing)
    response = post_step(client, filing, "project", {"period_years": typed, "handler": "王芳"})
    assert response.status_code == 422
    data = form_data(response)
    field_id = f"id_{resolve(data, 'period_years')}"
    assert message in message_next_to(html(response), field_id)
    assert any(anchor == field_id and message in text for anchor, _, text in error_summary(html(response)))
    assert (project_fields(data)["period_years"], project_fields(data)["handler"]) == (typed, "王芳")
    assert snapshot(filing) == before


def test_a_department_form_variant_cannot_be_chosen_for_a_project(as_filer):
    filing, client = as_filer("s3-proj1")
    response = post_step(client, filing, "project", {"variant": str(variant("dept-jiangxi").pk)})
    assert response.status_code == 422
    assert "选择一个有效的选项" in message_next_to(html(response), f"id_{resolve(form_data(response), 'variant')}")
    assert reload(filing).variant.code == "proj-yangquan"


def test_several_errors_are_all_listed_and_the_valid_text_is_kept(as_filer):
    filing, client = as_filer("s3-proj1")
    response = post_step(client, filing, "funds", {"funds-annual_central": "-1", "funds-annual_total": "x",
                                                   "funds-implementation_other": "12,000"})
    summary = error_summary(html(response))
    assert [anchor for anchor, _, _ in summary] == ["id_funds-annual_total", "id_funds-annual_central"]
    assert "有 2 处需要修改，尚未保存" in html(response)
    assert form_data(response)["funds-implementation_other"] == "12,000"


# --- changing the 表样 of a draft -------------------------------------------------------------------------------

def test_changing_the_variant_keeps_the_shared_fields_and_changes_the_steps(as_filer):
    filing, client = as_filer("s3-proj1")
    before = reload(filing)
    response = post_step(client, filing, "project", {"variant": str(variant("proj-hunan").pk),
                                                     "contact_phone": "0353-2021234"})
    assert response.status_code == 302
    after = reload(filing)
    assert after.variant.code == "proj-hunan"
    assert after.contact_phone == "0353-2021234"
    kept = ["name", "implementing_unit", "recurrence", "period_text", "period_years", "annual_total",
            "implementation_total", "annual_central", "overview", "implementation_goal", "annual_goal"]
    assert {name: getattr(after.project, name) for name in kept} == {
        name: getattr(before.project, name) for name in kept}
    assert (after.competent_department, after.competent_department_code, after.scheme_id) == (
        before.competent_department, before.competent_department_code, before.scheme_id)
    assert after.indicators.count() == before.indicators.count()
    # the steps are 湖南's now
    tasks = html(client.get(reverse("filings:tasks", args=[filing.pk])))
    assert [key for key, _ in progress_steps(tasks, filing)] == STEPS["proj-hunan"]
    assert client.get(step_url(filing, "narrative")).status_code == 404
    page, data = open_step(client, filing, "project")
    assert labels(html(page))[resolve(data, "name")] == "项目支出名称"
    assert project_fields(data)["name"] == before.project.name
    assert not {"recurrence", "responsible_person", "handler"} & set(project_fields(data))
    funds = open_step(client, filing, "funds")[1]
    assert set(funds) == {"lock_version", "funds-local_amount", "funds-higher_level_note"}
    indicators = html(open_step(client, filing, "indicators")[0])
    assert 'for="id_indicators-0-standard">绩效标准</label>' in indicators
    assert re.findall(r'<section class="indicator-period mb-4" data-period="([a-z]+)"', indicators) == ["annual"]


def test_changing_the_variant_to_yangquan_adds_its_steps(as_filer):
    filing, client = as_filer("s4-proj1")
    response = post_step(client, filing, "project", {"variant": str(variant("proj-yangquan").pk)}, "continue")
    assert response.status_code == 302 and response.url == step_url(filing, "funds")
    funds = open_step(client, filing, "funds")[1]
    assert "funds-annual_central" in funds and "funds-implementation_total" in funds
    assert open_step(client, filing, "narrative")[0].status_code == 200
    page = html(client.get(reverse("filings:tasks", args=[filing.pk])))
    assert "项目情况" in page
    assert reload(filing).project.local_amount == Decimal("6000000.00")  # kept, though no longer shown


def test_after_a_change_to_a_variant_without_the_period_set_its_rows_do_not_pose_as_annual_rows(as_filer):
    """阳泉 → 湖南: the 实施期 rows must not show up inside the 年度 groups, where they look like 年度 indicators
    but are saved back as 实施期 rows and never print in the 年度 table."""
    filing, client = as_filer("s3-proj1")
    post_step(client, filing, "project", {"variant": str(variant("proj-hunan").pk)})
    page = html(open_step(client, filing, "indicators")[0])
    annual = page[page.index('<section class="indicator-period mb-4" data-period="annual"'):]
    annual = annual[:annual.index("</section>")]
    periods = [re.search(r'value="([^"]*)"', tag).group(1)
               for tag in re.findall(r'<input[^>]*name="indicators-\d+-period"[^>]*>', annual)]
    assert periods.count("annual") == filing.indicators.filter(period="annual").count()
    assert set(periods) == {"annual"}, f"{periods.count('implementation')} 实施期 rows shown among the 年度 rows"


def test_a_submitted_project_cannot_change_its_variant(as_filer):
    filing, client = as_filer("s3-proj1")
    data = open_step(client, filing, "project")[1]
    Filing.objects.filter(pk=filing.pk).update(status="submitted")
    response = client.post(step_url(filing, "project"), {**data, resolve(data, "variant"): variant("proj-hunan").pk,
                                                         "save": ""})
    assert response.status_code == 409 and "不能再修改" in response.content.decode()
    assert reload(filing).variant.code == "proj-yangquan"


# --- the project rules on the steps and the check page ----------------------------------------------------------

A11 = "一次性（1年）项目的实施期资金总额 20,467,700元 应等于年度资金总额 19,340,000元。"


def test_a11_shows_on_the_funds_step_and_the_check_page(as_filer):
    filing, client = as_filer("s3-proj3")
    funds = html(open_step(client, filing, "funds")[0])
    assert ("错误 A11", f"项目资金：{A11}") in findings_shown(funds)
    project = html(open_step(client, filing, "project")[0])
    assert "A11" not in project
    check = html(client.get(reverse("filings:check", args=[filing.pk])))
    assert ("错误 A11", f"项目资金：{A11}") in findings_shown(check)
    assert f'href="{step_url(filing, "funds")}#field-implementation_total"' in check
    report = validate_filing(reload(filing))
    assert f"核对结果：错误 {len(report.errors)} 项，警告 {len(report.warnings)} 项" in check
    assert 'id="submit-filing" disabled' in check
    # typing the right annual amount clears it
    post_step(client, filing, "funds", {"funds-annual_total": "20,467,700", "funds-annual_municipal": "20,467,700"})
    assert "A11" not in html(open_step(client, filing, "funds")[0])
    assert "A11" not in html(client.get(reverse("filings:check", args=[filing.pk])))


def test_w10_shows_on_the_narrative_step_of_s3_proj2(as_filer):
    filing, client = as_filer("s3-proj2")
    page = html(open_step(client, filing, "narrative")[0])
    warnings = [(code, message) for code, message in findings_shown(page) if code == "警告 W10"]
    assert len(warnings) == 1
    assert warnings[0][1].startswith("项目情况：“保证项目实施的制度、措施”中写明共计 9244.677万元")
    assert "警告 1 项" in page
    funds = html(open_step(client, filing, "funds")[0])
    assert any(code == "警告 W10" and "可能重复计列" in message for code, message in findings_shown(funds))
    check = html(client.get(reverse("filings:check", args=[filing.pk])))
    assert sum(code == "警告 W10" for code, _ in findings_shown(check)) == 2


def test_a10_is_flagged_after_saving_a_wrong_source_amount(as_filer):
    filing, client = as_filer("s3-proj1")
    assert "A10" not in html(open_step(client, filing, "funds")[0])
    response = post_step(client, filing, "funds", {"funds-annual_central": "500,000"})
    assert response.status_code == 302  # saved: a sum that does not add up is a finding, not bad input
    assert reload(filing).project.annual_central == Decimal("500000.00")
    page = html(client.get(response.url))
    a10 = [message for code, message in findings_shown(page) if code == "错误 A10"]
    assert a10 == ["项目资金：年度资金总额 550,000元 不等于 中央财政资金 500,000元 + 省级财政资金 0元 + "
                   "市县（区）财政资金 0元 + 单位自筹 0元 = 500,000元。"]
    assert step_states(page)["项目资金"] == "有问题"
    check = html(client.get(reverse("filings:check", args=[filing.pk])))
    assert any(code == "错误 A10" for code, _ in findings_shown(check))
    # the projects list counts it too
    listing = html(client.get(reverse("filings:projects") + f"?unit={filing.unit_id}&year=2024"))
    report = validate_filing(reload(filing))
    assert f"错误 {len(report.errors)}" in listing and len(report.errors) == 5


def test_a_project_made_recurring_over_three_years_is_no_longer_checked_as_a_one_year_project(as_filer):
    """s3-proj3 is printed as 一次性, 1年 (A11: its 实施期 total must equal the 年度 total). The officer corrects
    it to 经常性 over 3年 on the 项目基本信息 page; the rules must then read a three-year project."""
    filing, client = as_filer("s3-proj3")
    _, data = open_step(client, filing, "project")
    changes = {"recurrence": "recurring", "period_text": "3年"}
    if "period_years" in project_fields(data):
        changes["period_years"] = "3"
    assert post_step(client, filing, "project", changes).status_code == 302
    project = reload(filing).project
    assert (project.recurrence, project.period_text) == ("recurring", "3年")
    assert project.period_years in {None, 3}, f"项目期（年） still {project.period_years} after 项目期 became 3年"
    assert "A11" not in [f.code for f in validate_filing(reload(filing)).findings]
    assert "A11" not in html(open_step(client, filing, "funds")[0])


def test_a10_for_jiangxi_fiscal_and_other(as_filer):
    filing, client = as_filer("s1-proj1")
    post_step(client, filing, "funds", {"funds-annual_other": "5"})
    page = html(open_step(client, filing, "funds")[0])
    assert [m for c, m in findings_shown(page) if c == "错误 A10"] == [
        "项目资金：年度资金总额 30万元 不等于 财政拨款 30万元 + 其他资金 5万元 = 35万元。"]


def test_please_fill_in_errors_wait_until_the_step_was_saved(as_filer):
    filing, client = as_filer("s3-proj1")
    page = html(open_step(client, filing, "project")[0])
    assert not any(code == "错误 E1" for code, _ in findings_shown(page))
    post_step(client, filing, "project")
    page = html(open_step(client, filing, "project")[0])
    e1 = [message for code, message in findings_shown(page) if code == "错误 E1"]
    assert e1 == [f"项目基本信息：请填写“{label}”。" for label in ("负责人", "经办人", "联系电话")]


def printed_form(page: str) -> str:
    return text(page[page.index('<div class="printed-form">'):])


def test_the_check_page_prints_the_project_as_its_variant(as_filer):
    filing, client = as_filer("s3-proj2")
    page = html(client.get(reverse("filings:check", args=[filing.pk])))
    printed = printed_form(page)
    assert "金额单位：元" in printed
    assert "23,467,700" in printed and "3,000,000" in printed
    # 阳泉 prints 实施期 and 年度 indicators side by side in one table, as on the seed
    assert re.findall(r'indicators-table side-by-side" data-period="([a-z ]+)"', page) == ["implementation annual"]
    assert "项目概况" in printed and "保证项目实施的制度、措施" in printed
    hunan, client = as_filer("s4-proj1")
    page = html(client.get(reverse("filings:check", args=[hunan.pk])))
    printed = printed_form(page)
    assert "金额单位：万元" in printed and "年度本级预算金额 600" in printed and "中央4193.9、省1048.48" in printed
    assert re.findall(r'indicators-table with-standard" data-period="([a-z ]+)"', page) == ["annual"]
    assert '<th scope="col">绩效标准</th>' in page
    assert "项目概况" not in printed

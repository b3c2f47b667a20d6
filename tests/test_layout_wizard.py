"""The wizard follows the variant's layout description: a new arrangement, new labels and the variant's own fields
(部门预算编码 on the header, 计量单位 and 定量/定性 on the indicators, 权重 on the tasks) are data, shown and saved
through the step pages without a change of code; and the indicator scheme is the filer's own choice.
"""

import copy
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.models import AnnualTask, EventKind, Filing, FilingEvent, FilingStatus, FormVariant, Indicator
from filings.services import switch_scheme
from indicators.models import Category, Scheme

from .pages import error_summary, form_data, html, login, message_next_to, open_step, step_url

FILER = "cs_zyy"  # s0-dept, 江西
VARIANTS = Path(settings.BASE_DIR) / "fixtures" / "variants"


def custom_layout() -> dict:
    """The 江西 layout rearranged and renamed, without its budget step, with three own fields."""
    layout = copy.deepcopy(json.loads((VARIANTS / "dept-jiangxi.json").read_text())["variant"]["layout"])
    layout["checks"] = ["staffing"]
    layout["extra_fields"] = [
        {"key": "budget_code", "on": "filing", "label": "部门预算编码", "type": "text", "max_length": 12},
        {"key": "unit", "on": "indicator", "label": "计量单位", "type": "text"},
        {"key": "kind", "on": "indicator", "label": "指标性质", "type": "choice", "choices": ["定量", "定性"]},
        {"key": "weight", "on": "task", "label": "权重", "type": "number"},
    ]
    blocks = [b for b in layout["blocks"] if b.get("step") != "budget"]
    unit = blocks[0]
    # the unit's name renamed, the code beside it; the 编制 rows in a group of their own
    unit["rows"][0] = [{"label": "预算单位名称", "fields": ["unit_name"]},
                       {"label": "部门预算编码", "fields": ["extra.budget_code"]}]
    staffing = unit["rows"][-3:]
    unit["rows"] = unit["rows"][:-3]
    blocks.insert(1, {"type": "fields", "step": "unit", "group": "人员编制情况", "rows": staffing})
    for block in blocks:
        if block["type"] == "tasks":
            block["columns"].insert(1, {"field": "extra.weight", "label": "权重（%）"})
        if block["type"] == "indicators":
            block["columns"][3:3] = [{"field": "extra.unit", "label": "计量单位"},
                                     {"field": "extra.kind", "label": "定量/定性"}]
    layout["blocks"] = blocks
    return layout


@pytest.fixture
def custom(client, demo):
    """s0-dept filed on a new variant loaded from that JSON layout; a client signed in as its filer."""
    filing = demo["s0-dept"]
    variant = FormVariant.objects.get(pk=filing.variant_id)
    variant.pk, variant.code, variant.name = None, "dept-custom", "部门整体支出绩效目标表（自定义）"
    variant.layout = custom_layout()
    variant.full_clean()
    variant.save()
    Filing.objects.filter(pk=filing.pk).update(variant=variant)
    return Filing.objects.with_related().get(pk=filing.pk), login(client, FILER)


def post(client, filing, key, changes, button="save"):
    _, data = open_step(client, filing, key)
    return client.post(step_url(filing, key), {**data, **changes, button: ""})


def labels(page: str) -> dict[str, str]:
    return {target: re.sub(r"<[^>]+>|\*", "", label).strip()
            for target, label in re.findall(r'<label[^>]*for="id_([^"]+)"[^>]*>(.*?)</label>', page, re.S)}


def steps_shown(page: str, filing) -> list[str]:
    nav = re.search(r'<nav aria-label="填写步骤".*?</nav>', page, re.S).group(0)
    return re.findall(rf'href="/filings/{filing.pk}/step/([a-z]+)/"', nav)


def latest_event(filing) -> FilingEvent:
    return FilingEvent.objects.filter(filing_ref=filing.pk).order_by("-pk").first()


# --- a new arrangement and new labels ---------------------------------------------------------------------------

def test_the_steps_and_groups_follow_the_layout(custom):
    filing, client = custom
    response, data = open_step(client, filing, "unit")
    page = html(response)
    assert steps_shown(page, filing) == ["unit", "functions", "tasks", "goals", "indicators"]  # no 预算情况 block
    assert client.get(step_url(filing, "budget")).status_code == 404
    found = labels(page)
    assert (found["header-unit_name"], found["header-extra.budget_code"]) == ("预算单位名称", "部门预算编码")
    assert re.findall(r'<legend class="h6">(.*?)</legend>', page) == ["人员编制情况"]
    staffing = page[page.index("人员编制情况"):]
    assert 'name="details-staff_extra"' in staffing and 'name="details-function_basis"' not in staffing
    # 联系电话 is placed in the table and on the sign-off line: asked once
    assert [name for name in data if name.endswith("contact_phone")] == ["header-contact_phone"]


def test_a_header_field_of_the_variant_is_saved_and_audited(custom):
    filing, client = custom
    assert post(client, filing, "unit", {"header-extra.budget_code": " 301001 "}).status_code == 302
    saved = Filing.objects.get(pk=filing.pk)
    assert saved.extra == {"budget_code": "301001"}
    event = latest_event(filing)
    assert event.kind == EventKind.STEP_SAVED and event.data["fields"] == {"部门预算编码": ["", "301001"]}
    assert form_data(open_step(client, filing, "unit")[0])["header-extra.budget_code"] == "301001"
    # saving again unchanged records no change of it
    assert post(client, filing, "unit", {}).status_code == 302
    assert latest_event(filing).data["fields"] == {}
    # emptied: the key goes
    assert post(client, filing, "unit", {"header-extra.budget_code": ""}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).extra == {}


def test_a_bad_header_value_is_refused_next_to_the_field_and_kept(custom):
    filing, client = custom
    typed = "3010010000001"  # 13 characters, the layout allows 12
    response = post(client, filing, "unit", {"header-extra.budget_code": typed, "header-contact_person": "王晓东"})
    assert response.status_code == 422
    page = html(response)
    assert "部门预算编码最多 12 个字，现有 13 个字。" in message_next_to(page, "id_header-extra.budget_code")
    assert ("id_header-extra.budget_code", "部门预算编码") in [(a, label) for a, label, _ in error_summary(page)]
    assert form_data(response)["header-extra.budget_code"] == typed
    assert Filing.objects.get(pk=filing.pk).extra == {}


def test_a_task_column_of_the_variant_is_saved_and_bad_numbers_refused(custom):
    filing, client = custom
    response, data = open_step(client, filing, "tasks")
    page = html(response)
    headers = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<th scope="col">(.*?)</th>', page, re.S)]
    assert headers[:3] == ["年度主要任务", "权重（%）", "工作内容"]
    assert post(client, filing, "tasks", {"tasks-0-extra.weight": "30", "tasks-1-extra.weight": "１２.5"}).status_code \
        == 302
    tasks = list(AnnualTask.objects.filter(filing=filing).order_by("order"))
    assert [task.extra for task in tasks[:2]] == [{"weight": "30"}, {"weight": "12.5"}]
    assert latest_event(filing).data["rows"]["changed"] == 2
    response = post(client, filing, "tasks", {"tasks-0-extra.weight": "三成"})
    assert response.status_code == 422
    assert "权重应为数字，不能是“三成”。" in message_next_to(html(response), "id_tasks-0-extra.weight")
    assert form_data(response)["tasks-0-extra.weight"] == "三成"
    assert AnnualTask.objects.get(pk=tasks[0].pk).extra == {"weight": "30"}


def test_indicator_columns_of_the_variant_are_saved_and_a_bad_choice_refused(custom):
    filing, client = custom
    response, data = open_step(client, filing, "indicators")
    page = html(response)
    head = re.search(r"<thead.*?</thead>", page, re.S).group(0)
    assert [re.sub(r"<[^>]+>", "", th).strip() for th in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)][:4] == [
        "三级指标", "指标值", "计量单位", "定量/定性"]
    template = page[page.index('<template class="empty-row">'):]
    assert 'name="indicators-__prefix__-extra.kind"' in template  # rows added by the page have them too
    assert "<option value=\"定性\">定性</option>" in template
    assert post(client, filing, "indicators", {"indicators-0-extra.unit": "个", "indicators-0-extra.kind": "定量"}
                ).status_code == 302
    first = Indicator.objects.filter(filing=filing).order_by("period", "order", "pk").first()
    assert first.extra == {"unit": "个", "kind": "定量"}
    response = post(client, filing, "indicators", {"indicators-0-extra.kind": "半定量"})
    assert response.status_code == 422
    assert "指标性质应为：定量、定性，不能是“半定量”。" in message_next_to(html(response), "id_indicators-0-extra.kind")
    assert Indicator.objects.get(pk=first.pk).extra == {"unit": "个", "kind": "定量"}


def test_the_indicator_page_with_the_variants_columns_costs_the_same_queries_however_many_rows(custom):
    filing, client = custom

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(step_url(filing, "indicators")).status_code == 200
        return len(captured)

    few = queries()
    quantity = Category.objects.get(scheme=filing.scheme, code="quantity")
    Indicator.objects.bulk_create([
        Indicator(filing=filing, period="annual", category=quantity, order=100 + n, name=f"指标{n}", value_text="≥1个",
                  extra={"unit": "个", "kind": "定量"}) for n in range(40)])
    assert queries() == few


def test_a_money_field_of_the_variant_is_typed_in_the_filings_unit_and_stored_in_yuan(custom):
    filing, client = custom
    variant = filing.variant
    variant.layout["extra_fields"].append({"key": "grant", "on": "filing", "label": "上级补助", "type": "money"})
    variant.layout["blocks"][0]["rows"].append([{"label": "上级补助", "fields": ["extra.grant"]}])
    variant.save()
    response, data = open_step(client, filing, "unit")
    assert labels(html(response))["header-extra.grant"] == "上级补助（万元）"
    assert post(client, filing, "unit", {"header-extra.grant": "1.5"}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).extra["grant"] == "15000.00"
    assert form_data(open_step(client, filing, "unit")[0])["header-extra.grant"] == "1.5"
    assert latest_event(filing).data["fields"] == {"上级补助（万元）": ["", "1.5"]}


# --- the indicator scheme is the filer's choice -----------------------------------------------------------------

def scheme(code) -> Scheme:
    return Scheme.objects.get(code=code)


def codes(filing) -> list[str]:
    return list(Indicator.objects.filter(filing=filing).order_by("period", "order", "pk")
                .values_list("category__code", flat=True))


@pytest.fixture
def jiangxi(client, demo):
    return demo["s0-dept"], login(client, FILER)


def test_the_indicator_step_offers_both_schemes_with_the_filings_checked(jiangxi):
    filing, client = jiangxi
    response, data = open_step(client, filing, "indicators")
    page = html(response)
    assert "成本指标作为一级指标" in page and "成本指标列在产出指标下" in page
    assert data["scheme-scheme"] == str(filing.scheme_id) == str(scheme("cost-first").pk)


def test_switching_the_scheme_moves_every_row_saves_what_was_typed_and_is_audited(jiangxi):
    filing, client = jiangxi
    before = codes(filing)
    assert "economic_cost" in before
    target = scheme("cost-under-output")
    response = post(client, filing, "indicators", {"scheme-scheme": str(target.pk), "indicators-0-name": "改过的指标"})
    assert response.status_code == 302
    saved = Filing.objects.get(pk=filing.pk)
    assert saved.scheme == target
    after = codes(filing)
    assert len(after) == len(before)
    assert after == [{"economic_cost": "output_cost"}.get(code, code) for code in before]
    assert Indicator.objects.filter(filing=filing).order_by("period", "order", "pk").first().name == "改过的指标"
    event = latest_event(filing)
    assert event.kind == EventKind.STEP_SAVED
    assert event.data["scheme"] == ["成本为一级指标", "成本在产出指标下"]
    page = html(client.get(response.url))
    assert "指标体系已改为“成本指标列在产出指标下”" in page
    assert re.search(r'data-category="(\d+)"', page)  # the editor now shows the new scheme's groups
    assert form_data(client.get(response.url))["scheme-scheme"] == str(target.pk)
    history = html(client.get(reverse("filings:history", args=[filing.pk])))
    assert "指标体系" in history and "成本在产出指标下" in history
    # and back
    assert post(client, filing, "indicators", {"scheme-scheme": str(scheme("cost-first").pk)}).status_code == 302
    assert codes(filing) == before


def test_a_row_without_a_place_in_the_other_scheme_stops_the_switch_and_nothing_is_lost(jiangxi):
    filing, client = jiangxi
    social = Category.objects.get(scheme=filing.scheme, code="social_cost")
    Indicator.objects.create(filing=filing, period="annual", category=social, order=99, name="噪声影响",
                             value_text="无")
    before = codes(filing)
    response = post(client, filing, "indicators", {"scheme-scheme": str(scheme("cost-under-output").pk),
                                                   "indicators-0-name": "正在改的指标"})
    assert response.status_code == 422
    page = html(response)
    assert "“噪声影响”在“成本指标列在产出指标下”中没有对应的二级指标" in page
    assert form_data(response)["indicators-0-name"] == "正在改的指标"
    assert Filing.objects.get(pk=filing.pk).scheme.code == "cost-first" and codes(filing) == before


def test_a_stale_page_cannot_switch_the_scheme(jiangxi):
    filing, client = jiangxi
    _, data = open_step(client, filing, "indicators")
    assert post(client, filing, "goals", {"goals-overall_goal": "另一个窗口"}).status_code == 302
    response = client.post(step_url(filing, "indicators"),
                           {**data, "scheme-scheme": str(scheme("cost-under-output").pk), "save": ""})
    assert response.status_code == 409
    assert Filing.objects.get(pk=filing.pk).scheme.code == "cost-first"


def test_a_submitted_filing_offers_no_scheme_choice_and_a_late_post_changes_nothing(jiangxi):
    filing, client = jiangxi
    _, data = open_step(client, filing, "indicators")
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.SUBMITTED)
    response = client.post(step_url(filing, "indicators"),
                           {**data, "scheme-scheme": str(scheme("cost-under-output").pk), "save": ""})
    assert response.status_code == 409
    assert Filing.objects.get(pk=filing.pk).scheme.code == "cost-first"
    assert 'name="scheme-scheme"' not in html(response)


def project_post(client, filing, changes):
    _, data = open_step(client, filing, "project")
    return client.post(step_url(filing, "project"), {**data, **changes, "save": ""})


def test_a_variant_change_keeps_the_scheme_the_filer_chose(client, demo):
    filing = demo["s3-proj1"]  # 阳泉, default 成本在产出下
    login(client, "yq_sy")
    assert filing.scheme.code == "cost-under-output" == filing.variant.default_scheme.code
    chosen = scheme("cost-first")
    assert post(client, filing, "indicators", {"scheme-scheme": str(chosen.pk)}).status_code == 302
    hunan = FormVariant.objects.get(code="proj-hunan")  # default 成本在产出下 too
    assert project_post(client, filing, {"header-variant": str(hunan.pk)}).status_code == 302
    assert Filing.objects.get(pk=filing.pk).scheme == chosen


def test_a_variant_change_follows_the_new_default_when_the_filer_never_chose(client, demo):
    filing = demo["s3-proj1"]
    login(client, "yq_sy")
    jiangxi = FormVariant.objects.get(code="proj-jiangxi")  # default 成本为一级
    assert project_post(client, filing, {"header-variant": str(jiangxi.pk)}).status_code == 302
    saved = Filing.objects.get(pk=filing.pk)
    assert saved.scheme == jiangxi.default_scheme
    assert set(codes(saved)) <= {c.code for c in jiangxi.default_scheme.level2_categories()}


def test_switch_scheme_moves_nothing_when_one_row_has_no_place(demo):
    filing = demo["s0-dept"]
    social = Category.objects.get(scheme=filing.scheme, code="social_cost")
    Indicator.objects.create(filing=filing, period="annual", category=social, order=99, name="噪声影响")
    unplaced = switch_scheme(filing, scheme("cost-under-output"))
    assert [row.name for row in unplaced] == ["噪声影响"]
    assert Filing.objects.get(pk=filing.pk).scheme.code == "cost-first"

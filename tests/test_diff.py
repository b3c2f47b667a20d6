"""“What changed”: diffs of hand-made snapshots (every kind of change, odd and missing keys), and the changes page
with the demo data (submit, return, fix, resubmit; last year's approved filing; access; bad parameters; queries)."""

import copy
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.diff import ADDED, CHANGED, REMOVED, diff_snapshots, last_year_approved
from filings.models import AnnualTask, Filing, FilingStatus, Indicator
from filings.services import copy_filing
from filings.workflow import Review, perform


def indicator(name, value="", category="quantity", level2="数量指标", level1="产出指标", period="annual", **extra):
    return {"period": period, "name": name, "value_text": value, "standard": "", "note": "", "level1": level1,
            "level2": level2, "category": category, **extra}


def task(name, total="100.00", **extra):
    return {"name": name, "content": "", "related_goal": "", "amount_total": total, "amount_fiscal": total,
            "amount_other": None, **extra}


BASE = {
    "filing": {"kind": "department", "year": 2024, "money_unit": "wan", "revision": 1, "unit_name": "某医院",
               "contact_person": "张三", "filled_on": "2024-01-05", "filled_time": None},
    "variant": "dept-jiangxi",
    "scheme": "cost-first",
    "department": {"overall_goal": "保障运转", "tasks_total_amount": "300.00", "functions_changed": None,
                   "staff_total": 10, "prior_execution_rate": "98.50"},
    "functions": [{"name": "医疗服务", "mid_term_goal": "提升", "annual_goal": "完成"}],
    "tasks": [task("基本支出"), task("人才发展"), task("信息化")],
    "indicators": [
        indicator("门诊人次", "≥ 1000 人次"),
        indicator("培训人数", "≥ 50 人"),
        indicator("患者满意度", "≥ 90%", category="service_satisfaction", level2="服务对象满意度指标",
                  level1="满意度指标"),
    ],
}


def changed(**edits):
    """A deep copy of BASE with some parts replaced."""
    data = copy.deepcopy(BASE)
    for key, value in edits.items():
        data[key] = value
    return data


def diff(new, old=BASE, unit="wan"):
    return diff_snapshots(old, new, unit)


# --- fields ---------------------------------------------------------------------------------------------------

def test_identical_snapshots_have_no_changes():
    result = diff(copy.deepcopy(BASE))
    assert result.is_empty
    assert (result.fields, result.rows, result.indicators) == ([], [], [])


def test_changed_header_field_is_labelled_by_its_verbose_name():
    new = changed(filing={**BASE["filing"], "contact_person": "李四"})
    [change] = diff(new).fields
    assert (change.label, change.old, change.new) == ("联系人／填表人", "张三", "李四")


def test_amounts_are_shown_in_the_filings_money_unit():
    new = changed(department={**BASE["department"], "tasks_total_amount": "1234500.00"})
    [change] = diff(new).fields
    assert change.label == "年度主要任务金额合计：总额"
    assert (change.old, change.new) == ("0.03 万元", "123.45 万元")
    [in_yuan] = diff(new, unit="yuan").fields
    assert (in_yuan.old, in_yuan.new) == ("300 元", "1,234,500 元")


def test_dates_choices_booleans_and_numbers_read_plainly():
    new = changed(
        filing={**BASE["filing"], "filled_on": "2024-02-01", "money_unit": "yuan"},
        department={**BASE["department"], "functions_changed": True, "staff_total": 12},
    )
    fields = {change.label: (change.old, change.new) for change in diff(new).fields}
    assert fields == {
        "填报日期": ("2024-01-05", "2024-02-01"),
        "金额单位": ("万元", "元"),
        "近三年单位职能是否出现过重大变化": ("", "是"),
        "在职人员总数": ("10", "12"),
    }


def test_blank_and_equal_amounts_written_differently_are_no_change():
    new = changed(
        filing={**BASE["filing"], "filled_time": ""},
        department={**BASE["department"], "tasks_total_amount": "300", "prior_execution_rate": "98.5"},
    )
    assert diff(new).is_empty


def test_form_variant_codes_are_named_when_names_are_given():
    new = changed(variant="dept-hunan")
    [change] = diff_snapshots(BASE, new, "wan", {"dept-jiangxi": "江西部门整体", "dept-hunan": "湖南部门整体"}).fields
    assert (change.label, change.old, change.new) == ("表样", "江西部门整体", "湖南部门整体")


# --- rows -----------------------------------------------------------------------------------------------------

def test_rows_are_matched_by_name_whatever_their_order():
    new = changed(tasks=[task("信息化"), task("基本支出"), task("人才发展")])
    assert diff(new).rows == []


def test_added_removed_and_changed_rows():
    new = changed(tasks=[task("基本支出", "150.00"), task("信息化"), task("新设备购置", "80.00", content="CT 机")],
                  functions=[])
    result = diff(new)
    assert [(row.section, row.status, row.name) for row in result.rows] == [
        ("functions", REMOVED, "医疗服务"),
        ("tasks", CHANGED, "基本支出"),
        ("tasks", ADDED, "新设备购置"),
        ("tasks", REMOVED, "人才发展"),
    ]
    [amount_changed] = result.rows_changed
    assert [(c.label, c.old, c.new) for c in amount_changed.changes] == [
        ("预算金额总额", "0.01 万元", "0.015 万元"), ("其中：财政拨款", "0.01 万元", "0.015 万元")]
    [added] = [row for row in result.rows_added if row.section == "tasks"]
    assert added.section_label == "年度主要任务"
    assert ("主要内容", "", "CT 机") in [(c.label, c.old, c.new) for c in added.changes]
    assert [label for label, rows in result.row_groups] == ["新增", "删除", "修改"]


def test_a_renamed_row_pairs_by_position():
    new = changed(tasks=[task("基本支出"), task("人才培养"), task("信息化")])
    [row] = diff(new).rows
    assert (row.status, row.old_name, row.name) == (CHANGED, "人才发展", "人才培养")
    assert [(c.label, c.old, c.new) for c in row.changes] == [("任务名称", "人才发展", "人才培养")]


def test_rows_with_the_same_name_pair_in_order():
    old = changed(tasks=[task("培训", "10.00"), task("培训", "20.00")])
    new = changed(tasks=[task("培训", "10.00"), task("培训", "25.00")])
    [row] = diff(new, old).rows
    assert row.status == CHANGED
    assert row.changes[0].new == "0.0025 万元"


# --- indicators -----------------------------------------------------------------------------------------------

def test_indicator_value_standard_and_note_changes():
    rows = copy.deepcopy(BASE["indicators"])
    rows[0]["value_text"] = "≥ 1200 人次"
    rows[1].update(standard="按年度计划", note="新口径")
    result = diff(changed(indicators=rows))
    first, second = result.indicators_changed
    assert (first.name, first.old_value, first.new_value) == ("门诊人次", "≥ 1000 人次", "≥ 1200 人次")
    assert first.changes == []
    assert (first.level1, first.level2, first.period) == ("产出指标", "数量指标", "年度")
    assert not second.value_changed
    assert [(c.label, c.old, c.new) for c in second.changes] == [
        ("绩效标准／取值依据", "", "按年度计划"), ("说明", "", "新口径")]


def test_added_and_removed_indicators():
    old_rows = BASE["indicators"]
    rows = [old_rows[0], indicator("出院人次", "≥ 300 人次"), *old_rows[1:]]
    result = diff(changed(indicators=rows))
    assert [(row.status, row.name) for row in result.indicators] == [(ADDED, "出院人次")]
    rows = [old_rows[0], old_rows[2], indicator("出院人次", "≥ 300 人次")]
    result = diff(changed(indicators=rows))
    # 培训人数 left its place and 出院人次 came at another one: no rename, one removed and one added.
    assert [(row.status, row.name) for row in result.indicators] == [(ADDED, "出院人次"), (REMOVED, "培训人数")]
    assert result.indicators_added[0].new_value == "≥ 300 人次"
    assert result.indicators_removed[0].old_value == "≥ 50 人"


def test_an_indicator_moved_to_another_category():
    rows = copy.deepcopy(BASE["indicators"])
    rows[1].update(category="quality", level2="质量指标")
    [row] = diff(changed(indicators=rows)).indicators
    assert (row.status, row.name, row.level2) == (CHANGED, "培训人数", "质量指标")
    assert [(c.label, c.old, c.new) for c in row.changes] == [
        ("所属指标（一级 / 二级）", "产出指标 / 数量指标", "产出指标 / 质量指标")]


def test_a_renamed_indicator_pairs_by_position_in_its_category():
    rows = copy.deepcopy(BASE["indicators"])
    rows[1].update(name="培训人次", value_text="≥ 60 人次")
    [row] = diff(changed(indicators=rows)).indicators
    assert (row.status, row.name, row.old_value, row.new_value) == (CHANGED, "培训人次", "≥ 50 人", "≥ 60 人次")
    assert [(c.label, c.old, c.new) for c in row.changes] == [("三级指标", "培训人数", "培训人次")]


def test_indicators_of_another_period_or_category_never_pair_by_position():
    rows = [*copy.deepcopy(BASE["indicators"][:2]), indicator("满意度调查", "≥ 95%", period="implementation",
                                                               category="service_satisfaction")]
    result = diff(changed(indicators=rows))
    assert [(row.status, row.name, row.period) for row in result.indicators] == [
        (ADDED, "满意度调查", "实施期"), (REMOVED, "患者满意度", "年度")]
    assert result.has_implementation_period


# --- odd and missing keys -------------------------------------------------------------------------------------

@pytest.mark.parametrize("odd", [
    {},
    None,
    [],
    {"filing": None, "department": "?", "tasks": None, "functions": {"x": 1}, "indicators": 5},
    {"filing": {"unknown": 1}, "tasks": [None, 3, "x", {}], "indicators": [None, {}, {"value_text": None}]},
    {"department": {"tasks_total_amount": "not a number", "functions_changed": [1]}, "variant": ["x"]},
])
def test_odd_snapshots_never_raise(odd):
    for old, new in ((odd, BASE), (BASE, odd), (odd, odd)):
        result = diff_snapshots(old, new, "wan")
        assert isinstance(result.is_empty, bool)


def test_an_old_snapshot_without_keys_shows_what_was_added():
    old = {"filing": {"year": 2024, "unknown": 1},
           "indicators": [{"name": "门诊人次", "level2": "数量指标", "value_text": "≥ 1000 人次"}]}
    result = diff_snapshots(old, BASE, "wan")
    labels = [change.label for change in result.fields]
    assert "联系人／填表人" in labels and "年度" not in labels
    assert "unknown" not in labels
    # No period, category code or 一级 in the old snapshot: 门诊人次 still pairs up, unchanged.
    assert [(row.status, row.name) for row in result.indicators] == [(ADDED, "培训人数"), (ADDED, "患者满意度")]
    assert len(result.rows_added) == 4


def test_unknown_keys_and_bad_amounts_are_shown_without_raising():
    old = changed(department={**BASE["department"], "tasks_total_amount": "abc", "no_such_field": 1})
    [change] = diff(BASE, old).fields
    assert (change.old, change.new) == ("abc", "0.03 万元")


# --- the page, with the demo data -----------------------------------------------------------------------------

@pytest.fixture
def people(db):
    users = get_user_model().objects.filter(username__in=["dp_bj", "dp_jt", "dp_czj", "cs_zyy"])
    return {user.username: user for user in users}


def act(filing, user, action, comment=""):
    current = Filing.objects.get(pk=filing.pk)
    return perform(current, user, action, current.status, Review(comment=comment))


def page(client, user, filing, **params):
    client.force_login(user)
    return client.get(reverse("filings:changes", args=[filing.pk]), params)


def fix_after_return(filing):
    """What the filer changes after the return: one indicator's value and one task's amount (totals kept)."""
    row = Indicator.objects.filter(filing=filing, name="平台软件建设模块数量").get()
    row.value_text = "≥ 4 个模块"
    row.save()
    first, second = AnnualTask.objects.filter(filing=filing).order_by("order", "pk")[:2]
    for moved_from, moved_to in ((first, -Decimal("400.00")), (second, Decimal("400.00"))):
        moved_from.amount_total += moved_to
        moved_from.amount_fiscal += moved_to
        moved_from.save()
    return first.name, second.name


@pytest.fixture
def resubmitted(demo, people):
    filing = demo["s2-dept"]
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.DRAFT)
    act(filing, people["dp_bj"], "submit")
    act(filing, people["dp_jt"], "return", "请把平台模块数量写实。")
    names = fix_after_return(filing)
    return filing, names


def assert_exactly_the_fixes(result, names):
    assert result.fields == []
    assert [(row.status, row.name) for row in result.indicators] == [(CHANGED, "平台软件建设模块数量")]
    assert (result.indicators[0].old_value, result.indicators[0].new_value) == ("≥ 3 个模块", "≥ 4 个模块")
    assert [(row.status, row.name) for row in result.rows] == [(CHANGED, names[0]), (CHANGED, names[1])]
    assert [change.label for change in result.rows[0].changes] == ["预算金额总额", "其中：财政拨款"]


def test_while_returned_the_page_shows_what_changed_since_the_last_submission(client, resubmitted, people):
    filing, names = resubmitted
    response = page(client, people["dp_bj"], filing)
    assert response.status_code == 200
    assert response.context["heading"] == "退回后改了什么"
    assert response.context["new_label"] == "当前填写的内容"
    assert_exactly_the_fixes(response.context["diff"], names)
    assert "≥ 4 个模块" in response.content.decode()


def test_between_two_submissions_the_page_shows_exactly_the_fixes(client, resubmitted, people):
    filing, names = resubmitted
    act(filing, people["dp_bj"], "submit")
    for params in ({}, {"from": "1", "to": "2"}):
        response = page(client, people["dp_jt"], filing, **params)
        assert response.status_code == 200
        assert response.context["old_label"].startswith("第 1 次提交")
        assert response.context["new_label"].startswith("第 2 次提交")
        assert_exactly_the_fixes(response.context["diff"], names)
    text = response.content.decode()
    for words in ("新增、删除和修改的指标", "平台软件建设模块数量", "≥ 3 个模块", "≥ 4 个模块", "修改的行", "原指标值"):
        assert words in text
    reverse_order = page(client, people["dp_jt"], filing, **{"from": "2", "to": "1"}).context["diff"]
    assert reverse_order.indicators[0].new_value == "≥ 3 个模块"


def test_the_review_page_links_to_the_changes(client, resubmitted, people):
    filing, _ = resubmitted
    client.force_login(people["dp_bj"])
    text = client.get(reverse("filings:review", args=[filing.pk])).content.decode()
    assert "查看各次提交之间的改动" in text and "与上年度已批复申报表比较" in text
    assert reverse("filings:changes", args=[filing.pk]) + "?against=last_year" in text


def test_nothing_to_compare_is_said_in_words(client, demo, people):
    filing = demo["s2-dept"]
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.DRAFT)
    response = page(client, people["dp_bj"], filing)
    assert response.status_code == 200
    assert "diff" not in response.context
    assert "还没有提交过" in response.context["message"]
    act(filing, people["dp_bj"], "submit")
    response = page(client, people["dp_jt"], filing)
    assert "只提交过一次" in response.context["message"]
    assert "没有找到" in page(client, people["dp_jt"], filing, against="last_year").context["message"]


def approved_copy_for_last_year(filing, user):
    previous = copy_filing(filing, filing.year - 1, user, keep_amounts=True)
    Filing.objects.filter(pk=previous.pk).update(status=FilingStatus.APPROVED)
    row = Indicator.objects.filter(filing=previous, name="重点学科建设数量").get()
    row.value_text = "≥ 2 个"
    row.save()
    Indicator.objects.filter(filing=previous, name="完成项目初验个数").delete()
    return Filing.objects.with_related().get(pk=previous.pk)


def test_against_last_years_approved_filing(client, demo, people):
    filing = demo["s2-dept"]
    previous = approved_copy_for_last_year(filing, people["dp_bj"])
    assert last_year_approved(filing) == previous
    response = page(client, people["dp_jt"], filing, against="last_year")
    assert response.status_code == 200
    result = response.context["diff"]
    assert response.context["old_label"] == f"{filing.year - 1} 年度已批复申报表"
    assert ("年度", str(filing.year - 1), str(filing.year)) in [(c.label, c.old, c.new) for c in result.fields]
    assert [(row.status, row.name) for row in result.indicators] == [
        (CHANGED, "重点学科建设数量"), (ADDED, "完成项目初验个数")]
    assert result.indicators_changed[0].old_value == "≥ 2 个"
    assert result.rows == []


def test_last_year_of_a_project_is_the_approved_filing_it_was_copied_from(demo, people):
    source = demo["s3-proj1"]
    Filing.objects.filter(pk=source.pk).update(status=FilingStatus.APPROVED)
    this_year = copy_filing(Filing.objects.get(pk=source.pk), source.year + 1, people["dp_bj"], keep_amounts=False)
    assert last_year_approved(this_year) == source
    Filing.objects.filter(pk=source.pk).update(status=FilingStatus.DRAFT)
    assert last_year_approved(this_year) is None


def test_a_filer_of_another_unit_gets_404(client, resubmitted, people):
    filing, _ = resubmitted
    assert page(client, people["cs_zyy"], filing).status_code == 404
    assert page(client, people["cs_zyy"], filing, against="last_year").status_code == 404


def test_anonymous_users_are_sent_to_log_in(client, demo):
    response = client.get(reverse("filings:changes", args=[demo["s2-dept"].pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("params, status", [
    ({"from": "abc"}, 404),
    ({"from": "99"}, 404),
    ({"to": "-1"}, 404),
    ({"from": "1", "to": "1"}, 200),
    ({"from": "1 OR 1=1"}, 404),
    ({"against": "next_year"}, 404),
    ({"from": "", "to": "current"}, 200),
    ({"to": "1"}, 200),
])
def test_bad_parameters_never_fail(client, resubmitted, people, params, status):
    filing, _ = resubmitted
    response = page(client, people["dp_jt"], filing, **params)
    assert response.status_code == status


def test_query_count_does_not_grow_with_rows(client, resubmitted, people):
    filing, _ = resubmitted
    approved_copy_for_last_year(filing, people["dp_bj"])
    client.force_login(people["dp_jt"])
    url = reverse("filings:changes", args=[filing.pk])

    def queries():
        counts = []
        for params in ({}, {"against": "last_year"}):
            with CaptureQueriesContext(connection) as context:
                assert "diff" in client.get(url, params).context
            counts.append(len(context))
        return counts

    before = queries()
    category = Indicator.objects.filter(filing=filing).first().category
    Indicator.objects.bulk_create([Indicator(filing=filing, category=category, name=f"新增指标{i}",
                                             value_text=f"≥ {i} 个", order=100 + i) for i in range(30)])
    AnnualTask.objects.bulk_create([AnnualTask(filing=filing, name=f"新增任务{i}", order=100 + i) for i in range(5)])
    assert queries() == before
    assert max(before) <= 15


def test_an_adjustment_is_compared_with_the_approved_revision_it_came_from(demo, client):
    from django.contrib.auth import get_user_model

    from filings.workflow import perform

    users = get_user_model().objects
    filing = demo["s2-dept"]
    for username, action in [("dp_bj", "submit"), ("dp_jt", "approve"), ("dp_czj", "approve")]:
        filing = perform(filing, users.get(username=username), action, filing.status)
    revision = perform(filing, users.get(username="dp_bj"), "adjust", filing.status)
    indicator = revision.indicators.get(name="患者满意度")
    indicator.value_text = "≥88%"
    indicator.save()
    client.force_login(users.get(username="dp_jt"))
    page = client.get(f"/filings/{revision.pk}/changes/?against=approved_revision").content.decode()
    assert "调整了什么" in page and "≥85%" in page and "≥88%" in page
    assert "与调整前已批复的版本比较" not in client.get(f"/filings/{filing.pk}/changes/").content.decode()


# --- the variant's own fields ---------------------------------------------------------------------------------

OWN_FIELDS = [
    {"key": "code", "on": "filing", "label": "部门预算编码", "type": "text", "choices": []},
    {"key": "reserve", "on": "filing", "label": "预备费", "type": "money", "choices": []},
    {"key": "owner", "on": "task", "label": "责任科室", "type": "text", "choices": []},
    {"key": "unit", "on": "indicator", "label": "计量单位", "type": "text", "choices": []},
]


def with_own_values(data, header=None, task_values=None, unit=None):
    data = copy.deepcopy(data)
    data["extra_fields"] = OWN_FIELDS
    data["filing"]["extra"] = header or {}
    data["tasks"][1]["extra"] = task_values or {}
    data["indicators"][0]["extra"] = {"unit": unit} if unit else {}
    return data


def test_own_fields_of_the_header_tasks_and_indicators_are_compared_under_their_labels():
    old = with_own_values(BASE, {"code": "301001", "reserve": "100000.00"}, {"owner": "医务科"}, "人次")
    new = with_own_values(BASE, {"code": "301001", "reserve": "250000"}, {"owner": "信息科"}, "万人次")
    result = diff(new, old)
    assert [(c.name, c.label, c.old, c.new) for c in result.fields] == [
        ("extra.reserve", "预备费", "10 万元", "25 万元")]
    [row] = result.rows
    assert row.name == "人才发展"
    assert [(c.label, c.old, c.new) for c in row.changes] == [("责任科室", "医务科", "信息科")]
    [changed_row] = result.indicators
    assert changed_row.name == "门诊人次" and not changed_row.value_changed
    assert [(c.label, c.old, c.new) for c in changed_row.changes] == [("计量单位", "人次", "万人次")]


def test_an_old_snapshot_without_own_fields_counts_them_as_empty():
    assert diff(BASE, with_own_values(BASE)).is_empty
    result = diff(with_own_values(BASE, {"code": "301001"}, unit="人次"), BASE)
    assert [(c.label, c.old, c.new) for c in result.fields] == [("部门预算编码", "", "301001")]
    assert [(c.label, c.old, c.new) for c in result.indicators[0].changes] == [("计量单位", "", "人次")]


def test_own_fields_are_named_as_the_layout_names_them_now_and_unknown_keys_by_their_key(db):
    from filings.layouts.description import parse_layout

    layout = parse_layout({"extra_fields": [{"key": "unit", "on": "indicator", "label": "度量单位"}], "blocks": [
        {"type": "indicators", "periods": ["implementation", "annual"], "columns": [
            {"field": "level2", "label": "二级指标"}, {"field": "name", "label": "三级指标"},
            {"field": "extra.unit", "label": "度量单位"}]}]}, "project")
    old = copy.deepcopy(BASE)
    old["indicators"][0]["extra"] = {"unit": "人次", "gone": "旧栏目"}
    result = diff_snapshots(old, BASE, "wan", layout=layout)
    assert [(c.label, c.old, c.new) for c in result.indicators[0].changes] == [
        ("度量单位", "人次", ""), ("gone", "旧栏目", "")]
    assert result.has_implementation_period  # from the layout: every row here is 年度
    assert not diff(old).has_implementation_period


def test_the_changes_page_shows_a_changed_own_indicator_field_between_two_submissions(client, demo, people):
    filing = demo["s2-dept"]
    variant = filing.variant
    layout = copy.deepcopy(variant.layout)
    layout["extra_fields"] = [{"key": "unit", "on": "indicator", "label": "计量单位", "type": "text"}]
    block = next(block for block in layout["blocks"] if block["type"] == "indicators")
    block["columns"].append({"field": "extra.unit", "label": "计量单位"})
    variant.layout = layout
    variant.save()
    Filing.objects.filter(pk=filing.pk).update(status=FilingStatus.DRAFT)
    Indicator.objects.filter(filing=filing, name="平台软件建设模块数量").update(extra={"unit": "个"})
    act(filing, people["dp_bj"], "submit")
    act(filing, people["dp_jt"], "return", "计量单位应为“个模块”。")
    Indicator.objects.filter(filing=filing, name="平台软件建设模块数量").update(extra={"unit": "个模块"})
    act(filing, people["dp_bj"], "submit")
    response = page(client, people["dp_jt"], filing, **{"from": "1", "to": "2"})
    result = response.context["diff"]
    assert result.fields == [] and result.rows == []
    [row] = result.indicators
    assert (row.status, row.name, [(c.label, c.old, c.new) for c in row.changes]) == (
        CHANGED, "平台软件建设模块数量", [("计量单位", "个", "个模块")])
    text = response.content.decode()
    assert "计量单位：</span><del>个</del> → <ins>个模块</ins>" in text

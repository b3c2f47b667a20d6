"""Placing pasted rows in the filing's categories (indicators/placing.py): annotated names, regional names, a written
一级 that says something else, the user's choice for a name, the scheme switch, and remembering a choice for a region
(filings/aliases.py)."""

import pytest

from filings.aliases import remember_category_alias
from filings.errors import FilingWriteRefused
from filings.models import EventKind, FilingEvent, FilingStatus, Unit
from indicators.category_names import strip_annotations
from indicators.hierarchy import CategoryResolver, resolver_for
from indicators.models import CategoryAlias, Scheme, normalize_category_name
from indicators.paste import ReadOptions, parse_paste
from indicators.placing import resolve_categories
from tests.personas import sign_in


def tsv(rows):
    return "\n".join("\t".join(cells) for cells in rows)


@pytest.fixture
def old(db):
    return CategoryResolver(Scheme.objects.get(code="cost-under-output"))


@pytest.fixture
def new(db):
    return CategoryResolver(Scheme.objects.get(code="cost-first"))


def read(rows, resolver, **choices):
    return resolve_categories(parse_paste(tsv(rows)), resolver, ReadOptions(**choices))


def placed(result):
    return [(row.category.code, row.name) for row in result.addable]


# --- annotations ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("printed", "name"), [
    ("数量指标（必填）", "数量指标"),
    ("质量指标(必选)", "质量指标"),
    ("【选填】生态效益指标", "生态效益指标"),
    ("时效指标（可选）", "时效指标"),
    ("经济成本指标（必设）", "经济成本指标"),
    ("社会效益指标（核心指标）", "社会效益指标"),
    ("★质量指标", "质量指标"),
    ("☆时效指标", "时效指标"),
    ("※可持续影响指标", "可持续影响指标"),
    ("*数量指标", "数量指标"),
    ("数量指标¹", "数量指标"),
    ("①数量指标", "数量指标"),
    ("成本指标注1", "成本指标"),
    ("社会效益指标2", "社会效益指标"),
    ("产出\n指标", "产出指标"),
    ("数量指标（反映预期提供的公共产品或服务数量）", "数量指标"),
    ("质量指标（反映提供的公共产品和服务达到的标准", "质量指标"),
    ("数量指标：反映预期提供的服务数量", "数量指标"),
    ("一、产出指标", "产出指标"),
    ("1.数量指标", "数量指标"),
    ("（一）产出指标", "产出指标"),
    ("（数量指标）", "数量指标"),
])
def test_annotations_are_not_part_of_the_name(printed, name):
    assert strip_annotations(printed) == name


def test_normalized_names_drop_the_word_indicator_or_target():
    assert normalize_category_name("★数量指标（必填）") == "数量"
    assert normalize_category_name("产出目标") == "产出"
    assert normalize_category_name("指标") == "指标"  # nothing left to compare otherwise


def test_annotated_second_levels_are_placed(new):
    result = read([["产出指标", "数量指标（必填）", "门诊人次", "≥100人次"],
                   ["", "★质量指标", "合格率", "100%"],
                   ["", "\"时效指标\n（可选）\"", "完成时间", "2025年12月底前"],
                   ["效益指标", "社会效益指标¹", "群众获得感", "有效提高"]], new)
    assert result.ok, [str(p) for p in result.errors]
    assert [code for code, _ in placed(result)] == ["quantity", "quality", "timeliness", "social_benefit"]


# --- regional names ------------------------------------------------------------------------------------------------

def test_regional_first_level_words_behave_like_the_standard_ones(new):
    result = read([["履职效能", "数量指标", "培训人次", "≥200人次"],
                   ["效果指标", "社会效应", "群众获得感", "有效提高"],
                   ["产出目标", "质量目标", "合格率", "100%"],
                   ["满意度指标", "受益群众满意度", "满意度", "≥90%"]], new)
    assert result.ok, [str(p) for p in result.errors]
    assert placed(result) == [("quantity", "培训人次"), ("social_benefit", "群众获得感"), ("quality", "合格率"),
                              ("beneficiary_satisfaction", "满意度")]
    # a second level read through an alias is shown, once per name
    assert any("社会效应" in note.message and "社会效益指标" in note.message for note in result.notes)


def test_the_first_level_names_of_a_zhaohua_form(old):
    """四川广元昭化 prints its 一级 as 项目完成指标 / 项目效益指标 (fixtures/variants/SOURCES.md)."""
    result = read([["项目完成指标", "数量指标", "麻风病人随访数", "≥20人"],
                   ["项目效益指标", "社会效益指标", "麻风病知晓率", "≥85%"],
                   ["满意度指标", "满意度指标", "患者满意度", "≥90%"]], old)
    assert result.ok
    # the 一级 names are read as 产出 and 效益 (nothing to point out); 满意度指标 as a 二级 is an alias (said)
    assert [note.message for note in result.notes] == ["二级指标“满意度指标”（第3行）按“服务对象满意度指标”读取。"]
    assert [code for code, _ in placed(result)] == ["quantity", "social_benefit", "beneficiary_satisfaction"]


@pytest.mark.parametrize("name", ["预算控制数", "投资成本", "成本控制", "投资控制（万元）"])
def test_cost_named_as_budget_or_investment_control_goes_to_the_schemes_cost_category(old, new, name):
    assert placed(read([["成本指标", name, "项目总投资", "≤500万元"]], new)) == [("economic_cost", "项目总投资")]
    assert placed(read([["产出指标", name, "项目总投资", "≤500万元"]], old)) == [("output_cost", "项目总投资")]


@pytest.mark.parametrize("name", ["社会经济效益指标", "经济社会效益"])
def test_merged_benefit_categories_are_read_as_social_benefit_and_say_so(new, name):
    result = read([["效益指标", name, "带动就业", "≥50人"]], new)
    assert placed(result) == [("social_benefit", "带动就业")]
    assert any(name in note.message and "社会效益指标" in note.message for note in result.notes)


def test_a_department_table_in_the_dimensions_of_whole_spending(new):
    """部门整体 forms name the 一级 by 履职效能 / 社会效应 / 服务对象满意度 and leave 成本 as 运行成本."""
    result = read([["履职效能", "数量指标", "重点工作任务完成数", "≥12项"],
                   ["", "时效指标（必填）", "任务完成及时率", "100%"],
                   ["运行成本", "经济成本指标", "“三公”经费", "≤12万元"],
                   ["社会效应", "社会效应", "群众获得感", "有效提高"],
                   ["", "可持续发展能力", "制度建设", "健全"],
                   ["服务对象满意度", "服务对象满意度", "群众满意度", "≥90%"]], new)
    assert result.ok, [str(p) for p in result.errors]
    assert [code for code, _ in placed(result)] == ["quantity", "timeliness", "economic_cost", "social_benefit",
                                                     "sustainable_impact", "beneficiary_satisfaction"]


def test_a_form_with_input_as_first_level_keeps_its_timeliness_and_cost_rows(old):
    """An older 申报表 prints 时效目标 and 成本目标 under 投入, 数量目标 under 产出."""
    result = read([["投入", "时效目标", "项目实施周期", "12个月"], ["投入", "成本目标", "项目总投入", "≤80万元"],
                   ["产出", "数量目标", "培训人数", "≥300人"], ["效益", "经济效益目标", "带动增收", "≥10万元"]], old)
    assert result.ok, [str(p) for p in result.errors]
    assert [code for code, _ in placed(result)] == ["timeliness", "output_cost", "quantity", "economic_benefit"]
    (note,) = [note.message for note in result.notes if "投入" in note.message]
    assert note == ("一级指标“投入”（第1、2行）与二级指标不符，已按二级指标放入：“时效目标”→产出指标，"
                    "“成本目标”→产出指标。")  # one note for the name, with its lines


def test_rows_with_another_problem_are_placed_and_their_names_offered(old):
    result = read([["产出指标", "投入指标", "", "100%"]], old)  # a value without a 三级 name, and 投入
    assert result.unplaced == {"投入指标": [1]}
    assert any("三级指标为空" in p.message for p in result.errors)


# --- a written 一级 is not a blocking problem ------------------------------------------------------------------------

def test_a_written_first_level_that_differs_is_shown_not_refused(new):
    result = read([["效益指标", "数量指标", "门诊人次", "≥100人次"]], new)
    assert result.ok
    assert placed(result) == [("quantity", "门诊人次")]
    (note,) = [note for note in result.notes if "效益指标" in note.message]
    assert note.message == "一级指标“效益指标”（第1行）与二级指标不符，已按二级指标放入：“数量指标”→产出指标。"


# --- names that cannot be placed, and the user's choice -----------------------------------------------------------

def test_an_unplaceable_name_is_a_choice_for_every_row_with_it(old):
    rows = [["产出指标", "数量指标", "门诊人次", "1次"], ["", "投入指标", "资金到位率", "100%"],
            ["", "", "预算执行率", "≥90%"], ["", "质量指标", "合格率", "100%"],
            ["", "投入指标（必填）", "专项核算", "是"]]
    result = read(rows, old)
    assert result.unplaced == {"投入指标": [2, 3, 5]}  # line 3 continues line 2's merged cell
    assert [p.line for p in result.errors] == [2, 3, 5]
    assert "把‘投入指标’放到：" in result.errors[0].message
    assert result.scheme_switch is None  # the other scheme has no 投入 either
    chosen = read(rows, old, categories={"投入": "quality"})
    assert chosen.ok and not chosen.unplaced
    assert placed(chosen) == [("quantity", "门诊人次"), ("quality", "资金到位率"), ("quality", "预算执行率"),
                              ("quality", "合格率"), ("quality", "专项核算")]


def test_a_choice_keyed_by_the_printed_name_works_too(old):
    result = read([["产出指标", "投入指标", "资金到位率", "100%"]], old, categories={"投入指标": "quantity"})
    assert placed(result) == [("quantity", "资金到位率")]


def test_a_choice_of_a_category_the_scheme_does_not_have_leaves_the_name_to_choose(new):
    result = read([["产出指标", "投入指标", "资金到位率", "100%"]], new, categories={"投入": "output_cost"})
    # output_cost is 成本 under 产出 of the other scheme: here it is the cost category 经济成本
    assert placed(result) == [("economic_cost", "资金到位率")]
    result = read([["产出指标", "投入指标", "资金到位率", "100%"]], new, categories={"投入": "nonsense"})
    assert result.unplaced == {"投入指标": [1]}


# --- the other scheme in one click --------------------------------------------------------------------------------

def test_cost_under_output_in_a_cost_first_filing_offers_the_switch(new):
    result = read([["产出指标", "数量指标", "门诊人次", "≥100人次"], ["", "成本指标", "人均费用", "≤300元"]], new)
    assert result.scheme_switch == Scheme.objects.get(code="cost-under-output")
    assert result.unplaced == {"成本指标": [2]}
    assert "成本在产出指标下" in result.errors[0].message and "切换" in result.errors[0].message


def test_cost_as_first_level_in_a_cost_under_output_filing_offers_the_switch(old):
    result = read([["成本指标", "经济成本指标", "项目总成本", "≤30万元"], ["", "社会成本指标", "不适用", "不适用"]],
                  old)
    assert result.scheme_switch == Scheme.objects.get(code="cost-first")
    assert result.unplaced == {"经济成本指标": [1], "社会成本指标": [2]}


def test_no_switch_when_every_row_is_placed(old, new):
    assert read([["产出指标", "成本指标", "人均费用", "≤300元"]], old).scheme_switch is None
    assert read([["成本指标", "经济成本指标", "项目总成本", "≤30万元"]], new).scheme_switch is None


# --- the filing's region ------------------------------------------------------------------------------------------

@pytest.fixture
def two_meanings(db):
    """One printed name, two meanings: in 湖南 “发展指标” is 可持续影响, in 江西 社会效益 (and nowhere else known)."""
    CategoryAlias.objects.create(alias="发展指标", code="sustainable_impact", region="湖南省")
    CategoryAlias.objects.create(alias="发展指标", code="social_benefit", region="江西省")


def test_a_region_reads_its_own_meaning_of_a_name(two_meanings, demo):
    rows = [["效益指标", "发展指标", "卫生事业发展", "持续改善"]]
    hunan, jiangxi, shenzhen = demo["s4-dept"], demo["s0-dept"], demo["s2-dept"]
    assert placed(read(rows, resolver_for(hunan))) == [("sustainable_impact", "卫生事业发展")]
    assert placed(read(rows, resolver_for(jiangxi))) == [("social_benefit", "卫生事业发展")]
    assert read(rows, resolver_for(shenzhen)).unplaced == {"发展指标": [1]}


def test_the_filings_own_region_wins_over_the_national_alias(db, demo):
    CategoryAlias.objects.create(alias="群众满意度", code="other_satisfaction", region="湖南省益阳市")
    rows = [["满意度指标", "群众满意度", "群众满意度", "≥90%"]]
    assert placed(read(rows, resolver_for(demo["s4-dept"]))) == [("other_satisfaction", "群众满意度")]
    assert placed(read(rows, resolver_for(demo["s0-dept"]))) == [("beneficiary_satisfaction", "群众满意度")]


def test_the_resolver_of_a_filing_takes_two_queries(demo, django_assert_num_queries):
    filing = demo["s4-dept"]
    filing.unit.region  # noqa: B018 - loaded with the filing
    with django_assert_num_queries(2):
        resolver = resolver_for(filing)
    with django_assert_num_queries(0):
        for _ in range(20):
            resolve_categories(parse_paste(tsv([["产出指标", "投入指标", "x", "1"], ["", "成本指标", "y", "2"]])),
                               resolver)


def test_a_unit_without_a_region_reads_its_finance_regions(demo):
    filing = demo["s4-dept"]
    Unit.objects.filter(pk=filing.unit_id).update(region="")
    filing.unit.refresh_from_db()
    CategoryAlias.objects.create(alias="发展指标", code="sustainable_impact", region="湖南省")
    assert resolver_for(filing).place("", "发展指标").category.code == "sustainable_impact"


# --- remembering a choice -----------------------------------------------------------------------------------------

def filer_of(filing):
    return filing.unit.memberships.filter(role="filer").first().user


def test_a_remembered_choice_is_read_by_later_pastes_of_the_region_only(demo):
    hunan, shenzhen = demo["s4-dept"], demo["s2-dept"]
    user = filer_of(hunan)
    alias = remember_category_alias(user, hunan, "投入指标（必填）", "quality")
    assert (alias.alias, alias.code, alias.region) == ("投入", "quality", "湖南省益阳市沅江市")
    rows = [["产出指标", "投入指标", "资金到位率", "100%"]]
    assert placed(read(rows, resolver_for(hunan))) == [("quality", "资金到位率")]
    assert read(rows, resolver_for(shenzhen)).unplaced == {"投入指标": [1]}
    event = FilingEvent.objects.get(filing=hunan, kind=EventKind.CATEGORY_ALIAS)
    assert event.actor == user and "投入指标" in event.summary and "质量指标" in event.summary


def test_remembering_again_changes_the_regions_alias_and_says_from_what(demo):
    hunan = demo["s4-dept"]
    user = filer_of(hunan)
    remember_category_alias(user, hunan, "投入指标", "quality")
    remember_category_alias(user, hunan, "投入指标", "quantity")
    assert CategoryAlias.objects.get(alias="投入", region="湖南省益阳市沅江市").code == "quantity"
    latest = FilingEvent.objects.filter(filing=hunan, kind=EventKind.CATEGORY_ALIAS).first()
    assert latest.data["fields"]["对应类别"] == ["quality", "quantity"] and "原为" in latest.summary


@pytest.mark.parametrize(("name", "code", "words"), [
    ("群众满意度", "social_benefit", "全国通用的别名"),  # a national alias means 服务对象满意度
    ("数量指标", "quality", "标准名称"),
    ("投入指标", "economic_cost", "不是指标体系"),  # not a 二级 of 成本在产出指标下
])
def test_remembering_refuses_to_change_a_national_meaning(demo, name, code, words):
    hunan = demo["s4-dept"]
    with pytest.raises(FilingWriteRefused) as refused:
        remember_category_alias(filer_of(hunan), hunan, name, code)
    assert words in refused.value.message
    assert not CategoryAlias.objects.filter(region="湖南省益阳市沅江市").exists()
    assert not FilingEvent.objects.filter(kind=EventKind.CATEGORY_ALIAS).exists()


def test_a_name_longer_than_an_alias_is_refused_not_a_database_error(demo):
    hunan = demo["s4-dept"]
    with pytest.raises(FilingWriteRefused) as refused:
        remember_category_alias(filer_of(hunan), hunan, "某某" * 40 + "指标", "quality")
    assert "超过了50字" in refused.value.message
    assert not CategoryAlias.objects.filter(region="湖南省益阳市沅江市").exists()


def test_a_name_that_already_reads_so_is_not_remembered(demo):
    hunan = demo["s4-dept"]
    assert remember_category_alias(filer_of(hunan), hunan, "群众满意度", "beneficiary_satisfaction") is None
    assert remember_category_alias(filer_of(hunan), hunan, "★数量指标", "quantity") is None
    assert not FilingEvent.objects.filter(kind=EventKind.CATEGORY_ALIAS).exists()


def test_only_a_filer_of_an_editable_filing_remembers(demo):
    hunan, jiangxi = demo["s4-dept"], demo["s0-dept"]
    stranger = filer_of(jiangxi)
    with pytest.raises(FilingWriteRefused) as refused:
        remember_category_alias(stranger, hunan, "投入指标", "quality")
    assert "不能" in refused.value.message
    hunan.status = FilingStatus.SUBMITTED
    hunan.save(update_fields=["status"])
    with pytest.raises(FilingWriteRefused):
        remember_category_alias(filer_of(hunan), hunan, "投入指标", "quality")
    assert not CategoryAlias.objects.filter(alias="投入").exists()


def test_the_alias_admin_lists_regions(client, demo):
    CategoryAlias.objects.create(alias="发展指标", code="sustainable_impact", region="湖南省")
    sign_in(client, "admin")
    page = client.get("/admin/indicators/categoryalias/?q=发展")
    assert page.status_code == 200
    assert "湖南省" in page.content.decode()


def test_the_alias_admin_refuses_a_second_alias_of_a_name_in_one_region(client, demo):
    CategoryAlias.objects.create(alias="发展指标", code="sustainable_impact", region="湖南省")
    sign_in(client, "admin")
    page = client.post("/admin/indicators/categoryalias/add/",
                       {"alias": "发展指标（必填）", "code": "quality", "region": "湖南省", "source": ""})
    assert page.status_code == 200 and "已经存在" in page.content.decode()
    assert CategoryAlias.objects.filter(alias="发展").count() == 1
    page = client.post("/admin/indicators/categoryalias/add/",
                       {"alias": "发展指标（必填）", "code": "quality", "region": "江西省", "source": ""})
    assert page.status_code == 302
    assert CategoryAlias.objects.get(alias="发展", region="江西省").code == "quality"


def test_a_choice_the_province_already_makes_is_not_remembered_again(demo):
    hunan = demo["s4-dept"]
    CategoryAlias.objects.create(alias="发展指标", code="sustainable_impact", region="湖南省")
    assert remember_category_alias(filer_of(hunan), hunan, "发展指标", "sustainable_impact") is None
    alias = remember_category_alias(filer_of(hunan), hunan, "发展指标", "social_benefit")  # this region differs
    assert (alias.region, alias.code) == ("湖南省益阳市沅江市", "social_benefit")
    assert resolver_for(hunan).place("", "发展指标").category.code == "social_benefit"

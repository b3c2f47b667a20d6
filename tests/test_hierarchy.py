import pytest

from indicators.hierarchy import CategoryResolver, UnknownCategory
from indicators.models import CategoryAlias, Scheme


@pytest.fixture
def cost_first(db):
    return Scheme.objects.get(code="cost-first")


@pytest.fixture
def cost_under_output(db):
    return Scheme.objects.get(code="cost-under-output")


def names(categories):
    return [c.name for c in categories]


def test_current_scheme_has_cost_as_first_level(cost_first):
    assert names(cost_first.level1_categories()) == ["成本指标", "产出指标", "效益指标", "满意度指标"]
    cost = cost_first.level1_categories().get(code="cost")
    assert names(cost.children.all()) == ["经济成本指标", "社会成本指标", "生态环境成本指标"]


def test_older_scheme_has_cost_under_output(cost_under_output):
    assert names(cost_under_output.level1_categories()) == ["产出指标", "效益指标", "满意度指标"]
    output = cost_under_output.level1_categories().get(code="output")
    assert names(output.children.all()) == ["数量指标", "质量指标", "时效指标", "成本指标"]


def test_mandatory_categories_refuse_not_applicable(cost_first):
    quantity = cost_first.categories.get(code="quantity")
    economic_cost = cost_first.categories.get(code="economic_cost")
    social_cost = cost_first.categories.get(code="social_cost")
    assert quantity.is_required and not quantity.allows_not_applicable
    assert economic_cost.is_required and not economic_cost.allows_not_applicable
    assert not social_cost.is_required and social_cost.allows_not_applicable
    assert cost_first.categories.get(code="beneficiary_satisfaction").not_applicable_needs_reason


@pytest.mark.parametrize(
    ("level1", "level2", "code"),
    [
        ("成本指标", "生态效益成本指标", "ecological_cost"),
        ("成本指标", "生态环境成本指标", "ecological_cost"),
        ("效益指标", "环境效益指标", "ecological_benefit"),
        ("满意度指标", "社会公众或服务对象满意度指标", "beneficiary_satisfaction"),
        ("满意度", "服务对象满意度", "beneficiary_satisfaction"),
        ("满意度指标", "满意度指标", "beneficiary_satisfaction"),
        ("产出", "数量", "quantity"),
        ("", "时效 指标", "timeliness"),
    ],
)
def test_printed_names_and_aliases_resolve(cost_first, level1, level2, code):
    assert CategoryResolver(cost_first).resolve(level1, level2).code == code


def test_cost_second_level_only_exists_in_the_older_scheme(cost_first, cost_under_output):
    assert CategoryResolver(cost_under_output).resolve("产出指标", "成本指标").code == "output_cost"
    with pytest.raises(UnknownCategory) as error:
        CategoryResolver(cost_first).resolve("产出指标", "成本指标")
    assert "没有二级指标“成本指标”" in str(error.value)


def test_second_level_must_belong_to_the_printed_first_level(cost_first):
    with pytest.raises(UnknownCategory):
        CategoryResolver(cost_first).resolve("产出指标", "社会效益指标")


def test_aliases_added_in_the_admin_are_normalized(cost_first):
    CategoryAlias.objects.create(alias="就诊患者满意度 指标", code="beneficiary_satisfaction")
    assert CategoryResolver(cost_first).resolve("满意度指标", "就诊患者满意度").code == "beneficiary_satisfaction"


def test_resolver_reads_the_scheme_once(cost_first, django_assert_num_queries):
    with django_assert_num_queries(2):
        resolver = CategoryResolver(cost_first)
    with django_assert_num_queries(0):
        for _ in range(50):
            resolver.resolve("产出指标", "数量指标")


def test_category_level_must_match_its_code(cost_first):
    from django.core.exceptions import ValidationError

    quantity = cost_first.categories.get(code="quantity")
    quantity.parent = None
    with pytest.raises(ValidationError) as error:
        quantity.full_clean()
    assert "一级指标只能选一级类别" in str(error.value)


def test_annotated_names_resolve(cost_first):
    assert CategoryResolver(cost_first).resolve("产出指标（必填）", "★数量指标¹").code == "quantity"


def test_regional_aliases_apply_to_units_of_the_region_and_below(cost_first):
    CategoryAlias.objects.create(alias="发展指标", code="sustainable_impact", region="湖南省")
    CategoryAlias.objects.create(alias="发展指标", code="social_benefit", region="湖南省益阳市")
    assert CategoryResolver(cost_first, "湖南省长沙市").resolve("", "发展指标").code == "sustainable_impact"
    assert CategoryResolver(cost_first, "湖南省益阳市沅江市").resolve("", "发展指标").code == "social_benefit"
    with pytest.raises(UnknownCategory):
        CategoryResolver(cost_first, "江西省九江市").resolve("", "发展指标")
    with pytest.raises(UnknownCategory):
        CategoryResolver(cost_first).resolve("", "发展指标")


def test_a_regional_alias_is_read_before_the_national_one(cost_first):
    CategoryAlias.objects.create(alias="群众满意度", code="other_satisfaction", region="广东省")
    assert CategoryResolver(cost_first, "广东省深圳市").resolve("", "群众满意度").code == "other_satisfaction"
    assert CategoryResolver(cost_first, "山西省阳泉市").resolve("", "群众满意度").code == "beneficiary_satisfaction"


def test_the_same_name_in_two_regions_is_one_alias_each(db):
    from django.db import IntegrityError, transaction

    CategoryAlias.objects.create(alias="发展指标", code="sustainable_impact", region="湖南省")
    CategoryAlias.objects.create(alias="发展 指标", code="social_benefit", region="江西省")
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryAlias.objects.create(alias="发展指标（必填）", code="quality", region="湖南省")


def test_the_loaded_aliases_keep_their_sources(db):
    alias = CategoryAlias.objects.get(alias="履职效能", region="")
    assert alias.code == "output" and "履职效能" in alias.source


def test_a_cost_alias_resolves_to_the_schemes_cost_category(cost_first, cost_under_output):
    assert CategoryResolver(cost_first).resolve("成本指标", "预算控制数").code == "economic_cost"
    assert CategoryResolver(cost_under_output).resolve("产出指标", "预算控制数").code == "output_cost"

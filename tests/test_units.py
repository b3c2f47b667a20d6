import pytest
from django.core.exceptions import ValidationError

from filings.models import Unit, UnitKind


@pytest.fixture
def tree(db):
    finance = Unit.objects.create(code="F1", name="测试财政局", kind=UnitKind.FINANCE)
    department = Unit.objects.create(code="D1", name="测试主管部门", kind=UnitKind.DEPARTMENT, parent=finance)
    unit = Unit.objects.create(code="U1", name="测试所属单位", parent=department)
    other = Unit.objects.create(code="D2", name="另一主管部门", kind=UnitKind.DEPARTMENT, parent=finance)
    return finance, department, unit, other


def test_path_records_the_chain_of_codes(tree):
    finance, department, unit, _ = tree
    assert unit.path == "/F1/D1/U1/"
    assert list(unit.ancestors()) == [finance, department]


def test_subtree_holds_the_unit_and_everything_below_it(tree):
    finance, department, unit, other = tree
    assert set(Unit.objects.subtree_of(department)) == {department, unit}
    assert set(Unit.objects.subtree_of(finance)) == {finance, department, unit, other}


def test_moving_a_department_moves_its_units(tree):
    _, department, unit, other = tree
    department.parent = other
    department.save()
    unit.refresh_from_db()
    assert unit.path == "/F1/D2/D1/U1/"
    assert unit in Unit.objects.subtree_of(other)


def test_a_unit_cannot_be_placed_below_itself(tree):
    _, department, unit, _ = tree
    department.parent = unit
    with pytest.raises(ValidationError) as error:
        department.full_clean()
    assert "上级单位不能是本单位或本单位的下级单位" in str(error.value)
    with pytest.raises(ValueError):
        department.save()


def test_unit_code_may_not_contain_a_slash(db):
    with pytest.raises(ValidationError) as error:
        Unit(code="A/B", name="错误编码").full_clean()
    assert "单位编码只能包含" in str(error.value)


def test_saving_a_unit_whose_parent_moved_keeps_the_new_path(tree):
    finance, department, unit, other = tree
    stale_unit = Unit.objects.get(pk=unit.pk)
    assert stale_unit.parent == department  # cached now; it keeps the old path after the move below
    department.parent = other
    department.save()
    stale_unit.name = "改名后的单位"
    stale_unit.save()
    assert Unit.objects.get(pk=unit.pk).path == "/F1/D2/D1/U1/"
    assert stale_unit in Unit.objects.subtree_of(other)

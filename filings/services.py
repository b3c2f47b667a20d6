"""Creating filings: a new draft, or this year's draft copied from last year's filing."""

from django.db import transaction

from .models import (
    AnnualTask,
    DepartmentDetails,
    Filing,
    FilingKind,
    FunctionItem,
    Indicator,
    Novelty,
    ProjectDetails,
)
from .money import MoneyField


@transaction.atomic
def create_department_filing(unit, year, variant, user) -> Filing:
    filing = Filing.objects.create(
        kind=FilingKind.DEPARTMENT, unit=unit, year=year, variant=variant, scheme=variant.default_scheme,
        money_unit=variant.default_money_unit, unit_name=unit.name, created_by=user,
    )
    DepartmentDetails.objects.create(filing=filing, sector=unit.sector)
    return filing



def competent_department_of(unit):
    """The 主管部门 a unit files under: itself when it is one, else its nearest ancestor that is."""
    if unit.kind == "department":
        return unit
    return next((u for u in reversed(list(unit.ancestors())) if u.kind == "department"), None)


@transaction.atomic
def create_project_filing(unit, year, variant, name, user) -> Filing:
    competent = competent_department_of(unit)
    filing = Filing.objects.create(
        kind=FilingKind.PROJECT, unit=unit, year=year, variant=variant, scheme=variant.default_scheme,
        money_unit=variant.default_money_unit, unit_name=unit.name, created_by=user,
        position=next_project_position(unit, year),
        competent_department=competent.name if competent else "",
        competent_department_code=competent.code if competent else "",
    )
    ProjectDetails.objects.create(filing=filing, name=name, implementing_unit=unit.name)
    return filing



def next_project_position(unit, year) -> int:
    last = Filing.objects.projects().filter(unit=unit, year=year).order_by("-position")
    return (last.values_list("position", flat=True).first() or 0) + 1


def _money_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, MoneyField)]


def _copy_fields(source, target, skip=()):
    for f in source._meta.concrete_fields:
        if not f.primary_key and f.name not in {"filing", *skip}:
            setattr(target, f.attname, getattr(source, f.attname))


@transaction.atomic
def copy_filing(source: Filing, year: int, user, keep_amounts: bool, revision: int | None = None) -> Filing:
    """A new draft for `year` with every field, row and indicator of `source`; amounts kept or emptied.

    With `revision`, the copy is the next revision of the same filing (调整) rather than a new filing.
    """
    filing = Filing(kind=source.kind, unit=source.unit, year=year, variant=source.variant, scheme=source.scheme,
                    money_unit=source.money_unit, created_by=user, copied_from=source)
    _copy_fields(source, filing, skip={
        "kind", "unit", "year", "status", "revision", "lock_version", "source", "created_by", "created_at",
        "updated_at", "submitted_at", "submitted_by", "filled_on", "filled_time", "current_step", "saved_steps",
        "completed_steps", "copied_from",
    })
    if revision is not None:
        filing.revision = revision
        filing.position = source.position
    elif source.kind == FilingKind.PROJECT:
        filing.position = next_project_position(source.unit, year)
    filing.save()
    details_model = DepartmentDetails if source.kind == FilingKind.DEPARTMENT else ProjectDetails
    details = details_model(filing=filing)
    old_details = getattr(source, "department" if source.kind == FilingKind.DEPARTMENT else "project", None)
    if old_details is not None:
        skip = set() if keep_amounts else set(_money_fields(details_model)) | {"prior_execution_rate"}
        _copy_fields(old_details, details, skip)
    if revision is not None:
        pass
    elif source.kind == FilingKind.PROJECT and year == source.year:
        details.name = f"{details.name[:ProjectDetails._meta.get_field('name').max_length - 4]}（副本）"
    elif source.kind == FilingKind.PROJECT:
        details.novelty = Novelty.CONTINUING
    details.save()
    for model in (FunctionItem, AnnualTask, Indicator):
        skip = set() if keep_amounts else set(_money_fields(model))
        rows = []
        for row in model.objects.filter(filing=source):
            copy = model(filing=filing)
            _copy_fields(row, copy, skip)
            rows.append(copy)
        model.objects.bulk_create(rows)
    return filing


@transaction.atomic
def delete_draft(filing: Filing) -> None:
    if not filing.is_editable or filing.transitions.exists():
        raise ValueError("只能删除从未提交过的草稿。")
    filing.delete()

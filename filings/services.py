"""Writes to filings: create, copy, delete, and the row lock every write takes first.

Every write locks the filing's row before it touches the filing or its rows (creations lock the unit's row), and
re-checks the state and the edit version inside that lock: a save that started while the filing was a draft cannot
land after it was submitted, two windows cannot both save over each other, and all writers wait in the same order,
so none deadlock. A refused write raises `FilingWriteRefused` and changes nothing.
"""

from django.db import IntegrityError, transaction

from indicators.models import place_in

from .checked import affected_by, refresh_checks, refresh_many
from .errors import FilingWriteRefused
from .models import (
    AnnualTask,
    DepartmentDetails,
    EventKind,
    Filing,
    FilingDeadline,
    FilingEvent,
    FilingKind,
    FunctionItem,
    Indicator,
    Novelty,
    ProjectDetails,
    Unit,
)
from .money import MoneyField

STALE_MESSAGE = "这份申报表刚在别处被保存过（可能在另一个窗口，或由另一位同事）。为避免覆盖，本次没有保存。"


def not_editable_message(filing: Filing) -> str:
    return f"这份申报表已是“{filing.get_status_display()}”，不能再修改；刚才的修改没有保存。"


def lock_row(filing: Filing) -> Filing | None:
    """The filing's row, locked until the transaction ends (None when it is gone); no checks.

    A project's writers first queue on its unit's row (FOR NO KEY UPDATE: inserts referring to the unit still go
    on), because each of them also refreshes the stored checks of the unit's other projects (rule W10) and so
    writes their rows: without one order, two saves of two projects of a unit deadlock. Only the filing's own row is
    locked (`of`): the default ordering joins the unit, and a plain FOR UPDATE would lock that row too, out of order.
    """
    if filing.kind == FilingKind.PROJECT:
        Unit.objects.select_for_update(no_key=True).filter(pk=filing.unit_id).order_by().first()
    return Filing.objects.select_for_update(of=("self",)).filter(pk=filing.pk).first()


def lock_filing(filing: Filing, *, version: int | None = None, editable: bool = True) -> Filing:
    """The filing's row, locked until the transaction ends, after checking it may still be written.

    `version` is the edit version the writer's data was read at; a different one means someone saved meanwhile.
    """
    locked = lock_row(filing)
    if locked is None:
        raise FilingWriteRefused(FilingWriteRefused.GONE, "这份申报表已不存在（可能已被删除）。")
    if editable and not locked.is_editable:
        raise FilingWriteRefused(FilingWriteRefused.NOT_EDITABLE, not_editable_message(locked))
    if version is not None and locked.lock_version != version:
        raise FilingWriteRefused(FilingWriteRefused.STALE, STALE_MESSAGE)
    return locked


def record(filing: Filing, kind: str, user, summary: str = "", data: dict | None = None, request_key: str = ""):
    return FilingEvent.objects.create(filing=filing, filing_ref=filing.pk, unit_id=filing.unit_id, kind=kind,
                                      actor=user, summary=summary[:300], data=data or {},
                                      request_key=request_key[:64])


def _lock_unit(unit) -> None:
    Unit.objects.select_for_update().filter(pk=unit.pk).first()


def earlier_result(user, request_key: str) -> Filing | None:
    """The filing a form with this one-time key already made (a double click), if any."""
    if not request_key:
        return None
    event = FilingEvent.objects.filter(actor=user, request_key=request_key[:64]).select_related("filing").first()
    return event.filing if event else None


def department_filing_exists(unit, year, revision: int = 1) -> bool:
    """The rule “one 部门整体 filing per unit and year (and revision)”, asked by the services and by previews."""
    return Filing.objects.departments().filter(unit=unit, year=year, revision=revision).exists()


def _refuse_second_department_filing(unit, year, revision: int = 1) -> None:
    if department_filing_exists(unit, year, revision):
        raise FilingWriteRefused(FilingWriteRefused.EXISTS,
                                 f"{unit.name}已有 {year} 年度的部门整体支出绩效目标申报表，请在“我的申报”中打开它。")


def _created(filing: Filing, kind: str, user, summary: str, request_key: str, data: dict | None = None) -> Filing:
    try:
        with transaction.atomic():
            record(filing, kind, user, summary, data, request_key)
    except IntegrityError:
        # Only where the unit lock is not a real lock (SQLite): the same form was sent twice at once.
        raise FilingWriteRefused(FilingWriteRefused.REFUSED, "这个表单已经提交过一次，请不要重复点击。") from None
    refresh_checks(filing)
    return filing


@transaction.atomic
def create_department_filing(unit, year, variant, user, *, request_key: str = "") -> Filing:
    _lock_unit(unit)
    if earlier := earlier_result(user, request_key):
        return earlier
    _refuse_second_department_filing(unit, year)
    try:
        with transaction.atomic():
            filing = Filing.objects.create(
                kind=FilingKind.DEPARTMENT, unit=unit, year=year, variant=variant, scheme=variant.default_scheme,
                money_unit=variant.default_money_unit, unit_name=unit.name, created_by=user,
            )
    except IntegrityError:
        _refuse_second_department_filing(unit, year)
        raise
    DepartmentDetails.objects.create(filing=filing, sector=unit.sector)
    return _created(filing, EventKind.CREATED, user, f"新建 {year} 年度部门整体支出绩效目标申报表", request_key)



def competent_department_of(unit):
    """The 主管部门 a unit files under: itself when it is one, else its nearest ancestor that is."""
    if unit.kind == "department":
        return unit
    return next((u for u in reversed(list(unit.ancestors())) if u.kind == "department"), None)


@transaction.atomic
def create_project_filing(unit, year, variant, name, user, *, request_key: str = "") -> Filing:
    _lock_unit(unit)
    if earlier := earlier_result(user, request_key):
        return earlier
    competent = competent_department_of(unit)
    filing = Filing.objects.create(
        kind=FilingKind.PROJECT, unit=unit, year=year, variant=variant, scheme=variant.default_scheme,
        money_unit=variant.default_money_unit, unit_name=unit.name, created_by=user,
        position=next_project_position(unit, year),
        competent_department=competent.name if competent else "",
        competent_department_code=competent.code if competent else "",
    )
    ProjectDetails.objects.create(filing=filing, name=name, implementing_unit=unit.name)
    return _created(filing, EventKind.CREATED, user, f"新建项目“{name}”", request_key)



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
def copy_filing(source: Filing, year: int, user, keep_amounts: bool, revision: int | None = None, *,
                request_key: str = "") -> Filing:
    """A new draft for `year` with every field, row and indicator of `source`; amounts kept or emptied.

    With `revision`, the copy is the next revision of the same filing (调整) rather than a new filing.
    """
    _lock_unit(source.unit)
    if earlier := earlier_result(user, request_key):
        return earlier
    if source.kind == FilingKind.DEPARTMENT:
        _refuse_second_department_filing(source.unit, year, revision or 1)
    filing = Filing(kind=source.kind, unit=source.unit, year=year, variant=source.variant, scheme=source.scheme,
                    money_unit=source.money_unit, created_by=user, copied_from=source)
    _copy_fields(source, filing, skip={
        "kind", "unit", "year", "status", "revision", "lock_version", "source", "created_by", "created_at",
        "updated_at", "submitted_at", "submitted_by", "filled_on", "filled_time", "current_step", "saved_steps",
        "completed_steps", "copied_from", "first_submitted_at",
    })
    if revision is not None:
        filing.revision = revision
        filing.position = source.position
        filing.first_submitted_at = source.first_submitted_at  # the same filing, adjusted: first submitted then
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
    summary = (f"生成第 {revision} 版（调整）" if revision is not None
               else f"从 {source.year} 年度的“{source.title}”复制")
    return _created(filing, EventKind.COPIED, user, summary, request_key, {"source": source.pk})


@transaction.atomic
def delete_draft(filing: Filing, *, user) -> None:
    locked = lock_filing(filing)
    if locked.transitions.exists():
        raise FilingWriteRefused(FilingWriteRefused.REFUSED, "只能删除从未提交过的草稿。")
    record(locked, EventKind.DELETED, user, f"删除“{locked.title}”")
    locked.delete()
    refresh_many(affected_by(locked))  # the projects W10 compared it with


def deleted_by(user, pk: int) -> bool:
    """Whether this user deleted the filing `pk` (so a second click on 确认删除 can say so)."""
    return FilingEvent.objects.filter(filing_ref=pk, actor=user, kind=EventKind.DELETED).exists()


def move_to_scheme(indicators: list[Indicator], scheme) -> list[Indicator]:
    """Give each indicator the same kind of 二级 category in `scheme` (成本 moves between 产出-成本 and 经济成本);
    the ones that have no place there are returned, untouched, and nothing is saved."""
    targets = {c.code: c for c in scheme.level2_categories()}
    unplaced = [i for i in indicators if place_in(targets, i.category.code) is None]
    if not unplaced:
        for indicator in indicators:
            indicator.category = place_in(targets, indicator.category.code)
    return unplaced


def switch_scheme(filing: Filing, scheme, indicators=None) -> list[Indicator]:
    """Move a filing and its indicators (all, or those given) to another indicator scheme when every one of them has a
    place there; else change nothing and return the ones without a place. No row is ever dropped."""
    if scheme.pk == filing.scheme_id:
        return []
    rows = list(filing.indicators.select_related("category")) if indicators is None else indicators
    unplaced = move_to_scheme(rows, scheme)
    if unplaced:
        return unplaced
    filing.scheme = scheme
    Indicator.objects.bulk_update(rows, ["category"])
    return []


@transaction.atomic
def set_deadline(region: Unit, year: int, due_on, *, user) -> FilingDeadline:
    """A 财政 region's deadline for a year's 部门整体 filings, set or moved, with an event saying from when to when."""
    _lock_unit(region)
    deadline = FilingDeadline.objects.filter(region=region, year=year).first()
    before = deadline.due_on.isoformat() if deadline else ""
    deadline, _created = FilingDeadline.objects.update_or_create(region=region, year=year, defaults={"due_on": due_on})
    record_for_unit(region, EventKind.DEADLINE_SET, user, f"{year} 年度申报截止日期",
                    {"fields": {"截止日期": [before, due_on.isoformat()]}, "year": year})
    return deadline


def record_for_unit(unit, kind: str, user, summary: str, data: dict | None = None) -> FilingEvent:
    """An event of a unit's own (no filing): a deadline, a membership."""
    return FilingEvent.objects.create(unit=unit, kind=kind, actor=user, summary=summary[:300], data=data or {})


def record_membership(membership, user, change: str) -> FilingEvent:
    """Who was made (or no longer is) 填报人/审核人/财政 of a unit, by whom."""
    return record_for_unit(membership.unit, EventKind.MEMBERSHIP_CHANGED, user,
                           f"{change}：{membership.user} · {membership.get_role_display()}",
                           {"user": membership.user.username, "role": membership.role, "change": change})

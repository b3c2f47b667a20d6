"""What changed between two snapshots of a filing: its fields, its rows and its indicators, as a reviewer reads them.

Snapshots come from `filings.snapshots.snapshot` (stored at each submission, or taken of a live filing). Old
snapshots may lack keys or hold odd values: a missing section counts as empty and nothing here raises on them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import models

from indicators.models import Scheme

from .layouts.description import FormLayout
from .layouts.extras import TYPES, ExtraField
from .models import (
    AnnualTask,
    DepartmentDetails,
    Filing,
    FilingKind,
    FilingStatus,
    FormVariant,
    FunctionItem,
    Indicator,
    Period,
    ProjectDetails,
)
from .money import MoneyField, MoneyUnit, format_amount
from .snapshots import snapshot

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
STATUS_LABELS = {ADDED: "新增", REMOVED: "删除", CHANGED: "修改"}

DETAIL_MODELS = {"department": DepartmentDetails, "project": ProjectDetails}
ROW_MODELS = {"functions": FunctionItem, "tasks": AnnualTask}
ROW_OWNERS = {"tasks": "task"}  # the rows that hold own (extra) fields, by the layout's owner name
CODE_FIELDS = ("variant", "scheme")  # kept at the top level of a snapshot, as codes
INDICATOR_FIELDS = ("name", "standard", "note")
MAX_ANCESTORS = 20


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    """A 部门职能分解 or 年度主要任务 row that was added, removed or edited."""

    section: str
    section_label: str
    status: str
    name: str
    old_name: str = ""
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class IndicatorChange:
    """A 三级指标 that was added, removed or edited (value, standard, note, name, or moved to another 二级)."""

    status: str
    period: str
    level1: str
    level2: str
    name: str
    old_value: str = ""
    new_value: str = ""
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def value_changed(self) -> bool:
        return self.old_value != self.new_value


@dataclass
class FilingDiff:
    fields: list[FieldChange] = field(default_factory=list)
    rows: list[RowChange] = field(default_factory=list)
    indicators: list[IndicatorChange] = field(default_factory=list)
    periods: tuple[str, ...] = ()  # the indicator periods of the form's layout, when it is known

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.rows or self.indicators)

    def _rows(self, status):
        return [row for row in self.rows if row.status == status]

    def _indicators(self, status):
        return [row for row in self.indicators if row.status == status]

    @property
    def rows_added(self):
        return self._rows(ADDED)

    @property
    def rows_removed(self):
        return self._rows(REMOVED)

    @property
    def rows_changed(self):
        return self._rows(CHANGED)

    @property
    def indicators_added(self):
        return self._indicators(ADDED)

    @property
    def indicators_removed(self):
        return self._indicators(REMOVED)

    @property
    def indicators_changed(self):
        return self._indicators(CHANGED)

    @property
    def row_groups(self) -> list[tuple[str, list[RowChange]]]:
        """The changed rows by kind of change, for the page: 新增 / 删除 / 修改."""
        return [(STATUS_LABELS[status], self._rows(status)) for status in (ADDED, REMOVED, CHANGED)
                if self._rows(status)]

    @property
    def indicator_groups(self) -> list[tuple[str, list[IndicatorChange]]]:
        return [(STATUS_LABELS[status], self._indicators(status)) for status in (ADDED, REMOVED, CHANGED)
                if self._indicators(status)]

    @property
    def has_implementation_period(self) -> bool:
        """The layout has a 实施期 set, or a compared row is of one (an older version of another 表样)."""
        return Period.IMPLEMENTATION in self.periods or any(row.period != Period.ANNUAL.label
                                                            for row in self.indicators)


# --- reading snapshots defensively ----------------------------------------------------------------------------

def _section(data, key) -> dict:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def _rows(data, key) -> list[dict]:
    value = data.get(key) if isinstance(data, dict) else None
    return [row for row in value if isinstance(row, dict)] if isinstance(value, list) else []


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _header(data) -> dict:
    header = dict(_section(data, "filing"))
    if isinstance(data, dict):
        header.update({name: data[name] for name in CODE_FIELDS if name in data})
    return header


# --- one value, in words ----------------------------------------------------------------------------------------

def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _same(model_field, old, new) -> bool:
    if _is_blank(old) and _is_blank(new):
        return True
    if isinstance(model_field, models.DecimalField) and not (_is_blank(old) or _is_blank(new)):
        old_number, new_number = _decimal(old), _decimal(new)
        if old_number is not None and new_number is not None:
            return old_number == new_number
    return old == new


def _display(model_field, value, money_unit: str, code_names: dict) -> str:
    if _is_blank(value):
        return ""
    if isinstance(model_field, MoneyField):
        return _display_amount(value, money_unit)
    if isinstance(model_field, models.ForeignKey):
        return code_names.get(_text(value), _text(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    choices = dict(model_field.flatchoices) if model_field is not None and model_field.choices else {}
    return str(choices.get(_text(value), value))


def _display_amount(value, money_unit: str) -> str:
    number = _decimal(value)
    if number is None:
        return _text(value)
    unit = money_unit if money_unit in MoneyUnit.values else MoneyUnit.YUAN
    return f"{format_amount(number, unit, grouping=True)} {MoneyUnit(unit).label}"


# --- fields -------------------------------------------------------------------------------------------------------

def _field_changes(model, old: dict, new: dict, money_unit: str, code_names: dict) -> list[FieldChange]:
    """The fields of `model` whose value differs, in the model's order; keys the model does not know are skipped."""
    changes = []
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        if name == "extra":
            continue  # the variant's own fields, compared one by one (`_extra_changes`)
        if (name not in old and name not in new) or _same(model_field, old.get(name), new.get(name)):
            continue
        changes.append(FieldChange(
            name, str(model_field.verbose_name),
            _display(model_field, old.get(name), money_unit, code_names),
            _display(model_field, new.get(name), money_unit, code_names),
        ))
    return changes


def _filled_fields(model, row: dict, money_unit: str, added: bool) -> list[FieldChange]:
    """The filled fields of an added (or removed) row, as changes from (or to) nothing."""
    empty = {}
    old, new = (empty, row) if added else (row, empty)
    return [change for change in _field_changes(model, old, new, money_unit, {}) if change.name != "name"]


# --- the variant's own fields (extra) ------------------------------------------------------------------------------

class OwnFields:
    """The variant's own fields by owner and key, named as the layout names them now, else as the snapshots did."""

    def __init__(self, layout: FormLayout | None, *snapshots):
        self.by_owner: dict[str, dict[str, ExtraField]] = defaultdict(dict)
        for data in snapshots:  # the older first: a later name wins
            items = data.get("extra_fields") if isinstance(data, dict) else None
            for item in items if isinstance(items, list) else []:
                extra = _extra_field(item)
                if extra is not None:
                    self.by_owner[extra.on][extra.key] = extra
        for extra in layout.extras if layout is not None else ():
            self.by_owner[extra.on][extra.key] = extra

    def changes(self, owner: str, old, new, money_unit: str) -> list[FieldChange]:
        """The own fields of one header or row whose value differs: the layout's order, then unknown keys."""
        old, new = (values if isinstance(values, dict) else {} for values in (old, new))
        known = self.by_owner.get(owner, {})
        keys = [key for key in known if key in old or key in new]
        keys += sorted(str(key) for key in set(old) | set(new) if key not in known)
        changes = []
        for key in keys:
            extra = known.get(key)
            before, after = (_extra_display(extra, values.get(key), money_unit) for values in (old, new))
            if before != after:
                changes.append(FieldChange(f"extra.{key}", extra.label if extra else key, before, after))
        return changes


def _extra_field(item) -> ExtraField | None:
    if not isinstance(item, dict) or not all(isinstance(item.get(name), str) for name in ("key", "on", "label")):
        return None
    type_ = item.get("type") if item.get("type") in TYPES else "text"
    choices = item.get("choices")
    return ExtraField(item["key"], item["on"], item["label"], type_,
                      tuple(str(c) for c in choices) if isinstance(choices, list) else ())


def _extra_display(extra: ExtraField | None, value, money_unit: str) -> str:
    """A stored own value in words (money in the compared unit); what cannot be read is shown as stored."""
    if _is_blank(value):
        return ""
    unit = money_unit if money_unit in MoneyUnit.values else MoneyUnit.YUAN
    shown = extra.display(value, unit) if extra is not None else ""
    if shown and extra.type == "money":
        shown = f"{shown} {MoneyUnit(unit).label}"
    return shown or _text(value)


# --- pairing rows -------------------------------------------------------------------------------------------------

def _pair(old: list, new: list, keys, group) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair old and new rows by one key after the other (a key returning None leaves a row out of that pass; rows
    with equal keys pair in their order), then the rest by position: rows of the same `group` left in the same gap
    between paired rows, i.e. a row edited in place, its name included.

    Returns the pairs (old, new) in the new order, then the unpaired old and new positions.
    """
    pairs: dict[int, int] = {}
    for key in keys:
        _pair_by(len(old), len(new), pairs, lambda i, key=key: key(old[i]), lambda j, key=key: key(new[j]))
    old_gap, new_gap = _gaps(len(old), len(new), pairs)
    _pair_by(len(old), len(new), pairs, lambda i: (group(old[i]), old_gap[i]), lambda j: (group(new[j]), new_gap[j]))
    paired_new = set(pairs.values())
    return (sorted(pairs.items(), key=lambda pair: pair[1]), [i for i in range(len(old)) if i not in pairs],
            [j for j in range(len(new)) if j not in paired_new])


def _pair_by(old_count: int, new_count: int, pairs: dict, old_key, new_key) -> None:
    taken = set(pairs.values())
    waiting = defaultdict(list)
    for j in range(new_count):
        if j not in taken and (value := new_key(j)) is not None:
            waiting[value].append(j)
    for i in range(old_count):
        value = None if i in pairs else old_key(i)
        if value is not None and waiting.get(value):
            pairs[i] = waiting[value].pop(0)


def _gaps(old_count: int, new_count: int, pairs: dict) -> tuple[list[int], list[int]]:
    """Where each row sits among the paired ones: the new position of the closest paired row before it (or -1)."""
    paired_new = set(pairs.values())
    old_gap, new_gap, last = [], [], -1
    for i in range(old_count):
        last = pairs.get(i, last)
        old_gap.append(last)
    last = -1
    for j in range(new_count):
        last = j if j in paired_new else last
        new_gap.append(last)
    return old_gap, new_gap


def _row_changes(section: str, old: list, new: list, money_unit: str, own: OwnFields) -> list[RowChange]:
    """Rows matched by name, then the remaining ones by position (a renamed row)."""
    model = ROW_MODELS[section]
    owner = ROW_OWNERS.get(section, "")
    label = str(model._meta.verbose_name)
    pairs, removed, added = _pair(old, new, [lambda row: _text(row.get("name"))], lambda row: "")
    result = []
    for i, j in pairs:
        changes = _field_changes(model, old[i], new[j], money_unit, {})
        changes += own.changes(owner, old[i].get("extra"), new[j].get("extra"), money_unit)
        if changes:
            result.append(RowChange(section, label, CHANGED, _text(new[j].get("name")),
                                    _text(old[i].get("name")), changes))
    result += [RowChange(section, label, ADDED, _text(new[j].get("name")),
                         changes=_filled_fields(model, new[j], money_unit, added=True)
                         + own.changes(owner, {}, new[j].get("extra"), money_unit)) for j in added]
    result += [RowChange(section, label, REMOVED, _text(old[i].get("name")), _text(old[i].get("name")),
                         _filled_fields(model, old[i], money_unit, added=False)
                         + own.changes(owner, old[i].get("extra"), {}, money_unit)) for i in removed]
    return result


# --- pairing indicators ---------------------------------------------------------------------------------------

def _category(row: dict) -> str:
    """The 二级 category by its name (old snapshots may lack the code; codes differ between schemes)."""
    return _text(row.get("level2")) or _text(row.get("category"))


def _same_place(row: dict):
    return _period(row), _category(row), _text(row.get("name"))


def _moved(row: dict):
    """Same period and name in another 二级 category; rows without a name never pair this way."""
    name = _text(row.get("name"))
    return (_period(row), name) if name else None


def _same_group(row: dict):
    return _period(row), _category(row)


def _period(row: dict) -> str:
    return _text(row.get("period")) or Period.ANNUAL


def _place_changed(old: dict, new: dict) -> bool:
    """Moved to another 二级 or 一级 (a missing 一级 in an old snapshot is no move)."""
    old_level1, new_level1 = _text(old.get("level1")), _text(new.get("level1"))
    return _category(old) != _category(new) or bool(old_level1 and new_level1 and old_level1 != new_level1)


def _levels(row: dict) -> str:
    return " / ".join(part for part in (_text(row.get("level1")), _text(row.get("level2"))) if part)


def _indicator(status: str, row: dict, old_value="", new_value="", changes=None) -> IndicatorChange:
    period = _period(row)
    return IndicatorChange(
        status, dict(Period.choices).get(period, period), _text(row.get("level1")), _text(row.get("level2")),
        _text(row.get("name")), old_value, new_value, changes or [],
    )


def _indicator_field_changes(old: dict, new: dict, own: OwnFields, money_unit: str) -> list[FieldChange]:
    changes = [
        FieldChange(name, str(Indicator._meta.get_field(name).verbose_name), _text(old.get(name)),
                    _text(new.get(name)))
        for name in INDICATOR_FIELDS if _text(old.get(name)) != _text(new.get(name))
    ]
    changes += own.changes("indicator", old.get("extra"), new.get("extra"), money_unit)
    if _place_changed(old, new):
        changes.append(FieldChange("category", "所属指标（一级 / 二级）", _levels(old), _levels(new)))
    return changes


def _indicator_changes(old: list, new: list, own: OwnFields, money_unit: str) -> list[IndicatorChange]:
    """Indicators matched by (period, category, name), then by name across categories (moved), then by position
    inside the same period and category (a renamed indicator)."""
    pairs, removed, added = _pair(old, new, [_same_place, _moved], _same_group)
    result = []
    for i, j in pairs:
        old_value, new_value = _text(old[i].get("value_text")), _text(new[j].get("value_text"))
        changes = _indicator_field_changes(old[i], new[j], own, money_unit)
        if changes or old_value != new_value:
            result.append(_indicator(CHANGED, new[j], old_value, new_value, changes))
    result += [_indicator(ADDED, new[j], new_value=_text(new[j].get("value_text"))) for j in added]
    result += [_indicator(REMOVED, old[i], old_value=_text(old[i].get("value_text"))) for i in removed]
    return result


# --- the whole filing ---------------------------------------------------------------------------------------------

def diff_snapshots(old: dict, new: dict, money_unit: str, code_names: dict | None = None,
                   layout: FormLayout | None = None) -> FilingDiff:
    """What changed from `old` to `new`; amounts shown in `money_unit`, 表样/指标体系 codes via `code_names`, the
    variant's own fields named as `layout` (the form's layout now) names them, else as the snapshots did."""
    code_names = code_names or {}
    own = OwnFields(layout, old, new)
    header_old, header_new = _header(old), _header(new)
    fields = _field_changes(Filing, header_old, header_new, money_unit, code_names)
    fields += own.changes("filing", header_old.get("extra"), header_new.get("extra"), money_unit)
    for key, model in DETAIL_MODELS.items():
        fields += _field_changes(model, _section(old, key), _section(new, key), money_unit, code_names)
    rows = [change for section in ROW_MODELS for change in
            _row_changes(section, _rows(old, section), _rows(new, section), money_unit, own)]
    indicators = _indicator_changes(_rows(old, "indicators"), _rows(new, "indicators"), own, money_unit)
    periods = tuple(layout.indicator_periods()) if layout is not None else ()
    return FilingDiff(fields, rows, indicators, periods)


def code_names(old: dict, new: dict) -> dict:
    """Names of the 表样 and 指标体系 codes that differ between two snapshots (no query when none differ)."""
    codes = {
        name: {_text(data.get(name)) for data in (old, new) if isinstance(data, dict)} - {""}
        for name in CODE_FIELDS
    }
    names = {}
    if len(codes["variant"]) > 1:
        names.update(FormVariant.objects.filter(code__in=codes["variant"]).values_list("code", "name"))
    if len(codes["scheme"]) > 1:
        names.update(Scheme.objects.filter(code__in=codes["scheme"]).values_list("code", "name"))
    return names


def diff_filings(old: Filing | dict, new: Filing | dict, money_unit: str,
                 layout: FormLayout | None = None) -> FilingDiff:
    """Compare two versions, each a live filing (snapshot taken now) or a stored snapshot; `layout` (else the
    layout of the live filing compared) names the variant's own fields and the indicator periods."""
    old_data = snapshot(old) if isinstance(old, Filing) else old
    new_data = snapshot(new) if isinstance(new, Filing) else new
    if layout is None:
        live = new if isinstance(new, Filing) else old if isinstance(old, Filing) else None
        layout = live.variant.description if live is not None else None
    return diff_snapshots(old_data, new_data, money_unit, code_names(old_data, new_data), layout)


# --- last year's approved filing ----------------------------------------------------------------------------

def last_year_approved(filing: Filing) -> Filing | None:
    """The unit's approved filing of the same kind for the year before (its latest approved revision).

    For a project: the filing this one was copied from, if approved; else the approved project of the same name.
    """
    approved = (Filing.objects.with_related()
                .filter(unit=filing.unit_id, kind=filing.kind, year=filing.year - 1, status=FilingStatus.APPROVED)
                .order_by("-revision", "-pk"))
    if filing.kind != FilingKind.PROJECT:
        return approved.first()
    source = _ancestor_of_year(filing, filing.year - 1)
    if source is not None and source.status == FilingStatus.APPROVED:
        return _latest_revision(source, approved)
    project = getattr(filing, "project", None)
    name = project.name.strip() if project is not None else ""
    return approved.filter(project__name=name).first() if name else None


def _ancestor_of_year(filing: Filing, year: int) -> Filing | None:
    """Follow `copied_from` back (through 调整 revisions of the same year) to the filing of `year`."""
    current = filing
    for _ in range(MAX_ANCESTORS):
        if current.copied_from_id is None:
            return None
        current = Filing.objects.with_related().filter(pk=current.copied_from_id).first()
        if current is None or current.year < year:
            return None
        if current.year == year:
            return current
    return None


def _latest_revision(source: Filing, approved) -> Filing:
    """The latest approved 调整 revision grown from `source`, or `source` itself."""
    for _ in range(MAX_ANCESTORS):
        newer = approved.filter(copied_from=source, revision__gt=source.revision).first()
        if newer is None:
            break
        source = newer
    return source

"""Importing a filled template: read the upload, show what would change, then write it all in one transaction.

Nothing touches the filing before ``apply_import``; it refuses when the filing was saved meanwhile (``lock_version``)
or is no longer editable. Row tables present in the file replace the filing's rows (indicators: only the periods the
file holds); a column the file lacks keeps the value of the matching old row.
"""

from dataclasses import dataclass, field

from django.db import transaction

from indicators.models import Category, Scheme

from ..errors import FilingWriteRefused
from ..layouts.extras import ExtraField
from ..limits import row_limit
from ..models import AnnualTask, EventKind, Filing, FilingKind, FormVariant, FunctionItem, Indicator, Period
from ..money import MoneyUnit, format_amount
from ..services import create_department_filing, create_project_filing, earlier_result, record, switch_scheme
from ..wizard import steps_for
from . import spec
from .parse import ParseResult, parse_workbook
from .reader import UnreadableFile, open_workbook
from .sheets import Problem
from .values import restore

ROW_TABLES = {
    "functions": (FunctionItem, "部门职能分解", ["name", "mid_term_goal", "annual_goal"]),
    "tasks": (AnnualTask, "年度主要任务",
              ["name", "content", "related_goal", "amount_total", "amount_fiscal", "amount_other"]),
}
INDICATOR_COLUMNS = ["name", "value_text", "standard", "note"]
MONEY_COLUMNS = {"amount_total", "amount_fiscal", "amount_other"}
# A cost indicator moves between the schemes' cost categories; every other code exists in both.


class ImportRefused(Exception):
    """The import cannot be applied (any more); the message says why, in Chinese."""


def read_upload(upload, target: Filing | None) -> ParseResult:
    try:
        workbook = open_workbook(upload)
    except UnreadableFile as error:
        return ParseResult(None, [Problem(str(error))])
    return parse_workbook(workbook, target)


# --- preview ------------------------------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    action: str  # 新增 / 删除 / 修改
    title: str
    details: list[str] = field(default_factory=list)


@dataclass
class TableChanges:
    label: str
    old_count: int
    new_count: int
    rows: list[RowChange] = field(default_factory=list)


@dataclass
class Preview:
    changes: list[Change]
    tables: list[TableChanges]
    notes: list[str]

    @property
    def unchanged(self) -> bool:
        return not self.changes and not any(table.rows for table in self.tables)


def shown(field_spec: spec.FieldSpec, value, money_unit: str) -> str:
    if value is None or value == "":
        return "（空）"
    if field_spec.kind == "money":
        return f"{format_amount(value, money_unit, grouping=True)}{MoneyUnit(money_unit).label}"
    if field_spec.kind == "bool":
        return "是" if value else "否"
    if field_spec.kind == "choice":
        return dict(field_spec.choices).get(value, value)
    if field_spec.kind in {"date", "time"}:
        return value.isoformat()
    return str(value)


def same(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n") == b.replace("\r\n", "\n")
    return (a if a != "" else None) == (b if b != "" else None)


def current_rows(filing: Filing | None, periods: list[str]):
    if filing is None:
        return [], [], []
    functions = list(filing.functions.all()) if filing.kind == FilingKind.DEPARTMENT else []
    tasks = list(filing.tasks.all()) if filing.kind == FilingKind.DEPARTMENT else []
    indicators = list(filing.indicators.filter(period__in=periods).select_related("category"))
    return functions, tasks, indicators


def complete(rows: list[dict], present: list[str], all_columns: list[str], old_rows: list, key) -> list[dict]:
    """The file's rows with every column: one the file lacks keeps the matching old row's value (else blank).

    A row's own values (``extra``) likewise: those of the variant's columns in the file as read, the others kept."""
    pool = list(old_rows)
    in_file = {spec.extra_key(name) for name in present if spec.extra_key(name)}
    result = []
    for row in rows:
        match = next((old for old in pool if key(old) == key(row)), None)
        if match is not None:
            pool.remove(match)
        full = {}
        for column in all_columns:
            if column in present or column in row:
                full[column] = row.get(column, "")
            elif match is not None:
                full[column] = getattr(match, column)
            else:
                full[column] = None if column in MONEY_COLUMNS else ""
        kept = (getattr(match, "extra", None) or {}) if match is not None else {}
        extra = {k: v for k, v in kept.items() if k not in in_file}
        extra |= {k: row[f"{spec.EXTRA_PREFIX}{k}"] for k in in_file
                  if row.get(f"{spec.EXTRA_PREFIX}{k}") not in (None, "")}
        result.append({**row, **full, "extra": extra})
    return result


def diff_rows(label: str, old_rows: list, new_rows: list[dict], columns: list[str], key, title,
              money_unit: str, extras: dict | None = None) -> TableChanges:
    table = TableChanges(label, len(old_rows), len(new_rows))
    pool = list(old_rows)
    for new in new_rows:
        match = next((old for old in pool if key(old) == key(new)), None)
        if match is None:
            table.rows.append(RowChange("新增", title(new)))
            continue
        pool.remove(match)
        details = []
        for column in columns:
            old_value, new_value = getattr(match, column), new.get(column)
            if column in MONEY_COLUMNS:
                new_value = restore("money", new_value)
                if old_value != new_value:
                    details.append(f"{column_label(column)}：{money(old_value, money_unit)} → "
                                   f"{money(new_value, money_unit)}")
            elif not same(old_value or "", new_value or ""):
                details.append(f"{column_label(column)}：{old_value or '（空）'} → {new_value or '（空）'}")
        details += extra_changes(getattr(match, "extra", None) or {}, new.get("extra", {}), extras or {}, money_unit)
        if details:
            table.rows.append(RowChange("修改", title(new), details))
    table.rows += [RowChange("删除", title(old)) for old in pool]
    return table


COLUMN_LABELS = {"name": "名称", "mid_term_goal": "部门中期目标", "annual_goal": "部门年度绩效目标",
                 "content": "主要内容", "related_goal": "对应年度绩效目标和内容", "amount_total": "总额",
                 "amount_fiscal": "财政拨款",
                 "amount_other": "其他资金", "value_text": "指标值", "standard": "绩效标准", "note": "说明"}


def extra_of(extras: dict, key: str, on: str) -> ExtraField:
    return extras.get(key) or spec.undeclared_extra(key, on)


def extra_changes(old: dict, new: dict, extras: dict, money_unit: str) -> list[str]:
    """A row's own values that change: “名称：旧 → 新”, shown as the variant shows them."""
    details = []
    for key in dict.fromkeys([*old, *new]):
        if old.get(key) != new.get(key):
            extra = extra_of(extras, key, "")
            details.append(f"{extra.label}：{extra.display(old.get(key), money_unit) or '（空）'} → "
                           f"{extra.display(new.get(key), money_unit) or '（空）'}")
    return details


def filing_extra(old: dict, data: dict) -> dict:
    """``Filing.extra`` after the import: the file's header values set or cleared (blank), the others kept; with
    the 其他栏目 sheet, where every value the layout does not declare would be, such a value the file lacks is
    cleared."""
    values = {spec.extra_key(name): value for name, value in data["fields"].items() if spec.extra_key(name)}
    result = dict(old or {})
    for key, value in values.items():
        if value in (None, ""):
            result.pop(key, None)
        else:
            result[key] = value
    if data.get("extra_complete"):
        declared = set(data.get("extra_declared", []))
        result = {key: value for key, value in result.items() if key in declared or key in values}
    return result


def column_label(column: str) -> str:
    return COLUMN_LABELS.get(column, column)


def money(value, unit: str) -> str:
    return "（空）" if value is None else f"{format_amount(value, unit, grouping=True)}{MoneyUnit(unit).label}"


def prepared_rows(filing: Filing | None, data: dict) -> dict:
    """The rows the import would write, per table, with missing columns filled from the filing's rows."""
    periods = (data.get("indicators") or {}).get("periods", [])
    functions, tasks, indicators = current_rows(filing, periods)
    result = {"old": {"functions": functions, "tasks": tasks, "indicators": indicators}}
    for key, old in (("functions", functions), ("tasks", tasks)):
        table = data.get(key)
        if table is not None:
            result[key] = complete(table["rows"], table["columns"], ROW_TABLES[key][2], old, name_of)
    table = data.get("indicators")
    if table is not None:
        result["indicators"] = complete(table["rows"], table["columns"], INDICATOR_COLUMNS, indicators,
                                        indicator_key)
    return result


def name_of(item) -> str:
    return item["name"] if isinstance(item, dict) else item.name


def indicator_key(item) -> tuple:
    if isinstance(item, dict):
        return item["period"], item["category"], item["name"]
    return item.period, item.category_id, item.name


def build_preview(filing: Filing | None, data: dict) -> Preview:
    fields = spec.data_fields(data["kind"])
    unit = data["money_unit"]
    changes = []
    variant = FormVariant.objects.filter(code=data["variant"]).first()
    scheme = Scheme.objects.filter(code=data["scheme"]).first()
    if variant is None or scheme is None:
        raise ImportRefused("文件中的表样或指标体系已不存在，请重新下载模板。")
    extras = {extra.key: extra for extra in variant.description.extras}
    if filing is None or filing.variant_id != variant.pk:
        changes.append(Change("表样", filing.variant.name if filing else "（新建）", variant.name))
    if filing is None or filing.scheme_id != scheme.pk:
        changes.append(Change("指标体系", filing.scheme.name if filing else "（新建）", scheme.name))
    if filing is None or filing.money_unit != unit:
        changes.append(Change("金额单位", filing.get_money_unit_display() if filing else "（新建）",
                              MoneyUnit(unit).label))
    details = getattr(filing, "department" if data["kind"] == FilingKind.DEPARTMENT else "project", None) \
        if filing is not None else None
    for name, value in data["fields"].items():
        if spec.extra_key(name):
            continue
        field_spec = fields[name]
        owner = filing if field_spec.owner == "filing" else details
        old = getattr(owner, name) if owner is not None else field_spec.blank
        new = restore(field_spec.kind, value)
        if not same(old, new):
            changes.append(Change(field_spec.label, shown(field_spec, old, unit), shown(field_spec, new, unit)))
    old_extra = (filing.extra or {}) if filing is not None else {}
    new_extra = filing_extra(old_extra, data)
    for key in dict.fromkeys([*old_extra, *new_extra]):
        if old_extra.get(key) != new_extra.get(key):
            extra = extra_of(extras, key, "filing")
            old_unit = filing.money_unit if filing is not None else unit
            changes.append(Change(extra.label, extra.display(old_extra.get(key), old_unit) or "（空）",
                                  extra.display(new_extra.get(key), unit) or "（空）"))
    notes = list(data.get("notes", []))
    if filing is not None and data.get("year") and data["year"] != filing.year:
        notes.append(f"文件中的年度为 {data['year']} 年，本申报表为 {filing.year} 年：导入不改变年度。")
    rows = prepared_rows(filing, data)
    tables = []
    for key in ("functions", "tasks"):
        if key in rows:
            label, columns = ROW_TABLES[key][1], ROW_TABLES[key][2][1:]
            tables.append(diff_rows(label, rows["old"][key], rows[key], columns, name_of, name_of, unit, extras))
    if "indicators" in rows:
        names = dict(Category.objects.filter(scheme__code__in={scheme.code, filing.scheme.code if filing else ""})
                     .values_list("pk", "name"))

        def title(item):
            period, category, name = indicator_key(item)
            return f"{Period(period).label} · {names.get(category, '')} · {name}"

        tables.append(diff_rows("绩效指标", rows["old"]["indicators"], rows["indicators"], INDICATOR_COLUMNS[1:],
                                indicator_key, title, unit, extras))
    return Preview(changes, tables, notes)


# --- apply --------------------------------------------------------------------------------------------------------


@transaction.atomic
def apply_import(filing: Filing, data: dict, expected_lock_version: int, *, user, request_key: str = "") -> Filing:
    """Write the parsed file into the filing, all or nothing; refuse if it changed since the preview."""
    locked = Filing.objects.select_for_update().filter(pk=filing.pk).first()
    if locked is not None and earlier_result(user, request_key) == locked:
        return locked  # the same confirmation sent twice: the first one imported it
    if locked is None or locked.lock_version != expected_lock_version:
        raise ImportRefused("申报表在预览之后已被修改（可能在另一个窗口中保存过），为免覆盖，请重新上传文件。")
    if not locked.is_editable:
        raise ImportRefused("申报表已提交或已批复，不能再导入。")
    if locked.kind != data["kind"]:
        raise ImportRefused("文件的表类型与申报表不一致。")
    variant = FormVariant.objects.filter(code=data["variant"], kind=locked.kind).first()
    scheme = Scheme.objects.filter(code=data["scheme"]).first()
    if variant is None or scheme is None:
        raise ImportRefused("文件中的表样或指标体系已不存在，请重新下载模板。")
    rows = prepared_rows(locked, data)
    old_scheme = locked.scheme_id
    locked.variant, locked.scheme, locked.money_unit = variant, scheme, data["money_unit"]
    fields = spec.data_fields(locked.kind)
    model = spec.details_model(locked.kind)
    details = model.objects.filter(filing=locked).first() or model(filing=locked)
    for name, value in data["fields"].items():
        if not spec.extra_key(name):
            setattr(locked if fields[name].owner == "filing" else details, name, restore(fields[name].kind, value))
    locked.extra = filing_extra(locked.extra, data)
    locked.saved_steps = list(dict.fromkeys([*locked.saved_steps, *(step.key for step in steps_for(locked))]))
    locked.current_step = "check"
    locked.lock_version += 1
    locked.save()
    details.save()
    for key in ("functions", "tasks"):
        if key in rows:
            row_model, _, columns = ROW_TABLES[key]
            row_model.objects.filter(filing=locked).delete()
            row_model.objects.bulk_create(
                row_model(filing=locked, order=order, **{c: restored(c, row[c]) for c in columns},
                          **({"extra": row["extra"]} if key == "tasks" else {}))
                for order, row in enumerate(rows[key], start=1))
    if "indicators" in rows:
        write_indicators(locked, scheme, old_scheme, data["indicators"]["periods"], rows["indicators"])
    record(locked, EventKind.IMPORTED, user, "从Excel导入", {"fields": sorted(data["fields"])}, request_key)
    return locked


def restored(column: str, value):
    return restore("money", value) if column in MONEY_COLUMNS else (value or "")


def write_indicators(filing: Filing, scheme, old_scheme: int, periods: list[str], rows: list[dict]):
    categories = {c.pk: c for c in Category.objects.filter(scheme=scheme, parent__isnull=False)}
    if any(row["category"] not in categories for row in rows):
        raise ImportRefused("指标体系在预览之后有变动，请重新上传文件。")
    filing.indicators.filter(period__in=periods).delete()
    limit = row_limit(Indicator)
    kept = filing.indicators.count()  # the rows of periods the file does not hold
    if limit is not None and kept + len(rows) > limit:
        raise ImportRefused(f"导入后这份申报表将有 {kept + len(rows)} 条绩效指标（文件中 {len(rows)} 条，另有未导入的 "
                            f"{kept} 条），最多 {limit} 条。请删去多余的指标后再导入。")
    if old_scheme != scheme.pk:
        # Rows of periods the file does not hold move to the same kind of category in the new scheme, or the import
        # is refused: none of them is dropped.
        kept = list(filing.indicators.select_related("category"))
        filing.scheme_id = old_scheme
        unplaced = switch_scheme(filing, scheme, kept)
        if unplaced:
            names = "、".join(indicator.name or indicator.category.name for indicator in unplaced[:5])
            raise ImportRefused(f"文件使用另一种指标体系，而申报表中未导入的指标（{names}）在其中没有对应的类别，"
                                "为免丢失，没有导入。请在文件中一并填写这些指标。")
    created = []
    for order, row in enumerate(rows, start=1):
        indicator = Indicator(filing=filing, period=row["period"], category=categories[row["category"]], order=order,
                              extra=row.get("extra", {}),
                              **{column: row.get(column) or "" for column in INDICATOR_COLUMNS})
        indicator.apply_reading()
        created.append(indicator)
    Indicator.objects.bulk_create(created)


@transaction.atomic
def create_from_import(unit, data: dict, user, *, request_key: str = "") -> Filing:
    """A new draft for ``unit`` made from the file (year, variant and everything else from the file)."""
    variant = FormVariant.objects.filter(code=data["variant"]).first()
    year = data.get("year")
    if variant is None or not year:
        raise ImportRefused("文件中缺少表样或年度，无法新建申报表。")
    if data["kind"] == FilingKind.DEPARTMENT:
        try:
            filing = create_department_filing(unit, year, variant, user, request_key=request_key)
        except FilingWriteRefused:
            raise ImportRefused(f"{unit.name}已有 {year} 年度的部门整体支出绩效目标申报表，"
                                "请打开它后用“导入Excel”导入。") from None
    else:
        name = data["fields"].get("name") or "（未命名项目）"
        filing = create_project_filing(unit, year, variant, name, user, request_key=request_key)
    if filing.events.filter(kind=EventKind.IMPORTED).exists():
        return filing  # the same confirmation sent twice: the first one imported it
    return apply_import(filing, data, filing.lock_version, user=user)

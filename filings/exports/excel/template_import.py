"""Importing a filled template: read the upload, then write it all in one transaction (the preview of what would
change is `filings.exports.excel.preview`).

Nothing touches the filing before ``apply_import``; it refuses when the filing was saved meanwhile (``lock_version``)
or is no longer editable. Row tables present in the file replace the filing's rows (indicators: only the periods the
file holds); a column the file lacks keeps the value of the matching old row.
"""


from django.db import transaction

from indicators.models import Category, Scheme

from ...checked import refresh_checks
from ...errors import FilingWriteRefused
from ...limits import row_limit
from ...models import AnnualTask, EventKind, Filing, FilingKind, FormVariant, FunctionItem, Indicator
from ...services import (
    create_department_filing,
    create_project_filing,
    earlier_result,
    lock_row,
    record,
    switch_scheme,
)
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


class ImportRefused(Exception):
    """The import cannot be applied (any more); the message says why, in Chinese."""


def read_upload(upload, target: Filing | None) -> ParseResult:
    try:
        workbook = open_workbook(upload)
    except UnreadableFile as error:
        return ParseResult(None, [Problem(str(error))])
    return parse_workbook(workbook, target)


# --- the rows the import writes (also previewed) ------------------------------------------------------------------


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


# --- apply --------------------------------------------------------------------------------------------------------


@transaction.atomic
def apply_import(filing: Filing, data: dict, expected_lock_version: int, *, user, request_key: str = "") -> Filing:
    """Write the parsed file into the filing, all or nothing; refuse if it changed since the preview."""
    locked = lock_row(filing)
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
    # Every step of the layout counts as saved (the wizard shows the steps `FormLayout.steps()` names).
    locked.saved_steps = list(dict.fromkeys([*locked.saved_steps, *locked.variant.description.steps()]))
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
    refresh_checks(locked)
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

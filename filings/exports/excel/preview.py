"""The import preview as a diff: what the filing is now and what it would be after the import, both in the shape of
`filings.snapshots.snapshot`, compared by the engine of the changes page (`filings.diff`).

`imported_snapshot` is the parse result (`parse.ParseResult.data`) turned into the filing it would make: the fields the
file holds replace the filing's, the row tables it holds replace the filing's rows (a column the file lacks keeps the
value of the matching old row, as `apply_import` writes it), the indicators of the periods it holds replace those
periods' indicators and the others stay, placed in the file's 指标体系.
"""

import copy
from dataclasses import dataclass, field

from indicators.models import Category, Scheme, place_in

from ...diff import FilingDiff, diff_snapshots
from ...models import Filing, FilingKind, FormVariant, Period
from ...snapshots import plain, snapshot
from . import spec
from .template_import import INDICATOR_COLUMNS, ROW_TABLES, ImportRefused, filing_extra, prepared_rows, restored
from .values import restore

DETAILS = {FilingKind.DEPARTMENT: "department", FilingKind.PROJECT: "project"}
TABLE_LABELS = {"functions": ROW_TABLES["functions"][1], "tasks": ROW_TABLES["tasks"][1], "indicators": "绩效指标"}


@dataclass
class Table:
    """A row table the file holds: it replaces the filing's rows (for indicators: those of the file's periods)."""

    label: str
    old_count: int
    new_count: int


@dataclass
class Preview:
    diff: FilingDiff
    notes: list[str]
    tables: list[Table] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return self.diff.is_empty


def current_snapshot(filing: Filing | None, data: dict) -> dict:
    """The filing as it is (nothing for a new one), with the filing's own fields the file holds that `snapshot`
    does not keep, so that each field compares with its own old value."""
    if filing is None:
        return {}
    before = snapshot(filing)
    fields = spec.data_fields(data["kind"])
    for name in data["fields"]:
        if name in fields and fields[name].owner == "filing":
            before["filing"].setdefault(name, plain(getattr(filing, name)))
    return before


def imported_snapshot(filing: Filing | None, data: dict, before: dict | None = None, rows: dict | None = None) -> dict:
    """What `filing` (None: a new filing) would be after importing `data`, as a snapshot."""
    before = current_snapshot(filing, data) if before is None else before
    kind = data["kind"]
    after = copy.deepcopy(before) or {"filing": {"kind": kind, "year": data.get("year"), "revision": 1}}
    after["variant"], after["scheme"] = data["variant"], data["scheme"]
    after["filing"]["money_unit"] = data["money_unit"]
    details = after.setdefault(DETAILS[kind], {})
    fields = spec.data_fields(kind)
    for name, value in data["fields"].items():
        field_spec = fields.get(name)
        if field_spec is not None and field_spec.owner in {"filing", "details"}:
            target = after["filing"] if field_spec.owner == "filing" else details
            target[name] = plain(restore(field_spec.kind, value))
    after["filing"]["extra"] = filing_extra(before.get("filing", {}).get("extra") or {}, data)
    rows = prepared_rows(filing, data) if rows is None else rows
    for key in ("functions", "tasks"):
        if key in rows:
            columns = ROW_TABLES[key][2]
            after[key] = [{**{column: plain(restored(column, row[column])) for column in columns},
                           **({"extra": row.get("extra") or {}} if key == "tasks" else {})} for row in rows[key]]
    if "indicators" in rows:
        after["indicators"] = _indicators(before, data, rows["indicators"])
    return after


def _indicators(before: dict, data: dict, imported: list[dict]) -> list[dict]:
    periods = data["indicators"]["periods"]
    kept = [dict(row) for row in before.get("indicators", []) if row.get("period") not in periods]
    if kept and before.get("scheme") != data["scheme"]:
        targets = {c.code: c for c in Scheme.objects.get(code=data["scheme"]).level2_categories()}
        for row in kept:  # apply_import moves them to the same kind of category, or refuses the file
            if (target := place_in(targets, row.get("category", ""))) is not None:
                row.update(level1=target.parent.name, level2=target.name, category=target.code)
    categories = Category.objects.select_related("parent").in_bulk({row["category"] for row in imported})
    new = []
    for row in imported:
        category = categories.get(row["category"])
        new.append({**{column: plain(row.get(column) or "") for column in INDICATOR_COLUMNS}, "period": row["period"],
                    "level1": category.parent.name if category and category.parent else "",
                    "level2": category.name if category else "", "category": category.code if category else "",
                    "extra": row.get("extra") or {}})
    order = list(Period.values)
    return sorted(kept + new, key=lambda row: order.index(row["period"]) if row["period"] in order else len(order))


def build_preview(filing: Filing | None, data: dict) -> Preview:
    """What the import would change in `filing` (everything, for a new filing), by the changes page's diff."""
    variant = FormVariant.objects.filter(code=data["variant"]).first()
    scheme = Scheme.objects.filter(code=data["scheme"]).first()
    if variant is None or scheme is None:
        raise ImportRefused("文件中的表样或指标体系已不存在，请重新下载模板。")
    names = {variant.code: variant.name, scheme.code: scheme.name}
    if filing is not None:
        names |= {filing.variant.code: filing.variant.name, filing.scheme.code: filing.scheme.name}
    before = current_snapshot(filing, data)
    rows = prepared_rows(filing, data)
    after = imported_snapshot(filing, data, before, rows)
    notes = list(data.get("notes", []))
    if filing is not None and data.get("year") and data["year"] != filing.year:
        notes.append(f"文件中的年度为 {data['year']} 年，本申报表为 {filing.year} 年：导入不改变年度。")
    tables = [Table(label, len(rows["old"][key]), len(rows[key])) for key, label in TABLE_LABELS.items()
              if key in rows]
    return Preview(diff_snapshots(before, after, data["money_unit"], names, variant.description), notes, tables)

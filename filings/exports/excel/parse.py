"""Reading a filled template (our own export, possibly edited in Excel or WPS) into data to preview and apply.

Cells are found by their workbook defined names (``pb_<field>``, ``pb_table_<table>``) and, where those were lost,
by the printed labels. Every problem names its sheet, row and column; nothing is saved here. The result is plain
JSON (amounts as strings in 元) so it can wait in the session until the user confirms the import.
"""

import re
from dataclasses import dataclass, field

from openpyxl.utils import range_boundaries

from indicators.models import Scheme

from ...layouts.description import LayoutError
from ...models import Filing, FilingKind, FormVariant
from ...money import MoneyUnit
from . import spec
from .sheets import Problem, Sheet, label_key
from .tables import TableReader, TooManyProblems
from .values import CellError, extra_value, is_blank, read_field, text_value

MAX_PROBLEMS = 100


@dataclass
class ParseResult:
    data: dict | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.problems


def parse_workbook(workbook, target: Filing | None = None) -> ParseResult:
    """The filing data in ``workbook``; ``target`` is the draft it is meant for (None for a new filing)."""
    parser = TemplateParser(workbook, target)
    try:
        data = parser.parse()
    except TooManyProblems:
        data = None
        parser.problems.append(Problem(f"问题超过 {MAX_PROBLEMS} 处，其余未列出。请先改正以上问题。"))
    problems = sorted(parser.problems, key=lambda p: (p.row or 0, len(p.column), p.column))
    return ParseResult(data if not problems else None, problems)


class TemplateParser(TableReader):
    def __init__(self, workbook, target: Filing | None):
        self.workbook, self.target = workbook, target
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.meta: dict = {}

    def fail(self, problem: Problem):
        self.problems.append(problem)
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooManyProblems

    # --- the workbook

    def parse(self) -> dict | None:
        self.meta = self.read_meta()
        main = self.main_sheet()
        if main is None:
            self.fail(Problem("文件中没有可读取的工作表。"))
            return None
        self.main = Sheet(main)
        extra = self.workbook[self.meta["extra_sheet"]] if self.meta.get("extra_sheet") in self.workbook else (
            self.workbook[spec.EXTRA_SHEET] if spec.EXTRA_SHEET in self.workbook.sheetnames else None)
        self.extra = Sheet(extra) if extra is not None and extra.title != self.main.title else None
        identity = self.identify()
        if identity is None:
            return None
        kind, variant, scheme = identity
        money_unit = self.read_money_unit(variant)
        year = self.read_year()
        if year is None and self.target is None:
            self.fail(self.main.problem("找不到年度：第 2 行应写明年度，如“（2026年度）”", 2, 1))
        if self.problems:
            return None
        self.money_unit = money_unit
        self.layout = spec.layout_for(kind, variant, money_unit, extra_keys=self.undeclared_keys(variant))
        fields = self.read_fields()
        data = {
            "format": spec.FORMAT_VERSION, "kind": kind, "variant": variant.code, "scheme": scheme.code,
            "money_unit": money_unit, "year": year, "fields": fields, "functions": None, "tasks": None,
            "indicators": None, "notes": self.notes,
            # With the 其他栏目 sheet the file holds every header value: a stored one it lacks is cleared.
            "extra_complete": self.extra is not None,
            "extra_declared": [extra.key for extra in variant.description.extras_on("filing")],
        }
        if kind == FilingKind.DEPARTMENT:
            data["functions"] = self.read_rows_table(spec.reading_columns(self.layout, "functions"), "functions",
                                                     fields)
            data["tasks"] = self.read_rows_table(spec.reading_columns(self.layout, "tasks"), "tasks", fields)
        data["indicators"] = self.read_indicators(kind, variant, scheme)
        return data

    def undeclared_keys(self, variant) -> set[str]:
        """Keys of header values the file holds that the variant's layout does not declare (a 表样 changed since
        they were filled): by their defined names ``pb_extra_<key>`` or their labels on the 其他栏目 sheet."""
        declared = {extra.key for extra in variant.description.extras_on("filing")}
        keys = {name.removeprefix(spec.EXTRA_NAME_PREFIX) for name in self.workbook.defined_names
                if name.startswith(spec.EXTRA_NAME_PREFIX)}
        if self.extra is not None:
            for row in range(3, self.extra.max_row + 1):
                match = spec.UNDECLARED_PATTERN.match(label_key(self.extra.raw(row, 1)))
                if match:
                    keys.add(match.group(1))
        return {key for key in keys if key not in declared and key.replace("_", "").isalnum() and key.isascii()}

    def read_meta(self) -> dict:
        for sheet in self.workbook.worksheets:
            if sheet["A1"].value == "format" and sheet["B1"].value == spec.FORMAT_MARK:
                meta = {}
                for row in sheet.iter_rows(min_row=1, max_row=30, max_col=2, values_only=True):
                    if isinstance(row[0], str):
                        meta[row[0]] = row[1]
                meta["sheet"] = sheet.title
                return meta
        return {}

    def main_sheet(self):
        named = self.meta.get("main_sheet")
        if isinstance(named, str) and named in self.workbook.sheetnames:
            return self.workbook[named]
        skip = {self.meta.get("sheet"), self.meta.get("extra_sheet"), spec.EXTRA_SHEET}
        visible = [s for s in self.workbook.worksheets if s.title not in skip and s.sheet_state == "visible"]
        return visible[0] if visible else None

    def identify(self):
        variants = list(FormVariant.objects.select_related("default_scheme"))
        target = self.target
        version = self.meta.get("version")
        if isinstance(version, int) and version > spec.FORMAT_VERSION:
            self.fail(Problem("这个文件由更新版本的系统导出，本系统无法读取。"))
            return None
        variant = None
        if self.meta.get("variant"):
            variant = next((v for v in variants if v.code == self.meta["variant"]), None)
            if variant is None:
                self.fail(Problem(f"文件注明的表样“{self.meta['variant']}”在本系统中不存在。", self.meta["sheet"]))
                return None
        else:
            title = self.cell_text("pb_title") or next(
                (text_value(self.main.raw(row, 1)) for row in range(1, 4) if self.main.raw(row, 1)), "")
            matches = [v for v in variants if label_key(title_of(v)) == label_key(title)]
            if target is not None and any(v.pk == target.variant_id for v in matches):
                variant = target.variant
            elif matches:
                variant = matches[0]
            else:
                self.fail(self.main.problem(
                    f"无法识别表样：标题“{title[:40]}”不是本系统申报表的标题。请先在本系统“下载Excel”，在下载的文件中填写后再导入。",
                    1, 1))
                return None
        if target is not None and target.kind != variant.kind:
            self.fail(Problem(f"这是{FilingKind(variant.kind).label}绩效目标申报表的文件，不能导入到"
                              f"{FilingKind(target.kind).label}绩效目标申报表。"))
            return None
        scheme = None
        if self.meta.get("scheme"):
            scheme = Scheme.objects.filter(code=str(self.meta["scheme"])).first()
            if scheme is None:
                self.fail(Problem(f"文件注明的指标体系“{self.meta['scheme']}”在本系统中不存在。", self.meta["sheet"]))
                return None
        elif target is not None and target.variant_id == variant.pk:
            scheme = target.scheme
        else:
            scheme = variant.default_scheme
        return variant.kind, variant, scheme

    # --- single cells

    def named(self, name: str):
        """(sheet, row, col) of a defined name on the main or the extra sheet, or None."""
        defined = self.workbook.defined_names.get(name)
        if defined is None:
            return None
        try:
            destinations = list(defined.destinations)
        except Exception:  # a name left as #REF! after its row was deleted
            return None
        for title, coordinate in destinations:
            sheet = self.main if title == self.main.title else self.extra if (
                self.extra is not None and title == self.extra.title) else None
            if sheet is None:
                continue
            try:
                min_col, min_row, _, _ = range_boundaries(coordinate.replace("$", ""))
            except (TypeError, ValueError):
                continue
            return sheet, min_row, min_col
        return None

    def cell_text(self, name: str) -> str:
        found = self.named(name)
        return text_value(found[0].value(found[1], found[2])) if found else ""

    def read_money_unit(self, variant) -> str:
        found = self.named("pb_money_unit")
        if found is None:
            places = self.main.find_labels({"金额单位"}, range(1, 6)).get("金额单位")
            if places:
                row, col = places[0]
                found = (self.main, row, self.main.next_cell(row, col))
        if found is not None:
            sheet, row, col = found
            text = label_key(sheet.value(row, col)).removeprefix("金额单位").lstrip(":")
            units = {label_key(unit.label): unit.value for unit in MoneyUnit}
            if text in units:
                return units[text]
            self.fail(sheet.problem(f"金额单位应为“元”或“万元”，而不是“{text[:20]}”", row, col))
            return variant.default_money_unit
        if self.meta.get("money_unit") in MoneyUnit.values:
            return self.meta["money_unit"]
        return self.target.money_unit if self.target is not None else variant.default_money_unit

    def read_year(self) -> int | None:
        texts = [self.cell_text("pb_year")] + [text_value(self.main.raw(row, 1)) for row in range(1, 4)]
        for text in texts:
            match = re.search(r"(\d{4})\s*年度", text or "")
            if match and 2000 <= int(match.group(1)) <= 2100:
                return int(match.group(1))
        year = self.meta.get("year")
        return year if isinstance(year, int) else None

    def read_fields(self) -> dict:
        layout = self.layout
        placed = {s.name for s in layout.placed_fields()}
        by_label = self.main_label_cells()
        by_extra_label = self.extra_label_cells()
        printed = {f.name: entry.label for entry in layout.info_entries() for f in entry.fields}
        fields = {}
        for name, field_spec in layout.fields.items():
            label = printed.get(name, field_spec.label)
            found = self.named(field_spec.defined_name)
            if found is None:
                found = by_label.get(name) if name in placed else by_extra_label.get(name)
            if found is not None:
                sheet, row, col = found
                merge = sheet.merge_at(row, col)
                if merge is not None and (merge.min_row, merge.min_col) != (row, col):
                    self.fail(sheet.problem(f"“{label}”所在的单元格被合并进了 {merge.ref}，位置不对，"
                                            "请取消这处合并后再导入", row, col))
                    continue
                try:
                    fields[name] = self.read_value(field_spec, sheet.raw(row, col))
                except CellError as error:
                    # a variant's own field names itself in its messages
                    self.fail(sheet.problem(str(error) if field_spec.owner == "extra" else f"“{label}”{error}",
                                            row, col))
            elif name in placed and name not in spec.TOTAL_FIELDS:
                self.notes.append(f"没有找到“{label}”一栏，导入后保持原值。")
            elif name not in placed and self.extra is not None:
                fields[name] = None if field_spec.owner == "extra" else field_spec.blank
        return fields

    def read_value(self, field_spec, raw):
        if field_spec.owner == "extra":
            extra = self.layout.extras.get(field_spec.name) or spec.undeclared_extra(
                spec.extra_key(field_spec.name), "filing")
            return extra_value(extra, raw, self.money_unit)
        return read_field(field_spec, raw, self.money_unit)

    def main_label_cells(self) -> dict:
        """field name -> (sheet, row, col) of its value cell, found after its printed label."""
        entries = self.layout.info_entries()
        keys = {label_key(entry.label) for entry in entries}
        found = self.main.find_labels(keys)
        used: dict[str, int] = {}
        cells = {}
        for entry in entries:
            key = label_key(entry.label)
            places = found.get(key, [])
            index = used.get(key, 0)
            used[key] = index + 1
            if len(places) != sum(1 for e in entries if label_key(e.label) == key):
                continue  # a label printed twice (资金 of 实施期 and 年度) is only placed when all copies are there
            row, col = places[index]
            for field_spec in entry.fields:
                col = self.main.next_cell(row, col)
                if label_key(self.main.value(row, col)) in keys:
                    found = self.main.value(row, col)
                    self.fail(self.main.problem(f"“{entry.label}”后面应是填写内容的单元格，却是“{found}”："
                                                "可能合并或删除了单元格", row, col))
                    break
                cells[field_spec.name] = (self.main, row, col)
        return cells

    def extra_label_cells(self) -> dict:
        if self.extra is None:
            return {}
        names = {}
        for name, field_spec in self.layout.fields.items():
            names[label_key(spec.extra_label(field_spec, self.money_unit))] = name
            names.setdefault(label_key(field_spec.label), name)
        cells = {}
        for row in range(3, self.extra.max_row + 1):
            text = self.extra.raw(row, 1)
            if is_blank(text):
                continue
            name = names.get(label_key(text))
            if name is None:
                self.notes.append(f"“{spec.EXTRA_SHEET}”第 {row} 行的“{text_value(text)[:30]}”不是本表的栏目，未导入。")
                continue
            cells[name] = (self.extra, row, self.extra.next_cell(row, 1))
        return cells


def title_of(variant) -> str:
    """A variant's printed title; a variant whose stored layout is broken matches no file (and breaks no import)."""
    try:
        return variant.printed_title
    except LayoutError:
        return ""

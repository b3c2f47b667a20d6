"""Reading the row tables of a template (部门职能分解, 年度主要任务, 绩效指标): header by name or labels, rows until
the next block, merged cells checked, 一级/二级 carried down merged or blank cells, 二级 names (and aliases) resolved.
"""

from dataclasses import dataclass

from indicators.hierarchy import CategoryResolver, UnknownCategory
from indicators.models import normalize_category_name

from ...limits import row_limit
from ...models import AnnualTask, FunctionItem, Indicator, Period
from . import spec
from .sheets import label_key
from .spec import Group, InfoRow, Table
from .values import CellError, extra_value, is_blank, money_value, paragraph_value, text_value, verbatim_value

MAX_TABLE_ROWS = 500
CATEGORY_TEXT_LIMIT = 100  # an 一级 or 二级 cell (the names themselves are at most 50 characters)
ROW_MODELS = {"functions": FunctionItem, "tasks": AnnualTask, "indicators": Indicator}
REQUIRED_COLUMNS = {"functions": {"name", "mid_term_goal"}, "tasks": {"name", "amount_total"},
                    "indicators": {"level2", "name", "value_text"}}
ROW_LABELS = {"functions": "职能", "tasks": "年度主要任务", "indicators": "三级指标"}


INDICATOR_TEXTS = {"name", "value_text", "standard", "note"}


def max_length_of(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


def spec_caption(layout, key: str) -> str:
    table = layout.table(key)
    return f"“{table.caption}”" if table is not None else "表格"


class TooManyProblems(Exception):
    pass


@dataclass
class HeaderColumn:
    key: str
    start: int
    end: int
    column: spec.Column | None = None  # what the header names: its kind, and a variant's own field


def totals_label_keys(layout) -> set[str]:
    table = layout.table("tasks")
    return {label_key(spec.TOTALS_LABEL)} | ({label_key(table.totals_label)} if table is not None else set())


class TableReader:
    """The row-table half of ``parse.TemplateParser`` (which provides main, layout, money_unit, named and fail)."""

    def find_header(self, key: str, columns: list[spec.Column]):
        """(row, [HeaderColumn]) of a table's header row, by its defined name or by its labels."""
        lookup = {}
        for column in columns:
            for text in (column.label, *column.aliases):
                lookup.setdefault(label_key(text), column)
        owner = spec.TABLE_OWNER.get(key)
        required = self.required_columns(key)
        named = self.named(f"pb_table_{key}")
        candidates = [named[1]] if named is not None and named[0] is self.main else []
        candidates += range(1, self.main.max_row + 1)
        for row in candidates:
            mapped = []
            for col in range(1, self.main.max_col + 1):
                raw = self.main.raw(row, col)
                column = lookup.get(label_key(raw)) if isinstance(raw, str) else None
                undeclared = spec.UNDECLARED_PATTERN.match(label_key(raw)) if isinstance(raw, str) else None
                if column is None and undeclared and owner:
                    column = spec.extra_column(spec.undeclared_extra(undeclared.group(1), owner))
                if column is not None:
                    mapped.append(HeaderColumn(column.key, col, self.main.end_col(row, col), column))
            if required <= {c.key for c in mapped}:
                return row, mapped
        return None

    def required_columns(self, key: str) -> set[str]:
        """The columns a table's header must have: those of REQUIRED_COLUMNS the layout always prints."""
        printed = {column.key for column, optional in
                   spec.described_columns(self.layout.description, key, self.layout.extras) if not optional}
        return {name for name in REQUIRED_COLUMNS[key] if name in printed or name in {"name", "level2"}}

    def following_keys(self, key: str) -> set[str]:
        """Texts that start a block printed after this table: the table ends before a row starting with one.

        The first columns and captions of every other table count too: a file may hold a table its variant does
        not print (rows kept from before a change of 表样).
        """
        keys, after = set(), False
        for other in ("functions", "tasks", "indicators"):
            if other != key:
                for column in spec.table_starts(self.layout, other):
                    keys |= {label_key(text) for text in (column.label, *column.aliases)}
        indicators = self.layout.table("indicators")
        keys |= {label_key(text) for text in ("绩效指标", indicators.caption, *indicators.group_captions)}
        layout = self.layout
        if layout.table(key) is None:  # laid out where the writer puts such a table
            layout = spec.layout_for(layout.kind, layout.variant, self.money_unit, tables={key})
        for block in layout.blocks:
            if isinstance(block, Table) and block.key == key:
                after = True
                continue
            if not after:
                continue
            if isinstance(block, InfoRow):
                keys |= {label_key(entry.label) for entry in block.entries}
            elif isinstance(block, Group):
                keys.add(label_key(block.label))
            else:
                keys |= {label_key(block.caption), label_key(block.columns[0].label), "绩效指标"}
        return keys

    def table_rows(self, header_row: int, columns: list[HeaderColumn], key: str):
        """The data rows of a table and the row of its 金额合计 (or None)."""
        first = min(c.start for c in columns)
        following = self.following_keys(key)
        totals_labels = totals_label_keys(self.layout)
        rows, blanks, totals = [], 0, None
        for row in range(header_row + 1, self.main.max_row + 1):
            start = label_key(self.main.raw(row, first))
            if start and start in following:
                break
            if key == "tasks" and start in totals_labels:
                totals = row
                self.check_below_totals(row, columns, following)
                break
            if all(is_blank(self.main.value(row, c.start)) for c in columns):
                blanks += 1
                if blanks >= 2:
                    break
                continue
            blanks = 0
            rows.append(row)
            if len(rows) > MAX_TABLE_ROWS:
                self.fail(self.main.problem(f"表格超过 {MAX_TABLE_ROWS} 行，请分开填报", row, first))
                break
        self.check_merges(header_row, rows, columns, key)
        return rows, totals

    def check_below_totals(self, totals: int, columns: list[HeaderColumn], following: set[str]):
        """Task rows typed below the printed 金额合计 would be lost: say so."""
        first = min(c.start for c in columns)
        for row in range(totals + 1, self.main.max_row + 1):
            if label_key(self.main.raw(row, first)) in following or all(
                    is_blank(self.main.value(row, c.start)) for c in columns):
                return
            self.fail(self.main.problem("“金额合计”下面的行不会被导入：请把年度主要任务填在“金额合计”一行之上",
                                        row, first))
            return

    def check_merges(self, header_row: int, rows: list[int], columns: list[HeaderColumn], key: str):
        if not rows:
            return
        first, last = min(c.start for c in columns), max(c.end for c in columns)
        for merge in self.main.merges:
            if merge.max_row <= header_row or merge.min_row > rows[-1] or merge.max_col < first or merge.min_col > last:
                continue
            column = next((c for c in columns if c.start <= merge.min_col <= c.end), None)
            allowed = (merge.min_row > header_row and column is not None and merge.max_col <= column.end and (
                merge.min_row == merge.max_row or column.key in {"level1", "level2"}))
            if not allowed:
                hint = ("表格中只有“一级指标”“二级指标”可以上下合并" if key == "indicators"
                        else "表格中的单元格不能跨行或跨栏合并")
                self.fail(self.main.problem(f"合并单元格 {merge.ref} 的位置不对：{hint}，请取消这处合并后再导入",
                                            merge.min_row, merge.min_col))

    def read_rows_table(self, columns: list[spec.Column], key: str, fields: dict):
        table = self.layout.table(key)
        header = self.find_header(key, columns)
        if header is None:
            if table is not None:
                self.notes.append(f"没有找到“{table.caption}”表，导入后保持原有内容。")
            return None
        header_row, mapped = header
        model = ROW_MODELS[key]
        rows, totals = self.table_rows(header_row, mapped, key)
        result = []
        for row in rows:
            item = {}
            for column in mapped:
                raw = self.main.raw(row, column.start)
                try:
                    if column.column.extra is not None:
                        item[column.key] = extra_value(column.column.extra, raw, self.money_unit)
                    elif column.column.kind == "money":
                        item[column.key] = money_value(raw, self.money_unit)
                    elif column.key == "name":
                        item[column.key] = text_value(raw, max_length_of(model, "name"), single_line=True)
                    else:
                        item[column.key] = paragraph_value(raw, max_length_of(model, column.key))
                except CellError as error:
                    self.fail(self.main.problem(f"{error}", row, column.start))
            if not item.get("name"):
                self.fail(self.main.problem(f"请填写{ROW_LABELS[key]}名称", row, min(c.start for c in mapped)))
                continue
            result.append(item)
        self.check_row_count(key, len(result), header_row, mapped[0].start)
        if totals is not None:
            self.read_totals(totals, mapped, fields)
        return {"columns": [c.key for c in mapped], "rows": result}

    def check_row_count(self, key: str, count: int, row: int, column: int):
        limit = row_limit(ROW_MODELS[key])
        if limit is not None and count > limit:
            self.fail(self.main.problem(f"{spec_caption(self.layout, key)}最多 {limit} 行，文件中有 {count} 行。"
                                        "请删去多余的行后再导入", row, column))

    def read_totals(self, row: int, mapped: list[HeaderColumn], fields: dict):
        by_key = {c.key: c for c in mapped}
        table = self.layout.table("tasks")
        if table is not None and table.totals:
            pairs = [(table.columns[index].key, total.name) for index, total in table.totals_pairs()]
        else:
            pairs = list(zip(spec.AMOUNT_COLUMNS, spec.TOTAL_FIELDS, strict=True))
        for column_key, name in pairs:
            column = by_key.get(column_key)
            if column is None:
                continue
            try:
                fields[name] = money_value(self.main.raw(row, column.start), self.money_unit)
            except CellError as error:
                self.fail(self.main.problem(f"金额合计{error}", row, column.start))

    def read_indicators(self, kind: str, variant, scheme):
        columns = [spec.LEVEL1_COLUMN, *spec.reading_columns(self.layout, "indicators")]
        header = self.find_header("indicators", columns)
        if header is None:
            self.fail(self.main.problem("找不到绩效指标表：应有一行表头写着“一级指标”“二级指标”“三级指标”“指标值”"))
            return None
        header_row, mapped = header
        level1 = next((c for c in mapped if c.key == "level1"), None)
        groups: list[dict] = []
        for column in mapped:
            if column.key == "level2":
                groups.append({})
            if groups and column.key != "level1":
                groups[-1].setdefault(column.key, column)
        periods = variant.description.indicator_periods()
        if len(groups) != len(periods) or any(not self.required_columns("indicators") <= set(g) for g in groups):
            names = "、".join(Period(p).label for p in periods)
            self.fail(self.main.problem(
                f"绩效指标表应有 {len(periods)} 组“二级指标、三级指标、指标值”列（{names}），文件中有 {len(groups)} 组",
                header_row, mapped[0].start))
            return None
        rows, _ = self.table_rows(header_row, mapped, "indicators")
        reader = IndicatorRows(self, CategoryResolver(scheme), level1)
        result = []
        for period, group in zip(periods, groups, strict=True):
            reader.reset()
            for row in rows:
                item = reader.read(row, group)
                if item is not None:
                    result.append({"period": period, **item})
        self.check_row_count("indicators", len(result), header_row, mapped[0].start)
        present = sorted({key for group in groups for key in group} - {"level2"})
        return {"periods": periods, "columns": present, "rows": result}


class IndicatorRows:
    """Reads indicator rows of one period's columns, carrying 一级/二级 down merged or blank cells."""

    def __init__(self, parser: TableReader, resolver: CategoryResolver, level1: HeaderColumn | None):
        self.parser, self.sheet, self.resolver, self.level1 = parser, parser.main, resolver, level1
        self.failed: set[tuple[str, str]] = set()
        self.reset()

    def reset(self):
        self.current_level1, self.current_level2, self.level2_under = "", "", ""

    def text(self, row, column, verbatim=False):
        if column is None:
            return ""
        raw = self.sheet.value(row, column.start)
        limit = max_length_of(Indicator, column.key) if column.key in INDICATOR_TEXTS else CATEGORY_TEXT_LIMIT
        if verbatim:
            return verbatim_value(raw, self.sheet.number_format(row, column.start), limit)
        return text_value(raw, limit, single_line=True)

    def read(self, row: int, group: dict) -> dict | None:
        try:
            level1 = self.text(row, self.level1)
            level2 = self.text(row, group["level2"])
            item = {"name": self.text(row, group["name"]), "value_text": self.text(row, group.get("value_text"), True)}
            for key in ("standard", "note"):
                if key in group:
                    item[key] = self.text(row, group[key], key == "standard")
        except CellError as error:
            self.parser.fail(self.sheet.problem(str(error), row, group["name"].start))
            return None
        failed = False
        for key, column in group.items():
            if column.column is not None and column.column.extra is not None:
                try:
                    item[key] = extra_value(column.column.extra, self.sheet.value(row, column.start),
                                            self.parser.money_unit)
                except CellError as error:
                    self.parser.fail(self.sheet.problem(str(error), row, column.start))
                    failed = True
        if failed:
            return None
        if level1:
            self.current_level1 = level1
        if level2:
            self.current_level2, self.level2_under = level2, self.current_level1
        if not any(item.values()):
            return None  # a 二级 printed without any 三级 row
        if not item["name"]:
            self.parser.fail(self.sheet.problem(f"请填写三级指标名称（指标值为“{item['value_text'][:20]}”）", row,
                                                group["name"].start))
            return None
        if not self.current_level2 or self.level2_under != self.current_level1:
            self.parser.fail(self.sheet.problem(f"请填写“{item['name'][:20]}”的二级指标", row, group["level2"].start))
            return None
        pair = (self.current_level1, self.current_level2)
        if pair in self.failed:
            return None
        try:
            category = self.resolver.resolve(*pair)
        except UnknownCategory as error:
            self.failed.add(pair)
            parent = normalize_category_name(pair[0])
            under = [c.name for c in self.resolver.level2 if normalize_category_name(c.parent.name) == parent]
            options = "、".join(under or [c.name for c in self.resolver.level2])
            self.parser.fail(self.sheet.problem(f"{error}。可填写：{options or '（见指标体系）'}", row,
                                                group["level2"].start))
            return None
        return {"category": category.pk, **item}

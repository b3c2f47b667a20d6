"""Looking after 表样 without code: copy one, preview its printed form, write it to a file and read it back.

The file format is the one of ``fixtures/variants/<code>.json``::

    {"format": "perfbudget-variant", "version": 1, "variant": {"code": …, "default_scheme": <scheme code>, …}}

with the fields a variant holds (the old switches only where they differ from their default, until they go).
"""

import copy
import difflib
import json
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from indicators.models import Category, Scheme

from .checked import refresh_variant
from .exports.printed import printed_context
from .layouts.changes import data_losing_changes
from .layouts.description import LayoutError
from .models import (
    AnnualTask,
    DepartmentDetails,
    Filing,
    FilingKind,
    FormVariant,
    FunctionItem,
    Indicator,
    ProjectDetails,
    Unit,
)
from .reference import load_variants

FORMAT, VERSION = "perfbudget-variant", 1
FILE_FIELDS = ["code", "name", "kind", "region", "default_scheme", "default_money_unit", "required_fields", "layout",
               "notes"]
# What a copy takes over: everything but its identity.
COPIED = [name for name in FILE_FIELDS if name not in {"code", "name"}]
SAMPLE_UNIT = "（示例单位）"


# --- the file -----------------------------------------------------------------------------------------------------

def variant_data(variant: FormVariant) -> dict:
    """The variant as the ``variant`` object of its file."""
    data = {}
    for name in FILE_FIELDS:
        if name == "default_scheme":
            data[name] = variant.default_scheme.code
            continue
        value = getattr(variant, name)
        if name == "notes" and not value:
            continue
        data[name] = ordered(value) if name == "layout" else value
    return data


def export_text(variant: FormVariant) -> str:
    document = {"format": FORMAT, "version": VERSION, "variant": variant_data(variant)}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


class VariantFileError(Exception):
    """A variant file that cannot be loaded: every problem, each a Chinese sentence."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def read_document(text: str) -> dict:
    """The ``variant`` object of a file's text, after checking its frame (format, version, field names)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise VariantFileError([json_problem(error, text, "文件")]) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise VariantFileError([f"这不是表样文件：应有 \"format\": \"{FORMAT}\"。"])
    if document.get("version") != VERSION:
        raise VariantFileError([f"不支持的表样文件版本“{document.get('version')}”，本系统读取第 {VERSION} 版。"])
    data = document.get("variant")
    if not isinstance(data, dict):
        raise VariantFileError(["表样文件中缺少 variant 对象。"])
    problems = []
    unknown = sorted(set(data) - set(FILE_FIELDS))
    if unknown:
        problems.append(f"表样中有不认识的字段：{'、'.join(unknown)}。")
    missing = [name for name in ("code", "name", "kind", "default_scheme", "layout") if name not in data]
    if missing:
        problems.append(f"表样缺少字段：{'、'.join(missing)}。")
    if problems:
        raise VariantFileError(problems)
    return data


class Plan:
    """What loading a file would do: create or update which variant, and which fields change."""

    def __init__(self, variant: FormVariant, created: bool, changes: list[str], data: dict):
        self.variant, self.created, self.changes, self.data = variant, created, changes, data

    def describe(self) -> str:
        if self.created:
            return f"将新建表样 {self.variant.code}（{self.variant.name}）。"
        if not self.changes:
            return f"表样 {self.variant.code}（{self.variant.name}）与文件相同，没有变化。"
        return "\n".join([f"将修改表样 {self.variant.code}（{self.variant.name}）：", *self.changes])


def plan_load(data: dict) -> Plan:
    """Check a variant object as read from a file against the database; raises VariantFileError naming every problem.

    Fields the file leaves out take their defaults, so the variant becomes what the file says.
    """
    problems = []
    scheme = Scheme.objects.filter(code=data.get("default_scheme")).first()
    if scheme is None:
        problems.append(f"没有代码为“{data.get('default_scheme')}”的指标体系（default_scheme）。")
    existing = FormVariant.objects.filter(code=data.get("code")).first() if isinstance(data.get("code"), str) else None
    variant = copy.copy(existing) if existing else FormVariant()
    variant.__dict__.pop("description", None)
    for name in FILE_FIELDS:
        if name == "default_scheme":
            continue
        value = data.get(name, FormVariant._meta.get_field(name).get_default())
        setattr(variant, name, value)
    if scheme:
        variant.default_scheme = scheme
    if existing and existing.kind != variant.kind and existing.filings.exists():
        problems.append(f"表样 {existing.code} 已有申报表使用，不能把表类型从“{existing.get_kind_display()}”改为"
                        f"“{dict(FilingKind.choices).get(variant.kind, variant.kind)}”；可以复制为新表样后修改。")
    try:
        variant.full_clean(exclude=["default_scheme"] if scheme is None else None, validate_unique=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            label = FormVariant._meta.get_field(field).verbose_name if field != "__all__" else "表样"
            problems += [f"{label}（{field}）：{message}" for message in messages]
    if not problems and existing:
        try:
            problems += data_losing_changes(existing, variant.layout)
        except LayoutError as error:
            problems += error.problems
    if problems:
        raise VariantFileError(problems)
    return Plan(variant, existing is None, _changes(existing, variant) if existing else [], data)


def _changes(old: FormVariant, new: FormVariant) -> list[str]:
    lines = []
    for name in FILE_FIELDS:
        label = FormVariant._meta.get_field(name).verbose_name
        before = old.default_scheme.code if name == "default_scheme" else getattr(old, name)
        after = new.default_scheme.code if name == "default_scheme" else getattr(new, name)
        if before == after:
            continue
        if name == "layout":
            diff = difflib.unified_diff(pretty(before).splitlines(), pretty(after).splitlines(),
                                        "现在的布局", "文件中的布局", lineterm="", n=2)
            lines += [f"- {label}：", *(f"    {line}" for line in diff)]
        else:
            lines.append(f"- {label}：{_short(before)} → {_short(after)}")
    return lines


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"“{text[:80]}{'…' if len(text) > 80 else ''}”"


def apply_load(plan: Plan) -> FormVariant:
    """Write what `plan_load` checked, through the reference loader (creates or updates by code)."""
    data = {name: getattr(plan.variant, name) for name in FILE_FIELDS if name != "default_scheme"}
    data["default_scheme"] = plan.variant.default_scheme.code
    load_variants([data])
    variant = FormVariant.objects.get(code=plan.variant.code)
    refresh_variant(variant)
    return variant


# The order keys are written in: PostgreSQL's jsonb keeps no order, so a layout read back is put in this one (the one
# of the fixtures: a block's type first, an entry's label first …); keys not named here follow in their own order.
KEY_ORDER = {key: rank for rank, key in enumerate([
    "title", "notes", "extra_fields", "checks", "type", "step", "caption", "periods", "key", "on", "field", "label",
    "fields", "joiner", "sign", "weight", "aliases", "optional", "choices", "required", "max_length", "help", "role",
    "rows", "columns", "group", "sums", "totals", "totals_label", "captions", "total", "parts", "code",
    "implementation", "annual", "blocks", "style", "separator", "spans", "after", "table", "if_filled", "joiners",
    "blank", "print"])}


def ordered(value):
    """``value`` (a layout or a part of it) with every object's keys in the written order."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: KEY_ORDER.get(key, len(KEY_ORDER)))
        return {key: ordered(value[key]) for key in keys}
    if isinstance(value, list):
        return [ordered(item) for item in value]
    return value


def pretty(layout) -> str:
    return json.dumps(ordered(layout), ensure_ascii=False, indent=2)


JSON_REASONS = {
    "Expecting ',' delimiter": "缺少逗号（,）",
    "Expecting ':' delimiter": "缺少冒号（:）",
    "Expecting property name enclosed in double quotes": "键名应写在英文双引号中（也可能是最后一项后面多了逗号）",
    "Illegal trailing comma before end of object": "最后一项后面多了逗号",
    "Illegal trailing comma before end of array": "最后一项后面多了逗号",
    "Expecting value": "缺少值（也可能是多了逗号，或用了中文引号）",
    "Extra data": "JSON 结束后还有多余的内容",
    "Unterminated string starting at": "字符串缺少结尾的双引号",
    "Invalid control character at": "字符串中有换行等控制字符",
    "Invalid \\escape": "字符串中有无效的反斜杠转义",
}


def json_problem(error: json.JSONDecodeError, text: str, what: str = "布局") -> str:
    """A Chinese sentence for a JSON syntax error, naming the line and column and quoting the line."""
    reason = JSON_REASONS.get(error.msg, error.msg)
    lines = text.splitlines()
    line = lines[error.lineno - 1].strip() if 0 < error.lineno <= len(lines) else ""
    quoted = f"：“{line[:60]}”" if line else ""
    return f"{what}不是有效的 JSON：第 {error.lineno} 行第 {error.colno} 列，{reason}{quoted}。"


# --- copying ------------------------------------------------------------------------------------------------------

def copy_variant(source: FormVariant, code: str, name: str) -> FormVariant:
    """A new variant with ``code`` and ``name`` and everything else of ``source`` (layout, required fields …)."""
    variant = FormVariant(code=code, name=name)
    for field in COPIED:
        value = getattr(source, field)
        setattr(variant, field, copy.deepcopy(value))
    variant.save()
    return variant


# --- the preview --------------------------------------------------------------------------------------------------

def render_preview(variant: FormVariant, layout: dict | None = None, request=None) -> str:
    """The printed form (as the check page shows it) of a sample filing of ``variant`` with ``layout``.

    `printed_context` reads the filing's rows through its relations, which need a saved filing: the sample unit,
    filing, details and rows are written inside a transaction that is always rolled back, so nothing stays. The
    variant itself may be unsaved or edited and not saved (``layout`` replaces its layout for the preview).
    """
    shown = copy.copy(variant)
    shown.__dict__.pop("description", None)
    if layout is not None:
        shown.layout = layout
    description = shown.description  # raises LayoutError for a layout that is not valid
    with transaction.atomic():
        try:
            return _render_sample(shown, description, request)
        finally:
            transaction.set_rollback(True)


def _render_sample(variant, description, request) -> str:
    if variant.pk is None:
        variant.code = f"preview-{uuid.uuid4().hex[:12]}"
        variant.save()
    unit = Unit(code=f"preview-{uuid.uuid4().hex[:12]}", name=SAMPLE_UNIT)
    unit.save()
    filing = Filing(kind=variant.kind, unit=unit, year=timezone.localdate().year, variant_id=variant.pk,
                    scheme_id=variant.default_scheme_id, money_unit=variant.default_money_unit,
                    unit_name=SAMPLE_UNIT, source="preview")
    filing.save()
    filing.variant = variant
    if variant.kind == FilingKind.PROJECT:
        ProjectDetails.objects.create(filing=filing, name="（示例项目）")
    else:
        DepartmentDetails.objects.create(filing=filing)
    if description.block("functions"):
        FunctionItem.objects.create(filing=filing, order=1, name="（示例职能）")
    if description.block("tasks"):
        AnnualTask.objects.create(filing=filing, order=1, name="（示例任务）")
    level2 = {}
    for category in Category.objects.filter(scheme_id=variant.default_scheme_id, parent__isnull=False).order_by(
            "parent__order", "order"):
        level2.setdefault(category.parent_id, category)
    for period in description.indicator_periods():
        for order, category in enumerate(level2.values(), start=1):
            Indicator.objects.create(filing=filing, period=period, category=category, order=order,
                                     name="（示例指标）")
    filing = Filing.objects.with_related().get(pk=filing.pk)
    filing.variant = variant
    return render_to_string("admin/filings/formvariant/printed_form.html",
                            {"filing": filing, **printed_context(filing)}, request)

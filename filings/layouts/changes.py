"""Which edits of a used 表样's layout would lose what its filings hold, so they are refused.

A variant in use is edited in place (labels, order, new fields, a column made optional …) as long as every value
its filings hold keeps a place on the form. A layout that no longer places a field, an own (extra) field, a table
column, an indicator period or a whole table in which some filing of the variant holds a value, or that changes the
type of an own field with stored values or drops a choice stored values use, is refused with one Chinese sentence
per loss; the way out is a copy of the variant (复制为新表样), which the filings do not use.

The check costs at most one aggregate query per table (filings, their details, functions, tasks, indicators),
however many filings use the variant.
"""

from django.apps import apps
from django.db.models import Count, Q
from django.db.models.fields.json import KeyTextTransform

from .catalogue import ROW_COLUMNS, data_fields
from .description import BLOCK_TYPES, FormLayout, LayoutError, parse_layout

WAY_OUT = "可以复制为新表样后修改。"
TABLE_MODELS = {"functions": "FunctionItem", "tasks": "AnnualTask", "indicators": "Indicator"}
OWNER_MODELS = {"filing": "Filing", "task": "AnnualTask", "indicator": "Indicator"}
OWNER_TABLE = {"task": "tasks", "indicator": "indicators"}
# Widening changes of an own field's type that keep every stored value valid.
HARMLESS_TYPE_CHANGES = {("text", "longtext")}


def data_losing_changes(variant, new_layout) -> list[str]:
    """One Chinese sentence per value the variant's filings hold that ``new_layout`` would leave without a place.

    ``new_layout`` is the JSON (dict) or a parsed `FormLayout`; an unparsable dict raises `LayoutError`. A variant no
    filing uses (or not yet saved) may change freely: the answer is empty.
    """
    new = new_layout if isinstance(new_layout, FormLayout) else parse_layout(new_layout, variant.kind)
    if variant.pk is None:
        return []
    old = _old_layout(variant)
    probe = _Probe(variant)

    details_model = "DepartmentDetails" if variant.kind == "department" else "ProjectDetails"
    specs = data_fields(variant.kind)
    new_placed = set(new.placed_fields())
    old_placed = (list(dict.fromkeys(old.placed_fields())) if old else list(specs))
    for name in old_placed:
        if name in new_placed or name.startswith("extra.") or name not in specs:
            continue
        spec = specs[name]
        label = (old.label(name) if old else "") or spec.label
        model = "Filing" if spec.owner == "filing" else details_model
        probe.ask(model, _holds_value(spec), _removed(label))

    new_tables = {block.type for block in new.blocks}
    old_tables = ({block.type for block in old.blocks} if old else set(TABLE_MODELS)) & set(TABLE_MODELS)
    if variant.kind == "project":
        old_tables -= {"functions", "tasks"}
    for type_ in sorted(old_tables - new_tables):
        block = old.block(type_) if old else None
        probe.ask(TABLE_MODELS[type_], Q(pk__isnull=False),
                  lambda n, caption=(block.caption if block else BLOCK_TYPES[type_]):
                  f"已有 {n} 份申报表填写了“{caption}”，不能删除该表格；{WAY_OUT}")
    for type_ in sorted(old_tables & new_tables):
        kept = {column.field for column in new.columns(type_)}
        old_columns = old.columns(type_) if old else [_Named(name, name) for name in ROW_COLUMNS[type_]]
        for column in old_columns:
            if column.field in kept or column.field.startswith("extra.") or column.field == "level2":
                continue
            kind = ROW_COLUMNS[type_].get(column.field)
            if kind is None:
                continue
            probe.ask(TABLE_MODELS[type_], _row_holds_value(column.field, kind), _removed(column.label))

    old_periods = old.indicator_periods() if old else ["implementation", "annual"]
    old_indicators = old.block("indicators") if old else None
    for period in old_periods:
        if period not in new.indicator_periods():
            caption = old_indicators.caption_of(period) if old_indicators else period
            probe.ask("Indicator", Q(period=period),
                      lambda n, caption=caption: f"已有 {n} 份申报表填写了“{caption}”，不能删除该期间的指标；{WAY_OUT}")

    if old:
        new_extras = {(extra.on, extra.key): extra for extra in new.extras}
        for extra in old.extras:
            model = OWNER_MODELS[extra.on]
            if not _places_extra(old, extra):
                continue
            changed = new_extras.get((extra.on, extra.key))
            if changed is None or not _places_extra(new, changed):
                probe.ask(model, _extra_holds_value(probe, model, extra.key), _removed(extra.label))
                continue
            if changed.type != extra.type and (extra.type, changed.type) not in HARMLESS_TYPE_CHANGES:
                probe.ask(model, _extra_holds_value(probe, model, extra.key),
                          lambda n, label=extra.label:
                          f"已有 {n} 份申报表在“{label}”中填写了内容，不能更改该栏目的类型；{WAY_OUT}")
            elif extra.type == "choice" and changed.type == "choice":
                for choice in extra.choices:
                    if choice not in changed.choices:
                        probe.ask(model, _extra_equals(probe, model, extra.key, choice),
                                  lambda n, label=extra.label, choice=choice:
                                  f"已有 {n} 份申报表在“{label}”中选择了“{choice}”，不能删除该选项；{WAY_OUT}")
    return probe.answers()


class _Named:
    def __init__(self, field, label):
        self.field, self.label = field, label


def _old_layout(variant) -> FormLayout | None:
    """The layout stored now; None if it is not valid (then everything counts as placed, to be safe)."""
    stored = type(variant).objects.filter(pk=variant.pk).first()
    if stored is None:
        return None
    try:
        return stored.description
    except LayoutError:
        return None


def _removed(label: str):
    return lambda n: f"已有 {n} 份申报表在“{label}”中填写了内容，不能删除该栏目；{WAY_OUT}"


def _places_extra(layout: FormLayout, extra) -> bool:
    if extra.on == "filing":
        return extra.name in layout.placed_fields()
    return extra.name in {column.field for column in layout.columns(OWNER_TABLE[extra.on])}


def _holds_value(spec) -> Q:
    if spec.blank == "":
        return Q(**{f"{spec.name}__isnull": False}) & ~Q(**{spec.name: ""})
    if spec.blank is False:
        return Q(**{spec.name: True})
    return Q(**{f"{spec.name}__isnull": False})


def _row_holds_value(name: str, kind: str) -> Q:
    if kind in {"text", "longtext"}:
        return ~Q(**{name: ""})
    return Q(**{f"{name}__isnull": False})


def _extra_holds_value(probe, model, key) -> Q:
    alias = probe.key_alias(model, key)
    return Q(**{f"{alias}__isnull": False}) & ~Q(**{alias: ""})


def _extra_equals(probe, model, key, value) -> Q:
    return Q(**{probe.key_alias(model, key): value})


class _Probe:
    """Questions "how many filings of the variant hold …", asked together: one aggregate query per table."""

    def __init__(self, variant):
        self.variant = variant
        self.questions: dict[str, list] = {}
        self.aliases: dict[str, dict[str, str]] = {}

    def key_alias(self, model: str, key: str) -> str:
        keys = self.aliases.setdefault(model, {})
        return keys.setdefault(key, f"extra_key_{len(keys)}")

    def ask(self, model: str, condition: Q, sentence):
        self.questions.setdefault(model, []).append((condition, sentence))

    def answers(self) -> list[str]:
        sentences = []
        for model_name, questions in self.questions.items():
            model = apps.get_model("filings", model_name)
            if model_name == "Filing":
                rows, counted = model.objects.filter(variant=self.variant), "pk"
            else:
                rows, counted = model.objects.filter(filing__variant=self.variant), "filing"
            aliases = {alias: KeyTextTransform(key, "extra") for key, alias in self.aliases.get(model_name, {}).items()}
            if aliases:
                rows = rows.alias(**aliases)
            counts = rows.aggregate(**{
                f"q{number}": Count(counted, distinct=counted != "pk", filter=condition)
                for number, (condition, _) in enumerate(questions)
            })
            sentences += [sentence(counts[f"q{number}"]) for number, (_, sentence) in enumerate(questions)
                          if counts[f"q{number}"]]
        return sentences

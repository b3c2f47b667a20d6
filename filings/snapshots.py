"""A filing as plain data: stored at each submission, compared for “what changed”, printed after approval."""

import datetime
from decimal import Decimal

from .layouts.description import LayoutError
from .models import AnnualTask, DepartmentDetails, Filing, FunctionItem, Indicator, ProjectDetails

FILING_FIELDS = [
    "kind", "year", "money_unit", "revision", "unit_name", "competent_department", "competent_department_code",
    "contact_person", "contact_phone", "responsible_person", "handler", "unit_head", "filled_on", "filled_time",
]
ROW_FIELDS = {
    "functions": (FunctionItem, ["name", "mid_term_goal", "annual_goal"]),
    "tasks": (AnnualTask, ["name", "content", "related_goal", "amount_total", "amount_fiscal", "amount_other"]),
}
INDICATOR_FIELDS = ["period", "name", "value_text", "standard", "note"]


def plain(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return value


def _fields(obj, names):
    return {name: plain(getattr(obj, name)) for name in names}


def _extra(obj) -> dict:
    """The row's own (表样自定义) values, already plain JSON; anything but a dict counts as none."""
    values = getattr(obj, "extra", None)
    return dict(values) if isinstance(values, dict) else {}


def extra_fields(filing: Filing) -> list[dict]:
    """The variant's own fields as they are named now, so a stored snapshot keeps its labels."""
    try:
        extras = filing.variant.description.extras
    except LayoutError:
        return []
    return [{"key": extra.key, "on": extra.on, "label": extra.label, "type": extra.type,
             "choices": list(extra.choices)} for extra in extras]


def _detail_fields(model):
    return [f.name for f in model._meta.concrete_fields if f.name != "filing"]


def snapshot(filing: Filing) -> dict:
    """Every field, row and indicator of a filing (amounts in 元 as strings), in a fixed order; the variant's own
    fields under ``extra`` of the header, each task and each indicator, and their names under ``extra_fields``."""
    data = {"filing": {**_fields(filing, FILING_FIELDS), "extra": _extra(filing)}, "variant": filing.variant.code,
            "scheme": filing.scheme.code, "extra_fields": extra_fields(filing)}
    department = getattr(filing, "department", None) if filing.kind == "department" else None
    project = getattr(filing, "project", None) if filing.kind == "project" else None
    if department is not None:
        data["department"] = _fields(department, _detail_fields(DepartmentDetails))
    if project is not None:
        data["project"] = _fields(project, _detail_fields(ProjectDetails))
    for key, (model, names) in ROW_FIELDS.items():
        data[key] = [{**_fields(row, names), **({"extra": _extra(row)} if model is AnnualTask else {})}
                     for row in model.objects.filter(filing=filing).order_by("order", "pk")]
    data["indicators"] = [
        {**_fields(row, INDICATOR_FIELDS), "level1": row.category.parent.name, "level2": row.category.name,
         "category": row.category.code, "extra": _extra(row)}
        for row in Indicator.objects.filter(filing=filing).select_related("category__parent")
        .order_by("period", "order", "pk")
    ]
    return data

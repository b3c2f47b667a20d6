"""A filing as plain data: stored at each submission, compared for “what changed”, printed after approval."""

import datetime
from decimal import Decimal

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


def _detail_fields(model):
    return [f.name for f in model._meta.concrete_fields if f.name != "filing"]


def snapshot(filing: Filing) -> dict:
    """Every field, row and indicator of a filing (amounts in 元 as strings), in a fixed order."""
    data = {"filing": _fields(filing, FILING_FIELDS), "variant": filing.variant.code, "scheme": filing.scheme.code}
    department = getattr(filing, "department", None) if filing.kind == "department" else None
    project = getattr(filing, "project", None) if filing.kind == "project" else None
    if department is not None:
        data["department"] = _fields(department, _detail_fields(DepartmentDetails))
    if project is not None:
        data["project"] = _fields(project, _detail_fields(ProjectDetails))
    for key, (model, names) in ROW_FIELDS.items():
        data[key] = [_fields(row, names) for row in model.objects.filter(filing=filing).order_by("order", "pk")]
    data["indicators"] = [
        {**_fields(row, INDICATOR_FIELDS), "level1": row.category.parent.name, "level2": row.category.name,
         "category": row.category.code}
        for row in Indicator.objects.filter(filing=filing).select_related("category__parent")
        .order_by("period", "order", "pk")
    ]
    return data

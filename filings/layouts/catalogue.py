"""The stored fields a layout may place: every data field of a filing of one kind, with its kind and label."""

from dataclasses import dataclass

from django.apps import apps
from django.db import models

from ..money import MoneyField

FILING_FIELDS = [
    "unit_name", "competent_department", "competent_department_code", "contact_person", "contact_phone",
    "responsible_person", "handler", "unit_head", "filled_on", "filled_time", "no_direct_beneficiaries",
]


@dataclass(frozen=True)
class FieldSpec:
    """One stored field: where it lives (the filing, its details, or its ``extra`` column), what kind of value."""

    name: str
    owner: str  # "filing" | "details" | "extra"
    kind: str  # text | longtext | int | money | percent | number | bool | date | time | choice
    label: str
    max_length: int | None = None
    choices: tuple = ()  # (value, display) pairs
    nullable: bool = True
    max_value: int | None = None  # whole numbers: what the column holds

    @property
    def defined_name(self) -> str:
        return "pb_" + self.name.replace(".", "_")

    @property
    def blank(self):
        """The stored value of an empty cell."""
        if self.kind in {"text", "longtext", "choice"}:
            return ""
        if self.kind == "bool" and not self.nullable:
            return False
        return None


def details_model(kind: str):
    # Looked up by name: the models ask their layout, so this package imports no model module.
    return apps.get_model("filings", "DepartmentDetails" if kind == "department" else "ProjectDetails")


def filing_model():
    return apps.get_model("filings", "Filing")


def model_field_spec(model, name: str, label_text: str = "") -> FieldSpec:
    f = model._meta.get_field(name)
    owner = "filing" if model is filing_model() else "details"
    if isinstance(f, MoneyField):
        kind = "money"
    elif isinstance(f, models.DecimalField):
        kind = "percent"
    elif isinstance(f, models.IntegerField):
        kind = "int"
    elif isinstance(f, models.BooleanField):
        kind = "bool"
    elif isinstance(f, models.DateField):
        kind = "date"
    elif isinstance(f, models.TimeField):
        kind = "time"
    elif f.choices:
        kind = "choice"
    elif isinstance(f, models.TextField):
        kind = "longtext"
    else:
        kind = "text"
    max_value = 32767 if isinstance(f, models.SmallIntegerField | models.PositiveSmallIntegerField) else None
    return FieldSpec(name, owner, kind, label_text or str(f.verbose_name), getattr(f, "max_length", None),
                     tuple((value, str(display)) for value, display in (f.choices or [])), f.null, max_value)


def data_fields(kind: str) -> dict[str, FieldSpec]:
    """Every model field a filing of this kind holds as data (not its identity, state or bookkeeping), by name."""
    specs = {name: model_field_spec(filing_model(), name) for name in FILING_FIELDS}
    for f in details_model(kind)._meta.concrete_fields:
        if f.name not in {"filing", "extra"}:
            specs[f.name] = model_field_spec(details_model(kind), f.name)
    return specs


# The columns of each row table a layout may show, besides the variant's own (extra) columns.
ROW_COLUMNS = {
    "functions": {"name": "text", "mid_term_goal": "longtext", "annual_goal": "longtext"},
    "tasks": {"name": "text", "content": "longtext", "related_goal": "longtext", "amount_total": "money",
              "amount_fiscal": "money", "amount_other": "money"},
    "indicators": {"level2": "text", "name": "text", "value_text": "text", "standard": "text", "note": "text"},
}

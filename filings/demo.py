"""The demo: a unit tree, users for each role, and the twelve filings of the five published seeds.

`load_samples` adds the sample filings of the regional variants (``fixtures/regional_samples/``): they are not part
of the demo's twelve, so counts over the demo stay as they are; tests and ``load_demo --samples`` load them.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import AccountState
from indicators.hierarchy import CategoryResolver
from indicators.models import Scheme

from . import reference
from .models import (
    AnnualTask,
    DepartmentDetails,
    Filing,
    FilingKind,
    FormVariant,
    FunctionItem,
    Indicator,
    Membership,
    ProjectDetails,
    Unit,
)
from .models.project import FUND_SCOPES, FUND_SOURCES
from .money import MoneyField, to_yuan

DEPARTMENT_AMOUNTS = {f.name for f in DepartmentDetails._meta.fields if isinstance(f, MoneyField)}
SEED_PREFIX = "seed:"
SAMPLE_PREFIX = "sample:"


@dataclass
class DemoResult:
    filings: int
    created: int
    indicators: int
    library_added: int
    logins: list[tuple[str, str, str]]
    password: str


@transaction.atomic
def load_demo(reset: bool = False) -> DemoResult:
    """Load what is missing; with reset, put every seed filing back as published (discarding edits)."""
    reference.load_schemes()
    reference.load_variants()
    units = load_units()
    logins, password = load_users(units)
    library_added = reference.load_library()
    existing = set(Filing.objects.filter(source__startswith=SEED_PREFIX).values_list("source", flat=True))
    created = 0
    for _, seed in reference.seed_files():
        for data in seed["filings"]:
            if reset or SEED_PREFIX + data["key"] not in existing:
                load_filing(data, units)
                created += 1
    seeds = Filing.objects.filter(source__startswith=SEED_PREFIX)
    indicators = Indicator.objects.filter(filing__in=seeds).count()
    return DemoResult(seeds.count(), created, indicators, library_added, logins, password)


@transaction.atomic
def load_samples() -> int:
    """(Re)load the regional sample filings and the units they name; returns how many filings were loaded."""
    units = load_units()
    loaded = 0
    for _, sample in reference.sample_files():
        units = load_units(sample.get("units", []), units)
        for data in sample["filings"]:
            load_filing(data, units, prefix=SAMPLE_PREFIX)
            loaded += 1
    return loaded


def load_units(rows: list[dict] | None = None, known: dict[str, Unit] | None = None) -> dict[str, Unit]:
    """The units of ``units.json`` (or the given rows, whose parents may be among ``known``), by code."""
    units: dict[str, Unit] = dict(known or {})
    for data in reference.read_json("units.json")["units"] if rows is None else rows:
        unit, _ = Unit.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "kind": data["kind"],
                "parent": units.get(data.get("parent")),
                "sector": data.get("sector", ""),
                "region": data.get("region", ""),
                "is_primary": data.get("is_primary", False),
                "review_levels": data.get("review_levels", 2),
            },
        )
        units[unit.code] = unit
    return units


def load_users(units: dict[str, Unit]) -> tuple[list[tuple[str, str, str]], str]:
    data = reference.read_json("demo_users.json")
    User = get_user_model()
    logins = []
    for entry in data["users"]:
        user, created = User.objects.get_or_create(username=entry["username"])
        if created:
            user.set_password(data["password"])
            user.first_name = entry["name"]
            user.is_superuser = user.is_staff = entry.get("superuser", False)
            user.save()
            if not settings.DEMO_MODE:  # a shared known password: outside the demo each user sets their own
                AccountState.require_password_change(user)
        if "unit" in entry:
            membership, _ = Membership.objects.get_or_create(
                user=user, unit=units[entry["unit"]], role=entry["role"]
            )
            logins.append((user.username, membership.unit.name, membership.get_role_display()))
        else:
            logins.append((user.username, "全部", "系统管理员"))
    return logins, data["password"]


def load_filing(data: dict, units: dict[str, Unit], prefix: str = SEED_PREFIX) -> Filing:
    """(Re)create one seed filing exactly as transcribed; running it again replaces the earlier copy.

    ``extra`` in the header, a task row or an indicator row holds values of the variant's own fields (by key, as
    typed on the form: money in the filing's unit); each is checked and stored as `ExtraField.clean` gives it.
    """
    source = prefix + data["key"]
    Filing.objects.filter(source=source).delete()
    header = data.get("header", {})
    money_unit = data["money_unit"]
    variant = FormVariant.objects.get(code=data["variant"])
    extras = Extras(variant, money_unit, data["key"])
    filing = Filing.objects.create(
        kind=data["kind"],
        unit=units[data["unit"]],
        year=data["year"],
        variant=variant,
        scheme=Scheme.objects.get(code=data["scheme"]),
        money_unit=money_unit,
        position=int(data["key"].rsplit("proj", 1)[1]) if "proj" in data["key"] else 0,
        source=source,
        filled_on=_date(header.get("filled_on")),
        filled_time=_time(header.get("filled_time")),
        extra=extras.clean("filing", header.get("extra", {}), "表头"),
        **{
            key: header.get(key) or ""
            for key in (
                "unit_name", "competent_department", "competent_department_code", "contact_person",
                "contact_phone", "responsible_person", "handler", "unit_head",
            )
        },
    )
    if data["kind"] == FilingKind.DEPARTMENT:
        _load_department(filing, data, money_unit, extras)
    else:
        _load_project(filing, data["project"], money_unit)
    _load_indicators(filing, data["indicators"], extras)
    return filing


class Extras:
    """Checks a seed's ``extra`` values against the variant's own fields, naming the seed row that is wrong."""

    def __init__(self, variant: FormVariant, money_unit: str, key: str):
        self.fields = {(extra.on, extra.key): extra for extra in variant.description.extras}
        self.money_unit, self.key = money_unit, key

    def clean(self, owner: str, values: dict, where: str) -> dict:
        stored = {}
        for name, raw in values.items():
            extra = self.fields.get((owner, name))
            if extra is None:
                raise ValueError(f"{self.key} {where}：表样没有自定义栏目“{name}”（on: {owner}）。")
            try:
                value = extra.clean(raw, self.money_unit)
            except ValidationError as error:
                raise ValueError(f"{self.key} {where}：{'；'.join(error.messages)}") from None
            if value is not None:
                stored[name] = value
        return stored


def _load_department(filing: Filing, data: dict, money_unit: str, extras: Extras) -> None:
    fields = {}
    for key, value in data.get("department", {}).items():
        if key in DEPARTMENT_AMOUNTS:
            value = to_yuan(value, money_unit)
        elif key == "prior_execution_rate" and value is not None:
            value = Decimal(value)
        fields[key] = value
    DepartmentDetails.objects.create(filing=filing, **{k: v for k, v in fields.items() if v is not None})
    FunctionItem.objects.bulk_create(
        FunctionItem(filing=filing, order=order, **row)
        for order, row in enumerate(data.get("functions", []), start=1)
    )
    AnnualTask.objects.bulk_create(
        AnnualTask(
            filing=filing,
            order=order,
            name=row["name"],
            content=row.get("content", ""),
            related_goal=row.get("related_goal", ""),
            amount_total=to_yuan(row.get("amount_total"), money_unit),
            amount_fiscal=to_yuan(row.get("amount_fiscal"), money_unit),
            amount_other=to_yuan(row.get("amount_other"), money_unit),
            extra=extras.clean("task", row.get("extra", {}), f"年度主要任务第 {order} 行"),
        )
        for order, row in enumerate(data.get("tasks", []), start=1)
    )


def _load_project(filing: Filing, data: dict, money_unit: str) -> None:
    fields = {
        key: data.get(key) or ""
        for key in (
            "name", "code", "implementing_unit", "novelty", "recurrence", "period_text",
            "higher_level_note", "overview", "basis", "necessity", "safeguards", "plan",
            "implementation_goal", "annual_goal",
        )
    }
    fields["period_years"] = data.get("period_years")
    fields["start_date"] = _date(data.get("start_date"))
    fields["end_date"] = _date(data.get("end_date"))
    fields["local_amount"] = to_yuan(data.get("local_amount"), money_unit)
    funds = data.get("funds", {})
    for scope in FUND_SCOPES:
        for source in FUND_SOURCES:
            fields[f"{scope}_{source}"] = to_yuan(funds.get(scope, {}).get(source), money_unit)
    ProjectDetails.objects.create(filing=filing, **fields)


def _load_indicators(filing: Filing, rows: list[dict], extras: Extras) -> None:
    resolver = CategoryResolver(filing.scheme)
    indicators = []
    for order, row in enumerate(rows, start=1):
        indicator = Indicator(
            filing=filing,
            period=row.get("period", "annual"),
            category=resolver.resolve(row.get("level1", ""), row["level2"]),
            order=order,
            name=row["name"],
            value_text=row.get("value", ""),
            standard=row.get("standard", ""),
            note=row.get("note", ""),
            extra=extras.clean("indicator", row.get("extra", {}), f"绩效指标第 {order} 行"),
        )
        indicator.apply_reading()
        indicators.append(indicator)
    Indicator.objects.bulk_create(indicators)


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _time(text: str | None) -> datetime.time | None:
    return datetime.time.fromisoformat(text) if text else None

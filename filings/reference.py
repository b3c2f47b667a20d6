"""Reference data every installation needs: indicator schemes and aliases, form variants, the indicator library."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from indicators.hierarchy import CategoryResolver
from indicators.models import Category, CategoryAlias, LibraryIndicator, Scheme, normalize_category_name
from indicators.values import parse_target

from .models import FormVariant
from .models.indicators import NOT_APPLICABLE

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def read_json(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@transaction.atomic
def load_schemes(data: dict | None = None) -> None:
    data = data or read_json("indicator_schemes.json")
    for scheme_data in data["schemes"]:
        scheme, _ = Scheme.objects.update_or_create(
            code=scheme_data["code"],
            defaults={key: scheme_data.get(key, "") for key in ("name", "basis", "description")}
            | {"is_default": scheme_data.get("is_default", False)},
        )
        for order1, level1 in enumerate(scheme_data["categories"], start=1):
            parent = _save_category(scheme, None, order1, level1)
            for order2, level2 in enumerate(level1.get("children", []), start=1):
                _save_category(scheme, parent, order2, level2)
    for alias, code in data["aliases"].items():
        CategoryAlias.objects.update_or_create(alias=normalize_category_name(alias), region="",
                                               defaults={"code": code})
    load_aliases()


def load_aliases(data: dict | None = None) -> None:
    """The regional and other printed names of the categories (fixtures/category_aliases.json, docs/categories.md);
    an alias remembered by a user for a region is never overwritten (the fixture has national ones and its own)."""
    for entry in (data or read_json("category_aliases.json"))["aliases"]:
        CategoryAlias.objects.update_or_create(
            alias=normalize_category_name(entry["alias"]), region=entry.get("region", ""),
            defaults={"code": entry["code"], "source": entry.get("source", "")[:200]})


def _save_category(scheme, parent, order, data) -> Category:
    category, _ = Category.objects.update_or_create(
        scheme=scheme,
        code=data["code"],
        defaults={
            "parent": parent,
            "name": data["name"],
            "order": order,
            "is_required": data.get("required", False),
            "allows_not_applicable": data.get("allows_not_applicable", True),
            "not_applicable_needs_reason": data.get("not_applicable_needs_reason", False),
        },
    )
    return category


def variant_files() -> list[dict]:
    """The variants every installation has: one file per 表样 in ``fixtures/variants/``, as export_variant writes."""
    return [json.loads(path.read_text(encoding="utf-8"))["variant"]
            for path in sorted((FIXTURES / "variants").glob("*.json"))]


@transaction.atomic
def load_variants(variants: list[dict] | None = None) -> None:
    schemes = {scheme.code: scheme for scheme in Scheme.objects.all()}
    for variant in variants if variants is not None else variant_files():
        fields = dict(variant)
        code = fields.pop("code")
        fields["default_scheme"] = schemes[fields.pop("default_scheme")]
        FormVariant.objects.update_or_create(code=code, defaults=fields)


def seed_files(folder: str = "seeds") -> list[tuple[str, dict]]:
    return [(path.name, json.loads(path.read_text(encoding="utf-8")))
            for path in sorted((FIXTURES / folder).glob("*.json"))]


def sample_files() -> list[tuple[str, dict]]:
    """The sample filings of the regional variants: same format as the seeds, plus the ``units`` they need."""
    return seed_files("regional_samples")


@transaction.atomic
def load_library() -> int:
    """Seed the indicator library with every applicable 三级 indicator of the seed filings."""
    unit_sectors = {unit["code"]: unit.get("sector", "") for unit in read_json("units.json")["units"]}
    resolvers = {scheme.code: CategoryResolver(scheme) for scheme in Scheme.objects.all()}
    entries = {}
    for file_name, seed in seed_files():
        for filing in seed["filings"]:
            resolver = resolvers[filing["scheme"]]
            sector = unit_sectors.get(filing["unit"], "")
            for row in filing["indicators"]:
                name = row["name"].strip()
                if not name or name == NOT_APPLICABLE:
                    continue
                code = resolver.resolve(row.get("level1", ""), row["level2"]).code
                target = parse_target(row.get("value", ""))
                entries.setdefault((name, code, sector), LibraryIndicator(
                    name=name, category_code=code, sector=sector,
                    unit=target.unit if target.is_quantitative else "",
                    example_value=target.text, source=f"{file_name} {filing['key']}",
                ))
    existing = set(LibraryIndicator.objects.values_list("name", "category_code", "sector"))
    new = [entry for key, entry in entries.items() if key not in existing]
    LibraryIndicator.objects.bulk_create(new)
    return len(new)

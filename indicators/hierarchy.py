"""Reading printed 一级/二级 names into a scheme's categories, with the aliases of the filing's region."""

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Q

from .models import Category, CategoryAlias, Scheme, normalize_category_name, place_in

# Names repeat on every row of a table, and stripping annotations takes several regular expressions.
_key = lru_cache(maxsize=4096)(normalize_category_name)


class UnknownCategory(ValueError):
    """A printed 一级/二级 pair that the scheme does not know; the message is for the user."""


def region_prefixes(region: str) -> list[str]:
    """Every prefix of a 所属地区 text (“湖南省益阳市” → “湖”, “湖南”, “湖南省”, …): the alias regions that apply."""
    region = "".join((region or "").split())
    return [region[:end] for end in range(1, len(region) + 1)]


def region_of(unit) -> str:
    """The 所属地区 whose aliases apply to a unit's filings: its own, else that of the nearest unit above it that
    names one (a county bureau that leaves it blank takes its city's; one query then)."""
    if unit is None:
        return ""
    if unit.region:
        return "".join(unit.region.split())
    named = unit.ancestors().exclude(region="").order_by("-path").values_list("region", flat=True).first()
    return "".join((named or "").split())


@dataclass(frozen=True)
class Placement:
    """Where a printed 一级/二级 pair goes in one scheme: the 二级 category, how it was found, what the 一级 said."""

    category: Category
    by_alias: bool = False  # the 二级 was read through an alias (shown to the user)
    level1_differs: bool = False  # a written 一级 names another 一级 (not a problem: the 二级 decides)


class CategoryResolver:
    """Maps printed names (canonical or alias) to the categories of one scheme, with two queries in all.

    With a `region`, the aliases of that region (and of the regions containing it) come before the national ones.
    The resolver also knows the other schemes' categories, to say where rows it cannot place would fit."""

    def __init__(self, scheme: Scheme, region: str = ""):
        self.scheme = scheme
        self.region = "".join((region or "").split())
        categories = list(Category.objects.filter(parent__isnull=False).select_related("parent", "scheme")
                          .order_by("scheme__code", "parent__order", "order"))
        self.level2 = [c for c in categories if c.scheme_id == scheme.pk]
        self.others: dict[int, list[Category]] = {}
        for category in categories:
            if category.scheme_id != scheme.pk:
                self.others.setdefault(category.scheme_id, []).append(category)
        self.aliases = self._read_aliases()

    def _read_aliases(self) -> dict[str, str]:
        """Normalized name → code: for each name the alias of the longest region that applies, "" (national) last."""
        rows = CategoryAlias.objects.filter(Q(region="") | Q(region__in=region_prefixes(self.region)))
        chosen: dict[str, tuple[int, str]] = {}
        for alias, code, region in rows.values_list("alias", "code", "region"):
            if alias not in chosen or len(region) > chosen[alias][0]:
                chosen[alias] = (len(region), code)
        return {alias: code for alias, (_, code) in chosen.items()}

    # --- matching ---------------------------------------------------------------------------------------------

    def _names(self, category: Category, printed: str) -> bool:
        return _key(category.name) == _key(printed)

    def _alias_code(self, printed: str) -> str:
        return self.aliases.get(_key(printed), "")

    def _matches(self, category: Category, printed: str) -> bool:
        return self._names(category, printed) or self._alias_code(printed) == category.code

    def _level2_candidates(self, level2: str, categories: list[Category]) -> tuple[list[Category], bool]:
        by_name = [c for c in categories if self._names(c, level2)]
        if by_name:
            return by_name, False
        code = self._alias_code(level2)
        if not code:
            return [], False
        by_code = {c.code: c for c in categories}
        found = place_in(by_code, code)  # a cost alias goes where this scheme has its cost category
        return ([found] if found is not None else []), True

    def _place(self, level1: str, level2: str, categories: list[Category]) -> Placement | None:
        candidates, by_alias = self._level2_candidates(level2, categories)
        if not candidates:
            return None
        if level1:
            # 一级 “满意度指标” or “服务对象满意度” above 二级 “满意度指标”: a 二级 name as 一级 means its parent
            under = [c for c in candidates if self._matches(c.parent, level1) or self._matches(c, level1)]
            if under:
                return Placement(under[0], by_alias)
            return Placement(candidates[0], by_alias, level1_differs=True)
        return Placement(candidates[0], by_alias)

    def place(self, level1: str, level2: str) -> Placement | None:
        """Where a pasted row goes: the 二级 decides; a written 一级 that differs only chooses among equal names."""
        return self._place(level1, level2, self.level2)

    def place_elsewhere(self, level1: str, level2: str) -> tuple[int, Placement] | None:
        """(scheme id, placement) of another scheme that places a pair this scheme cannot, written as that scheme
        prints it (its 二级 under its 一级, e.g. 成本 under 产出); or None."""
        for scheme_id, categories in self.others.items():
            placement = self._place(level1, level2, categories)
            if placement is not None and not placement.level1_differs:
                return scheme_id, placement
        return None

    def by_code(self, code: str) -> Category | None:
        """The scheme's 二级 category of a code (a cost code of the other scheme: this scheme's cost category)."""
        return place_in({c.code: c for c in self.level2}, code)

    def resolve(self, level1: str, level2: str) -> Category:
        """The 二级 category of a printed pair, strictly: a written 一级 must be the 二级's own (our template)."""
        candidates, _ = self._level2_candidates(level2, self.level2)
        if level1:
            candidates = [c for c in candidates if self._matches(c.parent, level1)]
        if not candidates:
            where = f"一级指标“{level1}”下" if level1 else ""
            raise UnknownCategory(f"指标体系“{self.scheme.name}”{where}没有二级指标“{level2}”")
        return candidates[0]


def resolver_for(filing) -> CategoryResolver:
    """The resolver of a filing's scheme with the aliases of its unit's region (two queries, three without the
    unit's own 所属地区)."""
    return CategoryResolver(filing.scheme, region_of(filing.unit))

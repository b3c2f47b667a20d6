"""Reading printed 一级/二级 names into a scheme's categories."""

from .models import Category, CategoryAlias, Scheme, normalize_category_name


class UnknownCategory(ValueError):
    """A printed 一级/二级 pair that the scheme does not know; the message is for the user."""


class CategoryResolver:
    """Maps printed names (canonical or alias) to the categories of one scheme, with two queries in all."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.level2 = list(scheme.level2_categories())
        self.aliases = dict(CategoryAlias.objects.values_list("alias", "code"))

    def _matches(self, category: Category, printed: str) -> bool:
        key = normalize_category_name(printed)
        return normalize_category_name(category.name) == key or self.aliases.get(key) == category.code

    def resolve(self, level1: str, level2: str) -> Category:
        candidates = [c for c in self.level2 if self._matches(c, level2)]
        if level1:
            candidates = [c for c in candidates if self._matches(c.parent, level1)]
        if not candidates:
            where = f"一级指标“{level1}”下" if level1 else ""
            raise UnknownCategory(f"指标体系“{self.scheme.name}”{where}没有二级指标“{level2}”")
        return candidates[0]

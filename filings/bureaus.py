"""The 财政 bureaus above a unit, and the settings that come from them.

Units sit in a tree of 财政 bureaus (省财政厅 → 市财政局 → 县财政局), each with its 主管部门 and their units. A unit
belongs to its **nearest** bureau: the deepest 财政 unit on its path. That bureau reviews its filings at the 财政
level and its settings apply to them; a setting a bureau leaves open (审核层级 “沿用上级”, no deadline for a year)
is taken from the next bureau up, and from the defaults at the top.

`Bureaus` holds the finance units a page needs, read once (`Bureaus.around`), and answers per path without a query.
The codes on a path are the units' codes (`Unit.path` is “/P/C01/K001/K001D01/…/”), so the chain of bureaus above a
unit is read off its path.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from .models import FilingDeadline, Unit, UnitKind

DEFAULT_REVIEW_LEVELS = 2


def path_codes(path: str) -> list[str]:
    """“/P/C01/K001/” → [“P”, “C01”, “K001”]."""
    return [code for code in path.strip("/").split("/") if code]


@dataclass
class Bureaus:
    """Finance units by code; the deadlines of one year by bureau code, if loaded."""

    by_code: dict[str, Unit] = field(default_factory=dict)
    deadlines: dict[str, FilingDeadline] = field(default_factory=dict)

    @classmethod
    def around(cls, paths, year: int | None = None, below: bool = True) -> "Bureaus":
        """The bureaus on the given paths and (with `below`) every bureau under them, in one query; with a year, that
        year's deadlines of those bureaus in a second one."""
        paths = list(paths)
        condition = Q(code__in={code for path in paths for code in path_codes(path)})
        if below:
            for path in paths:
                condition |= Q(path__startswith=path)
        bureaus = cls({unit.code: unit for unit in Unit.objects.filter(condition, kind=UnitKind.FINANCE)})
        if year is not None:
            bureaus.load_deadlines(year)
        return bureaus

    @classmethod
    def of_unit(cls, unit: Unit, year: int | None = None) -> "Bureaus":
        return cls.around([unit.path], year, below=False)

    def load_deadlines(self, year: int) -> None:
        self.deadlines = {d.region.code: d for d in FilingDeadline.objects.filter(
            year=year, region__in=list(self.by_code.values())).select_related("region")}

    def chain(self, path: str) -> list[Unit]:
        """The bureaus at or above the unit at `path`, the nearest first."""
        return [self.by_code[code] for code in reversed(path_codes(path)) if code in self.by_code]

    def nearest(self, path: str) -> Unit | None:
        """The bureau a unit belongs to (a bureau belongs to itself)."""
        chain = self.chain(path)
        return chain[0] if chain else None

    def review_levels(self, path: str) -> int:
        """审核层级 for the filings of the unit at `path`: its nearest bureau's, or the next one up that sets it."""
        for bureau in self.chain(path):
            if bureau.review_levels is not None:
                return bureau.review_levels
        return DEFAULT_REVIEW_LEVELS

    def deadline(self, path: str) -> FilingDeadline | None:
        """The deadline of the loaded year for the unit at `path`: its nearest bureau's, or the next one up."""
        return next((self.deadlines[b.code] for b in self.chain(path) if b.code in self.deadlines), None)

    def due_on(self, path: str) -> date | None:
        deadline = self.deadline(path)
        return deadline.due_on if deadline else None

    def under(self, path: str) -> list[Unit]:
        """The outermost bureaus strictly below `path`: whose units do not belong to the bureau at `path`."""
        inner = sorted((b for b in self.by_code.values() if b.path != path and b.path.startswith(path)),
                       key=lambda b: b.path)
        kept: list[Unit] = []
        for bureau in inner:
            if not any(bureau.path.startswith(outer.path) for outer in kept):
                kept.append(bureau)
        return kept

"""A page of a long list without counting it: one query for the page's rows and one more row that says whether a
next page exists. For lists as long as a province (我的申报 of a 财政 member), where `Paginator`'s COUNT(*) over
every visible filing costs more than the page itself."""

from dataclasses import dataclass

from .text import ascii_number


@dataclass
class Window:
    """A page as `templates/partials/pager_window.html` shows it: rows, its number, whether there are more."""

    object_list: list
    number: int
    has_next: bool
    param: str = "page"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_params(self) -> dict:
        return {self.param: self.next_page_number}

    @property
    def previous_params(self) -> dict:
        return {self.param: self.previous_page_number}


def page_number(raw) -> int:
    """The page asked for: a positive whole number, else the first page (never an error)."""
    number = ascii_number(raw or "")
    return number if number is not None and 0 < number <= 100_000 else 1


def in_order(queryset, ids: list[int]) -> list:
    """The rows of `queryset` with these ids, in the order of `ids`: a page is sorted on the narrow ids alone, and
    only its own rows are read with their joins and annotations (a province's 54,000 wide rows are never sorted)."""
    found = queryset.order_by().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def window(queryset, raw_number, per_page: int, param: str = "page") -> Window:
    """The `raw_number`-th page of an ordered queryset; past the end, the last rows there are are not sought: an
    empty page with a link back."""
    number = page_number(raw_number)
    start = (number - 1) * per_page
    ids = list(queryset.values_list("pk", flat=True)[start:start + per_page + 1])
    return Window(in_order(queryset, ids[:per_page]), number, len(ids) > per_page, param)

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


def window(queryset, raw_number, per_page: int, param: str = "page") -> Window:
    """The `raw_number`-th page of an ordered queryset; past the end, the last rows there are are not sought: an
    empty page with a link back."""
    number = page_number(raw_number)
    start = (number - 1) * per_page
    rows = list(queryset[start:start + per_page + 1])
    return Window(rows[:per_page], number, len(rows) > per_page, param)

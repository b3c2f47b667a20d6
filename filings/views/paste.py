"""Paste import of indicator tables: the preview of rows pasted from Excel, WPS or Word, or read from a file (htmx).

The preview is a form that re-posts the pasted text with the user's choices (where a column goes, where an unknown
二级 name goes, cells fixed in the preview, rows skipped, rows already added); the server keeps no state. Its rows
without problems are added by the page's script (static/js/paste.js) to the indicator editor as new rows, next to
whatever the user has typed and not saved yet; the user then saves as usual. The preview itself saves nothing, except
a category alias the user asked to remember, on the post that follows adding the rows.
"""

import json
import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from indicators.hierarchy import resolver_for
from indicators.paste import (
    EDITABLE,
    LEVEL1,
    LEVEL2,
    NAME,
    NOTE,
    STANDARD,
    VALUE,
    PastedRow,
    Problem,
    ReadOptions,
    parse_paste,
)
from indicators.placing import resolve_categories

from ..access import get_filing_for_filer
from ..aliases import remember_category_alias
from ..errors import FilingWriteRefused
from ..forms.indicators import SCHEME_WORDING
from ..models.indicators import Period
from ..steps.shared import edits_standard, indicator_columns, indicator_periods
from ..text import ascii_number

TEXT_FIELD = "paste_text_{period}"  # one textarea per indicator period of the editor
TEMPLATE = "filings/partials/paste_preview.html"
MAX_CHOICES = 300  # of each kind (columns, names, lines) read from a post: a table has at most 300 rows

# The names of the preview form's controls (see paste_preview.html).
COLUMN, GUESS = "paste_col_{}", "paste_guess_{}"  # a column's use: chosen before / the reader's guess, changed now
CATEGORY, CATEGORY_CODE, REMEMBER = "paste_cat_{}", "paste_cat_{}_code", "paste_remember_{}"
EDIT = "paste_edit_{}_{}"  # line, field
SKIP, SKIP_NOW, UNSKIP, ADDED, ADDING = "paste_skip", "paste_skip_now", "paste_unskip", "paste_added", "paste_adding"
_GUESS = re.compile(r"paste_guess_(\d{1,3})")
_EDIT = re.compile(r"paste_edit_(\d{1,6})_([a-z0-9]+)")


@dataclass
class Choices:
    """What the preview form posted besides the text."""

    columns: dict[int, str]
    categories: dict[str, str]
    remember: set[str]
    edits: dict[int, dict[str, str]]
    skipped: set[int]
    added: set[int]
    adding: bool  # the post that follows adding rows to the editor

    @classmethod
    def read(cls, post, trigger: str, uses: dict[str, str]) -> "Choices":
        columns = {}
        for index in range(MAX_CHOICES):
            use = post.get(COLUMN.format(index), "")
            if use in uses:
                columns[index] = use
        guess = _GUESS.fullmatch(trigger)  # the drop-down just changed by the user (htmx names it)
        if guess and post.get(trigger, "") in uses:
            columns[int(guess.group(1))] = post[trigger]
        categories, remember = {}, set()
        for index in range(MAX_CHOICES):
            printed, code = post.get(CATEGORY.format(index), ""), post.get(CATEGORY_CODE.format(index), "")
            if not printed:
                break
            if code:
                categories[printed] = code
            if post.get(REMEMBER.format(index)):
                remember.add(printed)  # saved once a code is chosen and the rows are added
        edits: dict[int, dict[str, str]] = {}
        for key in post:
            match = _EDIT.fullmatch(key)
            if match and match.group(2) in EDITABLE and len(edits) < MAX_CHOICES:
                edits.setdefault(int(match.group(1)), {})[match.group(2)] = post.get(key, "")[:1000]
        skipped = lines(post.getlist(SKIP)) | lines([post.get(SKIP_NOW, "")])
        skipped -= lines([post.get(UNSKIP, "")])
        return cls(columns, categories, remember, edits, skipped, lines(post.getlist(ADDED)),
                   post.get(ADDING) == "1")

    @classmethod
    def none(cls) -> "Choices":
        return cls({}, {}, set(), {}, set(), set(), False)


def lines(values) -> set[int]:
    numbers = {ascii_number(value) for value in values[:MAX_CHOICES]}
    return {number for number in numbers if number is not None and 0 < number < 1_000_000}


@dataclass
class ShownRow:
    """A row of the preview with what the template needs besides the row."""

    row: PastedRow
    state: str  # "add" (can be added), "problem", "added", "skipped" (by the user), "ignored" (printed empty group)
    fields: str = ""  # JSON of the editor's fields for static/js/paste.js
    extras: tuple[str, ...] = ()  # the texts of the variant's own columns, in the editor's order
    kept: tuple[tuple[str, str], ...] = ()  # (input name, text) of the cells fixed in the preview, re-posted

    @property
    def editable(self) -> bool:
        return self.state == "problem"


def read_options(filing, period: str, choices: Choices | None = None) -> ReadOptions:
    periods = indicator_periods(filing)
    own = tuple((name, label) for name, label, extra in indicator_columns(filing) if extra is not None)
    choices = choices or Choices.none()
    return ReadOptions(
        with_standard=edits_standard(filing), period=period,
        # The 年度 editor of a form with both sets reads the right-hand set of a 实施期/年度 side-by-side table.
        last_set=period == Period.ANNUAL and len(periods) > 1,
        own_columns=own, columns=choices.columns, categories=choices.categories, edits=choices.edits,
        skipped=frozenset(choices.skipped | choices.added))


def refusal(filing, period: str) -> str:
    """Why this filing or period takes no paste, or ""."""
    if not filing.is_editable:
        return f"这份申报表已是“{filing.get_status_display()}”，不能再粘贴指标。"
    if period not in indicator_periods(filing):
        return "这份申报表没有这一组绩效指标，请刷新页面后重试。"
    return ""


@login_required
@require_POST
def preview(request, pk):
    filing = get_filing_for_filer(request, pk)
    period = request.POST.get("period", "")
    if message := refusal(filing, period):
        return render(request, TEMPLATE, {"filing": filing, "period": period, "message": message})
    uses = read_options(filing, period).use_labels()
    choices = Choices.read(request.POST, request.headers.get("HX-Trigger-Name", ""), uses)
    return render_preview(request, filing, period, request.POST.get(TEXT_FIELD.format(period=period), ""), choices)


def render_preview(request, filing, period: str, text: str, choices: Choices, extra: dict | None = None):
    """The preview of `text` read with the user's choices (also the answer to a file upload)."""
    options = read_options(filing, period, choices)
    result = parse_paste(text, options=options)
    resolver = resolver_for(filing)
    if not result.problems:
        resolve_categories(result, resolver, options)
    has_note = any(name == NOTE for name, _, _ in indicator_columns(filing))
    shown = [show(row, choices, options, has_note, period) for row in result.rows]
    addable = [item for item in shown if item.state == "add"]  # rows with content in a column to choose have problems
    pending = [item for item in shown if item.state == "problem"]
    remembered = remember_aliases(request.user, filing, choices) if choices.adding else []
    context = {
        "filing": filing, "period": period, "result": result, "rows": shown, "addable": addable,
        "pending": pending, "with_standard": options.with_standard,
        "own_columns": options.own_columns, "uses": options.use_labels(), "choices": choices,
        "unplaced": category_choices(result, choices),
        "level2": resolver.level2,
        "added_count": len(choices.added), "skipped_count": len(choices.skipped - choices.added),
        "done": bool(choices.added) and not pending and not addable and not result.problems,
        "period_label": Period(period).label if len(indicator_periods(filing)) > 1 else "",
        "text_field": TEXT_FIELD.format(period=period),
        "remembered": remembered,
        "uid": secrets.token_hex(4),  # ids differ per answer: htmx's settle never copies attributes between them
        "switch_label": SCHEME_WORDING.get(result.scheme_switch.code, result.scheme_switch.name)
        if result.scheme_switch is not None else "",
    }
    context["params"] = ",".join(dict.fromkeys(param_names(context, result)))
    return render(request, TEMPLATE, context | (extra or {}))


def category_choices(result, choices: Choices) -> list[tuple[int, str, list[int], str]]:
    """(index, printed 二级 name, its lines, the code chosen or "") of every name to be chosen or already chosen, in
    the table's order, so that a drop-down keeps its place once chosen."""
    written: dict[str, list[int]] = {}
    for row in result.rows:
        if row.level2 and LEVEL2 not in row.filled:
            written.setdefault(row.level2, []).append(row.line)
    names = {name: written.get(name) or result.unplaced.get(name) or []
             for name in [*result.unplaced, *choices.categories]}
    names = {name: lines for name, lines in names.items() if lines}  # a chosen name no longer in the text goes
    order = sorted(names, key=lambda name: names[name][0])
    return [(index, name, names[name], choices.categories.get(name, "")) for index, name in enumerate(order)]


def show(row: PastedRow, choices: Choices, options: ReadOptions, has_note: bool, period: str) -> ShownRow:
    extras = tuple(row.extra.get(name.removeprefix("extra."), "") for name, _ in options.own_columns)
    kept = tuple((EDIT.format(row.line, name), getattr(row, name)) for name in sorted(row.edited))
    if row.line in choices.added:
        return ShownRow(row, "added", extras=extras)
    if row.line in choices.skipped:
        return ShownRow(row, "skipped", extras=extras, kept=kept)
    if row.skipped:
        return ShownRow(row, "ignored", extras=extras)
    if row.note and not has_note:
        row.problems.append(_no_note_column(row))
    if row.problems or row.category is None:
        return ShownRow(row, "problem", extras=extras)
    fields = {"category": str(row.category.pk), "period": period, "name": row.name, "value_text": row.value}
    fields |= {f"extra.{key}": text for key, text in row.extra.items()}
    if row.standard:
        fields[STANDARD] = row.standard
    if row.note:
        fields[NOTE] = row.note
    return ShownRow(row, "add", json.dumps(fields, ensure_ascii=False), extras, kept)


def _no_note_column(row):
    return Problem(f"本表样的指标表没有“说明”栏，放不下“{row.note}”。请把这一列设为“不导入”，或跳过这一行。", row.line)


def remember_aliases(user, filing, choices: Choices) -> list[tuple[str, str]]:
    """The names the user asked to remember, saved as aliases of the unit's region when the rows are added:
    ("success" or "danger", message) per name."""
    said = []
    for printed in sorted(choices.remember):
        code = choices.categories.get(printed)
        if not code:
            continue
        try:
            alias = remember_category_alias(user, filing, printed, code)
        except FilingWriteRefused as refused:
            said.append(("danger", f"没有记住“{printed}”：{refused.message}"))
            continue
        if alias is not None:
            said.append(("success", f"已记住：本地区（{alias.region}）的“{printed}”以后自动放到"
                                    f"“{alias.get_code_display()}”。"))
    return said


def param_names(context, result) -> list[str]:
    """Every name the preview form posts (htmx's hx-params: the step's own fields are left out)."""
    names = ["csrfmiddlewaretoken", "period", context["text_field"], SKIP, SKIP_NOW, UNSKIP, ADDED, ADDING]
    for use in result.uses:
        names += [COLUMN.format(use.index), GUESS.format(use.index)]
    for index, *_ in context["unplaced"]:
        names += [CATEGORY.format(index), CATEGORY_CODE.format(index), REMEMBER.format(index)]
    for item in context["rows"]:
        if item.editable:
            names += [EDIT.format(item.row.line, name) for name in edit_fields(context["with_standard"])]
        names += [name for name, _ in item.kept]
    return names


def edit_fields(with_standard: bool) -> list[str]:
    return [name for name in (LEVEL1, LEVEL2, NAME, VALUE, STANDARD, NOTE) if name != STANDARD or with_standard]

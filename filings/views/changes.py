"""“What changed”: a filing between two of its submissions, since its last submission, or against last year."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from ..access import get_filing_for_user
from ..diff import diff_filings, last_year_approved
from ..models import FilingKind, FilingStatus
from ..text import ascii_number

CURRENT = "current"
LAST_YEAR = "last_year"
APPROVED_REVISION = "approved_revision"


@dataclass
class Choice:
    """A comparison offered on the page, as its query string."""

    label: str
    query: str
    active: bool = False


@login_required
def changes(request, pk):
    filing = get_filing_for_user(request, pk)
    submissions = list(filing.submissions.order_by("number").values("number", "created_at"))
    against = request.GET.get("against", "")
    if against == LAST_YEAR:
        context, query = _against_last_year(filing), urlencode({"against": LAST_YEAR})
    elif against == APPROVED_REVISION and _adjusted_from(filing) is not None:
        context, query = _against_approved_revision(filing), urlencode({"against": APPROVED_REVISION})
    elif against:
        raise Http404("无法识别的比较方式。")
    else:
        context, query = _between_versions(filing, submissions, request.GET)
    choices = _choices(filing, submissions)
    for choice in choices:
        choice.active = choice.query == query
    return render(request, "filings/changes.html", {
        "filing": filing, "submissions": submissions, "choices": choices, "can_pick": bool(submissions),
        **_default_picks(filing, submissions), **context,
    })


# --- which versions --------------------------------------------------------------------------------------------

def _version(value: str | None, numbers: list[int]):
    """A requested version: a submission number that exists, “current”, or None when not given."""
    value = (value or "").strip()
    if not value:
        return None
    if value == CURRENT:
        return CURRENT
    number = ascii_number(value)
    if number is None or number not in numbers:
        raise Http404(f"这份申报表没有第 {number} 次提交。" if number is not None else "比较的版本参数不正确。")
    return number


def _default_to(filing, numbers: list[int]):
    if filing.is_editable and numbers:
        return CURRENT
    return numbers[-1] if numbers else None


def _default_from(to, numbers: list[int]):
    earlier = numbers if to == CURRENT else [n for n in numbers if to is not None and n < to]
    return earlier[-1] if earlier else None


def _default_picks(filing, submissions: list[dict]) -> dict:
    numbers = [row["number"] for row in submissions]
    to = _default_to(filing, numbers)
    return {"picked_from": str(_default_from(to, numbers)), "picked_to": str(to)}


def _between_versions(filing, submissions: list[dict], params) -> tuple[dict, str]:
    numbers = [row["number"] for row in submissions]
    to = _version(params.get("to"), numbers) or _default_to(filing, numbers)
    start = _version(params.get("from"), numbers) or _default_from(to, numbers)
    query = urlencode({"from": start, "to": to}) if start is not None and to is not None else ""
    if start is None or to is None:
        return {"heading": "各次提交之间的改动", "message": _nothing_message(numbers)}, query
    if start == to:
        return {"heading": "各次提交之间的改动", "message": "请选择两个不同的版本进行比较。"}, query
    data = dict(filing.submissions.filter(number__in=[n for n in (start, to) if n != CURRENT])
                .values_list("number", "data"))
    old, new = (filing if ref == CURRENT else data[ref] for ref in (start, to))
    return {
        "heading": _heading(filing, to),
        "diff": diff_filings(old, new, filing.money_unit, filing.variant.description),
        "old_label": _label(start, submissions), "new_label": _label(to, submissions),
        "picked_from": str(start), "picked_to": str(to),
    }, query


def _nothing_message(numbers: list[int]) -> str:
    if not numbers:
        return "这份申报表还没有提交过，暂无可以比较的版本。"
    return "这份申报表只提交过一次，之后也没有再修改的版本，暂无可以比较的两个版本。"


def _heading(filing, to) -> str:
    if to != CURRENT:
        return "各次提交之间的改动"
    return "退回后改了什么" if filing.status == FilingStatus.RETURNED else "提交后改了什么"


def _label(ref, submissions: list[dict]) -> str:
    if ref == CURRENT:
        return "当前填写的内容"
    created = next(row["created_at"] for row in submissions if row["number"] == ref)
    return f"第 {ref} 次提交（{timezone.localtime(created):%Y-%m-%d %H:%M}）"


def _choices(filing, submissions: list[dict]) -> list[Choice]:
    numbers = [row["number"] for row in submissions]
    choices = [Choice(f"第 {a} 次 → 第 {b} 次提交", urlencode({"from": a, "to": b}))
               for a, b in zip(numbers, numbers[1:], strict=False)]
    if filing.is_editable and numbers:
        choices.append(Choice(f"第 {numbers[-1]} 次提交 → 当前内容", urlencode({"from": numbers[-1], "to": CURRENT})))
    if _adjusted_from(filing) is not None:
        choices.append(Choice("与调整前已批复的版本比较", urlencode({"against": APPROVED_REVISION})))
    choices.append(Choice("与上年度已批复申报表比较", urlencode({"against": LAST_YEAR})))
    return choices


# --- an adjustment (调整) against the approved revision it came from ---------------------------------------------

def _adjusted_from(filing):
    source = filing.copied_from
    if filing.revision > 1 and source is not None and source.year == filing.year and source.status == "approved":
        return source
    return None


def _against_approved_revision(filing) -> dict:
    source = _adjusted_from(filing)
    return {
        "heading": "调整了什么", "previous": source, "diff": diff_filings(source, filing, filing.money_unit),
        "old_label": f"第 {source.revision} 版（已批复）", "new_label": f"第 {filing.revision} 版（调整）",
    }


# --- last year -------------------------------------------------------------------------------------------------

def _against_last_year(filing) -> dict:
    previous = last_year_approved(filing)
    if previous is None:
        what = "部门整体支出申报表" if filing.kind == FilingKind.DEPARTMENT else "同一项目的申报表"
        return {"heading": "与上年度比较",
                "message": f"没有找到本单位 {filing.year - 1} 年度已批复的{what}，无法比较。"}
    return {
        "heading": "与上年度比较", "previous": previous, "diff": diff_filings(previous, filing, filing.money_unit),
        "old_label": f"{previous.year} 年度已批复申报表", "new_label": "本表当前内容",
    }

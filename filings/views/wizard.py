from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from indicators.models import Category

from .. import workflow
from ..access import can_edit, can_review, get_filing_for_filer, get_filing_for_user
from ..errors import FilingWriteRefused
from ..exports.printed import printed_context
from ..review import latest_return
from ..services import STALE_MESSAGE, not_editable_message
from ..steps.editor import editor_row, fill_rows
from ..steps.live_check import page_completeness, set_findings
from ..steps.required import mark_step, missing_required, saved_message
from ..steps.shared import indicator_groups, indicator_periods, remap_stale_categories
from ..validation import read_rows, validate_filing
from ..wizard import find_step, save_step, step_state, steps_for
from ..workflow import available_actions


def progress(filing, report):
    return [(step, step_state(filing, step, report)) for step in steps_for(filing)]


def step_comments(filing, step):
    """The remarks of the review that returned the filing which point at this step."""
    returned = latest_return(filing)
    return [c for c in returned.comments.all() if c.step == step.key] if returned else []


def step_findings(filing, step, report):
    """The step's findings; “please fill in” errors wait until the step has been saved once."""
    started = step.key in filing.saved_steps
    return [f for f in report.for_step(step.key) if started or f.code != "E1"]


@login_required
def tasks(request, pk):
    filing = get_filing_for_user(request, pk)
    report = validate_filing(filing)
    return render(request, "filings/tasks.html", {
        "filing": filing, "report": report, "steps": progress(filing, report),
        "editable": can_edit(request.user, filing),
        "resume": find_step(filing, filing.current_step), "returned": latest_return(filing),
        "reviewing": can_review(request.user, filing),
    })


@login_required
def step(request, pk, key):
    # A POST from a filer reaches the checks below even when the filing is no longer editable: it is told why.
    filing = get_filing_for_filer(request, pk) if request.method == "POST" else get_filing_for_user(
        request, pk, write=True)
    current = find_step(filing, key)
    if current is None:
        raise Http404("没有这个填写步骤。")
    refusal = None
    if request.method == "POST":
        bound = current.build(filing, remap_stale_categories(filing, request.POST))
        if current.key == "indicators" and request.POST.get("live_check") == "completeness":
            # The banner refreshed from the rows on the page; nothing is saved.
            return render(request, "filings/partials/completeness.html", {
                "filing": filing, "completeness": page_completeness(filing, bound), "live": True})
        if not can_edit(request.user, filing):
            # Submitted (or approved) while this page was open: say so on the page, keep what was typed.
            refusal = FilingWriteRefused(FilingWriteRefused.NOT_EDITABLE, not_editable_message(filing))
        elif request.POST.get("lock_version") != str(filing.lock_version):
            refusal = FilingWriteRefused(FilingWriteRefused.STALE, STALE_MESSAGE)
        elif bound.is_valid():
            complete = "continue" in request.POST
            try:
                report = save_step(filing, current, bound, complete, user=request.user)
            except FilingWriteRefused as error:
                refusal = error
            else:
                if getattr(bound, "notice", ""):
                    messages.info(request, bound.notice)
                return _after_save(request, filing, current, bound, complete, report)
    else:
        bound = current.build(filing)
    required = mark_step(filing, bound)
    report = validate_filing(filing)
    context = {
        "filing": filing, "step": current, "bound": bound, "report": report, "refusal": refusal,
        "findings": step_findings(filing, current, report), "steps": progress(filing, report),
        "summary": bound.error_summary() if request.method == "POST" else [],
        "step_comments": step_comments(filing, current), "required": required,
    }
    if current.key == "indicators":
        context["completeness"] = set_findings(context["findings"])
        context["other_findings"] = [f for f in context["findings"] if f not in context["completeness"]]
        categories = list(Category.objects.of_scheme(filing.scheme_id))
        formset = bound.formsets["rows"]
        context["groups"] = indicator_groups(formset, categories, indicator_periods(filing))
        fill_rows(context["groups"], bound.columns, required)
        context["empty_row"] = editor_row(formset.empty_form, bound.columns, required)
        context["reading_url"] = reverse("filings:reading")
    status = 200 if request.method != "POST" else 409 if refusal else 422
    return render(request, "filings/step.html", context, status=status)


def _after_save(request, filing, current, bound, complete, report=None):
    # Saved as a draft even with required fields blank: the message names them (the step's E1/E11 findings), from
    # the report the save stored (validated once).
    missing = missing_required(report or validate_filing(filing), current.key, bound)
    if complete:
        target = filing.current_step
        messages.success(request, saved_message(filing, current, missing, f"已保存“{current.title}”。"))
        return redirect("filings:check", pk=filing.pk) if target == "check" else redirect(
            "filings:step", pk=filing.pk, key=target)
    saved = f"已保存“{current.title}”。" if missing else f"已保存“{current.title}”，可以继续填写或稍后再来。"
    messages.success(request, saved_message(filing, current, missing, saved))
    return redirect("filings:step", pk=filing.pk, key=current.key)


@login_required
def check(request, pk):
    filing = read_rows(get_filing_for_user(request, pk))
    report = validate_filing(filing)
    return render(request, "filings/check.html", {
        "filing": filing, "report": report, "steps": progress(filing, report),
        "editable": can_edit(request.user, filing), "actions": available_actions(request.user, filing),
        "returned": latest_return(filing), **printed_context(filing),
    })


@login_required
@require_POST
def submit(request, pk):
    filing = get_filing_for_filer(request, pk)
    try:
        workflow.submit(filing, request.user, expected_status=request.POST.get("expected_status"))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("filings:check", pk=pk)
    messages.success(request, "已提交。提交后不能再修改，如需修改请等待审核退回。")
    return redirect("filings:check", pk=pk)

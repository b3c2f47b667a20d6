"""Nothing changes a filing past its state (issue 12, item 5): every write to a filing's content, tried on a
submitted and on an approved filing, by its filer and by the superuser.

Each write is started the way a user starts it while the filing is a draft (the step page opened and edited, the
workbook uploaded for its preview), then the filing is submitted or approved (its status and edit version move, as a
transition moves them), then the request is sent. The filing's snapshot (`filings.snapshots.snapshot`), its rows
(and their ids), its state, its events and submissions must stay exactly as they were; the answer is a 4xx with a
Chinese page or a redirect with a Chinese message, never a 500:

- a step save (every step of a 部门整体 and of a 项目 filing, and the 表样 switch on the project step) answers 409
  with the page, what was typed kept and the message "这份申报表已是“…”，不能再修改；刚才的修改没有保存。";
- the Excel upload, its confirmation and delete send the filer back to the task list with the reason; the paste
  preview shows the reason in place of the rows;
- copying (复制为新年度, 复制为新项目) and 调整 make a new filing and leave this one as it was.

The control runs the same requests on the draft: each that writes does change it, so the refusals above are not
the requests' own fault.
"""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from filings.exports.excel.official import workbook_bytes
from filings.models import AnnualTask, Filing, FilingEvent, FormVariant, FunctionItem, Indicator, Submission
from filings.services import not_editable_message
from filings.snapshots import snapshot

from .pages import form_data, html, open_step, step_url
from .tables.files import docx_bytes

# 江西's 部门整体 of 总医院; a 阳泉 project (实施期 and 年度 indicators, the narrative step)
SEEDS = {"department": "s0-dept", "project": "s3-proj1"}
FILERS = {"department": "cs_zyy", "project": "yq_sy"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Write:
    """One request that writes to a filing, as a user makes it: `start` runs while the filing is a draft and
    returns the request to send later and the values typed (to find again on a refused step page)."""

    label: str
    kind: str  # department / project
    start: Callable
    late: int  # the answer on a submitted or approved filing
    draft: int  # the answer on a draft (the control)
    writes: bool = True  # on a draft it changes the filing's content (or deletes it)

    def __str__(self):
        return f"{self.kind}-{self.label}"


# --- the writes ---------------------------------------------------------------------------------------------------

def step_save(key: str, field: str, value: str | Callable) -> Callable:
    """Open the step's page, change one field as the user would, and save (保存)."""
    def start(client, filing):
        _response, data = open_step(client, filing, key)
        name = next(name for name in data if re.fullmatch(field, name))
        typed = {name: value(filing) if callable(value) else value}
        return (lambda: client.post(step_url(filing, key), data | typed | {"save": ""})), typed
    return start


def another_variant(filing) -> str:
    return str(FormVariant.objects.filter(kind=filing.kind).exclude(pk=filing.variant_id).first().pk)


def edited_workbook(filing) -> SimpleUploadedFile:
    """The filing's own export with its goal rewritten, as a filer edits the downloaded template."""
    workbook = load_workbook(io.BytesIO(workbook_bytes(filing)))
    name = "pb_overall_goal" if filing.kind == "department" else "pb_annual_goal"
    (title, coordinate), = workbook.defined_names[name].destinations
    workbook[title][coordinate.replace("$", "")].value = "从Excel改过的年度目标"
    stream = io.BytesIO()
    workbook.save(stream)
    return SimpleUploadedFile("申报表.xlsx", stream.getvalue(), content_type="application/octet-stream")


def import_upload(client, filing):
    upload = edited_workbook(filing)
    return (lambda: client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload})), {}


def import_confirm(client, filing):
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": edited_workbook(filing)})
    assert response.status_code == 302, html(response)  # to the preview, whose 确认导入 is sent later
    preview = response["Location"]
    return (lambda: client.post(preview)), {}


def paste_preview(client, filing):
    period = filing.variant.indicator_periods()[0]
    data = {"period": period, f"paste_text_{period}": "数量指标\t门诊人次\t≥100人次"}
    return (lambda: client.post(reverse("filings:paste_preview", args=[filing.pk]), data)), {}


def paste_upload(client, filing):
    period = filing.variant.indicator_periods()[0]
    data = docx_bytes([([["二级指标", "三级指标", "指标值"], ["数量指标", "门诊人次", "≥100人次"]], [])])
    return (lambda: client.post(reverse("filings:paste_upload", args=[filing.pk]), {
        "period": period, f"paste_file_{period}": SimpleUploadedFile("a.docx", data)})), {}


def delete(client, filing):
    return (lambda: client.post(reverse("filings:delete", args=[filing.pk]))), {}


def copy_to_next_year(client, filing):
    data = {"year": str(filing.year + 5), "keep_amounts": "on"}
    return (lambda: client.post(reverse("filings:copy", args=[filing.pk]), data)), {}


def duplicate_project(client, filing):
    return (lambda: client.post(reverse("filings:duplicate", args=[filing.pk]), {"same_year": "on"})), {}


def adjust(client, filing):
    """调整 (copy as the next revision): the action is offered on an approved filing only."""
    def send():
        status = Filing.objects.get(pk=filing.pk).status
        return client.post(reverse("filings:act", args=[filing.pk]),
                           {"action": "adjust", "expected_status": status})
    return send, {}


STEPS = {
    "department": [
        ("unit", r"header-contact_person", "王改之"),
        ("budget", r"budget-prior_carryover", "12.5"),
        ("functions", r"functions-0-name", "改过的职能"),
        ("tasks", r"tasks-0-name", "改过的任务"),
        ("goals", r"goals-overall_goal", "改过的年度总体目标"),
        ("indicators", r"indicators-\d+-name", "改过的指标名称"),
    ],
    "project": [
        ("project", r"details-name", "改过的项目名称"),
        ("funds", r"funds-annual_other", "1000"),
        ("narrative", r"narrative-overview", "改过的项目概况"),
        ("goals", r"goals-annual_goal", "改过的年度目标"),
        ("indicators", r"indicators-\d+-name", "改过的指标名称"),
    ],
}

WRITES = [
    *(Write(f"step-{key}", kind, step_save(key, field, value), late=409, draft=302)
      for kind, steps in STEPS.items() for key, field, value in steps),
    Write("step-project-variant-switch", "project", step_save("project", r"header-variant", another_variant),
          late=409, draft=302),
    *(write for kind in SEEDS for write in [
        Write("import-upload", kind, import_upload, late=302, draft=302, writes=False),  # the preview: nothing written
        Write("import-confirm", kind, import_confirm, late=302, draft=302),
        Write("paste-preview", kind, paste_preview, late=200, draft=200, writes=False),  # it saves nothing
        Write("paste-upload", kind, paste_upload, late=200, draft=200, writes=False),  # nor does a file read
        Write("delete", kind, delete, late=302, draft=302),
        # copies are new filings: the source stays as it was whatever its state
        Write("copy-to-a-new-year", kind, copy_to_next_year, late=302, draft=302, writes=False),
        Write("adjust", kind, adjust, late=302, draft=302, writes=False),
    ]),
    Write("duplicate-project", "project", duplicate_project, late=302, draft=302, writes=False),
]


# --- helpers ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    """One test client for the module (a new one loads the middleware again; WhiteNoise scans the static files)."""
    return Client()


def signed_in(browser, username):
    browser.logout()
    browser.force_login(get_user_model().objects.get(username=username))
    return browser


def move_to(filing, status):
    """What a transition does to the filing's row: a new status and a new edit version."""
    Filing.objects.filter(pk=filing.pk).update(status=status, lock_version=F("lock_version") + 1)


def state_of(pk) -> tuple:
    """The filing's content (snapshot), its rows by id, and everything a write would touch besides."""
    filing = Filing.objects.with_related().filter(pk=pk).first()
    if filing is None:
        return ("deleted",)
    rows = tuple(tuple(model.objects.filter(filing=pk).order_by("pk").values_list("pk", flat=True))
                 for model in (FunctionItem, AnnualTask, Indicator))
    return (snapshot(filing), rows, filing.status, filing.lock_version, filing.variant_id, filing.scheme_id,
            filing.saved_steps, filing.completed_steps, filing.current_step, filing.updated_at,
            FilingEvent.objects.filter(filing_ref=pk).count(), Submission.objects.filter(filing=pk).count())


def what_it_says(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- the tests ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["filer", "admin"])
@pytest.mark.parametrize("status", ["submitted", "approved"])
@pytest.mark.parametrize("write", WRITES, ids=str)
def test_no_write_changes_a_submitted_or_approved_filing(browser, demo, write, status, who):
    filing = demo[SEEDS[write.kind]]
    client = signed_in(browser, FILERS[write.kind] if who == "filer" else "admin")
    send, typed = write.start(client, filing)
    move_to(filing, status)
    before = state_of(filing.pk)
    count = Filing.objects.count()

    response = send()

    assert state_of(filing.pk) == before, f"{write} changed the {status} filing"
    assert response.status_code == write.late, (write, response.status_code, response.get("Location"))
    if response.status_code == 409:  # the step page again: the reason, and what was typed
        page = html(response)
        assert not_editable_message(Filing.objects.get(pk=filing.pk)) in page
        shown = form_data(response)
        assert {name: shown.get(name) for name in typed} == typed
    elif write.label in ("paste-preview", "paste-upload"):  # the preview fragment says why, in place of the rows
        assert "不能再粘贴指标" in html(response)
    else:
        said = what_it_says(response)
        assert said and all(CJK.search(message) for message in said), (write, said)
    made = Filing.objects.count() - count
    assert made == (1 if write.label.startswith(("copy", "duplicate")) or (
        write.label == "adjust" and status == "approved") else 0), write


@pytest.mark.parametrize("write", WRITES, ids=str)
def test_the_same_writes_change_a_draft(browser, demo, write):
    """The control: sent on the draft, each write that writes does change the filing."""
    filing = demo[SEEDS[write.kind]]
    client = signed_in(browser, FILERS[write.kind])
    send, _typed = write.start(client, filing)
    before = state_of(filing.pk)
    response = send()
    assert response.status_code == write.draft, (write, response.status_code, response.get("Location"))
    after = state_of(filing.pk)
    if write.writes:
        assert after != before and (after == ("deleted",) or after[0] != before[0]), f"{write} wrote nothing"
    else:
        assert after == before


def test_adjusting_an_approved_filing_opens_a_new_revision_and_keeps_the_approved_one(browser, demo):
    filing = demo["s0-dept"]
    client = signed_in(browser, "cs_zyy")
    move_to(filing, "approved")
    before = state_of(filing.pk)
    response = adjust(client, filing)[0]()
    revision = Filing.objects.get(copied_from=filing, revision=filing.revision + 1)
    assert response.status_code == 302 and response["Location"] == reverse("filings:tasks", args=[revision.pk])
    assert state_of(filing.pk) == before
    assert snapshot(Filing.objects.with_related().get(pk=revision.pk)) | {"filing": None} == (
        snapshot(Filing.objects.with_related().get(pk=filing.pk)) | {"filing": None})


def test_every_post_url_of_a_filing_is_tried_here_or_writes_no_content():
    """A new POST endpoint on a filing must be added to WRITES, or here with the reason it writes no content."""
    from .test_access_matrix import MATRIX, app_patterns

    tried = {"filings:step", "filings:import_xlsx", "filings:import_xlsx_preview", "filings:paste_preview",
             "filings:paste_upload",
             "filings:delete", "filings:copy", "filings:duplicate", "filings:act"}
    no_content = {
        "filings:submit": "a status move (tests/test_workflow.py, tests/test_concurrent_writes.py)",
        "filings:add_comment": "a reviewer's remark, not the filing's content",
        "filings:delete_comment": "a reviewer's remark, not the filing's content",
    }
    routes = app_patterns()
    posted = {name for (name, method), case in MATRIX.items()
              if method == "POST" and "<int:pk>" in routes.get(name, "") and case.pk == "filing"}
    assert posted == tried | set(no_content), posted ^ (tried | set(no_content))

"""What a reviewer's remark can point at (the 针对 drop-down of the review page) and how a remark names its place.

The targets are the whole filing, each step, each single field a step asks (labelled as the step's page labels it)
and each indicator row. They are read from the layout and the rows, without building the steps' forms; these tests
hold them to what the steps' own forms say, for every seed and regional sample filing (money fields with their
unit, the variant's own fields, the task totals, the project header), and to a few labels read off the seed data.
"""

import pytest
from django.urls import reverse

from filings.demo import SAMPLE_PREFIX, load_samples
from filings.forms.review import CommentForm
from filings.models import Filing, ReviewComment
from filings.review import comment_location, comment_targets
from filings.wizard import steps_for

from .pages import html, login

REVIEWER = "cs_wjw"


def targets_from_step_forms(filing, indicators):
    """The targets as the steps' bound forms give them: every field of every form of every step, in the forms'
    order, labelled with the form field's label — what the drop-down listed when it was built from the forms."""
    expected = [("", "整表")]
    for step in steps_for(filing):
        expected.append((f"step:{step.key}", step.title))
        bound = step.build(filing)
        expected += [(f"field:{step.key}:{name}", f"{step.title} · {field.label}")
                     for form in bound.forms.values() for name, field in form.fields.items()]
    expected += [(f"indicator:{row.pk}", f"指标：{row.name or row.category.name}") for row in indicators]
    return expected


def rows_of(filing):
    return list(filing.indicators.select_related("category").order_by("period", "order", "pk"))


def every_filing():
    load_samples()
    filings = Filing.objects.with_related().filter(source__startswith="seed:") | \
        Filing.objects.with_related().filter(source__startswith=SAMPLE_PREFIX)
    return list(filings.order_by("source"))


@pytest.mark.django_db
def test_the_targets_are_what_every_steps_forms_ask_for_every_seed_and_sample(demo):
    filings = every_filing()
    assert len(filings) == 15
    kinds = {filing.kind for filing in filings}
    assert kinds == {"department", "project"}
    for filing in filings:
        indicators = rows_of(filing)
        expected = targets_from_step_forms(filing, indicators)
        assert comment_targets(filing, indicators) == expected, filing.source
        assert CommentForm(filing=filing, indicators=indicators).fields["target"].choices == expected


@pytest.mark.django_db
def test_a_department_filing_with_rows_in_every_step_names_its_fields_as_the_pages_do(demo):
    filing = demo["s0-dept"]
    assert filing.functions.exists() and filing.tasks.exists() and filing.indicators.exists()
    indicators = rows_of(filing)
    labels = dict(comment_targets(filing, indicators))
    unit = filing.get_money_unit_display()
    assert unit == "万元"
    # A single-field entry of the layout labels its field; a money field carries the filing's money unit.
    assert labels["field:unit:function_basis"] == "单位基本信息 · 部门职能依据（三定方案批文号）"
    assert labels["field:budget:income_total"] == f"预算情况 · 收入合计（{unit}）"
    assert labels["field:unit:money_unit"] == "单位基本信息 · 金额单位"  # the first step also asks the money unit
    # Every step is a target, row tables included (their rows are commented on as rows: no field targets).
    assert [value for value in labels if value.startswith("step:")] == [
        "step:unit", "step:budget", "step:functions", "step:tasks", "step:goals", "step:indicators"]
    assert not any(value.startswith(("field:functions:", "field:tasks:", "field:indicators:")) for value in labels)
    for row in indicators:
        assert labels[f"indicator:{row.pk}"] == f"指标：{row.name or row.category.name}"


@pytest.mark.django_db
def test_task_totals_the_variants_own_fields_and_the_project_header_are_targets(demo):
    load_samples()
    mof88 = demo["s2-dept"]
    labels = dict(comment_targets(mof88, rows_of(mof88)))
    totals = mof88.variant.description.block("tasks").totals
    assert totals
    for name in totals:
        assert labels[f"field:tasks:{name}"].endswith(f"（{mof88.get_money_unit_display()}）")
    project = demo["s3-proj1"]
    labels = dict(comment_targets(project, rows_of(project)))
    assert labels["field:project:variant"] == "项目基本信息 · 表样"
    assert labels["field:project:money_unit"] == "项目基本信息 · 金额单位"
    sample = Filing.objects.with_related().get(source=f"{SAMPLE_PREFIX}r-ningde-dept")
    labels = dict(comment_targets(sample, rows_of(sample)))
    assert labels["field:unit:extra.budget_code"] == "单位基本信息 · 部门预算编码"


@pytest.mark.django_db
def test_a_remark_shows_where_it_points_with_the_same_labels(client, demo):
    filing = demo["s0-dept"]
    row = rows_of(filing)[-1]
    labels = dict(comment_targets(filing, rows_of(filing)))
    on_field = ReviewComment(step="unit", field="function_basis", text="批文号请写全。")
    on_row = ReviewComment(step="indicators", row_kind="indicator", row=row.pk, text="偏低。")
    on_step = ReviewComment(step="budget", text="说明不够具体。")
    whole = ReviewComment(text="请再核对。")
    assert comment_location(on_field, labels) == "单位基本信息 · 部门职能依据（三定方案批文号）"
    assert comment_location(on_row, labels) == f"指标：{row.name or row.category.name}"
    assert comment_location(on_step, labels) == "预算情况"
    assert comment_location(whole, labels) == "整表"
    # A remark on a field the layout no longer has is named by its step.
    assert comment_location(ReviewComment(step="budget", field="gone", text="x"), labels) == "预算情况"


@pytest.mark.django_db
def test_the_review_page_lists_the_targets_and_accepts_a_remark_on_a_field(client, demo):
    filing = demo["s0-dept"]
    filer = filing.unit.memberships.filter(role="filer").first().user
    Filing.objects.filter(pk=filing.pk).update(status="submitted", submitted_by=filer)
    login(client, REVIEWER)
    page = html(client.get(reverse("filings:review", args=[filing.pk])))
    for value, label in comment_targets(filing, rows_of(filing)):
        assert f'<option value="{value}"' in page
        assert f">{label}</option>" in page
    response = client.post(reverse("filings:add_comment", args=[filing.pk]),
                           {"target": "field:budget:income_total", "text": "收入合计请核对。"})
    assert response.status_code == 302
    comment = ReviewComment.objects.get(filing=filing, text="收入合计请核对。")
    assert (comment.step, comment.field) == ("budget", "income_total")
    page = html(client.get(reverse("filings:review", args=[filing.pk])))
    assert f"预算情况 · 收入合计（{filing.get_money_unit_display()}）" in page
    response = client.post(reverse("filings:add_comment", args=[filing.pk]),
                           {"target": "field:budget:no_such_field", "text": "x"})
    assert response.status_code == 400
    assert "选择一个有效的选项" in html(response)

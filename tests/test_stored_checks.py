"""The validation result stored on each filing (filings.checked) equals a fresh validation after every write path,
and the consolidated export reads it instead of validating again.

Write paths covered: the wizard's step save (a filer's page), creating a department or project filing, copying,
deleting a project draft (its sibling's W10 goes), a project's step save (its siblings only when its name
or totals changed), renaming a project to its sibling's name (both get W10), the
Excel import, a workflow transition, the admin's filing page with its inlines, the admin's indicator page, a
variant's required fields changed in the admin, and the daily re-check of A15 (填报日期 no longer in the future).
"""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from filings import checked
from filings.exports.excel import consolidated
from filings.exports.excel.official import workbook_bytes
from filings.models import Filing, FilingStatus, FormVariant, Indicator, ProjectDetails
from filings.services import copy_filing, create_department_filing, create_project_filing, delete_draft
from filings.validation import validate_filing
from filings.workflow import submit

from .pages import admin_form_data, login
from .test_excel_import import imported
from .test_wizard_steps import FILERS, post_step


def admin_user():
    return get_user_model().objects.get(username="admin")


def fresh(filing) -> tuple:
    report = validate_filing(Filing.objects.with_related().get(pk=filing.pk))
    return (len(report.errors), len(report.warnings), checked.codes(report.errors), checked.codes(report.warnings))


def stored(filing) -> tuple:
    row = Filing.objects.get(pk=filing.pk)
    assert row.checked_at is not None, "never checked"
    return (row.error_count, row.warning_count, row.error_codes, row.warning_codes)


def assert_fresh(*filings):
    for filing in filings:
        assert stored(filing) == fresh(filing), filing


@pytest.fixture
def checked_demo(demo):
    """The demo with every filing's result stored, as `manage.py refresh_checks` leaves it after the upgrade."""
    call_command("refresh_checks", stdout=io.StringIO())
    assert not Filing.objects.filter(checked_at__isnull=True).exists()
    return demo


def test_the_command_fills_every_unchecked_filing(demo):
    assert Filing.objects.filter(checked_at__isnull=True).exists()  # the demo is loaded without the services
    out = io.StringIO()
    call_command("refresh_checks", stdout=out)
    assert f"{Filing.objects.count()} 份" in out.getvalue()
    assert_fresh(*Filing.objects.all())
    assert any(stored(f)[0] for f in Filing.objects.all()) and any(stored(f)[1] for f in Filing.objects.all())


def test_a_wizard_step_save_refreshes_the_result(client, checked_demo):
    filing = checked_demo["s0-dept"]
    before = stored(filing)
    login(client, "cs_zyy")
    assert "contact_phone" in filing.variant.required_fields and filing.contact_phone
    response = post_step(client, filing, "unit", {"header-contact_phone": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Filing.objects.get(pk=filing.pk).contact_phone == "", response["Location"]
    assert stored(filing)[0] == before[0] + 1  # the E1 of the emptied 联系电话
    assert_fresh(filing)


def test_created_and_copied_filings_are_checked(checked_demo):
    source = checked_demo["s0-dept"]
    department = create_department_filing(source.unit, 2040, source.variant, admin_user())
    project = create_project_filing(source.unit, 2040, FormVariant.objects.filter(kind="project").first(), "新项目",
                                    admin_user())
    copy = copy_filing(checked_demo["s3-proj1"], 2041, admin_user(), keep_amounts=False)
    assert stored(department)[0] > 0  # an empty draft has errors
    assert_fresh(department, project, copy)


def test_project_writes_refresh_the_sibling_projects_w10_compares(client, checked_demo):
    first, second = checked_demo["s3-proj1"], checked_demo["s3-proj2"]
    twin = copy_filing(first, first.year, admin_user(), keep_amounts=True)
    ProjectDetails.objects.filter(filing=twin).update(name=first.project.name)
    checked.refresh_checks(twin)  # the write's own refresh covers its unit's and year's projects
    assert "W10" in stored(first)[3] and "W10" in stored(twin)[3]
    assert_fresh(first, second, twin)
    delete_draft(twin, user=admin_user())
    assert_fresh(first, second)
    assert "W10" not in stored(first)[3] or "W10" in fresh(first)[3]


def test_a_step_save_checks_the_sibling_projects_again_only_when_what_w10_compares_changed(client, checked_demo):
    first, second = checked_demo["s3-proj1"], checked_demo["s3-proj2"]
    login(client, "yq_sy")
    untouched = Filing.objects.get(pk=second.pk).checked_at
    assert post_step(client, first, "indicators").status_code == 302  # name and totals as they were
    assert Filing.objects.get(pk=second.pk).checked_at == untouched
    assert Filing.objects.get(pk=first.pk).checked_at > untouched
    assert post_step(client, first, "project", {"details-name": second.project.name}).status_code == 302
    assert Filing.objects.get(pk=second.pk).checked_at > untouched
    assert "W10" in stored(first)[3] and "W10" in stored(second)[3]
    assert_fresh(first, second)


def test_the_excel_import_refreshes_the_result(checked_demo):
    source = checked_demo["s0-dept"]
    target = create_department_filing(source.unit, 2045, source.variant, admin_user())
    empty = stored(target)
    imported(workbook_bytes(source), target)
    assert stored(target) != empty
    assert_fresh(target)


def test_a_transition_keeps_the_result_fresh(checked_demo):
    key = next(key for key in FILERS
               if checked_demo[key].is_editable and not validate_filing(checked_demo[key]).has_errors)
    filing = checked_demo[key]
    submit(filing, get_user_model().objects.get(username=FILERS[key]), filing.status)
    assert Filing.objects.get(pk=filing.pk).status == FilingStatus.SUBMITTED
    assert_fresh(filing)


def test_an_admin_save_with_inlines_refreshes_the_result(admin_client, checked_demo):
    filing = next(f for f in checked_demo.values() if f.is_editable and f.kind == "project")
    url = reverse("admin:filings_filing_change", args=[filing.pk])
    data = admin_form_data(admin_client.get(url))
    assert "W9" not in stored(filing)[3]
    data.update({"contact_person": "张三", "unit_head": "张三", "_save": "保存"})  # W9: one person signs twice
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "W9" in stored(filing)[3]
    assert_fresh(filing)


def test_an_admin_indicator_save_refreshes_its_filing(admin_client, checked_demo):
    filing = next(f for f in checked_demo.values() if f.is_editable and f.kind == "department")
    indicator = Indicator.objects.filter(filing=filing).first()
    url = reverse("admin:filings_indicator_change", args=[indicator.pk])
    data = admin_form_data(admin_client.get(url))
    data.update({"name": "", "value_text": "", "_save": "保存"})
    response = admin_client.post(url, data)
    if response.status_code != 302:  # the admin refuses an empty name: then write nonsense the rules flag
        data.update({"name": "某指标", "value_text": "不知道"})
        response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_fresh(filing)


def test_a_variants_new_required_field_reaches_its_filings(admin_client, checked_demo):
    from .test_variant_admin import change_url, form_data

    filing = checked_demo["s0-dept"]
    variant = filing.variant
    assert "handler" not in variant.required_fields
    Filing.objects.filter(pk=filing.pk).update(handler="")
    checked.refresh_checks(filing)
    before = stored(filing)
    response = admin_client.post(change_url(variant), {
        **form_data(variant, required_fields=[*variant.required_fields, "handler"]), "_save": "保存"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert stored(filing)[0] == before[0] + 1 and "E1" in stored(filing)[2]
    assert_fresh(*Filing.objects.filter(variant=variant))


def test_a_filled_date_that_is_no_longer_ahead_is_checked_again(checked_demo):
    filing = checked_demo["s0-dept"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    Filing.objects.filter(pk=filing.pk).update(filled_on=tomorrow)
    checked.refresh_checks(filing)
    assert "A15" in stored(filing)[3]
    assert checked.refresh_dated(today=timezone.localdate()) == 0  # still ahead
    assert checked.refresh_dated(today=tomorrow) == 1
    # Checked yesterday with today's date, which was then still ahead: today's run checks it again.
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Filing.objects.filter(pk=filing.pk).update(filled_on=timezone.localdate(), checked_at=yesterday,
                                               warning_codes=["A15"])
    assert checked.refresh_dated() == 1
    assert_fresh(filing)


def test_the_export_reads_the_stored_result_without_validating(checked_demo, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the export validated a checked filing")

    expected = {filing.pk: stored(filing) for filing in Filing.objects.all()}
    monkeypatch.setattr(consolidated, "validate_filing", refuse)
    target = io.BytesIO()
    counts = consolidated.write_consolidated(Filing.objects.all(), target)
    rows = list(load_workbook(target)["申报表"].iter_rows(values_only=True))
    header = rows[0]
    columns = [header.index(name) for name in ("申报表编号", "错误数", "警告数", "错误代码", "警告代码")]
    assert counts.filings == len(expected) == len(rows) - 1
    for row in rows[1:]:
        pk, errors, warnings, error_codes, warning_codes = (row[i] for i in columns)
        assert (errors, warnings, error_codes or "", warning_codes or "") == (
            expected[pk][0], expected[pk][1], "、".join(expected[pk][2]), "、".join(expected[pk][3]))


def test_the_stored_result_is_what_the_export_showed_when_it_validated(demo):
    before = load_workbook(_export())["申报表"]  # nothing stored yet: validated during the export
    call_command("refresh_checks", stdout=io.StringIO())
    after = load_workbook(_export())["申报表"]
    assert [list(r) for r in before.iter_rows(values_only=True)] == [list(r) for r in after.iter_rows(values_only=True)]


def _export():
    target = io.BytesIO()
    consolidated.write_consolidated(Filing.objects.all(), target)
    target.seek(0)
    return target


def test_the_daily_task_checks_the_filings_never_checked(demo):
    from filings.upkeep import refresh_stored_checks

    assert Filing.objects.filter(checked_at__isnull=True).exists()  # the demo loader stores nothing
    result = refresh_stored_checks.call()
    assert result["unchecked"] > 0 and not Filing.objects.filter(checked_at__isnull=True).exists()
    assert refresh_stored_checks.call() == {"dated": 0, "unchecked": 0}

"""Each filing's validation result, stored on the filing so lists, queues and exports read it without validating.

`refresh_checks` is called by every write that changes what validation reads (the wizard's step save, the services
that create, copy or delete a filing, the Excel import, the admin). It writes the stored columns with
`bulk_update`: no signal, no edit-version bump, no `updated_at` change. A project is refreshed together with the
other projects of its unit and year, because rule W10 compares them.
"""

from itertools import batched

from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from indicators.models import Category

from .models import Filing, FilingKind, ProjectDetails
from .validation import filings_for_validation, share_variants, validate_filing

CHUNK = 200
STORED = ["error_count", "warning_count", "error_codes", "warning_codes", "checked_at"]


def codes(findings) -> list[str]:
    return sorted({finding.code for finding in findings})


def store(filing: Filing, report, moment) -> None:
    """Put a report's counts and codes on the filing (not saved)."""
    filing.error_count, filing.warning_count = len(report.errors), len(report.warnings)
    filing.error_codes, filing.warning_codes = codes(report.errors), codes(report.warnings)
    filing.checked_at = moment


def _siblings(chunk: list[Filing]) -> dict[tuple, list[Filing]]:
    """Every project filing of the chunk's units and years, as W10 reads them."""
    pairs = {(filing.unit_id, filing.year) for filing in chunk if filing.kind == FilingKind.PROJECT}
    groups: dict[tuple, list[Filing]] = {}
    if pairs:
        units, years = {unit for unit, _ in pairs}, {year for _, year in pairs}
        for other in Filing.objects.projects().filter(unit_id__in=units, year__in=years).select_related("project"):
            groups.setdefault((other.unit_id, other.year), []).append(other)
    return groups


def refresh_many(queryset, chunk_size: int = CHUNK, reports: dict | None = None) -> int:
    """Validate the filings of `queryset` in chunks and store the results; returns how many were refreshed.
    `reports`, when given, receives each filing's report by pk."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    categories: dict[int, list[Category]] = {}
    for category in Category.objects.select_related("parent"):
        categories.setdefault(category.scheme_id, []).append(category)
    moment = timezone.now()
    for chunk_ids in batched(ids, chunk_size):
        chunk = list(filings_for_validation(Filing.objects.filter(pk__in=chunk_ids)))
        share_variants(chunk)
        siblings = _siblings(chunk)
        for filing in chunk:
            report = validate_filing(filing, categories.get(filing.scheme_id, []),
                                     siblings.get((filing.unit_id, filing.year), []))
            store(filing, report, moment)
            if reports is not None:
                reports[filing.pk] = report
        Filing.objects.bulk_update(chunk, STORED)
    return len(ids)


def affected_by(filing: Filing):
    """The filings whose validation a write to `filing` can change: itself, and for a project every project of
    its unit and year (also after `filing` was deleted)."""
    if filing.kind == FilingKind.PROJECT:
        return Filing.objects.projects().filter(unit_id=filing.unit_id, year=filing.year)
    return Filing.objects.filter(pk=filing.pk)


def compared_facts(filing: Filing) -> tuple | None:
    """What rule W10 reads of a project when checking the other projects of its unit and year: its name and totals
    (None for a department filing). A write that leaves them as they were cannot change the others' results."""
    if filing.kind != FilingKind.PROJECT:
        return None
    return (ProjectDetails.objects.filter(filing_id=filing.pk)
            .values_list("name", "implementation_total", "annual_total").first())


def refresh_checks(filing: Filing, siblings: bool = True):
    """Store the current validation result of `filing` (and, unless `siblings` is False, of the projects W10 compares
    it with); returns the report of `filing` (None when it no longer exists), so that the write's caller need not
    validate again."""
    reports = {}
    refresh_many(affected_by(filing) if siblings else Filing.objects.filter(pk=filing.pk), reports=reports)
    return reports.get(filing.pk)


def refresh_variant(variant) -> int:
    """After a variant's required fields or layout changed: every filing of the variant (and their siblings)."""
    filings = Filing.objects.filter(variant=variant)
    projects = filings.projects()
    siblings = Filing.objects.projects().filter(unit_id__in=projects.values("unit_id"),
                                                year__in=projects.values("year"))
    return refresh_many(Filing.objects.filter(Q(variant=variant) | Q(pk__in=siblings.values("pk"))))


def refresh_dated(today=None) -> int:
    """Rule A15 compares the 填报日期 with today: re-check the filings whose date was still ahead on the day they
    were last checked and no longer is (run daily)."""
    today = today or timezone.localdate()
    return refresh_many(Filing.objects.filter(filled_on__lte=today, filled_on__gt=TruncDate("checked_at")))


def refresh_unchecked() -> int:
    """Fill the stored result of every filing never checked (existing filings after the upgrade)."""
    return refresh_many(Filing.objects.filter(checked_at__isnull=True))

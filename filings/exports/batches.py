"""Many filings' PDFs in one ZIP file: requested on the 工作台, built in the request when small, otherwise by the
``build_pdf_batches`` command (a worker loop or cron) so the web process is never blocked for minutes."""

import logging
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .. import queues
from ..access import Scope
from ..models import BatchState, FilingKind, FilingStatus, Notification, PdfBatch, Unit
from .pdf import pdf_filename, render_filing_pdf

logger = logging.getLogger(__name__)


def batch_dir() -> Path:
    path = Path(settings.PRIVATE_FILES_DIR) / "pdf-batches"
    path.mkdir(parents=True, exist_ok=True)
    return path


def describe(filters: queues.Filters) -> str:
    parts = [f"{filters.year}年度" if filters.year else "全部年度"]
    if filters.unit is not None:
        parts.append(f"{filters.unit.name}（含下级）")
    if filters.kind:
        parts.append(FilingKind(filters.kind).label)
    if filters.status:
        parts.append(FilingStatus(filters.status).label)
    return " · ".join(parts)


def filters_of(batch: PdfBatch) -> queues.Filters:
    stored = batch.filters
    unit = Unit.objects.filter(pk=stored.get("unit")).first() if stored.get("unit") else None
    return queues.Filters(year=stored.get("year"), unit=unit, kind=stored.get("kind", ""),
                          status=stored.get("status", ""))


def filings_of(batch: PdfBatch):
    """The filings the requester may see now that match the batch's filters, in the order of the unit tree."""
    scope = Scope.of(batch.requested_by)
    filings = filters_of(batch).apply(scope.filings())
    return filings.order_by("unit__path", "year", "kind", "position", "pk")


# A request for the same filings while an earlier one is still being built (a double click) gets that one.
SAME_REQUEST_WINDOW = timezone.timedelta(minutes=10)


def request_batch(user, filters: queues.Filters) -> tuple[PdfBatch, bool]:
    """The batch for these filters and whether it is new; an identical one still queued or running is reused."""
    stored = {"year": filters.year, "unit": filters.unit.pk if filters.unit is not None else None,
              "kind": filters.kind, "status": filters.status}
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one request of a user at a time
        earlier = PdfBatch.objects.filter(
            requested_by=user, filters=stored, state__in=[BatchState.QUEUED, BatchState.RUNNING],
            created_at__gte=timezone.now() - SAME_REQUEST_WINDOW,
        ).first()
        if earlier is not None:
            return earlier, False
        batch = PdfBatch(requested_by=user, description=describe(filters), filters=stored)
        batch.filing_count = filings_of(batch).count()
        batch.save()
    return batch, True


def claim_next() -> PdfBatch | None:
    """The oldest queued batch, marked running (several workers never take the same one)."""
    with transaction.atomic():
        batch = (PdfBatch.objects.select_for_update(skip_locked=True).filter(state=BatchState.QUEUED)
                 .order_by("created_at", "pk").first())
        if batch is None:
            return None
        batch.state, batch.started_at = BatchState.RUNNING, timezone.now()
        batch.save(update_fields=["state", "started_at"])
        return batch


def entry_names(filings) -> list[str]:
    """One file name per filing inside the ZIP: numbered in order, so equal names never collide."""
    width = len(str(len(filings)))
    return [f"{number:0{width}d}-{filing.unit.code}-{pdf_filename(filing)}" for number, filing in
            enumerate(filings, start=1)]


def build(batch: PdfBatch) -> PdfBatch:
    """Render every filing of the batch into its ZIP file; a failure is recorded on the batch, never raised."""
    target = batch_dir() / f"batch-{batch.pk}.zip"
    partial = target.with_suffix(".part")
    try:
        filings = list(filings_of(batch).select_related("unit", "variant", "scheme", "project", "department"))
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, filing in zip(entry_names(filings), filings, strict=True):
                archive.writestr(name, render_filing_pdf(filing))
        partial.replace(target)
    except Exception as error:  # noqa: BLE001 - any failure must end as a visible state, not a stuck batch
        logger.exception("PDF batch %s failed", batch.pk)
        partial.unlink(missing_ok=True)
        batch.state, batch.error = BatchState.FAILED, f"生成失败：{type(error).__name__}"[:300]
        batch.finished_at = timezone.now()
        batch.save(update_fields=["state", "error", "finished_at"])
        Notification.objects.create(user=batch.requested_by, message=f"批量PDF生成失败：{batch.description}")
        return batch
    batch.state, batch.file_name, batch.filing_count = BatchState.DONE, target.name, len(filings)
    batch.finished_at = timezone.now()
    batch.save(update_fields=["state", "file_name", "filing_count", "finished_at"])
    Notification.objects.create(user=batch.requested_by,
                                message=f"批量PDF已生成：{batch.description}，共 {len(filings)} 份")
    return batch


def build_queued() -> int:
    """Build every queued batch; how many were built."""
    built = 0
    while (batch := claim_next()) is not None:
        build(batch)
        built += 1
    return built


def batch_file(batch: PdfBatch) -> Path | None:
    if batch.state != BatchState.DONE or not batch.file_name:
        return None
    path = batch_dir() / batch.file_name
    return path if path.is_file() else None


def download_name(batch: PdfBatch) -> str:
    return f"预算绩效目标PDF_{batch.description.replace(' · ', '_')}_{batch.created_at:%Y%m%d}.zip"

"""批量下载PDF: all filings in the user's scope matching the 工作台 filters, as one ZIP file."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from ..access import Scope
from ..exports import batches
from ..forms.lists import QueueFilter
from ..models import PdfBatch


@login_required
@require_POST
def request_batch(request):
    scope = Scope.of(request.user)
    chooser = QueueFilter(request.POST, scope=scope)
    filters = chooser.filters()
    if chooser.errors:
        messages.error(request, "筛选条件有误，未生成批量PDF。")
        return redirect("filings:queue")
    batch, new = batches.request_batch(request.user, filters)
    if not new:
        messages.info(request, f"“{batch.description}”的批量PDF正在生成（刚才已申请过），生成后可在本页下载。")
        return redirect("filings:batches")
    if batch.filing_count == 0:
        batch.delete()
        messages.warning(request, "符合条件的申报表为 0 份，未生成批量PDF。")
        return redirect(f"{reverse('filings:queue')}?{request.POST.urlencode()}")
    if batch.filing_count <= settings.PDF_BATCH_SYNC_LIMIT:
        batches.build(batch)
        return redirect("filings:batch_download", pk=batch.pk)
    messages.info(request, f"共 {batch.filing_count} 份申报表，已排队生成批量PDF；生成后会通知您，可在本页下载。")
    return redirect("filings:batches")


@login_required
def batch_list(request):
    own = PdfBatch.objects.filter(requested_by=request.user)[:30]
    return render(request, "filings/batches.html", {"batches": own})


@login_required
def download(request, pk):
    batch = get_object_or_404(PdfBatch, pk=pk, requested_by=request.user)
    path = batches.batch_file(batch)
    if path is None:
        if batch.state == "done":
            raise Http404("文件已不存在，请重新生成。")
        messages.info(request, f"批量PDF“{batch.description}”{batch.get_state_display()}，请稍后再下载。")
        return redirect("filings:batches")
    return FileResponse(path.open("rb"), as_attachment=True, filename=batches.download_name(batch),
                        content_type="application/zip")

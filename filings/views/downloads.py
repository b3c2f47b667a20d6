"""下载任务: asking for a file built in the background (批量下载PDF, 导出Excel汇总), watching it, downloading it."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from perfbudget.private_files import private_file_response

from .. import download_jobs, downloads
from ..access import Scope
from ..forms.lists import QueueFilter
from ..models import DownloadJob, DownloadKind, JobState

FILTERS = ("year", "unit", "kind", "status")  # the 工作台's filter, sent back to it when a request is refused


def _filter_errors(chooser: QueueFilter) -> str:
    parts = []
    for name, errors in chooser.errors.items():
        label = f"{chooser.fields[name].label}：" if name in chooser.fields else ""
        parts.append(label + "、".join(errors))
    return "；".join(parts)


def _request(request, kind: str):
    scope = Scope.of(request.user)
    if kind == DownloadKind.CONSOLIDATED and not scope.supervises:
        raise PermissionDenied("只有主管部门审核人、财政部门和管理员可以导出Excel汇总。")
    chooser = QueueFilter(request.POST, scope=scope)
    filters = chooser.filters()
    kept = {name: request.POST[name] for name in FILTERS if request.POST.get(name)}
    back = f"{reverse('filings:queue')}?{urlencode(kept)}"
    if chooser.errors:
        messages.error(request, f"筛选条件有误，未生成文件：{_filter_errors(chooser)}")
        return redirect(back)
    job, new = downloads.request(request.user, kind, filters)
    if job.pk is None:
        messages.warning(request, "符合条件的申报表为 0 份，没有生成文件。")
        return redirect(back)
    if not new:
        messages.info(request, f"“{job.description}”的{job.get_kind_display()}刚才已申请过，正在生成。")
    return redirect("filings:download", pk=job.pk)


@login_required
@require_POST
def request_batch(request):
    return _request(request, DownloadKind.PDF_BATCH)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def request_export(request):
    if request.method != "POST":  # a bookmark of the time the export was built in the request
        messages.info(request, "Excel汇总现在在后台生成：请在工作台筛选后点“导出Excel汇总”，完成后在“下载任务”中下载。")
        return redirect("filings:queue")
    return _request(request, DownloadKind.CONSOLIDATED)


@login_required
@require_safe
def job_list(request):
    jobs = [job.as_seen() for job in DownloadJob.objects.filter(requested_by=request.user)[:50]]
    return render(request, "filings/downloads.html", {"jobs": jobs, "keep_hours": settings.DOWNLOAD_KEEP_HOURS})


@login_required
@require_safe
def job_detail(request, pk):
    job = get_object_or_404(DownloadJob, pk=pk, requested_by=request.user).as_seen()
    template = "filings/partials/download_job.html" if request.htmx else "filings/download.html"
    return render(request, template, {"job": job})


@login_required
@require_safe
def job_file(request, pk):
    job = get_object_or_404(DownloadJob, pk=pk, requested_by=request.user).as_seen()
    if job.state == JobState.EXPIRED:
        messages.warning(request, f"{job.get_kind_display()}“{job.description}”的文件已过保留期限删除，请重新申请。")
        return redirect("filings:download", pk=job.pk)
    if job.state != JobState.DONE or not job.file_name:
        messages.info(request, f"{job.get_kind_display()}“{job.description}”{job.get_state_display()}，还不能下载。")
        return redirect("filings:download", pk=job.pk)
    return private_file_response(download_jobs.private_storage(), job.file_name, download_jobs.download_name(job),
                                 download_jobs.CONTENT_TYPE[job.kind])

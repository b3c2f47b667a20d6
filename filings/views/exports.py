"""导出Excel汇总: the consolidated workbook of the filings a supervisor may see, filtered like the 工作台."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from .. import queues
from ..access import Scope
from ..exports.excel.consolidated import write_consolidated
from ..forms.lists import QueueFilter


def export_filename(filters: queues.Filters) -> str:
    parts = ["预算绩效目标汇总"]
    if filters.year:
        parts.append(f"{filters.year}年度")
    if filters.unit is not None:
        parts.append(filters.unit.code)
    parts.append(timezone.localdate().strftime("%Y%m%d"))
    return "_".join(parts) + ".xlsx"


def _errors(chooser: QueueFilter) -> str:
    parts = []
    for name, errors in chooser.errors.items():
        label = f"{chooser.fields[name].label}：" if name in chooser.fields else ""
        parts.append(label + "、".join(errors))
    return "；".join(parts)


@login_required
@require_safe
def consolidated(request):
    """Supervisors (主管部门审核人, 财政, administrators) only: a filer already has each filing's own download."""
    scope = Scope.of(request.user)
    if not scope.supervises:
        raise PermissionDenied("只有主管部门审核人、财政部门和管理员可以导出Excel汇总。")
    chooser = QueueFilter(request.GET, scope=scope)
    if not chooser.is_valid():
        messages.error(request, f"筛选条件有误，未导出：{_errors(chooser)}")
        return redirect(f"{reverse('filings:queue')}?{request.GET.urlencode()}")
    filters = chooser.filters()
    target = tempfile.NamedTemporaryFile(prefix="perfbudget-export-", suffix=".xlsx")  # deleted when closed
    try:
        write_consolidated(filters.apply(scope.filings()), target)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    # FileResponse closes the file once it is sent, which deletes it.
    return FileResponse(target, as_attachment=True, filename=export_filename(filters),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

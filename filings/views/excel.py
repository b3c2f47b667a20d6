"""Excel download of one filing, and import of a filled template into a draft or into a new filing.

Import is two requests: the upload is read and checked (problems listed with sheet, row and column), its data kept in
the session under a random token; the preview shows what would change and “确认导入” writes it in one transaction.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from ..access import filer_units, get_filing_for_filer, get_filing_for_user
from ..exports.excel.official import excel_filename, workbook_bytes
from ..exports.excel.preview import build_preview
from ..exports.excel.sheets import Problem
from ..exports.excel.template_import import ImportRefused, apply_import, create_from_import, read_upload
from ..forms.upload import XLSX_TYPE, UploadForm
from ..models import FilingKind, FormVariant
from ..money import MoneyUnit
from ..services import department_filing_exists, earlier_result

SESSION_KEY = "excel_imports"
KEEP = 3  # parsed uploads kept per session


@login_required
def download(request, pk):
    """The filing in its official layout as .xlsx, for anyone who may see it."""
    filing = get_filing_for_user(request, pk)
    response = HttpResponse(workbook_bytes(filing), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, excel_filename(filing))
    return response


def bound(request) -> tuple:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def remember(request, payload: dict) -> str:
    token = secrets.token_urlsafe(16)
    stored = dict(request.session.get(SESSION_KEY, {}))
    stored[token] = payload | {"created": timezone.now().isoformat()}
    request.session[SESSION_KEY] = dict(list(stored.items())[-KEEP:])
    return token


def recall(request, token: str) -> dict | None:
    payload = request.session.get(SESSION_KEY, {}).get(token)
    return payload if isinstance(payload, dict) and payload.get("user") == request.user.pk else None


def forget(request, token: str):
    stored = dict(request.session.get(SESSION_KEY, {}))
    stored.pop(token, None)
    request.session[SESSION_KEY] = stored


def summary(data: dict) -> dict:
    variant = FormVariant.objects.filter(code=data["variant"]).first()
    return {"variant": variant.name if variant else data["variant"], "kind": FilingKind(data["kind"]).label,
            "money_unit": MoneyUnit(data["money_unit"]).label, "year": data.get("year")}


@login_required
def upload(request, pk):
    filing = get_filing_for_filer(request, pk)
    if not filing.is_editable:
        messages.error(request, f"这份申报表已是“{filing.get_status_display()}”，不能再导入 Excel。")
        return redirect("filings:tasks", pk=pk)
    form = UploadForm(*bound(request))
    problems = []
    if request.method == "POST" and form.is_valid():
        result = read_upload(form.cleaned_data["file"], filing)
        if result.ok:
            token = remember(request, {"user": request.user.pk, "filing": filing.pk, "unit": None,
                                       "lock_version": filing.lock_version, "data": result.data,
                                       "filename": form.cleaned_data["file"].name[:200]})
            return redirect("filings:import_xlsx_preview", pk=pk, token=token)
        problems = result.problems
    return render(request, "filings/excel_upload.html", {"filing": filing, "form": form, "problems": problems},
                  status=422 if request.method == "POST" else 200)


@login_required
def preview(request, pk, token):
    if request.method == "POST" and (done := earlier_result(request.user, f"import:{token}")):
        messages.success(request, "这个文件已经导入。下面是导入后的核对结果。")
        return redirect("filings:check", pk=done.pk)
    filing = get_filing_for_filer(request, pk)
    if not filing.is_editable:
        messages.error(request, f"这份申报表已是“{filing.get_status_display()}”，不能再导入 Excel。")
        return redirect("filings:tasks", pk=pk)
    payload = recall(request, token)
    if payload is None or payload.get("filing") != filing.pk:
        messages.error(request, "这次导入的内容已失效（可能已导入或已过期），请重新上传文件。")
        return redirect("filings:import_xlsx", pk=pk)
    if request.method == "POST":
        try:
            apply_import(filing, payload["data"], payload["lock_version"], user=request.user,
                         request_key=f"import:{token}")
        except ImportRefused as error:
            forget(request, token)
            messages.error(request, str(error))
            return redirect("filings:import_xlsx", pk=pk)
        forget(request, token)
        messages.success(request, f"已从“{payload['filename']}”导入。下面是导入后的核对结果。")
        return redirect("filings:check", pk=pk)
    try:
        shown = build_preview(filing, payload["data"])
    except ImportRefused as error:
        forget(request, token)
        messages.error(request, str(error))
        return redirect("filings:import_xlsx", pk=pk)
    return render(request, "filings/excel_preview.html", {
        "filing": filing, "payload": payload, "summary": summary(payload["data"]), "preview": shown,
    })


def existing_department(data: dict, unit) -> str:
    """Why no new department filing can be made from the file for ``unit`` (one exists for its year), or ""."""
    if data["kind"] == FilingKind.DEPARTMENT and department_filing_exists(unit, data["year"]):
        return (f"{unit.name}已有 {data['year']} 年度的部门整体支出绩效目标申报表，不能再新建。"
                "请打开那份申报表，在步骤列表页用“导入Excel”导入这个文件。")
    return ""


def own_units(request):
    units = filer_units(request.user)
    if not units.exists():
        raise PermissionDenied("只有填报人可以从 Excel 新建申报表。")
    return units


@login_required
def upload_new(request):
    units = own_units(request)
    form = UploadForm(*bound(request), units=units)
    problems = []
    if request.method == "POST" and form.is_valid():
        result = read_upload(form.cleaned_data["file"], None)
        refusal = existing_department(result.data, form.cleaned_data["unit"]) if result.ok else None
        if refusal:
            result.problems.append(Problem(refusal))
        elif result.ok:
            token = remember(request, {"user": request.user.pk, "filing": None, "unit": form.cleaned_data["unit"].pk,
                                       "lock_version": None, "data": result.data,
                                       "filename": form.cleaned_data["file"].name[:200]})
            return redirect("filings:import_new_preview", token=token)
        problems = result.problems
    return render(request, "filings/excel_upload.html", {"filing": None, "form": form, "problems": problems},
                  status=422 if request.method == "POST" else 200)


@login_required
def preview_new(request, token):
    if request.method == "POST" and (done := earlier_result(request.user, f"import:{token}")):
        messages.success(request, f"已从这个文件新建 {done}。下面是核对结果。")
        return redirect("filings:check", pk=done.pk)
    units = own_units(request)
    payload = recall(request, token)
    unit = units.filter(pk=payload.get("unit")).first() if payload and payload.get("filing") is None else None
    if unit is None:
        messages.error(request, "这次导入的内容已失效（可能已导入或已过期），请重新上传文件。")
        return redirect("filings:import_new")
    if request.method == "POST":
        try:
            filing = create_from_import(unit, payload["data"], request.user, request_key=f"import:{token}")
        except ImportRefused as error:
            forget(request, token)
            messages.error(request, str(error))
            return redirect("filings:import_new")
        forget(request, token)
        messages.success(request, f"已从“{payload['filename']}”新建 {filing}。下面是核对结果。")
        return redirect("filings:check", pk=filing.pk)
    try:
        shown = build_preview(None, payload["data"])
    except ImportRefused as error:
        forget(request, token)
        messages.error(request, str(error))
        return redirect("filings:import_new")
    return render(request, "filings/excel_preview.html", {
        "filing": None, "unit": unit, "payload": payload, "summary": summary(payload["data"]), "preview": shown,
    })

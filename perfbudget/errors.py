"""Error pages that say what went wrong, in Chinese (the other error pages are Django's defaults with our templates)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.template import loader


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def bad_request(request, exception=None):
    """400, or 413 for a request body over the limits; the page tells which limit, so the user can split the work."""
    status = 400
    reason = "提交的内容无法处理，可能过大或格式不对。"
    if isinstance(exception, RequestDataTooBig):
        status = 413
        reason = (f"提交的内容太大：上传文件连同表单一次最多 {megabytes(settings.UPLOAD_MAX_REQUEST_BYTES)}，"
                  f"表单内容最多 {megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}。")
    elif isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        reason = "提交的栏目或文件太多，超过了系统一次能处理的数量。请分几次填写或上传。"
    page = loader.render_to_string("400.html", {"reason": reason, "status": status})
    return HttpResponse(page, status=status)

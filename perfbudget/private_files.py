"""Sending a file of the `private` storage after the view has checked access: by the front server when one is
configured (nginx `X-Accel-Redirect` to an internal location over the same files), else streamed by Django."""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def private_file_response(storage, name: str, download_name: str, content_type: str):
    if not storage.exists(name):
        raise Http404("文件已不存在，请重新申请。")
    if settings.PRIVATE_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PRIVATE_ACCEL_REDIRECT.rstrip("/") + "/" + quote(name)
        response["Content-Disposition"] = content_disposition_header(True, download_name)
        return response
    return FileResponse(storage.open(name, "rb"), as_attachment=True, filename=download_name,
                        content_type=content_type)

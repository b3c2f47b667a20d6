"""A ceiling on multipart request bodies, enforced while they are read.

Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count uploaded files: without this handler a request of any size is
streamed to a temporary file before a view can look at it. This handler comes first in ``FILE_UPLOAD_HANDLERS`` and
refuses (``RequestDataTooBig`` → the Chinese 413 page of ``perfbudget.errors``) a request whose declared length or
whose file data passes ``UPLOAD_MAX_REQUEST_BYTES``.
"""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class BoundedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    @property
    def limit(self) -> int:
        return settings.UPLOAD_MAX_REQUEST_BYTES

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > self.limit:
            raise RequestDataTooBig(f"multipart request of {content_length} bytes over {self.limit}")
        return None  # the next handlers parse the request

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            raise RequestDataTooBig(f"uploaded files over {self.limit} bytes")
        return raw_data

    def file_complete(self, file_size):
        return None  # the in-memory or temporary-file handler after this one makes the file

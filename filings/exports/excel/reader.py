"""Opening an uploaded spreadsheet safely: only real .xlsx files, within size, zip and row limits.

The zip container is inspected before openpyxl sees it (``container``: sizes, declared dimensions, cells, rows,
ranges, counted without building a tree). openpyxl parses the XML with defusedxml (installed; checked here), reads
cached values only (``data_only``: no formula is evaluated) and neither macros nor external links are kept.
"""

import io
import logging

from openpyxl import load_workbook
from openpyxl.xml import DEFUSEDXML

from .container import DAMAGED, MAX_COLUMNS, MAX_ROWS, MAX_SHEETS, UnreadableFile, check_container

__all__ = ["MAX_ROWS", "MAX_UPLOAD_BYTES", "UnreadableFile", "open_workbook"]

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def open_workbook(upload):
    """The workbook of an uploaded file (a Django UploadedFile or any binary file object with a name)."""
    if not DEFUSEDXML:  # pragma: no cover - the dependency is declared; refuse rather than parse unsafely
        raise UnreadableFile("服务器缺少 defusedxml，暂不能导入 Excel 文件，请联系管理员。")
    name = getattr(upload, "name", "") or ""
    data = read_limited(upload)
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile("这是旧版 .xls 文件或加了密码的文件。"
                             "请在 Excel 或 WPS 中去掉密码并“另存为” .xlsx 后再导入。")
    if not name.lower().endswith((".xlsx", ".xltx")) or not data.startswith(b"PK"):
        raise UnreadableFile("只能导入 .xlsx 格式的 Excel 文件（Excel 2007 及以后版本、WPS 表格均可另存为此格式）。")
    check_container(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=False, data_only=True, keep_vba=False,
                                 keep_links=False, rich_text=False)
    except Exception as error:  # openpyxl raises many types for damaged files; none may become a 500
        log.info("unreadable workbook %r: %s", name, error)
        raise UnreadableFile(DAMAGED) from error
    check_sheets(workbook)
    return workbook


def read_limited(upload) -> bytes:
    """The bytes of an upload (Excel here, Word or Excel in filings/uploads), refused when too big or empty."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise UnreadableFile(f"文件太大（{size / 1024 / 1024:.1f} MB），最大 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(f"文件太大，最大 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    if not data:
        raise UnreadableFile("文件是空的。")
    return data


def check_sheets(workbook) -> None:
    if len(workbook.worksheets) > MAX_SHEETS:
        raise UnreadableFile(f"工作表太多（{len(workbook.worksheets)} 个），最多 {MAX_SHEETS} 个。")
    for sheet in workbook.worksheets:
        if sheet.max_row > MAX_ROWS:
            raise UnreadableFile(f"工作表“{sheet.title}”有 {sheet.max_row} 行，超过了 {MAX_ROWS} 行的上限。")
        if sheet.max_column > MAX_COLUMNS:
            raise UnreadableFile(f"工作表“{sheet.title}”有 {sheet.max_column} 列，超过了 {MAX_COLUMNS} 列的上限。")

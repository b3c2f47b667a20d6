"""Opening an uploaded spreadsheet safely: only real .xlsx files, within size, zip and row limits.

The zip container is inspected before openpyxl sees it (entry count, total uncompressed size, compression ratio: a
zip bomb is refused without being inflated). openpyxl parses the XML with defusedxml (installed; checked here), reads
cached values only (``data_only``: no formula is evaluated) and neither macros nor external links are kept.
"""

import io
import logging
import zipfile

from openpyxl import load_workbook
from openpyxl.xml import DEFUSEDXML

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed size of one entry; our own exports stay below 20
MAX_ENTRIES = 300
MAX_SHEETS = 20
MAX_ROWS = 2000
MAX_COLUMNS = 100
WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UnreadableFile(ValueError):
    """The upload is not a spreadsheet we accept; the message says why, in Chinese."""


def open_workbook(upload):
    """The workbook of an uploaded file (a Django UploadedFile or any binary file object with a name)."""
    if not DEFUSEDXML:  # pragma: no cover - the dependency is declared; refuse rather than parse unsafely
        raise UnreadableFile("服务器缺少 defusedxml，暂不能导入 Excel 文件，请联系管理员。")
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise UnreadableFile(f"文件太大（{size / 1024 / 1024:.1f} MB），最大 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UnreadableFile(f"文件太大，最大 {MAX_UPLOAD_BYTES // 1024 // 1024} MB。")
    if not data:
        raise UnreadableFile("文件是空的。")
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
        raise UnreadableFile("文件已损坏或不是有效的 .xlsx 文件，无法读取。") from error
    check_sheets(workbook)
    return workbook


def check_container(data: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise UnreadableFile("文件已损坏或不是有效的 .xlsx 文件，无法读取。") from error
    if len(entries) > MAX_ENTRIES:
        raise UnreadableFile("文件结构异常（包含的部件过多），拒绝导入。")
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > MAX_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
            raise UnreadableFile("文件压缩比异常（疑似“压缩炸弹”），拒绝导入。")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile("文件解压后过大（疑似“压缩炸弹”），拒绝导入。")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnreadableFile("这不是 .xlsx 文件（可能是 Word、压缩包或其他格式）。")
    try:
        types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError) as error:
        raise UnreadableFile("文件已损坏或不是有效的 .xlsx 文件，无法读取。") from error
    text = types.decode("utf-8", "replace")
    if "macroEnabled" in text or "vbaProject" in text or any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UnreadableFile("文件含有宏（.xlsm），请另存为不含宏的 .xlsx 后再导入。")
    if not any(kind in text for kind in WORKBOOK_TYPES):
        raise UnreadableFile("这不是 .xlsx 工作簿文件。")


def check_sheets(workbook) -> None:
    if len(workbook.worksheets) > MAX_SHEETS:
        raise UnreadableFile(f"工作表太多（{len(workbook.worksheets)} 个），最多 {MAX_SHEETS} 个。")
    for sheet in workbook.worksheets:
        if sheet.max_row > MAX_ROWS:
            raise UnreadableFile(f"工作表“{sheet.title}”有 {sheet.max_row} 行，超过了 {MAX_ROWS} 行的上限。")
        if sheet.max_column > MAX_COLUMNS:
            raise UnreadableFile(f"工作表“{sheet.title}”有 {sheet.max_column} 列，超过了 {MAX_COLUMNS} 列的上限。")

"""``read_tables``: every table of an uploaded Word or Excel file, after the file has passed the safety checks."""

from ..exports.excel.container import UnreadableFile
from .docx import document_tables
from .grids import SourceTable
from .safety import WORD, read_upload
from .workbook import workbook_tables

NO_TABLES = {
    "docx": "文档中没有找到有内容的表格。请确认指标表是 Word 表格，而不是图片、文本或嵌入的 Excel 对象"
            "（嵌入的 Excel 表格请在 Excel 中打开后另存为 .xlsx 上传）。",
    "xlsx": "工作簿的各工作表都是空的，没有可读取的表格。",
}


def read_tables(upload) -> list[SourceTable]:
    """The tables of an uploaded .docx or .xlsx, in the file's order, each with a label for the user.

    Raises ``UnreadableFile`` (with a Chinese message saying why and what to do) for anything it will not read:
    nothing of the file is kept."""
    checked = read_upload(upload)
    if checked.kind == WORD:
        tables = document_tables(checked.data)
    else:
        tables = workbook_tables(checked.data, checked.name)
    if not tables:
        raise UnreadableFile(NO_TABLES[checked.kind])
    return tables

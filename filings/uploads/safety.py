"""Refusing a hostile or unsuitable upload before any parser sees it.

The same treatment as the Excel import (``filings.exports.excel.container``) for Word files too, plus what the
Word side needs because python-docx parses with lxml rather than defusedxml:

- the size (``MAX_UPLOAD_BYTES``), an empty file, an old binary or password-protected file (OLE), an extension that
  is not .docx/.xlsx (with what to do instead);
- the zip directory alone: entries, their declared sizes and compression ratio (a zip bomb is refused without being
  inflated), duplicate names, macros;
- every XML part streamed once in chunks: UTF-8 only (a UTF-16 or EBCDIC part could hide a declaration from a byte
  scan), no ``<!DOCTYPE`` or ``<!ENTITY`` at all, no Strict Open XML, bounded real size and element count; in a
  Word document the tables, rows and cells are counted too, so that a huge table is refused before lxml builds it.
"""

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

from defusedxml import ElementTree

from ..exports.excel.container import (
    ARCHIVE_ERRORS,
    CHUNK,
    MAX_CELLS,
    MAX_ELEMENTS,
    MAX_ENTRIES,
    MAX_PART_BYTES,
    MAX_RATIO,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_XML_BYTES,
    UTF16_OR_32,
    UnreadableFile,
)
from ..exports.excel.reader import OLE_MAGIC, read_limited

WORD, EXCEL = "docx", "xlsx"
MAX_TABLES = 50  # tables of one Word document, nested ones included
MAX_TABLE_ROWS = 3 * MAX_ROWS  # rows of all the tables of one Word document together
# Cells of all the tables of one Word document: a long 申报书 has a few thousand; reading one takes ~50 µs here.
MAX_WORD_CELLS = MAX_CELLS // 3

MB = 1024 * 1024
DAMAGED = {WORD: "文件已损坏或不是有效的 .docx 文件，无法读取。",
           EXCEL: "文件已损坏或不是有效的 .xlsx 文件，无法读取。"}
ODD = "文件结构异常（{}），拒绝导入。"
BOMB = "文件解压后过大（疑似“压缩炸弹”），拒绝导入。"
ACCEPTED = "只能上传 Word 文档（.docx）或 Excel 工作簿（.xlsx）。"
MACROS = {WORD: "文件含有宏（.docm）。请在 Word 或 WPS 中“另存为”不含宏的 .docx 后再上传。",
          EXCEL: "文件含有宏（.xlsm）。请在 Excel 或 WPS 中“另存为”不含宏的 .xlsx 后再上传。"}
OLD = {WORD: "这是旧版 .doc 文件或加了密码的文件。请在 Word 或 WPS 中去掉密码并“另存为” .docx 后再上传。",
       EXCEL: "这是旧版 .xls 文件或加了密码的文件。请在 Excel 或 WPS 中去掉密码并“另存为” .xlsx 后再上传。"}
# By extension: the kind of file read (WORD, EXCEL), or what to do with the files officers most often have instead.
OTHER_FILES = {
    ".docx": WORD, ".xlsx": EXCEL,
    ".docm": MACROS[WORD], ".dotm": MACROS[WORD], ".xlsm": MACROS[EXCEL], ".xltm": MACROS[EXCEL],
    ".doc": OLD[WORD], ".xls": OLD[EXCEL],
    ".dotx": "这是 Word 模板（.dotx）。请用它新建文档并“另存为” .docx 后再上传。",
    ".xltx": "这是 Excel 模板（.xltx）。请用它新建工作簿并“另存为” .xlsx 后再上传。",
    ".wps": "这是 WPS 文字文件（.wps）。请在 WPS 中“文件 → 另存为”，文件类型选“Word 文件（*.docx）”后再上传。",
    ".et": "这是 WPS 表格文件（.et）。请在 WPS 中“文件 → 另存为”，文件类型选“Excel 文件（*.xlsx）”后再上传。",
    ".odt": "这是 OpenDocument 文本（.odt）。请“另存为” Word 文档（.docx）后再上传。",
    ".ods": "这是 OpenDocument 表格（.ods）。请“另存为” Excel 工作簿（.xlsx）后再上传。",
    ".pdf": "PDF 中的表格无法可靠地读出。请上传制作 PDF 所用的 Word 或 Excel 文件；"
            "没有原文件时，可在 PDF 阅读器中选中指标表、复制后粘贴到指标表的“粘贴”框中。",
    ".csv": "请用 Excel 或 WPS 打开 .csv 文件并“另存为” .xlsx 后再上传，或直接复制表格粘贴到“粘贴”框中。",
    ".txt": "文本文件请直接复制内容粘贴到指标表的“粘贴”框中。",
    ".rtf": "这是 RTF 文件。请在 Word 或 WPS 中“另存为” .docx 后再上传。",
    ".ofd": "OFD 版式文件中的表格无法读出。请上传原始的 Word 或 Excel 文件。",
}
for picture in (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp"):
    OTHER_FILES[picture] = "图片中的表格无法读出。请上传原始的 Word 或 Excel 文件，或把表格内容录入 Excel 后上传。"

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_TEMPLATE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
DECLARATION_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")
UTF8_NAMES = {b"utf-8", b"utf8"}
EBCDIC_XML = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC: lxml would detect it
FORBIDDEN_DECLARATIONS = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
XML_NAMES = (".xml", ".rels", ".vml")
STRICT = b"http://purl.oclc.org/ooxml/"  # the namespaces of "Strict Open XML", which neither library reads
STRICT_FORMAT = ("这是“严格 Open XML”格式的文件，无法读取。请“另存为”时选择普通的“Word 文档（*.docx）”或"
                 "“Excel 工作簿（*.xlsx）”后再上传。")
WORD_TAG = re.compile(rb"<(?:[^\s<>/:!?]+:)?(tbl|tr|tc)(?=[\s/>])")


@dataclass
class Upload:
    """The bytes of an upload that passed the checks, and which kind of file it is."""
    name: str
    kind: str  # WORD or EXCEL
    data: bytes


def read_upload(upload) -> Upload:
    """The upload's bytes after every check that needs no parser; raises ``UnreadableFile`` with a Chinese message.

    ``upload``: a Django UploadedFile or any binary file object with a ``name``."""
    name = getattr(upload, "name", "") or ""
    kind = kind_by_name(name)
    try:
        upload.seek(0)  # a view may have looked at the file already
    except (AttributeError, OSError, ValueError):
        pass  # a stream that cannot seek is read from where it is
    data = read_limited(upload)
    if data.startswith(OLE_MAGIC):
        raise UnreadableFile(OLD[kind])
    if not data.startswith(b"PK"):
        raise UnreadableFile(DAMAGED[kind])
    check_package(data, kind)
    return Upload(name, kind, data)


def kind_by_name(name: str) -> str:
    extension = posixpath.splitext(name.strip().lower())[1]
    known = OTHER_FILES.get(extension)
    if known in (WORD, EXCEL):
        return known
    if known:
        raise UnreadableFile(known)
    raise UnreadableFile(ACCEPTED + (f"“{extension[:20]}”文件无法读取。" if extension else ""))


def check_package(data: bytes, kind: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        check_directory(archive, kind)
        check_parts(archive, kind)
    except UnreadableFile:
        raise
    except ARCHIVE_ERRORS as error:
        raise UnreadableFile(DAMAGED[kind]) from error


def check_directory(archive: zipfile.ZipFile, kind: str) -> None:
    """What the zip's directory says, before anything is inflated."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise UnreadableFile(ODD.format("包含的部件过多"))
    names = [entry.filename for entry in entries]
    if len(set(names)) != len(names):
        raise UnreadableFile(ODD.format("同名部件重复出现"))
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > MAX_RATIO * max(entry.compress_size, 1) and entry.file_size > MB:
            raise UnreadableFile("文件压缩比异常（疑似“压缩炸弹”），拒绝导入。")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile(BOMB)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UnreadableFile(MACROS[kind])
    if "[Content_Types].xml" not in names:
        raise UnreadableFile(DAMAGED[kind])
    if kind == WORD and "xl/workbook.xml" in names:
        raise UnreadableFile("这个文件其实是 Excel 工作簿。请把文件扩展名改为 .xlsx 后再上传。")
    if kind == EXCEL and "word/document.xml" in names:
        raise UnreadableFile("这个文件其实是 Word 文档。请把文件扩展名改为 .docx 后再上传。")


class Counts:
    """What the scan of all XML parts has counted so far."""

    def __init__(self):
        self.xml_bytes = 0
        self.elements = 0
        self.tags = {b"tbl": 0, b"tr": 0, b"tc": 0}


def check_parts(archive: zipfile.ZipFile, kind: str) -> None:
    counts = Counts()
    types = scan(archive, archive.getinfo("[Content_Types].xml"), counts, force=True)
    xml_extensions, xml_parts = read_content_types(types, kind)
    for entry in archive.infolist():
        if entry.filename == "[Content_Types].xml" or entry.is_dir():
            continue
        name = entry.filename
        declared = (name.lower().endswith(XML_NAMES) or name in xml_parts
                    or posixpath.splitext(name)[1].lower().lstrip(".") in xml_extensions)
        scan(archive, entry, counts, force=declared, word=kind == WORD)


def read_content_types(types: bytes, kind: str) -> tuple[set[str], set[str]]:
    """Extensions and part names the package declares as XML, after refusing macros, templates and a Word file
    without a document."""
    text = types.decode("utf-8", "replace")
    if "macroEnabled" in text or "vbaProject" in text:
        raise UnreadableFile(MACROS[kind])
    root = ElementTree.fromstring(types)
    extensions = {(default.get("Extension") or "").lower() for default in root.iter(f"{CONTENT_TYPES}Default")
                  if is_xml_type(default.get("ContentType"))}
    parts, has_document = set(), False
    for override in root.iter(f"{CONTENT_TYPES}Override"):
        name, content_type = (override.get("PartName") or "").lstrip("/"), override.get("ContentType") or ""
        if is_xml_type(content_type):
            parts.add(name)
        if content_type == WORD_MAIN:
            has_document = True
        elif content_type == WORD_TEMPLATE and kind == WORD:
            raise UnreadableFile(OTHER_FILES[".dotx"])
    if kind == WORD and not has_document:
        raise UnreadableFile(DAMAGED[WORD])
    return extensions, parts


def is_xml_type(content_type: str | None) -> bool:
    return bool(content_type) and (content_type.endswith("+xml") or content_type.endswith("/xml"))


def scan(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, counts: Counts, force: bool = False,
         word: bool = False) -> bytes:
    """Stream one entry: refuse it if it is XML that is not plain UTF-8 or has a DOCTYPE or an entity, or if it is
    too big; count its elements. The entry's bytes for ``[Content_Types].xml``, else b""."""
    with archive.open(entry) as stream:
        head = stream.read(CHUNK)
        if looks_like_other_encoding(head) or (force and b"\x00" in head[:4]):
            raise UnreadableFile(ODD.format("XML 部件不是 UTF-8 编码"))
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if not start.startswith(b"<"):
            if force and head:
                raise UnreadableFile(ODD.format(f"部件 {entry.filename[:60]} 不是 XML"))
            return b""  # a picture or another binary part: no parser reads it as XML
        if entry.file_size > MAX_PART_BYTES:
            raise UnreadableFile(f"文件中的部件 {entry.filename[:60]} 解压后有 {entry.file_size / MB:.1f} MB，"
                                 f"超过了 {MAX_PART_BYTES // MB} MB 的上限，拒绝导入。")
        encoding = DECLARATION_ENCODING.match(start)
        if encoding and encoding[1].strip().lower() not in UTF8_NAMES:
            raise UnreadableFile(ODD.format("XML 部件不是 UTF-8 编码"))
        if STRICT in head:
            raise UnreadableFile(STRICT_FORMAT)
        kept = bytearray()
        pending, chunk, size = b"", head, 0
        while chunk:
            size += len(chunk)
            counts.xml_bytes += len(chunk)
            if size > MAX_PART_BYTES or counts.xml_bytes > MAX_XML_BYTES:
                raise UnreadableFile(f"文件中的内容解压后超过 {MAX_XML_BYTES // MB} MB，拒绝导入。")
            if entry.filename == "[Content_Types].xml":
                kept += chunk
            pending += chunk
            cut = pending.rfind(b"<")
            if cut > 0:  # a tag cut by the chunk's end waits for the next chunk
                feed(pending[:cut], counts, word)
                pending = pending[cut:]
            chunk = stream.read(CHUNK)
        feed(pending, counts, word)
    return bytes(kept)


def looks_like_other_encoding(head: bytes) -> bool:
    """XML that lxml would read in UTF-16, UTF-32 or EBCDIC (pictures such as EMF start with zero bytes too)."""
    return head.startswith(UTF16_OR_32) or head[:4] == EBCDIC_XML or head[:2] in (b"<\x00", b"\x00<") or head[
        :4] == b"\x00\x00\x00<"


def feed(text: bytes, counts: Counts, word: bool) -> None:
    if FORBIDDEN_DECLARATIONS.search(text):
        raise UnreadableFile("文件中含有 XML 文档类型或实体声明（DOCTYPE/ENTITY），正常的 Office 文件不会有，"
                             "为安全起见拒绝导入。请把表格复制到新建的文档或工作簿后再上传。")
    counts.elements += text.count(b"<") - text.count(b"</") - text.count(b"<!") - text.count(b"<?")
    if counts.elements > MAX_ELEMENTS:
        raise UnreadableFile(ODD.format(f"XML 元素超过 {MAX_ELEMENTS:,} 个"))
    if not word:  # every part of a Word file counts: whichever part python-docx takes for the document
        return
    tags = counts.tags
    for match in WORD_TAG.finditer(text):
        tags[match[1]] += 1
    if tags[b"tbl"] > MAX_TABLES:
        raise UnreadableFile(f"文档中的表格太多（超过 {MAX_TABLES} 个），请只保留绩效目标表后再上传。")
    if tags[b"tr"] > MAX_TABLE_ROWS:
        raise UnreadableFile(f"文档中表格的行太多（超过 {MAX_TABLE_ROWS:,} 行），请只保留绩效目标表后再上传。")
    if tags[b"tc"] > MAX_WORD_CELLS:
        raise UnreadableFile(f"文档中表格的单元格太多（超过 {MAX_WORD_CELLS:,} 个），请只保留绩效目标表后再上传。")

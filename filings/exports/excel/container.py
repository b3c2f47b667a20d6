"""The zip container of an uploaded workbook, inspected before openpyxl parses anything.

A 3 MB .xlsx can hold a million cells, one merged range or hyperlink over a whole sheet (openpyxl makes an object for
every cell it covers), or one sheet part listed twenty times: openpyxl would spend seconds and hundreds of MB before
the row limit could be checked on the loaded workbook. So the container is read first, and cheaply:

- from the zip's directory alone: the number of entries, the uncompressed size of every entry and of all of them, the
  compression ratio (a zip bomb is refused without being inflated);
- every XML part is streamed once, in chunks, through a byte scanner that builds no tree: the declared
  ``<dimension ref>`` of a sheet (in its first bytes), then its rows, cells, merged, hyperlinked and commented
  ranges, shared strings, elements, pictures, charts and pivot caches are counted, and reading stops at the first
  limit passed; an XML part larger than ``MAX_PART_BYTES`` is refused before it is inflated;
- the small package parts (content types, relationships, the workbook) are then parsed with defusedxml so that no
  part is read twice by openpyxl (a sheet listed twice, a part that two relationships point at).

The limits keep a hostile workbook to a few MB and a fraction of a second; the largest template the product allows
(2,000 rows) stays far below them. A damaged archive (bad CRC, a truncated deflate stream, an unknown compression
method, encryption) gets the usual message, never a server error.
"""

import io
import lzma
import posixpath
import re
import struct
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field

from defusedxml import ElementTree

MAX_ENTRIES = 300
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024  # everything, pictures included
MAX_RATIO = 200  # uncompressed / compressed size of one entry; our own exports stay below 20
MAX_PART_BYTES = 4 * 1024 * 1024  # one XML part (a sheet, the shared strings, the styles …)
MAX_XML_BYTES = 8 * 1024 * 1024  # all XML parts together
MAX_SHEETS = 20
MAX_ROWS = 2000  # rows of one sheet: the declared dimension, the last row and the <row> elements
MAX_COLUMNS = 60
MAX_CELLS = 30_000  # cells, shared strings, merged or hyperlinked cells of the whole workbook (each kind)
MAX_ELEMENTS = 200_000  # XML elements of the whole workbook
MAX_PICTURES = 20
CHUNK = 64 * 1024

DAMAGED = "文件已损坏或不是有效的 .xlsx 文件，无法读取。"
ODD = "文件结构异常（{}），拒绝导入。"
WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)
# What zipfile and the decompressors raise for a damaged or unsupported archive (ValueError and SyntaxError cover
# defusedxml's refusals and ElementTree's ParseError).
ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, NotImplementedError, EOFError, RuntimeError, OSError,
                  ValueError, KeyError, SyntaxError, struct.error)

# A start tag of interest, with or without a namespace prefix; what follows it up to the next "<" holds its attributes
# ("<" cannot occur inside an attribute value, ">" can).
TAG = re.compile(rb"<(?:[^\s<>/:!?]+:)?(row|c|si|dimension|mergeCell|hyperlink|comment|tablePart|pic|chart"
                 rb"|pivotCache)(?=[\s/>])")
REF = re.compile(rb"""\sref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
RELATION_ID = re.compile(rb"""\s[^\s=<>/]+:id\s*=\s*(?:"([^"]*)"|'([^']*)')""")
CELL_RANGE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Z]{1,3})\$?([0-9]{1,7}))?")
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
OFFICE_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
UTF16_OR_32 = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class UnreadableFile(ValueError):
    """The upload is not a spreadsheet we accept; the message says why, in Chinese."""


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def cell_range(text: str) -> tuple[int, int, int, int]:
    """(first column, first row, last column, last row) of a reference such as ``B2:F50`` or ``A1``."""
    match = CELL_RANGE.fullmatch(text.strip().upper())
    if not match:
        raise UnreadableFile(ODD.format(f"无法识别的单元格范围“{text[:30]}”"))
    first_column, first_row = column_number(match[1]), int(match[2])
    last_column, last_row = (column_number(match[3]), int(match[4])) if match[3] else (first_column, first_row)
    return min(first_column, last_column), min(first_row, last_row), max(first_column, last_column), max(
        first_row, last_row)


def attribute(pattern: re.Pattern, attributes: bytes) -> str | None:
    match = pattern.search(attributes)
    if not match:
        return None
    return (match[1] if match[1] is not None else match[2]).decode("utf-8", "replace")


@dataclass
class Totals:
    """What the scan has counted so far in the whole workbook."""
    xml_bytes: int = 0
    cells: int = 0
    covered: int = 0  # cells inside merged, hyperlinked or commented ranges
    strings: int = 0
    elements: int = 0
    pictures: int = 0
    xml_parts: set = field(default_factory=set)


class PartScanner:
    """Counts one XML part as its bytes stream by, refusing as soon as a limit is passed."""

    def __init__(self, name: str, title: str, totals: Totals):
        self.name, self.title, self.totals = name, title, totals
        self.rows = 0
        self.table_parts: set[str] = set()

    def feed(self, text: bytes) -> None:
        totals = self.totals
        totals.elements += text.count(b"<") - text.count(b"</") - text.count(b"<!") - text.count(b"<?")
        if totals.elements > MAX_ELEMENTS:
            raise UnreadableFile(ODD.format(f"XML 元素超过 {MAX_ELEMENTS:,} 个"))
        for match in TAG.finditer(text):
            tag = match[1]
            if tag == b"c":
                totals.cells += 1
            elif tag == b"row":
                self.rows += 1
                if self.rows > MAX_ROWS:
                    raise UnreadableFile(f"工作表“{self.title}”超过了 {MAX_ROWS} 行的上限。")
            elif tag == b"si":
                totals.strings += 1
            else:
                end = text.find(b"<", match.end())
                self.tag(tag, text[match.end():end if end >= 0 else len(text)])
        if totals.cells > MAX_CELLS or totals.covered > MAX_CELLS:
            raise UnreadableFile(f"文件中的单元格太多（超过 {MAX_CELLS:,} 个），拒绝导入。"
                                 "请只保留申报表的内容后再导入。")
        if totals.strings > MAX_CELLS:
            raise UnreadableFile(ODD.format(f"文字超过 {MAX_CELLS:,} 段"))

    def tag(self, tag: bytes, attributes: bytes) -> None:
        if tag == b"chart":
            raise UnreadableFile("文件含有图表。请删除图表（或把申报表内容复制到新的工作簿）后再导入。")
        if tag == b"pivotCache":
            raise UnreadableFile("文件含有数据透视表。请删除数据透视表（或把申报表内容复制到新的工作簿）后再导入。")
        if tag == b"pic":
            self.totals.pictures += 1
            if self.totals.pictures > MAX_PICTURES:
                raise UnreadableFile(f"文件中的图片太多（超过 {MAX_PICTURES} 张），请删除图片后再导入。")
            return
        if tag == b"tablePart":
            relation = attribute(RELATION_ID, attributes)
            if relation is None or relation in self.table_parts:
                raise UnreadableFile(ODD.format("表格被重复引用"))
            self.table_parts.add(relation)
            return
        ref = attribute(REF, attributes)
        if ref is None:
            if tag == b"dimension":
                raise UnreadableFile(ODD.format(f"工作表“{self.title}”的范围不完整"))
            return  # a hyperlink or comment without a range is ignored by openpyxl too
        first_column, first_row, last_column, last_row = cell_range(ref)
        if last_row > MAX_ROWS:
            what = "声明的范围" if tag == b"dimension" else "中的范围"
            raise UnreadableFile(f"工作表“{self.title}”{what}是 {ref}，有 {last_row} 行，超过了 {MAX_ROWS} 行的上限。")
        if last_column > MAX_COLUMNS:
            what = "声明的范围" if tag == b"dimension" else "中的范围"
            raise UnreadableFile(f"工作表“{self.title}”{what}是 {ref}，有 {last_column} 列，"
                                 f"超过了 {MAX_COLUMNS} 列的上限。")
        if tag != b"dimension":
            self.totals.covered += (last_column - first_column + 1) * (last_row - first_row + 1)


def scan_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, title: str, totals: Totals) -> bool:
    """Stream one entry through the scanner if it is XML; whether it was."""
    with archive.open(entry) as stream:
        head = stream.read(CHUNK)
        start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if head.startswith(UTF16_OR_32) or b"\x00" in head[:4]:
            raise UnreadableFile(ODD.format("XML 部件不是 UTF-8 编码"))
        if not start.startswith(b"<"):
            return False  # a picture or another binary part: openpyxl does not parse it as XML
        if entry.file_size > MAX_PART_BYTES:
            raise UnreadableFile(f"文件中的{describe(entry.filename, title)}解压后有 {megabytes(entry.file_size)}，"
                                 f"超过了 {MAX_PART_BYTES // 1024 // 1024} MB 的上限，拒绝导入。")
        totals.xml_bytes += entry.file_size
        if totals.xml_bytes > MAX_XML_BYTES:
            raise UnreadableFile(f"文件中的表格内容解压后超过 {MAX_XML_BYTES // 1024 // 1024} MB，拒绝导入。")
        totals.xml_parts.add(entry.filename)
        scanner = PartScanner(entry.filename, title, totals)
        pending, chunk = b"", head
        while chunk:
            pending += chunk
            cut = pending.rfind(b"<")
            if cut > 0:  # a tag cut by the chunk's end waits for the next chunk
                scanner.feed(pending[:cut])
                pending = pending[cut:]
            chunk = stream.read(CHUNK)
        scanner.feed(pending)
    return True


def describe(name: str, title: str) -> str:
    return f"工作表“{title}”" if title != name else f"部件 {name} "


def check_container(data: bytes) -> None:
    """Refuse the upload (``UnreadableFile``) unless its zip container is within every limit above."""
    try:
        inspect(zipfile.ZipFile(io.BytesIO(data)))
    except UnreadableFile:
        raise
    except ARCHIVE_ERRORS as error:
        raise UnreadableFile(DAMAGED) from error


def inspect(archive: zipfile.ZipFile) -> None:
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise UnreadableFile("文件结构异常（包含的部件过多），拒绝导入。")
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > MAX_RATIO * max(entry.compress_size, 1) and entry.file_size > 1024 * 1024:
            raise UnreadableFile("文件压缩比异常（疑似“压缩炸弹”），拒绝导入。")
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFile("文件解压后过大（疑似“压缩炸弹”），拒绝导入。")
    by_name = {entry.filename: entry for entry in entries}
    if "[Content_Types].xml" not in by_name or "xl/workbook.xml" not in by_name:
        raise UnreadableFile("这不是 .xlsx 文件（可能是 Word、压缩包或其他格式）。")
    if any(name.lower().endswith("vbaproject.bin") for name in by_name):
        raise UnreadableFile("文件含有宏（.xlsm），请另存为不含宏的 .xlsx 后再导入。")
    totals = Totals()
    scan_part(archive, by_name["[Content_Types].xml"], "[Content_Types].xml", totals)
    workbook_part = read_content_types(archive.read("[Content_Types].xml"))
    if workbook_part not in by_name:
        raise UnreadableFile(DAMAGED)
    # The package parts first (small), so that sheets can be named in messages.
    package = [by_name[workbook_part], *(e for e in entries if e.filename.endswith(".rels"))]
    for entry in package:
        scan_part(archive, entry, entry.filename, totals)
    relations, targets = read_relationships(archive, totals.xml_parts, workbook_part)
    titles = read_sheets(archive.read(workbook_part), relations)
    for entry in entries:
        if entry not in package and entry.filename != "[Content_Types].xml":
            scan_part(archive, entry, titles.get(entry.filename, entry.filename), totals)
    if any(count > 1 and path in totals.xml_parts for path, count in targets.items()):
        raise UnreadableFile(ODD.format("同一部件被重复引用"))


def read_content_types(types: bytes) -> str:
    """The workbook's part name, after refusing macros and files that are no workbook."""
    text = types.decode("utf-8", "replace")
    if "macroEnabled" in text or "vbaProject" in text:
        raise UnreadableFile("文件含有宏（.xlsm），请另存为不含宏的 .xlsx 后再导入。")
    if not any(kind in text for kind in WORKBOOK_TYPES):
        raise UnreadableFile("这不是 .xlsx 工作簿文件。")
    for override in ElementTree.fromstring(types).iter(f"{CONTENT_TYPES}Override"):
        if override.get("ContentType") in WORKBOOK_TYPES:
            return (override.get("PartName") or "").lstrip("/")
    return "xl/workbook.xml"


def read_relationships(archive: zipfile.ZipFile, parts: set[str], workbook_part: str) -> tuple[dict, Counter]:
    """The workbook's relationships (id → part) and how often each part is the target of a relationship."""
    targets: Counter = Counter()
    workbook_relations = {}
    workbook_rels = posixpath.join(posixpath.dirname(workbook_part), "_rels",
                                   posixpath.basename(workbook_part) + ".rels")
    for name in sorted(parts):
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))  # xl/_rels/workbook.xml.rels → xl
        for relation in ElementTree.fromstring(archive.read(name)).iter(RELATIONSHIPS):
            if relation.get("TargetMode") == "External":
                continue
            target = relation.get("Target") or ""
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            targets[path] += 1
            if name == workbook_rels:
                workbook_relations[relation.get("Id")] = path
    return workbook_relations, targets


def read_sheets(workbook: bytes, relations: dict) -> dict[str, str]:
    """Sheet titles by part name, after checking the number of sheets and that none is listed twice."""
    sheets = list(ElementTree.fromstring(workbook).iter(f"{MAIN}sheet"))
    if len(sheets) > MAX_SHEETS:
        raise UnreadableFile(f"工作表太多（{len(sheets)} 个），最多 {MAX_SHEETS} 个。")
    ids = [sheet.get(OFFICE_RELATIONSHIP_ID) for sheet in sheets]
    if len(set(ids)) != len(ids):
        raise UnreadableFile(ODD.format("同一工作表被重复引用"))
    return {relations[id_]: (sheet.get("name") or "")[:31] for sheet, id_ in zip(sheets, ids, strict=True)
            if id_ in relations}

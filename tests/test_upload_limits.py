"""Uploads bounded before parsing (issue 12 part 6): a hostile workbook is refused from its zip directory and a
streamed scan, in a fraction of a second and a few MB; damaged archives get the usual message and a 4xx."""

import io
import random
import struct
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from filings.exports.excel import container
from filings.exports.excel.official import workbook_bytes
from filings.exports.excel.reader import UnreadableFile, open_workbook
from filings.exports.excel.template_import import read_upload
from filings.models import Filing

from .pages import html, login

MAIN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
# Measured on the 2-core development machine: the refusals below take 0.003-0.05 s of CPU and < 1 MB; the limits
# leave room for a machine ten times slower.
CPU_SECONDS = 1.0
PEAK_BYTES = 20 * 1024 * 1024


def filler(size: int) -> bytes:
    """Text that compresses about fourfold (spaces would trip the compression-ratio check first)."""
    return random.Random(size).randbytes(size).translate(bytes(b"abcd"[n % 4] for n in range(256)))


def plain_workbook() -> bytes:
    stream = io.BytesIO()
    Workbook().save(stream)
    return stream.getvalue()


def replaced(data: bytes, parts: dict[str, bytes], stored: tuple[str, ...] = (), last: str | None = None,
             add: dict[str, bytes] | None = None) -> bytes:
    """The archive with some parts replaced or added; ``stored`` parts uncompressed, ``last`` written last."""
    stream = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as target:
        contents = {item.filename: source.read(item.filename) for item in source.infolist()}
        contents.update(parts)
        contents.update(add or {})
        names = sorted(contents, key=lambda name: name == last)
        for name in names:
            target.writestr(name, contents[name], zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED)
    return stream.getvalue()


def with_sheet(xml: bytes, **kwargs) -> bytes:
    return replaced(plain_workbook(), {"xl/worksheets/sheet1.xml": xml}, **kwargs)


def cells_xml(rows: int, columns: int, dimension: str | None) -> bytes:
    letters = [get_column_letter(column).encode() for column in range(1, columns + 1)]
    parts = [MAIN, b'<dimension ref="%s"/>' % dimension.encode() if dimension else b"", b"<sheetData>"]
    for row in range(1, rows + 1):
        parts.append(b'<row r="%d">' % row)
        parts.extend(b'<c r="%s%d"><v>%d</v></c>' % (letter, row, row) for letter in letters)
        parts.append(b"</row>")
    parts.append(b"</sheetData></worksheet>")
    return b"".join(parts)


@pytest.fixture(scope="session")
def million_cells(tmp_path_factory) -> dict[str, bytes]:
    """A 2.7 MB workbook of 1.3 million cells (20,000 rows × 65 columns), written once per session: as declared,
    with a lying dimension and without one."""
    folder = tmp_path_factory.mktemp("million")
    books = {}
    for label, dimension in [("declared", "A1:BM20000"), ("lying", "A1"), ("none", None)]:
        path = folder / f"{label}.xlsx"
        path.write_bytes(with_sheet(cells_xml(20_000, 65, dimension)))
        books[label] = path.read_bytes()
    return books


class Upload(io.BytesIO):
    def __init__(self, data: bytes, name="申报表.xlsx"):
        super().__init__(data)
        self.name = name


def refusal(data: bytes) -> tuple[str, float, int]:
    """The message, the CPU seconds and the peak of memory allocated while the upload is read and refused."""
    upload = Upload(data)
    tracemalloc.start()
    started = time.process_time()
    try:
        open_workbook(upload)
    except UnreadableFile as error:
        message = str(error)
    else:  # pragma: no cover - the assertion below reports it
        message = ""
    cpu = time.process_time() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return message, cpu, peak


@pytest.mark.parametrize("label", ["declared", "lying", "none"])
def test_a_million_cell_workbook_is_refused_in_under_a_second_and_a_few_mb(million_cells, label):
    data = million_cells[label]
    assert 2 * 1024 * 1024 < len(data) < container.MAX_PART_BYTES  # small enough to pass the upload size limit
    message, cpu, peak = refusal(data)
    assert "工作表“Sheet”解压后有 37.0 MB，超过了 4 MB 的上限" in message
    assert cpu < CPU_SECONDS and peak < PEAK_BYTES, (cpu, peak)


def test_the_declared_dimension_is_read_from_the_first_bytes_of_the_sheet():
    xml = cells_xml(3, 3, "A1:BM20000")
    message, cpu, peak = refusal(with_sheet(xml))
    assert message == "工作表“Sheet”声明的范围是 A1:BM20000，有 20000 行，超过了 2000 行的上限。"
    message, _, _ = refusal(with_sheet(cells_xml(3, 3, "A1:CA100")))
    assert message == "工作表“Sheet”声明的范围是 A1:CA100，有 79 列，超过了 60 列的上限。"


def test_rows_are_counted_when_the_dimension_is_missing_or_lies():
    for dimension in [None, "A1:B2"]:
        message, cpu, peak = refusal(with_sheet(cells_xml(2001, 1, dimension)))
        assert message == "工作表“Sheet”超过了 2000 行的上限。"
        assert cpu < CPU_SECONDS and peak < PEAK_BYTES


def test_cells_under_the_part_size_limit_are_counted_while_streaming():
    xml = cells_xml(1500, 60, "A1:B2")  # 90,000 cells in 2.6 MB, dimension lying
    assert len(xml) < container.MAX_PART_BYTES
    message, cpu, peak = refusal(with_sheet(xml))
    assert message.startswith("文件中的单元格太多（超过 30,000 个）")
    assert cpu < CPU_SECONDS and peak < PEAK_BYTES, (cpu, peak)


def test_namespace_prefixes_do_not_hide_rows():
    xml = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
           + b"".join(b'<x:row r="%d"><x:c r="A%d"><x:v>1</x:v></x:c></x:row>' % (n, n) for n in range(1, 2100))
           + b"</x:sheetData></x:worksheet>")
    assert refusal(with_sheet(xml))[0] == "工作表“Sheet”超过了 2000 行的上限。"


@pytest.mark.parametrize("element, message", [
    (b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>', "中的范围是 A1:XFD1048576"),
    (b'<mergeCells>' + b"".join(b'<mergeCell ref="A%d:BH%d"/>' % (n, n) for n in range(1, 600)) + b"</mergeCells>",
     "单元格太多"),
    (b'<hyperlinks><hyperlink display=">" ref="A1:ZZ9999" location="Sheet!A1"/></hyperlinks>', "中的范围是 A1:ZZ9999"),
    (b'<mergeCells><mergeCell ref="A1:&#88;FD9"/></mergeCells>', "无法识别的单元格范围"),
])
def test_ranges_that_openpyxl_would_fill_cell_by_cell_are_refused(element, message):
    xml = MAIN + b'<dimension ref="A1"/><sheetData/>' + element + b"</worksheet>"
    text, cpu, peak = refusal(with_sheet(xml))
    assert message in text and cpu < CPU_SECONDS


def test_a_comment_over_a_whole_sheet_is_refused():
    comments = (b'<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><authors><author>a'
                b'</author></authors><commentList><comment ref="A1:XFD1048576" authorId="0"><text><t>x</t></text>'
                b"</comment></commentList></comments>")
    data = replaced(plain_workbook(), {}, add={"xl/comments1.xml": comments})
    assert "中的范围是 A1:XFD1048576" in refusal(data)[0]


def test_a_sheet_listed_twice_is_refused():
    data = plain_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        book = archive.read("xl/workbook.xml")
    twice = book.replace(b"</sheets>", b'<sheet name="Again" sheetId="2" r:id="rId1"/></sheets>')
    assert b"Again" in twice
    assert refusal(replaced(data, {"xl/workbook.xml": twice}))[0] == "文件结构异常（同一工作表被重复引用），拒绝导入。"


def test_a_part_two_relationships_point_at_is_refused():
    data = plain_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    doubled = rels.replace(b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                           b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                           b"</Relationships>")
    assert refusal(replaced(data, {"xl/_rels/workbook.xml.rels": doubled}))[0] == (
        "文件结构异常（同一部件被重复引用），拒绝导入。")


def test_too_many_sheets_are_refused_before_loading():
    workbook = Workbook()
    for number in range(25):
        workbook.create_sheet(f"表{number}")
    stream = io.BytesIO()
    workbook.save(stream)
    assert refusal(stream.getvalue())[0] == "工作表太多（26 个），最多 20 个。"


@pytest.mark.parametrize("part, xml, message", [
    ("xl/charts/chart1.xml", b'<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart">'
     b"<c:chart/></c:chartSpace>", "文件含有图表"),
    ("xl/pivotCache/pivotCacheDefinition1.xml", b'<workbook><pivotCaches><pivotCache cacheId="1" r:id="rId9"/>'
     b"</pivotCaches></workbook>", "文件含有数据透视表"),
    ("xl/sharedStrings.xml", b"<sst>" + b"<si><t>x</t></si>" * 30_001 + b"</sst>", "文字超过 30,000 段"),
    ("xl/styles2.xml", b"<styleSheet>" + b"<xf/>" * 200_001 + b"</styleSheet>", "XML 元素超过 200,000 个"),
    ("xl/big.xml", b"<a>" + filler(5 * 1024 * 1024) + b"</a>", "部件 xl/big.xml 解压后有 5.0 MB"),
    ("xl/utf16.xml", '<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16"), "不是 UTF-8 编码"),
])
def test_other_parts_are_bounded_too(part, xml, message):
    data = replaced(plain_workbook(), {}, add={part: xml})
    text, cpu, peak = refusal(data)
    assert message in text and cpu < CPU_SECONDS and peak < PEAK_BYTES, (text, cpu, peak)


def test_many_parts_together_are_bounded():
    parts = {f"xl/filler{n}.xml": b"<a>" + filler(3 * 1024 * 1024) + b"</a>" for n in range(3)}
    assert refusal(replaced(plain_workbook(), {}, add=parts))[0] == "文件中的表格内容解压后超过 8 MB，拒绝导入。"


@pytest.mark.parametrize("key", ["s1-dept", "s2-dept", "s3-proj2"])
def test_our_own_exports_pass_the_container_checks(demo, key):
    container.check_container(workbook_bytes(demo[key]))


def test_a_template_of_two_thousand_rows_passes(demo):
    xml = cells_xml(2000, 7, "A1:G2000")
    workbook = open_workbook(Upload(with_sheet(xml)))
    assert workbook.active.max_row == 2000


# --- damaged archives -------------------------------------------------------------------------------------------

def central_entry(data: bytes, name: str) -> int:
    """The offset of ``name``'s record in the zip's central directory."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack("<H", data[at + 28:at + 30])[0]
        if data[at + 46:at + 46 + length] == name.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise LookupError(name)


def patched(data: bytes, name: str, offset: int, fmt: str, value) -> bytes:
    at = central_entry(data, name) + offset
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt):]


def local_data(data: bytes, name: str) -> int:
    """The offset of ``name``'s compressed data."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        header = archive.getinfo(name).header_offset
    name_length, extra_length = struct.unpack("<HH", data[header + 26:header + 30])
    return header + 30 + name_length + extra_length


SHEET = "xl/worksheets/sheet1.xml"


def bad_deflate(export: bytes, part: str = SHEET) -> bytes:
    at = local_data(export, part)
    return export[:at] + b"\xff" + export[at + 1:]  # block type 11: reserved → zlib.error


def unknown_method(export: bytes, part: str = SHEET) -> bytes:
    return patched(export, part, 10, "<H", 99)  # AES → NotImplementedError


def bad_crc(export: bytes, part: str = SHEET) -> bytes:
    data = replaced(export, {}, stored=(part,))
    at = local_data(data, part) + 200
    return data[:at] + (b"X" if data[at:at + 1] != b"X" else b"Y") + data[at + 1:]  # → BadZipFile (Bad CRC-32)


def encrypted(export: bytes, part: str = SHEET) -> bytes:
    return patched(export, part, 8, "<H", 1)  # → RuntimeError: password required


def no_directory(export: bytes, part: str = SHEET) -> bytes:
    return export[:export.find(b"PK\x01\x02")]  # → BadZipFile


DAMAGED = {"zlib-error": (bad_deflate, "zlib"), "unsupported-method": (unknown_method, "NotImplementedError"),
           "bad-crc": (bad_crc, "BadZipFile"),
           "encrypted": (encrypted, "RuntimeError"), "no-directory": (no_directory, "BadZipFile")}


@pytest.mark.parametrize("kind", DAMAGED)
def test_each_damaged_archive_raises_what_it_should_inside_zipfile(demo, kind):
    damage, expected = DAMAGED[kind]
    data = damage(workbook_bytes(demo["s1-dept"]))
    with pytest.raises(Exception) as caught:  # noqa: B017 - the kind of error is what is checked
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(SHEET) as stream:
            while stream.read(65536):
                pass
    assert expected in f"{type(caught.value).__module__}.{type(caught.value).__name__}"


def upload(data: bytes, name="申报表.xlsx"):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stream_ends_early(monkeypatch, part):
    """Python 3.13's zipfile refuses a member running past the central directory as "overlapped" (BadZipFile), so an
    EOFError comes only from a stream that ends while being read: simulated here."""
    read = zipfile.ZipExtFile.read

    def short_read(self, n=-1):
        if self.name == part:
            raise EOFError
        return read(self, n)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", short_read)
    return lambda export, part: export


@pytest.mark.parametrize("part", [SHEET, "[Content_Types].xml"])
@pytest.mark.parametrize("kind", [*DAMAGED, "eof"])
def test_damaged_archives_get_the_usual_message_in_both_upload_views(demo, kind, part, monkeypatch):
    damage = DAMAGED[kind][0] if kind in DAMAGED else stream_ends_early(monkeypatch, part)
    filing, source = demo["s1-dept"], demo["s3-proj1"]
    before = Filing.objects.get(pk=filing.pk).lock_version
    count = Filing.objects.count()
    client = Client(raise_request_exception=False)
    login(client, "cs_ybj")
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]),
                           {"file": upload(damage(workbook_bytes(filing), part))})
    assert response.status_code == 422
    assert "文件已损坏或不是有效的 .xlsx 文件" in html(response)
    login(client, "yq_sy")
    response = client.post(reverse("filings:import_new"), {"unit": source.unit_id,
                                                           "file": upload(damage(workbook_bytes(source), part))})
    assert response.status_code == 422
    assert "文件已损坏或不是有效的 .xlsx 文件" in html(response)
    assert Filing.objects.get(pk=filing.pk).lock_version == before and Filing.objects.count() == count


def test_a_million_cell_workbook_through_the_page(client, demo, million_cells):
    filing = demo["s1-dept"]
    login(client, "cs_ybj")
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]), {"file": upload(million_cells["none"])})
    assert response.status_code == 422
    assert "超过了 4 MB 的上限" in html(response)
    assert not read_upload(upload(million_cells["none"]), filing).ok


# --- request bodies -----------------------------------------------------------------------------------------------

def test_an_upload_over_the_request_limit_gets_a_chinese_413_page_and_nothing_is_spooled(demo, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    filing = demo["s1-dept"]
    client = Client(raise_request_exception=False)
    login(client, "cs_ybj")
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]),
                           {"file": upload(b"PK" + b"\0" * (7 * 1024 * 1024))})
    assert response.status_code == 413
    page = html(response)
    assert "提交的内容太大：上传文件连同表单一次最多 6 MB" in page and "请返回上一页" in page
    assert not list(tmp_path.iterdir())


def test_a_file_just_over_the_import_limit_gets_the_import_page_message(demo):
    filing = demo["s1-dept"]
    client = Client(raise_request_exception=False)
    login(client, "cs_ybj")
    response = client.post(reverse("filings:import_xlsx", args=[filing.pk]),
                           {"file": upload(b"PK" + b"\0" * (5 * 1024 * 1024 + 100))})
    assert response.status_code == 422 and "文件太大" in html(response)


def test_form_fields_over_the_limit_get_a_chinese_413_page(demo):
    filing = demo["s1-dept"]
    client = Client(raise_request_exception=False)
    login(client, "cs_ybj")
    response = client.post(reverse("filings:step", args=[filing.pk, "unit"]),
                           {"contact_person": "张" * (4 * 1024 * 1024)})  # 12 MB percent-encoded
    assert response.status_code == 413
    assert "表单内容最多 10 MB" in html(response)


def test_a_300_row_indicator_table_of_full_length_texts_fits_the_body_limit(settings):
    from urllib.parse import urlencode

    rows = {f"indicators-{n}-{field}": "指" * 300 for n in range(300) for field in ("name", "value_text", "standard",
                                                                                   "note")}
    assert len(urlencode(rows)) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2


def test_openpyxl_parses_with_defusedxml_although_lxml_is_installed():
    """lxml comes with python-docx; openpyxl would then parse workbooks with it (DTDs allowed) instead of
    defusedxml (perfbudget/__init__.py keeps it off)."""
    import lxml  # noqa: F401  the dependency that would switch openpyxl over
    import openpyxl

    assert openpyxl.DEFUSEDXML and not openpyxl.LXML

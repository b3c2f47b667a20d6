"""Reading the tables of an uploaded Word or Excel file (issue 14, item 6): every table as the grid Excel would copy,
merged cells included, and every hostile or unsuitable file refused with a Chinese message before any parser runs."""

import datetime
import io
import random
import re
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import Workbook

from filings.uploads import SourceTable, UnreadableFile, read_tables
from filings.uploads.safety import MAX_TABLES

from .tables.files import docx_bytes, part, replaced, xlsx_bytes, xlsx_sheets_bytes

HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]

# Table shapes modelled on published 绩效目标表: (name, grid as it reads back, merges).
SHAPES = [
    ("merged 一级 and 二级 down the rows", [
        HEADER,
        ["产出指标", "数量指标", "培训人次", "≥500人次"],
        ["", "", "培训覆盖率", "≥95%"],
        ["", "质量指标", "考核合格率", "≥98%"],
        ["效益指标", "社会效益指标", "群众知晓率", "≥90%"],
    ], [(1, 0, 3, 0), (1, 1, 2, 1)]),
    ("a header over two rows", [
        ["绩效指标", "", "", "指标值"],
        ["一级指标", "二级指标", "三级指标", ""],
        ["产出", "时效指标", "完成时间", "2025年10月底前"],
        ["满意度", "服务对象满意度", "受益群众满意度", "≥90%"],
    ], [(0, 0, 0, 2), (0, 3, 1, 3)]),
    ("中期 and 年度 targets side by side", [
        ["一级指标", "二级指标", "三级指标", "中期目标值", "年度目标值"],
        ["产出指标", "数量指标", "新建校舍面积", "12000平方米", "4000平方米"],
        ["", "", "购置设备", "300台（套）", "100台（套）"],
        ["成本指标", "经济成本指标", "项目总成本", "≤1200万元", "≤400万元"],
    ], [(1, 0, 2, 0), (1, 1, 2, 1)]),
    ("operator, value, unit and weight in their own columns", [
        ["一级指标", "二级指标", "三级指标", "计算符号", "目标值", "计量单位", "权重"],
        ["产出指标", "数量指标", "资助学生", "≥", "1200", "人", "20"],
        ["", "", "发放补助", "=", "360", "万元", "20"],
        ["", "质量指标", "资助准确率", "=", "100", "%", "10"],
    ], [(1, 0, 3, 0), (1, 1, 2, 1)]),
    ("a whole project form with the indicators at the bottom", [
        ["项目名称", "农村饮水安全巩固提升工程", "", "", ""],
        ["主管部门", "县水利局", "实施单位", "县农村供水站", ""],
        ["年度目标", "完成12处供水工程改造，\n受益人口2.3万人。", "", "", ""],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
        ["", "产出指标", "数量指标", "改造供水工程", "12处"],
        ["", "", "时效指标", "完工时间", "2025年11月"],
        ["", "效益指标", "社会效益指标", "受益人口", "≥2.3万人"],
    ], [(0, 1, 0, 4), (1, 3, 1, 4), (2, 1, 2, 4), (3, 0, 6, 0), (4, 1, 5, 1)]),
    ("annotated headers and an explanation column", [
        ["一级指标（必填）", "二级指标（必填）", "三级指标", "指标值", "指标解释"],
        ["产出指标", "数量指标（可选）", "★培训人数", "≥200人", "参加培训的\n基层干部人数"],
        ["", "", "培训天数", "5天", ""],
    ], [(1, 0, 2, 0), (1, 1, 2, 1)]),
    ("a funds table without indicators", [
        ["资金来源", "金额（万元）"],
        ["财政拨款", "120"],
        ["其他资金", "30"],
    ], []),
    ("a single row of text", [["备注：本表由项目单位填报。"]], []),
]
INDICATOR_SHAPES = {name for name, grid, _ in SHAPES if grid[0][0] not in ("资金来源", "备注：本表由项目单位填报。")}


def upload(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_tables(upload(data, name))
    return str(caught.value)


@pytest.mark.parametrize(("name", "grid", "merges"), SHAPES, ids=[shape[0] for shape in SHAPES])
def test_every_shape_reads_back_from_excel_as_the_grid_excel_would_copy(name, grid, merges):
    tables = read_tables(upload(xlsx_bytes(grid, merges, sheet_title="项目支出"), "绩效目标表.xlsx"))
    assert tables == [SourceTable("工作表“项目支出”", grid, name in INDICATOR_SHAPES)]


@pytest.mark.parametrize(("name", "grid", "merges"), SHAPES, ids=[shape[0] for shape in SHAPES])
def test_every_shape_reads_back_from_word_as_the_grid_excel_would_copy(name, grid, merges):
    tables = read_tables(upload(docx_bytes([(grid, merges)]), "绩效目标表.docx"))
    assert tables == [SourceTable(f"第1个表格（{len(grid)}行×{len(grid[0])}列）", grid, name in INDICATOR_SHAPES)]


def test_merges_in_word_are_real_spans_and_vertical_merges():
    grid, merges = SHAPES[0][1], SHAPES[0][2]
    xml = part(docx_bytes([(grid, merges)]), "word/document.xml")
    assert b"w:gridSpan" not in xml and xml.count(b"<w:vMerge") == 5  # 一级 over 3 rows, 二级 over 2
    wide = part(docx_bytes([SHAPES[1][1:]]), "word/document.xml")
    assert b'w:gridSpan w:val="3"' in wide


def test_word_tables_come_in_document_order_with_their_size_and_the_indicator_table_is_marked():
    funds, indicators = SHAPES[6], SHAPES[0]
    tables = read_tables(upload(docx_bytes([funds[1:], indicators[1:]]), "申报书.docx"))
    assert [(t.label, t.looks_like_indicators) for t in tables] == [
        ("第1个表格（3行×2列）", False), ("第2个表格（5行×4列）", True)]
    assert tables[1].grid == indicators[1]


def test_a_cell_of_several_paragraphs_and_line_breaks_reads_as_lines():
    document = Document()
    table = document.add_table(rows=1, cols=2)
    cell = table.cell(0, 0)
    cell.paragraphs[0].text = "第一段"
    cell.add_paragraph("第二段")
    run = table.cell(0, 1).paragraphs[0].add_run("上一行")
    run.add_break()
    run.add_text("下一行\t尾")
    run.add_tab()
    run.add_text("注")
    assert only_grid(document) == [["第一段\n第二段", "上一行\n下一行 尾 注"]]


def only_grid(document) -> list[list[str]]:
    out = io.BytesIO()
    document.save(out)
    (table,) = read_tables(upload(out.getvalue(), "a.docx"))
    return table.grid


def test_a_nested_table_is_its_own_entry_after_the_table_holding_it_and_its_text_is_not_read_twice():
    document = Document()
    outer = document.add_table(rows=2, cols=2)
    outer.cell(0, 0).text, outer.cell(0, 1).text = "项目名称", "校舍维修"
    holder = outer.cell(1, 1)
    holder.paragraphs[0].text = "绩效指标见下表"
    inner = holder.add_table(rows=2, cols=4)
    for column, text in enumerate(HEADER):
        inner.cell(0, column).text = text
    for column, text in enumerate(["产出指标", "数量指标", "维修面积", "≥800平方米"]):
        inner.cell(1, column).text = text
    document.add_paragraph("后文")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "附表"
    out = io.BytesIO()
    document.save(out)
    tables = read_tables(upload(out.getvalue(), "申报书.docx"))
    assert [(t.label, t.looks_like_indicators) for t in tables] == [
        ("第1个表格（2行×2列，单元格中另有1个表格）", False),
        ("第1个表格中的第1个嵌套表格（2行×4列）", True),
        ("第2个表格（1行×1列）", False)]
    assert tables[0].grid == [["项目名称", "校舍维修"], ["", "绩效指标见下表"]]
    assert tables[1].grid == [HEADER, ["产出指标", "数量指标", "维修面积", "≥800平方米"]]


def test_tracked_changes_read_as_accepted():
    grid = [HEADER, ["产出指标", "数量指标", "培训人次", "500人次"], ["产出指标", "数量指标", "删掉的行", "1"]]
    data = docx_bytes([(grid, [])])
    xml = part(data, "word/document.xml").decode()
    w = 'w:id="1" w:author="x" w:date="2025-01-01T00:00:00Z"'
    xml = xml.replace("<w:r><w:t>500人次</w:t></w:r>",
                      f"<w:r><w:t>≥</w:t></w:r><w:ins {w}><w:r><w:t>500人次</w:t></w:r></w:ins>"
                      f"<w:del {w}><w:r><w:delText>300人次</w:delText></w:r></w:del>")
    assert "<w:delText>" in xml
    last_row = xml.rindex("<w:tr")
    row_start = xml.index(">", last_row) + 1
    xml = xml[:row_start] + f"<w:trPr><w:del {w}/></w:trPr>" + xml[row_start:]
    (table,) = read_tables(upload(replaced(data, {"word/document.xml": xml.encode()}), "a.docx"))
    assert table.grid == [HEADER, ["产出指标", "数量指标", "培训人次", "≥500人次"]]


def test_an_empty_word_table_is_left_out_but_keeps_its_number():
    tables = read_tables(upload(docx_bytes([([["", ""]], []), (SHAPES[0][1], SHAPES[0][2])]), "a.docx"))
    assert [t.label for t in tables] == ["第2个表格（5行×4列）"]


def test_grid_before_and_after_leave_empty_cells():
    data = docx_bytes([([["甲", "乙", "丙"], ["丁", "戊", "己"]], [])])
    xml = part(data, "word/document.xml").decode()
    second_row = xml.index("<w:tr", xml.index("</w:tr>"))
    head, tail = xml[:second_row], xml[second_row:]
    cells = tail.split("<w:tc>")
    # The second row starts one column in and holds two cells: 戊 and 己.
    tail = cells[0] + "<w:tc>" + "<w:tc>".join(cells[2:])
    tail = tail.replace(">", "><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>", 1)
    (table,) = read_tables(upload(replaced(data, {"word/document.xml": (head + tail).encode()}), "a.docx"))
    assert table.grid == [["甲", "乙", "丙"], ["", "戊", "己"]]


# --- Excel cells as they print --------------------------------------------------------------------------------

def typed_cells(values: list[tuple[object, str | None]]) -> list[str]:
    workbook = Workbook()
    sheet = workbook.active
    for row, (value, number_format) in enumerate(values, start=1):
        cell = sheet.cell(row, 1, value)
        if number_format:
            cell.number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    (table,) = read_tables(upload(out.getvalue(), "a.xlsx"))
    return [row[0] for row in table.grid]


def test_numbers_print_as_excel_shows_them():
    assert typed_cells([(95.0, None), (0.95, "0%"), (0.955, "0.0%"), (0.1 + 0.2, None), (1234.5, "#,##0.00"),
                        (500, '0"人次"'), (12.5, '0.0"万元"'), (95.4, "0"), (3, '"≥"0"个"'), (5, '0.0"%"'),
                        (123456789012, None), (True, None)]) == [
        "95", "95%", "95.5%", "0.3", "1234.50", "500人次", "12.5万元", "95", "≥3个", "5.0%", "123456789012", "TRUE"]


def test_dates_print_in_chinese_when_formatted_so_else_as_iso():
    day = datetime.datetime(2025, 3, 5)
    assert typed_cells([(day, 'yyyy"年"m"月"'), (day, 'yyyy"年"m"月"d"日"'), (day, 'm"月"d"日"'), (day, "yyyy-mm-dd"),
                        (datetime.datetime(2025, 3, 5, 14, 30), "yyyy/m/d h:mm")]) == [
        "2025年3月", "2025年3月5日", "3月5日", "2025-03-05", "2025-03-05 14:30"]


def test_excels_builtin_chinese_date_formats_are_read_as_dates_not_day_numbers():
    workbook = Workbook()
    sheet = workbook.active
    for row, number_format in enumerate(('yyyy"年"m"月"', 'yyyy"年"m"月"d"日"', 'm"月"d"日"'), start=1):
        sheet.cell(row, 1, datetime.datetime(2025, 3, 1)).number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    # What Chinese Excel writes: the built-in ids of these formats, without their format codes.
    styles = part(out.getvalue(), "xl/styles.xml").decode()
    builtin = {'yyyy&quot;年&quot;m&quot;月&quot;': "57", 'yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;': "31",
               'm&quot;月&quot;d&quot;日&quot;': "58"}
    for custom, code in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"\s*/>', styles):
        if code in builtin:
            styles = styles.replace(f'<xf numFmtId="{custom}"', f'<xf numFmtId="{builtin[code]}"')
    styles = re.sub(r"<numFmts.*?</numFmts>", "", styles)
    data = replaced(out.getvalue(), {"xl/styles.xml": styles.encode()})
    assert 'numFmtId="57"' in styles and "formatCode" not in styles
    (table,) = read_tables(upload(data, "a.xlsx"))
    assert table.grid == [["2025年3月"], ["2025年3月1日"], ["3月1日"]]


def test_every_sheet_with_content_in_order_trimmed_hidden_ones_labelled():
    data = xlsx_sheets_bytes([("说明", [["填表说明"]], []), ("空表", [], []),
                              ("项目支出", SHAPES[0][1], SHAPES[0][2]), ("备用", [["", ""], ["", "旧数据"]], [])])
    workbook_file = io.BytesIO(data)
    from openpyxl import load_workbook
    workbook = load_workbook(workbook_file)
    workbook["备用"].sheet_state = "hidden"
    workbook["项目支出"].cell(60, 26).number_format = "0.00"  # formatting far out: no content, trimmed away
    workbook["项目支出"].cell(40, 20, "   ")
    out = io.BytesIO()
    workbook.save(out)
    tables = read_tables(upload(out.getvalue(), "a.xlsx"))
    assert [(t.label, t.size, t.looks_like_indicators) for t in tables] == [
        ("工作表“说明”", (1, 1), False), ("工作表“项目支出”", (5, 4), True), ("工作表“备用”（隐藏）", (2, 2), False)]
    assert tables[2].grid == [["", ""], ["", "旧数据"]]  # leading empty cells stay: positions match the sheet


def test_a_workbook_without_content_says_so():
    assert refusal(xlsx_bytes([]), "a.xlsx") == "工作簿的各工作表都是空的，没有可读取的表格。"


def test_a_document_without_tables_says_what_to_check():
    document = Document()
    document.add_paragraph("只有文字")
    out = io.BytesIO()
    document.save(out)
    assert "没有找到有内容的表格" in refusal(out.getvalue(), "a.docx")


# --- hostile and unsuitable files -----------------------------------------------------------------------------

WORD_FILE = docx_bytes([(SHAPES[0][1], SHAPES[0][2])])
EXCEL_FILE = xlsx_bytes(SHAPES[0][1], SHAPES[0][2])
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(("name", "data", "message"), [
    ("a.docx", b"x" * (5 * 1024 * 1024 + 1), "文件太大"),
    ("a.xlsx", b"", "文件是空的。"),
    ("a.docx", b"plain text, not a zip", "文件已损坏或不是有效的 .docx 文件"),
    ("a.xlsx", b"plain text, not a zip", "文件已损坏或不是有效的 .xlsx 文件"),
    ("a.docx", WORD_FILE[: len(WORD_FILE) // 2], "文件已损坏或不是有效的 .docx 文件"),
    ("a.xlsx", EXCEL_FILE[: len(EXCEL_FILE) // 2], "文件已损坏或不是有效的 .xlsx 文件"),
    ("旧.doc", OLE, "旧版 .doc 文件"),
    ("旧.xls", OLE, "旧版 .xls 文件"),
    ("加密.docx", OLE, "加了密码"),
    ("a.docm", WORD_FILE, "含有宏（.docm）"),
    ("a.xlsm", EXCEL_FILE, "含有宏（.xlsm）"),
    ("a.dotx", WORD_FILE, "Word 模板"),
    ("a.wps", WORD_FILE, "另存为"),
    ("a.et", EXCEL_FILE, "Excel 文件（*.xlsx）"),
    ("a.pdf", b"%PDF-1.7", "PDF 中的表格无法可靠地读出"),
    ("a.png", b"\x89PNG", "图片中的表格无法读出"),
    ("a.csv", b"a,b", "另存为” .xlsx"),
    ("a.zip", WORD_FILE, "只能上传 Word 文档（.docx）或 Excel 工作簿（.xlsx）。“.zip”文件无法读取。"),
    ("无扩展名", WORD_FILE, "只能上传 Word 文档（.docx）或 Excel 工作簿（.xlsx）。"),
    ("a.docx", EXCEL_FILE, "其实是 Excel 工作簿"),
    ("a.xlsx", WORD_FILE, "其实是 Word 文档"),
], ids=lambda value: value if isinstance(value, str) and len(value) < 12 else None)
def test_unsuitable_files_get_a_clear_message(name, data, message):
    assert message in refusal(data, name)


def test_the_declared_size_is_refused_before_reading():
    big = SimpleUploadedFile("a.docx", WORD_FILE)
    big.size = 6 * 1024 * 1024
    assert "文件太大（6.0 MB）" in refusal_of(big)


def refusal_of(upload_file) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_tables(upload_file)
    return str(caught.value)


def macro_in_content_types(data: bytes) -> bytes:
    types = part(data, "[Content_Types].xml").replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    return replaced(data, {"[Content_Types].xml": types})


@pytest.mark.parametrize(("data", "name", "message"), [
    (replaced(WORD_FILE, {}, {"word/vbaProject.bin": b"\x00" * 100}), "a.docx", "含有宏（.docm）"),
    (replaced(EXCEL_FILE, {}, {"xl/vbaProject.bin": b"\x00" * 100}), "a.xlsx", "含有宏（.xlsm）"),
    (macro_in_content_types(WORD_FILE), "a.docx", "含有宏（.docm）"),
    (replaced(WORD_FILE, {"[Content_Types].xml": part(WORD_FILE, "[Content_Types].xml").replace(
        b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml")}), "a.docx", "Word 模板"),
], ids=["vbaProject in a docx", "vbaProject in an xlsx", "macro type in a docx", "a template named .docx"])
def test_macros_and_templates_inside_the_package_are_refused(data, name, message):
    assert message in refusal(data, name)


def with_doctype(data: bytes, name: str, declaration: bytes) -> bytes:
    xml = part(data, name)
    end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    return replaced(data, {name: xml[:end] + declaration + xml[end:]})


LAUGHS = b'<!DOCTYPE w [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
EXTERNAL = b'<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(("data", "name"), [
    (with_doctype(WORD_FILE, "word/document.xml", LAUGHS), "a.docx"),
    (with_doctype(WORD_FILE, "word/styles.xml", EXTERNAL), "a.docx"),
    (with_doctype(WORD_FILE, "[Content_Types].xml", b"<!DOCTYPE Types>"), "a.docx"),
    (with_doctype(WORD_FILE, "word/_rels/document.xml.rels", b"<!doctype x>"), "a.docx"),
    (with_doctype(EXCEL_FILE, "xl/worksheets/sheet1.xml", LAUGHS), "a.xlsx"),
    (with_doctype(EXCEL_FILE, "xl/styles.xml", EXTERNAL), "a.xlsx"),
], ids=["entities in the document", "external entity in styles", "doctype in content types", "doctype in rels",
        "entities in a sheet", "external entity in styles of a workbook"])
def test_xml_with_a_doctype_or_entities_is_refused_before_parsing(data, name, monkeypatch):
    monkeypatch.setattr("filings.uploads.docx.Document", fail_if_called)
    monkeypatch.setattr("filings.uploads.workbook.open_workbook", fail_if_called)
    assert "DOCTYPE/ENTITY" in refusal(data, name)


def fail_if_called(*args, **kwargs):
    raise AssertionError("a parser saw the file")


@pytest.mark.parametrize(("content", "message"), [
    ("<?xml version='1.0' encoding='UTF-16'?><w:document/>".encode("utf-16"), "不是 UTF-8"),
    ("<?xml version='1.0' encoding='UTF-16LE'?><w:document/>".encode("utf-16-le"), "不是 UTF-8"),
    (b"<?xml version='1.0' encoding='ISO-8859-1'?><w:document/>", "不是 UTF-8"),
    (b"<?xml version='1.0' encoding='UTF-7'?><w:document/>", "不是 UTF-8"),
    (b"\x4c\x6f\xa7\x94\x93\x40", "不是 UTF-8"),
    (b"\x01\x02binary", "不是 XML"),
], ids=["utf-16", "utf-16 without bom", "latin-1", "utf-7", "ebcdic", "binary"])
def test_xml_parts_must_be_plain_utf8(content, message, monkeypatch):
    monkeypatch.setattr("filings.uploads.docx.Document", fail_if_called)
    assert message in refusal(replaced(WORD_FILE, {"word/document.xml": content}), "a.docx")


def test_pictures_that_start_with_zero_bytes_are_not_taken_for_xml():
    emf = b"\x01\x00\x00\x00" + bytes(range(256)) * 4
    data = replaced(WORD_FILE, {}, {"word/media/image1.emf": emf, "word/media/image2.png": b"\x89PNG\r\n\x1a\n"})
    assert read_tables(upload(data, "a.docx"))[0].looks_like_indicators


def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def central_entry(data: bytes, name: bytes) -> int:
    """The offset of ``name``'s header in the zip's central directory (after the local headers, 46 bytes long)."""
    at = data.rindex(name) - 46
    assert data[at:at + 4] == b"PK\x01\x02"
    return at


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with ``name``'s uncompressed size in the central directory replaced (the local header unchanged)."""
    at = central_entry(data, name.encode())
    return data[:at + 24] + size.to_bytes(4, "little") + data[at + 28:]


def test_a_zip_bomb_is_refused_from_the_directory_alone(monkeypatch):
    dense = replaced(WORD_FILE, {}, {"word/media/image9.png": b"\x00" * (3 * 1024 * 1024)})
    many = zip_of({f"word/media/p{i}.bin": random.Random(i).randbytes(200) for i in range(45)})
    for i in range(45):  # 45 parts declaring 1 MB each: no single ratio is suspicious, the total is
        many = with_declared_size(many, f"word/media/p{i}.bin", 1024 * 1024)
    monkeypatch.setattr(zipfile.ZipFile, "open", fail_if_called)
    assert "压缩比异常" in refusal(dense, "a.docx")
    assert "解压后过大" in refusal(many, "a.docx")


def test_a_part_larger_than_it_declares_is_refused_as_damaged():
    xml = part(WORD_FILE, "word/document.xml")
    lying = with_declared_size(WORD_FILE, "word/document.xml", len(xml) // 2)
    assert "文件已损坏" in refusal(lying, "a.docx")


def test_too_many_entries_and_duplicate_names_are_refused():
    many = replaced(WORD_FILE, {}, {f"customXml/item{i}.txt": b"x" for i in range(301)})
    assert "包含的部件过多" in refusal(many, "a.docx")
    out = io.BytesIO(WORD_FILE)
    with pytest.warns(UserWarning), zipfile.ZipFile(out, "a") as archive:
        archive.writestr("word/document.xml", part(WORD_FILE, "word/document.xml"))
    assert "同名部件重复出现" in refusal(out.getvalue(), "a.docx")


def body_with(tables_xml: str) -> bytes:
    xml = part(WORD_FILE, "word/document.xml").decode()
    start = xml.index("<w:body>") + len("<w:body>")
    return replaced(WORD_FILE, {"word/document.xml": (xml[:start] + tables_xml + xml[start:]).encode()})


def table_xml(rows: int, cells: int = 1, span: int = 1) -> str:
    """A table of ``rows`` rows of ``cells`` cells, each spanning ``span`` columns, holding random numbers (so that
    the part does not compress like a zip bomb)."""
    numbers = random.Random(rows * cells)
    return "<w:tbl>" + "".join(
        "<w:tr>" + "".join(f'<w:tc><w:tcPr><w:gridSpan w:val="{span}"/></w:tcPr><w:p><w:r><w:t>'
                           f'{numbers.randrange(10 ** 9)}</w:t></w:r></w:p></w:tc>' for _ in range(cells)) + "</w:tr>"
        for _ in range(rows)) + "</w:tbl><w:p/>"


@pytest.mark.parametrize(("tables_xml", "message"), [
    (table_xml(1) * (MAX_TABLES + 1), f"表格太多（超过 {MAX_TABLES} 个）"),
    (table_xml(6001), "表格的行太多"),
    (table_xml(2, cells=5001), "单元格太多（超过 10,000 个）"),
    (table_xml(2001), "超过了 2000 行的上限"),
    (table_xml(1, span=61), "61 列，超过了 60 列的上限"),
    (table_xml(1, span=10 ** 9), "超过了 60 列的上限"),
    (table_xml(1).replace("<w:tr>", '<w:tr><w:trPr><w:gridBefore w:val="1000000000"/></w:trPr>'), "超过了 60 列的上限"),
    (table_xml(1).replace("<w:tr>", '<w:tr><w:trPr><w:gridAfter w:val="60"/></w:trPr>'), "61 列，超过了 60 列的上限"),
    (table_xml(1900, span=60) * 2, "单元格太多（超过 200,000 个）"),
], ids=["tables", "rows of the document", "cells", "rows of a table", "columns", "a huge span", "a huge gridBefore",
                        "gridAfter", "grid cells"])
def test_too_many_tables_rows_or_cells_are_refused(tables_xml, message):
    assert message in refusal(body_with(tables_xml), "a.docx")


def test_damaged_files_never_raise_anything_but_a_clear_message():
    randomness = random.Random(14)
    for data, name in [(WORD_FILE, "a.docx"), (EXCEL_FILE, "a.xlsx")]:
        for _ in range(60):
            damaged = bytearray(data)
            for _ in range(randomness.randint(1, 8)):
                damaged[randomness.randrange(len(damaged))] = randomness.randrange(256)
            try:
                tables = read_tables(upload(bytes(damaged), name))
            except UnreadableFile as error:
                assert str(error)
            else:
                assert all(isinstance(table, SourceTable) for table in tables)


def test_the_prompt_of_an_empty_content_control_is_not_read_but_typed_content_is():
    data = docx_bytes([([HEADER, ["产出指标", "数量指标", "培训人次", "500人次"]], [])])
    xml = part(data, "word/document.xml").decode()

    def control(text: str, placeholder: bool) -> str:
        shown = "<w:showingPlcHdr/>" if placeholder else ""
        return (f"<w:sdt><w:sdtPr>{shown}</w:sdtPr><w:sdtContent><w:r><w:t>{text}</w:t></w:r>"
                "</w:sdtContent></w:sdt>")

    xml = xml.replace("<w:r><w:t>500人次</w:t></w:r>", control("单击或点击此处输入文字。", True))
    xml = xml.replace("<w:r><w:t>培训人次</w:t></w:r>", control("培训人次", False))
    (table,) = read_tables(upload(replaced(data, {"word/document.xml": xml.encode()}), "a.docx"))
    assert table.grid == [HEADER, ["产出指标", "数量指标", "培训人次", ""]]


def test_strict_open_xml_is_refused_with_what_to_do():
    xml = part(WORD_FILE, "word/document.xml").replace(
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        b"http://purl.oclc.org/ooxml/wordprocessingml/main")
    assert "严格 Open XML" in refusal(replaced(WORD_FILE, {"word/document.xml": xml}), "a.docx")


def test_a_table_in_a_part_other_than_the_declared_document_is_counted_too():
    # The package's relationships, not its content types, tell python-docx which part is the document.
    xml = part(body_with(table_xml(2, cells=5001)), "word/document.xml")
    rels = part(WORD_FILE, "_rels/.rels").replace(b"word/document.xml", b"word/other.xml")
    data = replaced(WORD_FILE, {"_rels/.rels": rels}, {"word/other.xml": xml})
    assert "单元格太多（超过 10,000 个）" in refusal(data, "a.docx")


def test_numbers_no_format_can_print_are_read_without_a_server_error():
    assert typed_cells([(1e300, "0.00"), (1e20, "0%")]) == ["1" + "0" * 300, "1" + "0" * 22 + "%"]
    data = xlsx_bytes([[1, 2]])
    sheet = part(data, "xl/worksheets/sheet1.xml").replace(b"<v>1</v>", b"<v>1e400</v>")
    (table,) = read_tables(upload(replaced(data, {"xl/worksheets/sheet1.xml": sheet}), "a.xlsx"))
    assert table.grid == [["inf", "2"]]


NAMESPACES = ('xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
              'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
              'xmlns:v="urn:schemas-microsoft-com:vml"')


def text_box(content: str) -> str:
    """A text box as Word writes it: the modern shape and, for Word 2007, a fallback copy of the same content."""
    return (f'<w:r><mc:AlternateContent {NAMESPACES}><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
            f'<w:txbxContent>{content}</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback>'
            f'<w:pict><v:shape><v:textbox><w:txbxContent>{content}</w:txbxContent></v:textbox></v:shape></w:pict>'
            '</mc:Fallback></mc:AlternateContent></w:r>')


def test_text_boxes_are_read_once_in_cells_and_in_the_body():
    data = docx_bytes([([["项目名称", "校舍维修"]], [])])
    xml = part(data, "word/document.xml").decode()
    note = "<w:p><w:r><w:t>框中的说明</w:t></w:r></w:p>"
    xml = xml.replace("<w:r><w:t>校舍维修</w:t></w:r>", "<w:r><w:t>校舍维修</w:t></w:r>" + text_box(note))
    boxed_table = f"<w:tbl>{''.join(f'<w:tr><w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc></w:tr>' for t in 'AB')}"
    boxed_table += "</w:tbl><w:p/>"
    body = xml.index("<w:body>") + len("<w:body>")
    xml = xml[:body] + "<w:p>" + text_box(boxed_table) + "</w:p>" + xml[body:]
    tables = read_tables(upload(replaced(data, {"word/document.xml": xml.encode()}), "a.docx"))
    assert [(t.label, t.grid) for t in tables] == [
        ("第1个表格（2行×1列）", [["A"], ["B"]]), ("第2个表格（1行×2列）", [["项目名称", "校舍维修\n框中的说明"]])]


def test_the_largest_word_document_accepted_is_read_in_a_few_seconds():
    data = body_with(table_xml(640, cells=15) + table_xml(37, cells=10))
    started = time.process_time()  # CPU, not wall time: a busy machine slows the clock, not the work
    tables = read_tables(upload(data, "a.docx"))
    assert [t.size for t in tables] == [(640, 15), (37, 10), (5, 4)]
    assert time.process_time() - started < 5  # about 0.8 s; a reader gone quadratic takes minutes


def test_a_workbook_gets_the_excel_imports_limits():
    rows = xlsx_bytes([[str(i)] for i in range(2001)])
    assert "超过了 2000 行的上限" in refusal(rows, "a.xlsx")
    sheets = xlsx_sheets_bytes([(f"表{i}", [["x"]], []) for i in range(21)])
    assert "工作表太多（21 个）" in refusal(sheets, "a.xlsx")

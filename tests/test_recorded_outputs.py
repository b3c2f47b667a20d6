"""The printed and exported forms of all twelve seed filings, compared with what was recorded before a refactor.

A change to how layouts are described must not change what users get: the PDF's text (page by page, as pdftotext
reads it) and every cell of the official Excel workbook (value, merged ranges, number format) stay identical to the
files in `tests/recorded/`. After a deliberate change of output, record again and review the diff:

    RECORD_OUTPUTS=1 .venv/bin/python -m pytest tests/test_recorded_outputs.py
"""

import io
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest

from filings.exports.excel.official import workbook_bytes
from filings.exports.pdf import render_filing_pdf

from .pdfs import pdf_text

RECORDED = Path(__file__).resolve().parent / "recorded"
SEEDS = ["s0-dept", "s1-dept", "s1-proj1", "s2-dept", "s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5",
         "s4-dept", "s4-proj1", "s4-proj2"]


EXPORT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")  # the hidden sheet's 导出时间


def workbook_cells(data: bytes) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheets = {}
    for sheet in workbook.worksheets:
        cells = {cell.coordinate: [EXPORT_TIME.sub("(导出时间)", str(cell.value)), cell.number_format]
                 for row in sheet.iter_rows() for cell in row if cell.value is not None}
        sheets[sheet.title] = {"cells": cells, "merged": sorted(str(r) for r in sheet.merged_cells.ranges)}
    return sheets


def compare(path: Path, produced: str):
    if os.environ.get("RECORD_OUTPUTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(produced, encoding="utf-8")
    assert path.exists(), f"nothing recorded at {path}: run with RECORD_OUTPUTS=1"
    recorded = path.read_text(encoding="utf-8")
    assert produced == recorded, f"{path.name} differs from what was recorded"


@pytest.mark.parametrize("key", SEEDS)
def test_the_pdf_text_of_every_seed_is_as_recorded(demo, key):
    compare(RECORDED / f"{key}.pdf.txt", pdf_text(render_filing_pdf(demo[key])))


@pytest.mark.parametrize("key", SEEDS)
def test_the_excel_cells_of_every_seed_are_as_recorded(demo, key):
    cells = workbook_cells(workbook_bytes(demo[key]))
    compare(RECORDED / f"{key}.xlsx.json", json.dumps(cells, ensure_ascii=False, indent=1, sort_keys=True) + "\n")

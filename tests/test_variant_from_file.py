"""A 表样 that arrives as a JSON file — no code — and every part of the product follows it: the wizard, the printed
PDF and the official Excel workbook."""

import copy
import io
import json

import openpyxl
from django.core.management import call_command
from django.urls import reverse

from filings.exports.excel.official import workbook_bytes
from filings.exports.pdf import render_filing_pdf
from filings.models import FormVariant
from filings.reference import FIXTURES
from filings.services import create_project_filing

from .pages import html
from .pdfs import pdf_text, squeezed
from .personas import FILER_OF, person, sign_in


def regional_file(tmp_path):
    """proj-hunan copied as a new region's form: the goals before the funds, new labels, two own indicator columns."""
    document = json.loads((FIXTURES / "variants" / "proj-hunan.json").read_text(encoding="utf-8"))
    variant = copy.deepcopy(document["variant"])
    variant.update(code="proj-newregion", name="项目支出绩效目标表（新地区）", region="新地区")
    layout = variant["layout"]
    layout["title"] = "新地区项目支出绩效目标表"
    layout["extra_fields"] = [
        {"key": "unit", "on": "indicator", "label": "计量单位", "type": "text"},
        {"key": "nature", "on": "indicator", "label": "指标性质", "type": "choice", "choices": ["定量", "定性"]},
    ]
    blocks = layout["blocks"]
    goals = next(b for b in blocks if b.get("step") == "goals")
    blocks.remove(goals)
    blocks.insert(1, goals)
    goals["rows"][-1][0]["label"] = "本年度项目绩效目标（新地区）"
    indicators = next(b for b in blocks if b["type"] == "indicators")
    indicators["columns"] += [{"field": "extra.unit", "label": "计量单位"},
                              {"field": "extra.nature", "label": "指标性质"}]
    path = tmp_path / "proj-newregion.json"
    path.write_text(json.dumps({**document, "variant": variant}, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_variant_loaded_from_a_file_drives_the_wizard_the_pdf_and_the_workbook(client, demo, tmp_path):
    call_command("load_variant", str(regional_file(tmp_path)), stdout=io.StringIO())
    variant = FormVariant.objects.get(code="proj-newregion")
    source = demo["s4-proj1"]
    filer = FILER_OF["s4-proj1"]
    filing = create_project_filing(source.unit, 2031, variant, "新地区试点项目", person(filer))
    filing.project.annual_goal = "完成试点任务"
    filing.project.save()
    category = filing.scheme.level2_categories().first()
    filing.indicators.create(period="annual", category=category, order=1, name="培训人次", value_text="≥200",
                             extra={"unit": "人次", "nature": "定量"})

    sign_in(client, filer)
    goals_page = html(client.get(reverse("filings:step", args=[filing.pk, "goals"])))
    assert "本年度项目绩效目标（新地区）" in goals_page
    indicator_page = html(client.get(reverse("filings:step", args=[filing.pk, "indicators"])))
    assert "计量单位" in indicator_page and "指标性质" in indicator_page and "人次" in indicator_page

    text = squeezed(pdf_text(render_filing_pdf(filing)))
    assert "新地区项目支出绩效目标表" in text
    assert text.index("本年度项目绩效目标（新地区）") < text.index("年度本级预算金额")  # goals now before funds
    assert "计量单位" in text and "指标性质" in text and "人次" in text and "定量" in text

    sheet = openpyxl.load_workbook(io.BytesIO(workbook_bytes(filing))).worksheets[0]
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert "新地区项目支出绩效目标表" in cells[0]
    assert cells.index("本年度项目绩效目标（新地区）") < cells.index("年度本级预算金额")
    assert {"计量单位", "指标性质", "人次", "定量"} <= set(cells)

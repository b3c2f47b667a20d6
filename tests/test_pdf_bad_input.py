"""Hard inputs still print correctly: 200 indicators, long texts, empty filings of every layout, rare characters."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from filings.exports.pdf import render_filing_pdf
from filings.models import FilingKind, FormVariant, Unit
from filings.models.indicators import Indicator, Period
from filings.services import create_department_filing, create_project_filing

from .pdfs import body_text, missing_glyphs, page_count, squeezed, words_outside_the_page


def clean_pdf(filing) -> tuple[bytes, str]:
    """The PDF and its squeezed body text, after checking that every glyph exists and nothing leaves the page."""
    pdf = render_filing_pdf(filing)
    assert missing_glyphs(pdf) == 0
    assert words_outside_the_page(pdf) == []
    return pdf, squeezed(body_text(pdf))


def add_indicators(filing, count: int, name=lambda number: f"三级指标{number:03d}", period=Period.ANNUAL):
    categories = list(filing.scheme.level2_categories().order_by("parent__order", "order"))
    rows = []
    for number, category in zip(range(count), itertools.cycle(categories), strict=False):
        indicator = Indicator(filing=filing, period=period, category=category, order=number, name=name(number),
                              value_text=f"≥{number}%")
        indicator.apply_reading()
        rows.append(indicator)
    Indicator.objects.bulk_create(rows)
    return rows


def test_two_hundred_indicators_print_every_row_and_repeat_labels_across_pages(demo):
    filing = demo["s2-dept"]
    filing.indicators.all().delete()
    add_indicators(filing, 200)
    pdf, text = clean_pdf(filing)
    assert all(f"三级指标{number:03d}≥{number}%" in text for number in range(200))
    assert page_count(pdf) >= 6
    assert "（续）" in text  # a 一级 group taller than a page repeats its label on the next page


def test_one_second_level_group_of_eighty_rows_is_cut_between_rows_with_its_label_repeated(demo):
    filing = demo["s1-dept"]
    filing.indicators.all().delete()
    category = filing.scheme.level2_categories().get(name="数量指标")
    rows = [Indicator(filing=filing, period=Period.ANNUAL, category=category, order=number, name=f"数量{number}",
                      value_text=f"{number}个") for number in range(80)]
    for row in rows:
        row.apply_reading()
    Indicator.objects.bulk_create(rows)
    pdf, text = clean_pdf(filing)
    assert all(f"数量{number}{number}个" in text for number in range(80))
    assert text.count("数量指标（续）") >= 2


def test_very_long_texts_wrap_and_are_never_cut(demo):
    filing = demo["s0-dept"]
    details = filing.department
    details.function_summary = "（一）贯彻执行卫生健康法律法规。" * 400  # 6,400 characters in one paragraph
    details.overall_goal = "A" * 400 + "没有空格的英文与中文混排" + "0123456789" * 30
    details.save()
    filing.unit_name = "很长的单位名称" * 20
    filing.save(update_fields=["unit_name"])
    indicator = filing.indicators.first()
    indicator.name = ("超长三级指标名称" * 13)[:100]  # the longest the field allows
    indicator.value_text = "≥" + "9" * 98 + "%"
    indicator.save()
    pdf, text = clean_pdf(filing)
    for expected in [details.function_summary, details.overall_goal, filing.unit_name, indicator.name,
                     indicator.value_text]:
        assert squeezed(expected) in text
    assert page_count(pdf) >= 4


def test_rare_characters_and_symbols_keep_their_glyphs(demo):
    filing = demo["s4-proj1"]
    indicator = filing.indicators.first()
    indicator.name = "䶮㐀𠀀〇①②℃㎡‰±×÷·—…“”《》【】﹪"
    indicator.value_text = "≧90％ ≦5‰ ＜3 ＞2 ≠0 ≈1"
    indicator.save()
    _, text = clean_pdf(filing)
    assert squeezed(indicator.name + indicator.value_text) in text


@pytest.mark.parametrize("code", ["dept-mof88", "dept-jiangxi", "dept-hunan", "proj-mof88", "proj-jiangxi",
                                  "proj-yangquan", "proj-hunan"])
def test_an_empty_filing_of_every_layout_prints_its_frame(demo, code):
    variant = FormVariant.objects.get(code=code)
    unit = Unit.objects.get(code="327001")
    user = get_user_model().objects.get(username="cs_ybj")
    if variant.kind == FilingKind.DEPARTMENT:
        filing = create_department_filing(unit, 2031, variant, user)
    else:
        filing = create_project_filing(unit, 2031, variant, "", user)
    _, text = clean_pdf(filing)
    assert "（2031年度）" in text and "一级指标" in text and "填报日期" in text


def test_an_empty_filing_downloads_without_an_error_page(client, demo):
    variant = FormVariant.objects.get(code="dept-jiangxi")
    unit = Unit.objects.get(code="327001")
    user = get_user_model().objects.get(username="cs_ybj")
    filing = create_department_filing(unit, 2032, variant, user)
    client.force_login(user)
    response = client.get(reverse("filings:pdf", args=[filing.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_long_paragraphs_are_cut_for_printing_at_sentence_ends_without_losing_a_character():
    from filings.text import short_paragraphs

    text = "第一段很短。\n" + "这是一个句子。" * 100 + "\n" + "无标点" * 200
    printed = short_paragraphs(text)
    assert printed.replace("\n", "") == text.replace("\n", "")
    lines = printed.split("\n")
    assert lines[0] == "第一段很短。" and all(len(line) <= 450 for line in lines)
    assert all(line.endswith("。") for line in lines[1:-3])

"""Every seed filing prints: each stored field, amount and indicator is in the PDF's text, every glyph exists, nothing
leaves the page, and the page images are written to artifacts/pdf/ for a person to look at."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import models

from filings.exports.pdf import render_filing_pdf
from filings.models import FilingKind
from filings.money import MoneyField, format_amount

from .pdfs import body_text, missing_glyphs, squeezed, words_outside_the_page, write_page_images

SEEDS = ["s0-dept", "s1-dept", "s1-proj1", "s2-dept", "s3-proj1", "s3-proj2", "s3-proj3", "s3-proj4", "s3-proj5",
         "s4-dept", "s4-proj1", "s4-proj2"]
HEADER_FIELDS = ["competent_department", "contact_person", "contact_phone", "responsible_person", "handler"]
NOT_PRINTED = {"id", "filing"}


def value_texts(instance, unit: str) -> list[str]:
    """The stored values of a model instance as the printed form writes them."""
    texts = []
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if field.name in NOT_PRINTED or value in (None, "") or isinstance(value, (bool, date)):
            continue
        if field.choices:
            texts.append(getattr(instance, f"get_{field.name}_display")())
        elif isinstance(field, MoneyField):
            texts.append(format_amount(value, unit, grouping=True))
        elif isinstance(field, models.JSONField):
            texts += [format_amount(Decimal(amount), unit, grouping=True) for amount in value.values() if amount]
        elif isinstance(value, Decimal):
            texts.append(f"{value.normalize():f}")
        else:
            texts.append(str(value))
    return texts


def expected_texts(filing) -> list[str]:
    unit = filing.money_unit
    texts = [f"（{filing.year}年度）", f"金额单位：{filing.get_money_unit_display()}", filing.display_unit_name]
    texts += [getattr(filing, name) for name in HEADER_FIELDS if getattr(filing, name)]
    details = filing.project if filing.kind == FilingKind.PROJECT else filing.department
    texts += value_texts(details, unit)
    for row in [*filing.functions.all(), *filing.tasks.all()]:
        texts += value_texts(row, unit)
    for indicator in filing.indicators.all():
        texts += [text for text in (indicator.name, indicator.value_text, indicator.standard) if text]
    return texts


@pytest.mark.parametrize("key", SEEDS)
def test_every_seed_prints_all_its_data_with_every_glyph(demo, key):
    filing = demo[key]
    pdf = render_filing_pdf(filing)
    text = squeezed(body_text(pdf))
    missing = [expected for expected in expected_texts(filing) if squeezed(expected) not in text]
    assert not missing, f"{key}: not in the PDF: {missing}"
    assert missing_glyphs(pdf) == 0
    assert words_outside_the_page(pdf) == []
    assert write_page_images(pdf, key)

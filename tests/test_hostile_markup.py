"""User text with markup, quotes and control characters through the pages and the export that now write HTML or XML
from Python (issue 16 review): the indicator editor's rows (`filings.steps.editor`, `render_field`), the printed
cells (`Cell.html`), the review page's drop-downs (`PlainSelect`), the unit picker and lists, and the consolidated
export's own XML. Nothing the user typed may become an element or an attribute."""

import io

import pytest
from django.urls import reverse
from lxml import html as lxml_html
from openpyxl import load_workbook

from filings.exports.excel.consolidated import write_consolidated
from filings.models import Filing, Indicator, ProjectDetails, Unit

from .pages import html, login

# Within the 100 characters of an indicator's name, value and basis (PostgreSQL enforces them), the marker included.
HOSTILE = "\"'><img onerror=alert(1)></textarea></td><script>alert(2)</script>&amp;\x01\x0b"
ATTRIBUTE = '" onfocus="alert(3)'


def hostile(marker: str) -> str:
    text = f"{marker}{HOSTILE}{ATTRIBUTE}"
    assert len(text) <= 100
    return text


def assert_inert(page: str, where: str) -> None:
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//img[@onerror] | //*[@onfocus] | //*[@onerror]"), where
    assert not [s for s in tree.xpath("//script") if "alert" in (s.text or "")], where
    assert "<img onerror" not in page and "<script>alert" not in page, where


@pytest.fixture
def poisoned(demo):
    filing = demo["s0-dept"]
    rows = list(filing.indicators.order_by("pk")[:3])
    assert rows
    for index, row in enumerate(rows):
        Indicator.objects.filter(pk=row.pk).update(name=hostile(f"名称{index}"), value_text=hostile(f"≥{index}"),
                                                   standard=hostile("标准"), note=hostile("备注"))
    Unit.objects.filter(pk=filing.unit_id).update(name=hostile("单位"))
    project = demo["s3-proj1"]
    ProjectDetails.objects.filter(filing_id=project.pk).update(name=hostile("项目"))
    return filing, project


def test_hostile_text_stays_text_on_the_pages(client, poisoned):
    filing, project = poisoned
    filer = filing.unit.memberships.filter(role="filer").first().user
    login(client, filer.username)
    for url in [reverse("filings:step", args=[filing.pk, "indicators"]), reverse("filings:check", args=[filing.pk]),
                reverse("home")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(html(response), url)
    editor = html(client.get(reverse("filings:step", args=[filing.pk, "indicators"])))
    tree = lxml_html.fromstring(editor)
    names = [area.text_content() for area in tree.xpath("//textarea[contains(@class, 'indicator-name')]")]
    assert any(name.lstrip("\n").startswith("名称0\"'><img") for name in names), names[:3]
    values = [node.get("value") for node in tree.xpath("//input[contains(@class, 'indicator-value')]")]
    assert any(value and value.startswith("≥0\"'><img") and value.endswith(ATTRIBUTE) for value in values)


def test_hostile_text_stays_text_for_a_reviewer(client, poisoned):
    filing, _project = poisoned
    filer = filing.unit.memberships.filter(role="filer").first().user
    Filing.objects.filter(pk=filing.pk).update(status="submitted", submitted_by=filer)
    login(client, "cs_wjw")
    for url in [reverse("filings:review", args=[filing.pk]), reverse("filings:queue"),
                reverse("filings:unit_search") + "?q=单位", reverse("home")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(html(response), url)
    page = html(client.get(reverse("filings:review", args=[filing.pk])))
    labels = [option.text_content() for option in lxml_html.fromstring(page).xpath("//select[@name='target']/option")]
    assert any(label.startswith("指标：名称0\"'><img") for label in labels)


def test_hostile_text_stays_text_in_the_consolidated_export(poisoned):
    filing, project = poisoned
    target = io.BytesIO()
    write_consolidated(Filing.objects.filter(pk__in=[filing.pk, project.pk]), target)
    book = load_workbook(io.BytesIO(target.getvalue()))
    texts = {cell.value for sheet in book for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    expected = hostile("名称0").replace("\x01", "").replace("\x0b", "")
    assert expected in texts
    assert hostile("项目").replace("\x01", "").replace("\x0b", "") in texts

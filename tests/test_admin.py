"""The admin, as a 财政 administrator uses it to look after units, users, schemes and filings."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.models import Filing, Indicator, ProjectDetails

from .personas import sign_in

CHANGELISTS = [
    "filings_unit", "filings_membership", "filings_formvariant", "filings_filing", "filings_indicator",
    "indicators_scheme", "indicators_category", "indicators_categoryalias", "indicators_libraryindicator",
]


@pytest.fixture
def admin_client(client, demo):
    sign_in(client, "admin")
    return client


@pytest.mark.parametrize("name", CHANGELISTS)
def test_every_changelist_opens(admin_client, name):
    response = admin_client.get(reverse(f"admin:{name}_changelist"))
    assert response.status_code == 200


def test_filing_list_shows_all_seed_filings(admin_client):
    response = admin_client.get(reverse("admin:filings_filing_changelist"))
    content = response.content.decode()
    assert content.count('class="field-indicator_count"') == 12
    assert "基层医保经办服务能力建设补助资金 项目支出绩效目标申报表" in content


def test_department_filing_page_shows_details_rows_and_indicators(admin_client, demo):
    filing = demo["s1-dept"]
    response = admin_client.get(reverse("admin:filings_filing_change", args=[filing.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    for text in ["柴办字[2019]52号", "综合业务股", "社会保障和就业支出", "参保对象满意度", "≦47.75万元"]:
        assert text in content


def test_project_filing_page_shows_funds_and_both_periods(admin_client, demo):
    filing = demo["s3-proj1"]
    response = admin_client.get(reverse("admin:filings_filing_change", args=[filing.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "阳财社【2024】7号" in content
    assert 'value="550000"' in content
    assert content.count('<option value="implementation" selected>') == 5
    # 7 年度 rows, plus the blank template row the admin keeps for "add another" (年度 by default)
    assert content.count('<option value="annual" selected>') == 7 + 1


def test_search_finds_projects_by_name(admin_client):
    response = admin_client.get(reverse("admin:filings_filing_changelist"), {"q": "血防"})
    assert "血防服务" in response.content.decode()


def test_library_can_be_filtered_by_second_level(admin_client):
    response = admin_client.get(reverse("admin:indicators_libraryindicator_changelist"),
                                {"category_code__exact": "beneficiary_satisfaction"})
    content = response.content.decode()
    assert "参保对象满意度" in content and "补助在职职工人数" not in content


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def clone_project(filing, copies):
    for number in range(copies):
        project = filing.project
        filing.pk = None
        filing.source = f"copy-{number}"
        filing.save()
        ProjectDetails.objects.create(filing=filing, name=f"{project.name}（副本{number}）")
        Indicator.objects.bulk_create(
            Indicator(filing=filing, category_id=row.category_id, name=row.name, value_text=row.value_text,
                      value_kind=row.value_kind, order=row.order)
            for row in Indicator.objects.filter(filing_id=project.filing_id)
        )


def test_filing_list_query_count_does_not_grow_with_rows(admin_client, demo):
    url = reverse("admin:filings_filing_changelist")
    before = count_queries(admin_client, url)
    clone_project(Filing.objects.get(pk=demo["s4-proj1"].pk), 30)
    assert count_queries(admin_client, url) == before


def test_filing_page_query_count_does_not_grow_with_indicators(admin_client, demo):
    filing = demo["s4-proj2"]
    url = reverse("admin:filings_filing_change", args=[filing.pk])
    before = count_queries(admin_client, url)
    category = filing.indicators.first().category
    Indicator.objects.bulk_create(
        Indicator(filing=filing, category=category, name=f"追加指标{n}", value_text="≥1个",
                  value_kind="quantitative", order=100 + n)
        for n in range(40)
    )
    assert count_queries(admin_client, url) == before


def test_indicator_list_filters_by_kind_and_searches_values(admin_client):
    response = admin_client.get(reverse("admin:filings_indicator_changelist"),
                                {"value_kind__exact": "time", "q": "季度"})
    content = response.content.decode()
    assert "平台软件建成时间" in content and "患者满意度" not in content


def test_indicator_list_query_count_is_constant(admin_client, demo):
    url = reverse("admin:filings_indicator_changelist") + "?p=1"
    small = count_queries(admin_client, url + "&filing__year=2026")
    assert count_queries(admin_client, url) == small


def test_amounts_are_shown_in_the_filings_money_unit(admin_client, demo):
    response = admin_client.get(reverse("admin:filings_filing_change", args=[demo["s1-dept"].pk]))
    content = response.content.decode()
    assert 'name="department-0-prior_actual" value="528.02"' in content
    assert "上年实际支出数（万元）" in content


def test_adding_a_filing_creates_its_details(admin_client, demo):
    template = demo["s3-proj1"]
    response = admin_client.post(reverse("admin:filings_filing_add"), {
        "kind": "project", "year": 2025, "status": "draft", "unit": template.unit_id,
        "variant": template.variant_id, "scheme": template.scheme_id, "money_unit": "yuan",
        "revision": 1, "position": 9,
    })
    assert response.status_code == 302
    filing = Filing.objects.get(year=2025, unit=template.unit, position=9)
    assert ProjectDetails.objects.filter(filing=filing).exists()

"""The paste preview of the indicator editor (filings/views/paste.py): what it answers, for whom, in how many
queries, and that no input makes it fail or change anything."""

from html import unescape
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.models import Filing, Indicator
from indicators.models import Category

from .pages import html, login


class PreviewReader(HTMLParser):
    """The rows the preview offers to add (their data- attributes) and the problems it lists."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.problems, self.buttons = [], [], []
        self._in = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "tr" and "data-add" in attributes:
            self.rows.append({key.removeprefix("data-"): value for key, value in attributes.items()
                              if key.startswith("data-") and key != "data-add"})
        if "paste-errors" in classes:
            self._in = "errors"
        if tag == "li" and self._in == "errors":
            self.problems.append("")
        if tag == "button":
            self.buttons.append(classes)

    def handle_endtag(self, tag):
        if tag == "div" and self._in == "errors" and self.problems:
            self._in = None

    def handle_data(self, data):
        if self._in == "errors" and self.problems:
            self.problems[-1] += data


def preview(client, filing, text, period="annual"):
    response = client.post(reverse("filings:paste_preview", args=[filing.pk]),
                           {"period": period, f"paste_text_{period}": text})
    reader = PreviewReader()
    reader.feed(html(response))
    return response, reader


def categories(filing):
    return {c.pk: c for c in Category.objects.filter(scheme=filing.scheme_id).select_related("parent")}


def stored(filing):
    return list(Indicator.objects.filter(filing=filing).order_by("pk").values_list("period", "category", "name",
                                                                                   "value_text", "standard", "note"))


SEED_004 = ("一级指标\t二级指标\t三级指标\t指标值及单位\t绩效标准\n"
            "产出指标\t数量指标\t高血压患者管理人数\t≥41400 人\t≥41400 人\n"
            "\t\t2 型糖尿病患者管理人数\t≥14800 人\t≥14800 人\n"
            "\t质量指标\t传染病和突发公共卫生事件报告率\t≥95%\t≥95%\n"
            "效益指标\t生态效益指标\t不适用\t\t\n"
            "\t社会公众或服务对象满意度指标\t基本公共卫生服务对象满意度\t\u3000≥90%\t\u3000≥90%\n")


def test_preview_of_a_seed_table_offers_its_rows_and_saves_nothing(client, demo):
    filing = demo["s4-proj2"]
    before = stored(filing)
    response, page = preview(login(client, "yj_wjj"), filing, SEED_004)
    assert response.status_code == 200
    assert not page.problems
    found = categories(filing)
    assert [(found[int(row["category"])].code, row["name"], row["value"], row["standard"]) for row in page.rows] == [
        ("quantity", "高血压患者管理人数", "≥41400 人", "≥41400 人"),
        ("quantity", "2 型糖尿病患者管理人数", "≥14800 人", "≥14800 人"),
        ("quality", "传染病和突发公共卫生事件报告率", "≥95%", "≥95%"),
        ("ecological_benefit", "不适用", "", ""),
        ("beneficiary_satisfaction", "基本公共卫生服务对象满意度", "≥90%", "≥90%"),
    ]
    assert ["btn", "btn-sm", "btn-primary", "paste-add"] in page.buttons
    assert "添加这些行（5 行）" in html(response)
    # the parser's reading is shown for each row, and the alias with the printed name
    assert "定量" in html(response) and "（表上：社会公众或服务对象满意度指标）" in html(response)
    assert stored(filing) == before


def test_an_unknown_second_level_is_a_message_and_nothing_can_be_added(client, demo):
    filing = demo["s0-dept"]
    text = "产出指标\t数量指标\t门诊人次\t≥100人次\n\t投入指标\t资金到位率\t100%\n"
    response, page = preview(login(client, "cs_zyy"), filing, text)
    assert response.status_code == 200
    assert page.rows == []
    assert not any("paste-add" in classes for classes in page.buttons)
    (problem,) = page.problems
    assert problem.startswith("第2行第2列：指标体系“成本为一级指标”中没有二级指标“投入指标”")
    assert "什么也没有添加" in html(response)
    # the line is highlighted in the table with its problem beside it
    assert 'class="paste-row table-danger"' in html(response)


def test_each_period_of_a_project_reads_its_own_set_of_a_side_by_side_table(client, demo):
    filing = demo["s3-proj1"]
    text = ("绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t二级指标\t三级指标\t指标值\n"
            "\t产出指标\t数量指标\t补助单位\t1个\t数量指标\t补助单位\t1个\n"
            "\t\t成本指标\t\t\t成本指标\t公立医院百元医疗收入\t较上年下降\n")
    login(client, "yq_sy")
    _, implementation = preview(client, filing, text, period="implementation")
    _, annual = preview(client, filing, text, period="annual")
    assert [row["name"] for row in implementation.rows] == ["补助单位"]
    assert [row["name"] for row in annual.rows] == ["补助单位", "公立医院百元医疗收入"]
    # the rows go to the period of the panel that asked
    response, _ = preview(client, filing, text, period="implementation")
    assert '<div class="paste-result" data-period="implementation">' in html(response)
    assert "将添加到实施期绩效指标" in html(response)


def test_only_who_may_edit_the_filing_gets_a_preview(client, demo):
    filing = demo["s0-dept"]
    text = "数量指标\t门诊人次\t≥100人次"
    for username, status in [("cs_zyy", 200), ("cs_wjw", 403), ("cs_czj", 403), ("yq_sy", 404)]:
        client.logout()
        response, _ = preview(login(client, username), filing, text)
        assert response.status_code == status, username
    client.logout()
    assert preview(client, filing, text)[0].status_code == 302  # to the login page
    login(client, "cs_zyy")
    assert client.get(reverse("filings:paste_preview", args=[filing.pk])).status_code == 405
    Filing.objects.filter(pk=filing.pk).update(status="submitted")
    response = preview(client, filing, text)[0]  # the fragment says why: htmx shows a 200, not a 403
    assert response.status_code == 200 and "不能再粘贴指标" in response.content.decode()


def test_the_step_shows_a_paste_control_per_period_and_none_when_read_only(client, demo):
    login(client, "yq_sy")
    page = html(client.get(reverse("filings:step", args=[demo["s3-proj1"].pk, "indicators"])))
    url = reverse("filings:paste_preview", args=[demo["s3-proj1"].pk])
    assert page.count(f'hx-post="{url}"') == 2
    assert "从Excel/Word粘贴实施期指标" in page and "从Excel/Word粘贴年度指标" in page
    assert 'name="paste_text_implementation"' in page and 'name="paste_text_annual"' in page
    assert "js/paste.js" in page
    # the panel is outside what the dirty guard watches, and the preview posts only its own text
    assert "data-no-dirty" in page and 'hx-params="csrfmiddlewaretoken,period,paste_text_annual"' in page
    login(client, "cs_zyy")
    page = html(client.get(reverse("filings:step", args=[demo["s0-dept"].pk, "indicators"])))
    assert page.count("从Excel/Word粘贴") == 1 and "从Excel/Word粘贴年度指标" not in page
    filing = demo["s0-dept"]
    context = {"filing": filing, "period": {"period": "annual", "label": "年度"}, "groups": [{}]}
    assert "从Excel/Word粘贴" in render_to_string("filings/partials/paste_panel.html", context)
    for status in ("submitted", "department_approved", "approved"):
        filing.status = status
        assert "从Excel/Word粘贴" not in render_to_string("filings/partials/paste_panel.html", context), status


def test_the_preview_takes_the_same_number_of_queries_for_any_number_of_rows(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")

    def rows(count):
        return "".join(f"产出指标\t数量指标\t指标{n}\t≥{n}人次\n" for n in range(count))

    counts = []
    for count in (2, 120):
        with CaptureQueriesContext(connection) as queries:
            response, page = preview(client, filing, rows(count))
        assert len(page.rows) == count
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


BAD_INPUT = [
    ("", "请先把表格粘贴"),
    ("只是一段文字，没有表格。", "不是表格"),
    ("\x00\x01\x02\t\x1b", "请先把表格粘贴"),
    ('"""\t"\n"\t\t"', "二级指标"),
    ("一级指标\t二级指标\t三级指标\t指标值", "没有指标行"),
    ("产出指标\t数量指标\t门诊人次\t≥100人次\n" * 301, "最多300行"),
    ("产\t" * 60_000, "太长"),
    ("<script>alert(1)</script>\t数量指标\t门诊人次\t1", "&lt;script&gt;"),
    ("产出指标\t数量指标\t" + "名" * 400 + "\t1", "最多100字"),
    ("\ud7ff\uffff\U0001f600\t\u202e数量\t\u2028\t", "不到三列"),
]


@pytest.mark.parametrize("text, words", BAD_INPUT, ids=[str(n) for n in range(len(BAD_INPUT))])
def test_bad_input_is_a_chinese_message_never_an_error(client, demo, text, words):
    filing = demo["s0-dept"]
    before = stored(filing)
    response, page = preview(login(client, "cs_zyy"), filing, text)
    assert response.status_code == 200
    assert words in html(response)
    assert page.rows == [] and page.problems
    assert stored(filing) == before


@pytest.mark.parametrize("data", [
    {"period": "implementation", "paste_text_implementation": "数量指标\t门诊人次\t1"},  # a dept form has no 实施期
    {"period": "nonsense"},
    {},
    {"period": ["annual", "implementation"], "paste_text_annual": ["a\tb\tc", "数量指标\t门诊人次\t1"]},
], ids=["no-such-period", "unknown-period", "nothing", "lists"])
def test_tampered_posts_are_answered_in_chinese(client, demo, data):
    response = login(client, "cs_zyy").post(reverse("filings:paste_preview", args=[demo["s0-dept"].pk]), data)
    assert response.status_code == 200
    assert "alert-danger" in html(response)


def test_a_body_that_is_not_utf8_is_not_an_error(client, demo):
    login(client, "cs_zyy")
    response = client.generic("POST", reverse("filings:paste_preview", args=[demo["s0-dept"].pk]),
                              b"period=annual&paste_text_annual=%FF%FE%E4%BA%A7%09%09",
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert unescape(html(response)).count("paste-row") == 0


def test_the_standard_column_is_read_when_the_layout_always_shows_it(client, demo):
    filing = demo["s4-proj2"]
    step = reverse("filings:step", args=[filing.pk, "indicators"])
    assert "指标值、绩效标准各列" in unescape(html(login(client, "yj_wjj").get(step)))
    variant = filing.variant
    layout = variant.layout
    block = next(block for block in layout["blocks"] if block["type"] == "indicators")
    next(column for column in block["columns"] if column["field"] == "standard")["optional"] = True
    variant.layout = layout
    variant.save()
    filing = Filing.objects.with_related().get(pk=filing.pk)
    assert "指标值各列" in unescape(html(client.get(step)))
    _, page = preview(client, filing, SEED_004)
    assert not page.problems and page.rows and all("standard" not in row for row in page.rows)

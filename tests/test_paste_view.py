"""The paste preview of the indicator editor (filings/views/paste.py): what it answers, for whom, in how many
queries, and that no input makes it fail or change anything."""

import json
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.models import Filing, Indicator
from indicators.hierarchy import region_of
from indicators.models import Category, CategoryAlias, Scheme

from .pages import html, login
from .tables.files import docx_bytes, xlsx_bytes


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
            fields = json.loads(attributes["data-fields"])
            self.rows.append({"line": int(attributes["data-line"]), "value": fields.pop("value_text")} | fields)
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


def preview(client, filing, text, period="annual", headers=None, **choices):
    response = client.post(reverse("filings:paste_preview", args=[filing.pk]),
                           {"period": period, f"paste_text_{period}": text} | choices, headers=headers or {})
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
    assert [(found[int(row["category"])].code, row["name"], row["value"], row.get("standard", ""))
            for row in page.rows] == [
        ("quantity", "高血压患者管理人数", "≥41400 人", "≥41400 人"),
        ("quantity", "2 型糖尿病患者管理人数", "≥14800 人", "≥14800 人"),
        ("quality", "传染病和突发公共卫生事件报告率", "≥95%", "≥95%"),
        ("ecological_benefit", "不适用", "", ""),
        ("beneficiary_satisfaction", "基本公共卫生服务对象满意度", "≥90%", "≥90%"),
    ]
    assert ["btn", "btn-sm", "btn-primary", "paste-add"] in page.buttons
    assert "添加没有问题的 5 行" in html(response)
    # the parser's reading is shown for each row, and the alias with the printed name
    assert "定量" in html(response) and "（表上：社会公众或服务对象满意度指标）" in html(response)
    assert stored(filing) == before


BROKEN = "产出指标\t数量指标\t门诊人次\t≥100人次\n\t投入指标\t资金到位率\t100%\n\t质量指标\t治愈率\t≥90%\n"


def test_rows_without_problems_can_be_added_and_a_broken_one_stays_editable(client, demo):
    filing = demo["s0-dept"]
    response, page = preview(login(client, "cs_zyy"), filing, BROKEN)
    assert response.status_code == 200
    assert [(row["line"], row["name"]) for row in page.rows] == [(1, "门诊人次"), (3, "治愈率")]
    (problem,) = page.problems
    assert problem.startswith("第2行第2列：指标体系“成本为一级指标”中没有二级指标“投入指标”")
    assert "添加没有问题的 2 行" in html(response)
    # the broken line is highlighted, its cells are inputs holding what was read, and it can be skipped
    page_html = html(response)
    assert 'class="paste-row paste-state-problem table-danger"' in page_html
    assert 'name="paste_edit_2_level2"' in page_html and 'value="投入指标"' in page_html
    assert 'name="paste_skip_now" value="2"' in page_html
    assert "paste_edit_2_level2" in page_html.split('hx-params="')[1].split('"')[0]


def test_a_cell_fixed_in_the_preview_makes_its_row_addable_and_stays_fixed(client, demo):
    filing = demo["s0-dept"]
    response, page = preview(login(client, "cs_zyy"), filing, BROKEN, paste_edit_2_level2="质量指标",
                             paste_edit_2_name="资金到位率", paste_edit_2_value="＝100%")
    assert not page.problems
    found = categories(filing)
    assert [(row["line"], found[int(row["category"])].code, row["name"], row["value"]) for row in page.rows] == [
        (1, "quantity", "门诊人次", "≥100人次"), (2, "quality", "资金到位率", "＝100%"),
        (3, "quality", "治愈率", "≥90%")]
    # the fix is re-posted with every later choice, and the row says it was changed here
    assert '<input type="hidden" name="paste_edit_2_level2" value="质量指标">' in html(response)
    assert "已在预览中修改" in html(response)


def test_added_and_skipped_rows_are_counted_and_not_offered_again(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    # the first and third rows were added to the editor; the second one is still to be fixed
    response, page = preview(client, filing, BROKEN, paste_added=["1", "3"], paste_adding="1")
    assert page.rows == [] and len(page.problems) == 1
    assert "已添加 2 行，跳过 0 行（尚未保存）" in html(response)
    for line in ("1", "3"):
        assert f'<input type="hidden" name="paste_added" value="{line}">' in html(response)
    # the user skips it: everything is done, the text box is cleared
    response, page = preview(client, filing, BROKEN, paste_added=["1", "3"], paste_skip_now="2")
    assert "已添加 2 行，跳过 1 行（尚未保存）" in html(response)
    assert '<textarea class="paste-set-text" hidden aria-hidden="true" tabindex="-1"></textarea>' in html(response)
    assert page.rows == [] and not page.problems
    # skipped before anything was added: the row is greyed with an undo; undoing offers it again
    response, page = preview(client, filing, BROKEN, paste_skip_now="2")
    assert [row["line"] for row in page.rows] == [1, 3] and not page.problems
    assert '<input type="hidden" name="paste_skip" value="2">' in html(response)
    assert 'name="paste_unskip" value="2"' in html(response)
    response, page = preview(client, filing, BROKEN, paste_skip="2", paste_unskip="2")
    assert len(page.problems) == 1 and "已跳过" not in html(response)


@pytest.mark.parametrize("choices", [
    {"paste_added": ["x", "-1", "99999999", "²"], "paste_skip": ["", "1e3"], "paste_skip_now": "٣"},
    {"paste_edit_2_level2": "质" * 5000, "paste_edit_x_name": "a", "paste_edit_2_category": "1"},
    {"paste_col_0": "nonsense", "paste_guess_1": "extra.none", "paste_cat_0": "投入指标", "paste_cat_0_code": "no"},
    {"paste_cat_0_code": "quality", "paste_remember_0": "1", "paste_adding": "1"},
], ids=["lines", "edits", "uses", "categories"])
def test_tampered_choices_are_read_safely(client, demo, choices):
    filing = demo["s0-dept"]
    before = stored(filing)
    response, page = preview(login(client, "cs_zyy"), filing, BROKEN, headers={"HX-Trigger-Name": "paste_guess_1"},
                             **choices)
    assert response.status_code == 200
    assert [row["line"] for row in page.rows] == [1, 3] or page.problems
    assert stored(filing) == before


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
    assert '<div class="paste-result" data-period="implementation"' in html(response)
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
    for count in (4, 120):
        with CaptureQueriesContext(connection) as queries:
            response, page = preview(client, filing, rows(count))
        assert len(page.rows) == count
        counts.append(len(queries))
        # and with choices: a row skipped, one fixed, one added, a name placed by the user
        choices = {"paste_skip_now": "1", "paste_edit_2_level2": "群众获得感", "paste_added": "3",
                   "paste_cat_0": "群众获得感", "paste_cat_0_code": "social_benefit"}
        with CaptureQueriesContext(connection) as queries:
            response, page = preview(client, filing, rows(count), **choices)
        assert len(page.rows) == count - 2
        counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


BAD_INPUT = [
    ("", "请先把表格粘贴"),
    ("只是一段文字，没有表格。", "不是表格"),
    ("\x00\x01\x02\t\x1b", "请先把表格粘贴"),
    ('"""\t"\n"\t\t"', "二级指标"),
    ("一级指标\t二级指标\t三级指标\t指标值", "没有指标行"),
    ("产出指标\t数量指标\t门诊人次\t≥100人次\n" * 301, "最多300行"),
    ("产\t" * 60_000, "太长"),
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


def test_markup_in_a_cell_is_shown_as_text(client, demo):
    # the written 一级 is overruled by the 二级 (a note says so): the row can be added, its text escaped
    text = "<script>alert(1)</script>\t数量指标\t门诊人次\t1"
    response, page = preview(login(client, "cs_zyy"), demo["s0-dept"], text)
    assert "&lt;script&gt;" in html(response) and "<script>" not in html(response)
    assert [row["name"] for row in page.rows] == ["门诊人次"]


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


# --- files read into the preview (filings/views/paste_upload.py) ----------------------------------------------------

INDICATORS = [["一级指标", "二级指标", "三级指标", "指标值"],
              ["产出指标", "数量指标", "门诊人次", "≥100人次"],
              ["", "质量指标", "治愈率", "≥90%"]]
SIGNATURES = [["单位负责人", "张三"], ["填表人", "李四"]]


def upload(client, filing, name, data, period="annual", **extra):
    response = client.post(reverse("filings:paste_upload", args=[filing.pk]),
                           {"period": period, f"paste_file_{period}": SimpleUploadedFile(name, data)} | extra)
    reader = PreviewReader()
    reader.feed(html(response))
    return response, reader


def loaded_text(response) -> str:
    page = html(response)
    start = page.index('<textarea class="paste-set-text" hidden aria-hidden="true" tabindex="-1">')
    return unescape(page[page.index(">", start) + 1:page.index("</textarea>", start)])


def test_a_word_file_with_one_table_fills_the_box_and_previews_it(client, demo):
    filing = demo["s0-dept"]
    before = stored(filing)
    response, page = upload(login(client, "cs_zyy"), filing, "目标表.docx", docx_bytes([(INDICATORS, [])]))
    assert response.status_code == 200
    assert [(row["name"], row["value"]) for row in page.rows] == [("门诊人次", "≥100人次"), ("治愈率", "≥90%")]
    assert loaded_text(response) == "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t门诊人次\t≥100人次\n" \
                                    "\t质量指标\t治愈率\t≥90%\n"
    assert stored(filing) == before


def test_an_excel_file_is_read_the_same_way(client, demo):
    response, page = upload(login(client, "cs_zyy"), demo["s0-dept"], "目标表.xlsx", xlsx_bytes(INDICATORS))
    assert [row["name"] for row in page.rows] == ["门诊人次", "治愈率"]


def test_with_two_tables_the_user_picks_one_the_indicator_table_preselected(client, demo):
    filing = demo["s0-dept"]
    data = docx_bytes([(SIGNATURES, []), (INDICATORS, [])])
    login(client, "cs_zyy")
    response, page = upload(client, filing, "申报表.docx", data)
    assert page.rows == [] and "有 2 个表格" in html(response)
    page_html = html(response)
    assert 'name="paste_table" value="0"' in page_html and 'name="paste_table" value="1"' in page_html
    assert page_html.index("checked") > page_html.index('value="1"')  # the indicator table, not the first one
    assert "单位负责人 | 张三" in page_html
    # picked: the same file posted again with the choice
    response, page = upload(client, filing, "申报表.docx", data, paste_table="1")
    assert [row["name"] for row in page.rows] == ["门诊人次", "治愈率"]
    response, page = upload(client, filing, "申报表.docx", data, paste_table="0")
    assert page.rows == [] and "粘贴的表格" in html(response)
    for bad in ("2", "-1", "x", "²"):  # a choice that is not one of the tables: asked again
        assert "有 2 个表格" in html(upload(client, filing, "申报表.docx", data, paste_table=bad)[0])


@pytest.mark.parametrize("name, data, words", [
    ("a.docx", b"plain text, not a zip", "不是有效的 .docx 文件"),
    ("a.docm", b"PK\x03\x04", "含有宏"),
    ("旧.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 .doc 文件"),
    ("a.pdf", b"%PDF-1.7", "PDF"),
    ("空.docx", b"", "空"),
], ids=["damaged", "macros", "old", "pdf", "empty"])
def test_a_bad_file_is_a_chinese_message_and_nothing_is_saved(client, demo, name, data, words):
    filing = demo["s0-dept"]
    before = stored(filing)
    response, page = upload(login(client, "cs_zyy"), filing, name, data)
    assert response.status_code == 200
    assert words in html(response) and "alert-danger" in html(response) and page.rows == []
    assert stored(filing) == before


def test_no_file_or_no_tables_is_a_message(client, demo):
    login(client, "cs_zyy")
    url = reverse("filings:paste_upload", args=[demo["s0-dept"].pk])
    assert "请先选择一个Word" in html(client.post(url, {"period": "annual"}))
    response, _ = upload(client, demo["s0-dept"], "空表.docx", docx_bytes([]))
    assert "没有找到有内容的表格" in html(response)


def test_only_who_may_edit_the_filing_reads_a_file_into_it(client, demo):
    filing = demo["s0-dept"]
    data = docx_bytes([(INDICATORS, [])])
    for username, status in [("cs_zyy", 200), ("cs_wjw", 403), ("cs_czj", 403), ("yq_sy", 404)]:
        client.logout()
        assert upload(login(client, username), filing, "a.docx", data)[0].status_code == status, username
    client.logout()
    assert upload(client, filing, "a.docx", data)[0].status_code == 302
    login(client, "cs_zyy")
    assert client.get(reverse("filings:paste_upload", args=[filing.pk])).status_code == 405
    response, page = upload(client, filing, "a.docx", data, period="implementation")
    assert "没有这一组绩效指标" in html(response) and page.rows == []
    Filing.objects.filter(pk=filing.pk).update(status="submitted")
    response, page = upload(client, filing, "a.docx", data)
    assert "不能再粘贴指标" in html(response) and page.rows == []


def test_the_upload_checks_csrf(demo):
    client = Client(enforce_csrf_checks=True)
    login(client, "cs_zyy")
    response, _ = upload(client, demo["s0-dept"], "a.docx", docx_bytes([(INDICATORS, [])]))
    assert response.status_code == 403


# --- the user's choices: columns, categories, remembered aliases, the scheme switch -------------------------------

MESSY = ("一级指标\t二级指标\t三级指标\t计算符号\t目标值\t计量单位\t权重\t备注\n"
         "产出指标\t数量指标（必填）\t高血压患者管理人数\t≥\t41400\t人\t10\t\n"
         "\t质量指标★\t规范管理率\t≥\t60\t%\t10\t按季度统计\n"
         "成本指标\t经济成本指标\t人均补助经费\t≤\t89\t元\t10\t\n"
         "效果指标\t社会效益指标\t居民健康水平\t\t有效提高\t\t20\t\n"
         "\t群众获得感指标\t居民获得感\t\t明显增强\t\t10\t\n"
         "\t群众获得感指标\t办事便利度\t\t明显提升\t\t5\t\n"
         "满意度指标\t服务对象满意度指标\t患者满意度\t≥\t90\t%\t10\t\n")


def selected_use(page_html: str, index: int) -> str:
    select = re.search(rf'name="paste_(?:col|guess)_{index}"[^>]*>(.*?)</select>', page_html, re.S).group(1)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


def test_every_column_says_where_it_goes_and_a_choice_rereads_the_table(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    response, page = preview(client, filing, MESSY)
    page_html = html(response)
    columns = [(3, "第4列“计算符号”", "operator"), (5, "第6列“计量单位”", "unit"), (6, "第7列“权重”", "note")]
    for index, label, use in columns:
        assert label in page_html and selected_use(page_html, index) == use
    assert 'name="paste_guess_6"' in page_html and "表头“权重”" in page_html
    first = page.rows[0]
    assert (first["name"], first["value"], first["note"]) == ("高血压患者管理人数", "≥41400人", "权重：10")
    # the user sends the 权重 column nowhere: the drop-down they changed is named by htmx
    response, page = preview(client, filing, MESSY, headers={"HX-Trigger-Name": "paste_guess_6"},
                             paste_guess_6="ignore")
    assert "note" not in page.rows[0]
    assert 'name="paste_col_6"' in html(response) and "您的选择" in html(response)
    assert selected_use(html(response), 6) == "ignore"
    # kept on the next post; a guess posted by a drop-down the user did not touch is not a choice
    _, page = preview(client, filing, MESSY, paste_col_6="ignore", paste_guess_7="ignore")
    assert "note" not in page.rows[0] and page.rows[1]["note"] == "备注：按季度统计"


def test_an_unplaced_name_is_chosen_once_for_every_row_that_writes_it(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    response, page = preview(client, filing, MESSY)
    assert "把“群众获得感指标”放到：" in html(response)
    assert "用于第6、7行等所有写着“群众获得感指标”的行" in html(response)
    assert [row["line"] for row in page.rows] == [2, 3, 4, 5, 8]
    response, page = preview(client, filing, MESSY, paste_cat_0="群众获得感指标", paste_cat_0_code="social_benefit")
    found = categories(filing)
    assert [(row["line"], found[int(row["category"])].code) for row in page.rows if row["line"] in (6, 7)] == [
        (6, "social_benefit"), (7, "social_benefit")]
    # the drop-down stays, with the choice, to be changed again
    assert '<option value="social_benefit" selected>' in html(response)
    assert not CategoryAlias.objects.filter(alias__contains="群众获得感").exists()  # nothing remembered by choosing


def test_a_name_to_remember_is_saved_for_the_region_when_the_rows_are_added(client, demo):
    filing = demo["s0-dept"]
    login(client, "cs_zyy")
    # ticked before the category is chosen: kept ticked, nothing saved
    response, _ = preview(client, filing, MESSY, paste_cat_0="群众获得感指标", paste_remember_0="1", paste_adding="1")
    assert re.search(r'name="paste_remember_0" value="1" id="[^"]+" checked', html(response))
    chosen = {"paste_cat_0": "群众获得感指标", "paste_cat_0_code": "social_benefit", "paste_remember_0": "1"}
    response, _ = preview(client, filing, MESSY, **chosen)
    assert 'name="paste_remember_0" value="1"' in html(response) and not CategoryAlias.objects.filter(
        alias="群众获得感").exists()
    response, _ = preview(client, filing, MESSY, paste_added=["2", "3", "4", "5", "6", "7", "8"], paste_adding="1",
                          **chosen)
    alias = CategoryAlias.objects.get(alias="群众获得感")
    assert (alias.code, alias.region) == ("social_benefit", region_of(filing.unit))
    assert "已记住：本地区" in html(response) and "已添加 7 行，跳过 0 行（尚未保存）" in html(response)
    _, page = preview(client, filing, MESSY)  # read so from now on
    assert 6 in [row["line"] for row in page.rows]


def test_cost_rows_of_the_other_scheme_offer_the_switch(client, demo):
    filing = demo["s4-proj2"]  # 成本在产出指标下
    response, page = preview(login(client, "yj_wjj"), filing, MESSY)
    other = Scheme.objects.get(code="cost-first")
    assert f'class="btn btn-sm btn-warning paste-switch-scheme" data-scheme="{other.pk}"' in html(response)
    assert "改用“成本指标作为一级指标”并保存本页" in html(response)
    assert 4 not in [row["line"] for row in page.rows]
    response, _ = preview(client, demo["s0-dept"], MESSY)
    assert "paste-switch-scheme" not in html(response)


def test_a_column_the_reader_cannot_place_waits_for_the_users_choice(client, demo):
    filing = demo["s0-dept"]
    text = ("一级指标\t二级指标\t三级指标\t指标值\t\n"
            "产出指标\t数量指标\t门诊人次\t≥100人次\t见附件一的说明\n"
            "\t质量指标\t治愈率\t≥90%\t\n")
    login(client, "cs_zyy")
    response, page = preview(client, filing, text)
    page_html = html(response)
    assert "paste-needs-choice" in page_html and selected_use(page_html, 4) == ""
    assert [row["line"] for row in page.rows] == [3]  # the row with content in that column waits
    assert any(problem.startswith("第2行第5列：") and "选择用途" in problem for problem in page.problems)
    _, page = preview(client, filing, text, headers={"HX-Trigger-Name": "paste_guess_4"}, paste_guess_4="note")
    assert [(row["line"], row.get("note", "")) for row in page.rows] == [(2, "见附件一的说明"), (3, "")]

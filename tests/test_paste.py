"""Reading indicator tables pasted from Excel, WPS or Word (indicators/paste.py): fill-down of merged cells,
aliases, both schemes, quoted cells, headers, bad input and Word-style text, and property tests."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.hierarchy import CategoryResolver
from indicators.models import Scheme
from indicators.paste import LEVEL1, LEVEL2, MAX_CELL, clean_cell, parse_paste
from indicators.placing import resolve_categories
from indicators.values import parse_target

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


def seed_rows(number, key):
    data = json.loads((SEEDS / f"{number:03d}.json").read_text(encoding="utf-8"))
    return next(filing for filing in data["filings"] if filing["key"] == key)["indicators"]


@pytest.fixture
def old(db):
    """财预〔2015〕88号: 成本 under 产出 (seeds 002, 003, 004)."""
    return CategoryResolver(Scheme.objects.get(code="cost-under-output"))


@pytest.fixture
def new(db):
    """财预〔2021〕101号: 成本 as its own 一级 (seeds 000, 001)."""
    return CategoryResolver(Scheme.objects.get(code="cost-first"))


def read(text, resolver, **options):
    return resolve_categories(parse_paste(text, **options), resolver)


def tsv(rows, newline="\n"):
    return newline.join("\t".join(cells) for cells in rows)


def merged(rows, with_level1=True):
    """Seed rows as Excel copies a table with merged 一级/二级 cells: blank where the cell above is the same."""
    lines, above = [], ("", "")
    for row in rows:
        level1 = "" if row["level1"] == above[0] else row["level1"]
        level2 = "" if (row["level1"], row["level2"]) == above else row["level2"]
        cells = [level1, level2, row["name"], row["value"]] if with_level1 else [level2, row["name"], row["value"]]
        lines.append(cells + ([row["standard"]] if "standard" in row else []))
        above = (row["level1"], row["level2"])
    return lines


def codes(result):
    return [(row.category.code, row.name, row.value) for row in result.addable]


def messages(result):
    return [str(problem) for problem in result.errors]


# --- the seeds' tables ------------------------------------------------------------------------------------------

def test_seed_004_project_table_with_merged_cells_and_the_hunan_satisfaction_row(old):
    rows = seed_rows(4, "s4-proj1")
    lines = merged(rows)
    # 湖南 prints the 满意度 row with a blank 一级 cell under 效益指标: the 二级 (an alias) decides where it goes.
    assert lines[-1][:2] == ["满意度指标", "社会公众或服务对象满意度指标"]
    lines[-1][0] = ""
    result = read(tsv([["一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"], *lines]), old,
                  with_standard=True)
    assert result.ok, messages(result)
    resolver_codes = [old.resolve(row["level1"], row["level2"]).code for row in rows]
    assert [row.category.code for row in result.addable] == resolver_codes
    assert [row.name for row in result.addable] == [row["name"] for row in rows]
    # full-width spaces at either end are trimmed ("\u3000≥90%" prints with one)
    assert [row.value for row in result.addable] == [row["value"].strip() for row in rows]
    assert [row.standard for row in result.addable] == [row["standard"].strip() for row in rows]
    satisfaction = result.addable[-1]
    category = satisfaction.category
    assert (category.code, category.parent.code) == ("beneficiary_satisfaction", "satisfaction")
    assert satisfaction.filled == set()  # its blank 一级 cell is not “same as above” (效益指标)
    assert result.addable[1].filled == {LEVEL1, LEVEL2}
    # the header is not a row; line numbers count the header
    assert [row.line for row in result.rows][:2] == [2, 3]
    # 生态效益指标 | 不适用 | (blank) is kept: 不适用 rows are rows
    assert ("ecological_benefit", "不适用", "") in codes(result)


def test_seed_000_table_in_the_cost_first_scheme(new):
    rows = seed_rows(0, "s0-dept")
    result = read(tsv(merged(rows)), new)
    assert result.ok, messages(result)
    assert codes(result) == [(new.resolve(r["level1"], r["level2"]).code, r["name"], r["value"]) for r in rows]
    assert codes(result)[0][0] == "economic_cost"
    # 满意度指标 written as a 二级 is the alias of 服务对象满意度指标
    assert codes(result)[-1][0] == "beneficiary_satisfaction"


def test_three_column_paste_takes_the_first_level_from_the_scheme(old, new):
    text = tsv([["数量指标", "门诊人次", "≥100人次"], ["", "住院人次", "≥20人次"], ["成本指标", "人均费用", "≤300元"]])
    result = read(text, old)
    assert result.ok, messages(result)
    assert [(row.category.parent.code, row.category.code) for row in result.addable] == [
        ("output", "quantity"), ("output", "quantity"), ("output", "output_cost")]
    # where 成本 is its own 一级 there is no 二级 called 成本指标: the message names the ones there are
    result = read(text, new)
    assert not result.ok
    (problem,) = result.errors
    assert (problem.line, problem.column) == (3, 1)
    assert "没有二级指标“成本指标”" in problem.message and "经济成本指标" in problem.message


def test_cost_as_first_level_or_under_output(old, new):
    cost_first = tsv([["成本指标", "经济成本指标", "项目总成本", "≤30万元"], ["", "社会成本指标", "不适用", "不适用"]])
    assert [row.category.code for row in read(cost_first, new).addable] == ["economic_cost", "social_cost"]
    result = read(cost_first, old)
    assert not result.ok and [p.line for p in result.errors] == [1, 2]
    assert "经济成本指标" in str(result.errors[0]) and "沿用" not in str(result.errors[1])
    under_output = tsv([["产出指标", "成本指标", "人均费用", "≤300元"]])
    assert [row.category.code for row in read(under_output, old).addable] == ["output_cost"]


def test_first_level_with_or_without_the_word_indicator(new):
    result = read(tsv([["产出", "数量", "门诊人次", "≥100人次"], ["产出指标", "质量指标", "合格率", "100%"],
                       ["效益 指标", "社会效益指标", "群众获得感", "有效提高"]]), new)
    assert [row.category.code for row in result.addable] == ["quantity", "quality", "social_benefit"]


def test_aliases_are_mapped(old, new):
    text = tsv([["效益指标", "环境效益指标", "绿化面积", "≥100平方米"],
                ["满意度指标", "社会公众或服务对象满意度指标", "群众满意度", "≥90%"],
                ["", "服务对象满意度指", "患者满意度", "≥95%"]])
    assert [row.category.code for row in read(text, old).addable] == [
        "ecological_benefit", "beneficiary_satisfaction", "beneficiary_satisfaction"]
    text = tsv([["成本指标", "生态效益成本指标", "不适用", "不适用"]])
    assert [row.category.code for row in read(text, new).addable] == ["ecological_cost"]


def test_a_second_level_under_another_first_level_is_placed_by_the_second_level_with_a_note(new):
    """issue 14: a written 一级 behaves like a blank one; the preview says what was read (indicators/placing.py)."""
    result = read(tsv([["效益指标", "数量指标", "门诊人次", "≥100人次"]]), new)
    assert result.ok and [row.category.code for row in result.addable] == ["quantity"]
    assert any("效益指标" in note.message and "产出指标" in note.message for note in result.notes)


# --- Excel, WPS and Word text -----------------------------------------------------------------------------------

def test_header_crlf_trailing_columns_and_spaces(new):
    text = ("一级指标\t二级指标\t三级指标\t指标值\t\t\r\n"
            "产出指标\t数量指标\t\u3000门诊人次\xa0\t\xa0≥100人次\u3000\t\t\r\n"
            "\t\t住院\xa0人次\t≥20人次\t\t\r\n\r\n")
    result = read(text, new)
    assert result.ok, messages(result)
    assert [(row.line, row.name, row.value) for row in result.addable] == [
        (2, "门诊人次", "≥100人次"), (3, "住院 人次", "≥20人次")]
    assert result.addable[0].target == parse_target("≥100人次")


def test_quoted_cells_with_line_breaks_as_excel_copies_them(new):
    text = ('产出指标\t数量指标\t"公共卫生服务\n家庭医生签约数"\t"≥548000人"\n'
            '\t\t"他说""好""的\r\n比例"\t≥90%\n'
            '\t质量指标\t"Level\nA rate"\t100%\n')
    result = read(text, new)
    assert result.ok, messages(result)
    assert [(row.line, row.name, row.value) for row in result.addable] == [
        (1, "公共卫生服务家庭医生签约数", "≥548000人"), (3, '他说"好"的比例', "≥90%"), (5, "Level A rate", "100%")]


def test_word_text_with_stray_quotes_is_read_literally(new):
    text = '产出指标\t数量指标\t"健康"知识讲座\t≥22次\n\t\t讲座"次数\t≥4次'
    result = read(text, new)
    assert result.ok, messages(result)
    assert [row.name for row in result.addable] == ['"健康"知识讲座', '讲座"次数']


def test_word_cell_broken_over_lines_is_not_taken_silently(new):
    # Word puts a cell's second paragraph on its own line, without quotes
    text = "产出指标\t数量指标\t公共卫生服务\n家庭医生签约数\t≥548000人"
    result = read(text, new)
    assert not result.ok
    assert any(problem.line == 2 for problem in result.errors)


def test_header_with_title_column_and_lines_before_it(old):
    text = tsv([["2024年项目支出绩效目标表"], ["绩效指标", "一级指标", "二级指标", "三级指标", "指标值及单位"],
                ["", "产出指标", "数量指标", "门诊人次", "≥100人次"]])
    result = read(text, old)
    assert result.ok, messages(result)
    assert [str(note) for note in result.notes] == ["第1行：在表头之前，已跳过。"]
    assert result.addable[0].category.code == "quantity"


def test_repeated_header_rows_are_skipped(old):
    header = ["一级指标", "二级指标", "三级指标", "指标值"]
    text = tsv([header, ["产出指标", "数量指标", "门诊人次", "≥100人次"], header, ["", "", "住院人次", "≥20人次"]])
    result = read(text, old)
    assert [row.name for row in result.addable] == ["门诊人次", "住院人次"]


def test_side_by_side_implementation_and_annual_sets(old):
    """阳泉 prints 实施期 and 年度 side by side; the 年度 editor takes the right-hand set."""
    text = tsv([["绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"],
                ["", "产出指标", "数量指标", "补助单位", "1个", "数量指标", "补助单位", "1个"],
                ["", "", "成本指标", "", "", "成本指标", "公立医院百元医疗收入", "较上年下降"]])
    first, last = read(text, old), read(text, old, last_set=True)
    assert [(r.category.code, r.name) for r in first.addable] == [("quantity", "补助单位")]
    assert first.rows[1].skipped  # an empty 成本 group on the 实施期 side
    assert [(r.category.code, r.name, r.value) for r in last.addable] == [
        ("quantity", "补助单位", "1个"), ("output_cost", "公立医院百元医疗收入", "较上年下降")]
    # the other set is shown as the 年度 one, not dropped silently; the merged title column is left out
    assert [(u.index, u.use, u.period) for u in first.uses] == [
        (0, "ignore", ""), (1, "level1", ""), (2, "level2", ""), (3, "name", ""), (4, "value", ""),
        (5, "ignore", "annual"), (6, "ignore", "annual"), (7, "ignore", "annual")]
    assert "年度" in first.uses[5].reason
    assert [(u.index, u.use) for u in last.uses if u.use != "ignore"] == [
        (1, "level1"), (5, "level2"), (6, "name"), (7, "value")]


def test_performance_standard_column(old):
    five = tsv([["产出指标", "数量指标", "门诊人次", "≥100人次", "≥100人次"]])
    assert [(r.value, r.standard) for r in read(five, old, with_standard=True).addable] == [("≥100人次", "≥100人次")]
    four = tsv([["数量指标", "门诊人次", "≥100人次", "历史标准"]])
    row = read(four, old, with_standard=True).addable[0]
    assert (row.category.code, row.name, row.value, row.standard) == ("quantity", "门诊人次", "≥100人次", "历史标准")
    # 成本指标 is a 二级 under 产出 (湖南 prints 绩效标准): four columns starting with it are 二级/三级/指标值/绩效标准…
    four = tsv([["成本指标", "人均费用", "≤300元", "预算支出标准"], ["满意度指标", "患者满意度", "≥90%", "历史标准"]])
    assert [(r.category.code, r.name, r.standard) for r in read(four, old, with_standard=True).addable] == [
        ("output_cost", "人均费用", "预算支出标准"), ("beneficiary_satisfaction", "患者满意度", "历史标准")]
    # …unless the next column holds 二级 names
    four = tsv([["满意度指标", "服务对象满意度指标", "患者满意度", "≥90%"]])
    assert [(r.category.code, r.name, r.value) for r in read(four, old, with_standard=True).addable] == [
        ("beneficiary_satisfaction", "患者满意度", "≥90%")]
    # a fifth column where the variant has no 绩效标准 is not dropped silently
    result = read(five, old)
    assert [(p.line, p.column) for p in result.errors] == [(1, 5)]
    # …and where the header names it, it goes to the 说明 with its header
    result = read(tsv([["一级指标", "二级指标", "三级指标", "指标值", "绩效标准"],
                       ["产出指标", "数量指标", "门诊人次", "≥100人次", "历史标准"]]), old)
    assert result.ok and (result.addable[0].standard, result.addable[0].note) == ("", "绩效标准：历史标准")
    assert (result.uses[4].use, result.uses[4].needs_choice) == ("note", False)


# --- merged cells, empty groups, 不适用 -------------------------------------------------------------------------

def test_empty_groups_are_skipped_with_a_note_and_not_applicable_rows_kept(old):
    text = tsv([["效益指标", "经济效益指标", "", ""], ["", "社会效益指标", "群众获得感", "有效提高"],
                ["", "生态效益指标", "不适用", "不适用"], ["", "可持续影响指标", "", "不适用"]])
    result = read(text, old)
    assert result.ok, messages(result)
    assert [(r.category.code, r.name, r.value) for r in result.addable] == [
        ("social_benefit", "群众获得感", "有效提高"), ("ecological_benefit", "不适用", "不适用"),
        ("sustainable_impact", "不适用", "不适用")]
    assert result.rows[0].skipped == "二级指标“经济效益指标”下没有三级指标，已跳过。"


def test_fill_down_follows_the_rows_above(old):
    text = tsv([["产出指标", "数量指标", "门诊人次", "1"], ["", "", "住院人次", "2"], ["", "质量指标", "合格率", "3"],
                ["", "", "达标率", "4"], ["效益指标", "社会效益指标", "获得感", "5"], ["", "", "幸福感", "6"]])
    result = read(text, old)
    assert [(r.category.code, r.value) for r in result.addable] == [
        ("quantity", "1"), ("quantity", "2"), ("quality", "3"), ("quality", "4"), ("social_benefit", "5"),
        ("social_benefit", "6")]


@pytest.mark.parametrize("rows, line, column, words", [
    ([["产出指标", "", "门诊人次", "≥100人次"]], 1, 2, "上面也没有可沿用的二级指标"),
    ([["产出指标", "数量指标", "门诊人次", "1"], ["效益指标", "", "获得感", "有效提高"]], 2, 2,
     "不能沿用上一行的二级指标"),
    ([["产出指标", "数量指标", "", "≥100人次"]], 1, 3, "三级指标为空"),
    ([["产出指标", "数量指标", "门诊人次", "1", "", "多出来的一格"]], 1, 6, "请在上方为第6列选择用途"),
    ([["产出指标", "数量指标", "门" * (MAX_CELL + 1), "1"]], 1, 3, f"最多{MAX_CELL}字"),
    ([["产出指标", "数量指标", "门诊人次", "1" * (MAX_CELL + 1)]], 1, 4, f"最多{MAX_CELL}字"),
], ids=["first-row-blank", "new-first-level-blank-second", "value-without-name", "extra-cell", "long-name",
        "long-value"])
def test_odd_cells_are_problems_with_line_and_column(old, rows, line, column, words):
    result = read(tsv(rows), old)
    assert not result.ok
    assert any((p.line, p.column) == (line, column) and words in p.message for p in result.errors), messages(result)


def test_unknown_second_level_is_reported_once_where_it_is_written(old):
    text = tsv([["产出指标", "数量指标", "门诊人次", "1"], ["", "投入指标", "资金到位率", "100%"],
                ["", "", "预算执行率", "≥90%"], ["", "质量指标", "合格率", "100%"]])
    result = read(text, old)
    assert not result.ok
    first, second = [str(p) for p in result.errors]
    # the choice in the preview is offered (its wording is indicators/placing.py's), with the names there are
    assert first.startswith("第2行第2列：指标体系“成本在产出指标下”中没有二级指标“投入指标”。")
    assert "把‘投入指标’放到：" in first
    assert first.endswith("可用的二级指标：产出指标：数量指标、质量指标、时效指标、成本指标；效益指标：经济效益指标、"
                          "社会效益指标、生态效益指标、可持续影响指标；满意度指标：服务对象满意度指标、其他满意度指标。")
    assert second == "第3行第2列：沿用第2行的二级指标，请先改正第2行。"
    assert [row.category.code for row in result.addable] == ["quantity", "quality"]  # read, but not to be added


# --- input that is not a table ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("", "请先把表格粘贴"),
    ("  \n\u3000\n", "请先把表格粘贴"),
    (None, "请先把表格粘贴"),
    ("提高群众满意度，加强医疗服务。\n第二段文字", "不是表格"),
    ("数量指标 门诊人次 ≥100人次", "不是表格"),
    ("门诊人次\t≥100人次\n住院人次\t≥20人次", "不到三列"),
    ("一级指标\t二级指标\t三级指标\t指标值\n", "没有指标行"),
    ("一级指标\t三级指标\t备注\n产出指标\t门诊人次\t无", "表头中没有“二级指标”“指标值”列"),
    ("a\tb\tc\n" * 301, "最多300行"),
    ("x" * 100_001 + "\t", "太长"),
], ids=["empty", "blank", "none", "prose", "spaces", "two-columns", "header-only", "header-missing", "rows",
        "long"])
def test_text_that_is_not_an_indicator_table(old, text, words):
    result = read(text, old)
    assert not result.ok and not result.addable
    assert len(result.problems) == 1 and words in str(result.problems[0]), messages(result)


def test_control_characters_are_dropped(new):
    result = read("产出指标\t数量指标\t门诊\x00人次\x1b\t≥100\x07人次\ufeff", new)
    assert [(row.name, row.value) for row in result.addable] == [("门诊人次", "≥100人次")]


def test_clean_cell():
    assert clean_cell("\u3000 公共卫生\n 服务\xa0人次 \n") == "公共卫生服务 人次"
    assert clean_cell("ICU\nbeds") == "ICU beds"
    assert clean_cell("\n\n") == ""


# --- properties -------------------------------------------------------------------------------------------------

ANY_TEXT = '\t\n\r"\u3000\xa0 ab产出指标数量质量效益满意度不适用≥%1\x00'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from(ANY_TEXT), max_size=80), with_standard=st.booleans(),
       last_set=st.booleans())
def test_any_text_gives_a_result_and_problems_point_at_real_lines(old, text, with_standard, last_set):
    result = read(text, old, with_standard=with_standard, last_set=last_set)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    for problem in [*result.errors, *result.notes]:
        assert problem.line is None or 1 <= problem.line <= lines
        assert str(problem)
    if result.ok:
        assert all(row.category is not None and row.name for row in result.addable)
    else:
        assert result.errors or not result.addable


CELL_TEXT = st.text(alphabet=st.sampled_from('门诊人次率≥≤%0123456789 .ab"\n\u3000\xa0'), min_size=1, max_size=12)


def excel_cell(text):
    """A cell as Excel puts it on the clipboard: quoted (quotes doubled) when it holds a line break or a quote."""
    return '"' + text.replace('"', '""') + '"' if ("\n" in text or '"' in text) else text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), header=st.booleans(), crlf=st.booleans(), trailing=st.integers(0, 2),
       with_level1=st.booleans())
def test_excel_copies_of_any_table_read_back(new, data, header, crlf, trailing, with_level1):
    categories = [(c.parent.name, c.name, c.code) for c in new.level2]
    rows = data.draw(st.lists(st.tuples(st.sampled_from(categories), CELL_TEXT, CELL_TEXT), min_size=1, max_size=12))
    # a blank name is an empty group (skipped), a blank value a different table: both are tested elsewhere
    rows = [(cat, name, value) for cat, name, value in rows if clean_cell(name) and clean_cell(value)]
    expected = [(cat[2], clean_cell(name), clean_cell(value)) for cat, name, value in rows]
    lines = merged([{"level1": cat[0], "level2": cat[1], "name": excel_cell(name), "value": excel_cell(value)}
                    for cat, name, value in rows], with_level1=with_level1)
    if header:
        lines.insert(0, (["一级指标"] if with_level1 else []) + ["二级指标", "三级指标", "指标值"])
    text = tsv([cells + [""] * trailing for cells in lines], "\r\n" if crlf else "\n")
    result = read(text, new)
    if not expected:
        assert not result.addable
        return
    assert result.ok, messages(result)
    assert codes(result) == expected

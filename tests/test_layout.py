"""The printed indicator table: merged cells, periods side by side, and blocks that fit on a PDF page."""

from types import SimpleNamespace

from filings.exports.pages import level1_blocks, page_blocks, row_weight, side_by_side_table


def category(pk, name, parent=None):
    return SimpleNamespace(pk=pk, name=name, parent_id=parent)


CATEGORIES = [category(1, "产出指标"), category(11, "数量指标", 1), category(12, "质量指标", 1),
              category(2, "满意度指标"), category(21, "服务对象满意度指标", 2)]


def indicator(category_id, name, period="annual", value="1个"):
    return SimpleNamespace(category_id=category_id, name=name, period=period, value_text=value, standard="")


def test_every_second_level_prints_and_spans_count_its_rows():
    rows = side_by_side_table([indicator(11, "a"), indicator(11, "b"), indicator(21, "c")], CATEGORIES, ["annual"])
    assert [(r.level1_span, r.level2_span, r.indicator and r.indicator.name) for r in rows] == [
        (3, 2, "a"), (0, 0, "b"), (0, 1, None), (1, 1, "c")]


def test_periods_side_by_side_share_rows_up_to_the_taller_side():
    indicators = [indicator(11, "实施1", "implementation"), indicator(11, "年度1"), indicator(11, "年度2"),
                  indicator(12, "实施质量", "implementation")]
    rows = side_by_side_table(indicators, CATEGORIES, ["implementation", "annual"])
    names = [tuple(i.name if i else "" for i in row.indicators) for row in rows]
    assert names == [("实施1", "年度1"), ("", "年度2"), ("实施质量", ""), ("", "")]
    assert [row.level2_span for row in rows] == [2, 0, 1, 1]


def spans_are_consistent(block):
    assert block[0].level1_span == len(block)
    assert sum(row.level2_span for row in block) == len(block)
    assert block[0].level2_span > 0


def test_page_blocks_keep_small_groups_whole_and_cut_tall_ones_at_second_level_boundaries():
    indicators = [indicator(11, f"数量{n}") for n in range(15)] + [indicator(12, f"质量{n}") for n in range(15)]
    rows = side_by_side_table(indicators, CATEGORIES, ["annual"])
    assert len(level1_blocks(rows)) == 2
    blocks = page_blocks(rows, limit=20)
    assert [[row.indicator.name if row.indicator else "" for row in block][0] for block in blocks] == [
        "数量0", "质量0", ""]
    for block in blocks:
        spans_are_consistent(block)
    assert blocks[1][0].continued and not blocks[1][0].level2_continued  # 产出 goes on, 质量指标 starts afresh
    assert not blocks[2][0].continued


def test_a_second_level_group_taller_than_a_page_is_cut_between_rows_and_repeats_its_label():
    rows = side_by_side_table([indicator(11, f"数量{n}") for n in range(50)], CATEGORIES, ["annual"])
    blocks = page_blocks(rows, limit=20)
    assert [len(block) for block in blocks] == [20, 20, 11, 1]  # the last 10 rows + the empty 质量指标; 满意度
    assert blocks[1][0].continued and blocks[1][0].level2_continued
    for block in blocks:
        spans_are_consistent(block)
        assert sum(row_weight(row) for row in block) <= 20


def test_long_names_weigh_more_so_fewer_rows_share_a_page():
    long_rows = side_by_side_table([indicator(11, "很长的名称" * 20) for _ in range(10)], CATEGORIES, ["annual"])
    assert row_weight(long_rows[0]) == 5
    assert [len(block) for block in page_blocks(long_rows, limit=20)] == [4, 4, 3, 1]  # 2 long + empty 质量; 满意度

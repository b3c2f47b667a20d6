"""Header and column detection of pasted tables (indicators/paste.py, indicators/columns.py): the header vocabulary,
headers over several rows, operator/value/unit columns combined, where every other column goes, the period of
side-by-side value columns, and the user's choice per column."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators import columns as vocab
from indicators.paste import IGNORE, NOTE, ReadOptions, combine_value, grid_to_text, parse_paste


def read(grid, **options):
    return parse_paste(grid_to_text(grid), options=ReadOptions(**options))


def uses(result):
    return [(use.index, use.use) for use in result.uses]


def values(result):
    return [(row.name, row.value, row.note) for row in result.addable]


@pytest.mark.parametrize(
    "header, role, period",
    [
        ("一级指标", vocab.LEVEL1, ""),
        ("一级指标名称", vocab.LEVEL1, ""),
        ("二级 指标", vocab.LEVEL2, ""),
        ("三级指标（指标名称）", vocab.NAME, ""),
        ("具体指标", vocab.NAME, ""),
        ("指标内容", vocab.NAME, ""),
        ("指标值", vocab.VALUE, ""),
        ("年度指标值", vocab.VALUE, vocab.ANNUAL),
        ("实施期指标值", vocab.VALUE, vocab.IMPLEMENTATION),
        ("中期目标", vocab.VALUE, vocab.IMPLEMENTATION),
        ("长期目标值", vocab.VALUE, vocab.IMPLEMENTATION),
        ("年度目标", vocab.VALUE, vocab.ANNUAL),
        ("预期目标", vocab.VALUE, ""),
        ("绩效目标值", vocab.VALUE, ""),
        ("计划值", vocab.VALUE, ""),
        ("指标值（包含数字及文字描述）", vocab.VALUE, ""),
        ("指标值(含单位)", vocab.VALUE, ""),
        ("计算符号", vocab.OPERATOR, ""),
        ("符号", vocab.OPERATOR, ""),
        ("指标性质", vocab.NATURE, ""),
        ("计量单位", vocab.UNIT, ""),
        ("度量单位", vocab.UNIT, ""),
        ("单位", vocab.UNIT, ""),
        ("指标类型", vocab.KIND, ""),
        ("指标属性", vocab.KIND, ""),
        ("权重", vocab.WEIGHT, ""),
        ("权重（%）", vocab.WEIGHT, ""),
        ("指标分值", vocab.WEIGHT, ""),
        ("指标方向", vocab.DIRECTION, ""),
        ("评（扣）分标准", vocab.EXPLANATION, ""),
        ("评(扣)分标准", vocab.EXPLANATION, ""),
        ("取值依据", vocab.STANDARD, ""),
        ("绩效标准", vocab.STANDARD, ""),
        ("数据来源", vocab.EXPLANATION, ""),
        ("备注", vocab.REMARK, ""),
        ("*指标值", vocab.VALUE, ""),
        ("★三级指标", vocab.NAME, ""),
        ("绩效指标", vocab.GROUP, ""),
        ("年度", vocab.GROUP, vocab.ANNUAL),
        ("年度绩效指标", vocab.GROUP, vocab.ANNUAL),
        ("责任科室", None, ""),
        ("门诊人次", None, ""),
        ("产出指标", None, ""),
        ("≥95%", None, ""),
        ("", None, ""),
    ],
)
def test_header_vocabulary(header, role, period):
    assert vocab.classify_header(header) == (role, period)


@pytest.mark.parametrize(
    "operator, value, unit, combined",
    [
        ("≥", "95", "%", "≥95%"),
        ("大于等于", "90", "%", "≥90%"),
        ("小于等于", "30", "万元", "≤30万元"),
        ("≧", "8", "人", "≥8人"),
        ("=", "100", "%", "100%"),
        ("", "12", "个", "12个"),
        ("≥", "≥95%", "%", "≥95%"),
        ("≥", "95%", "%", "≥95%"),
        ("", "≥95", "%", "≥95%"),
        ("≥", "95", "—", "≥95"),
        ("≥", "95", "/", "≥95"),
        ("≥", "95", "无", "≥95"),
        ("定性", "有效提高", "", "有效提高"),
        ("≤", "2024年12月", "—", "2024年12月"),
        ("—", "有效提高", "—", "有效提高"),
        ("约", "95", "%", "约95%"),
        ("正向", "95", "%", "95%"),
        ("", "", "%", ""),
        ("≥", "95以上", "%", "95%以上"),
        ("", "较上年提高5", "%", "较上年提高5%"),
        ("", "3~5", "个", "3~5个"),
    ],
)
def test_operator_value_and_unit_combine(operator, value, unit, combined):
    assert combine_value(operator, value, unit) == combined


def test_header_below_title_and_project_lines_and_over_two_rows():
    result = read(
        [
            ["项目支出绩效目标表"],
            ["项目名称", "农村公路养护"],
            ["绩效指标", "", "", "指标值", "", ""],
            ["一级指标", "二级指标", "三级指标", "计算符号", "目标值", "计量单位"],
            ["产出指标", "数量指标", "养护里程", "≥", "120", "公里"],
        ]
    )
    assert not result.problems and [n.line for n in result.notes] == [1, 2]
    assert uses(result) == [(0, "level1"), (1, "level2"), (2, "name"), (3, "operator"), (4, "value"), (5, "unit")]
    assert values(result) == [("养护里程", "≥120公里", "")]
    assert result.rows[0].line == 5


def test_a_value_group_over_period_sub_columns():
    grid = [
        ["一级指标", "二级指标", "三级指标", "指标值", ""],
        ["", "", "", "中期", "年度"],
        ["产出指标", "数量指标", "建设农田", "≥30万亩", "≥10万亩"],
    ]
    annual, implementation = read(grid, last_set=True), read(grid)
    assert values(annual) == [("建设农田", "≥10万亩", "")] and values(implementation) == [("建设农田", "≥30万亩", "")]
    other = annual.uses[3]
    assert (other.use, other.period, other.needs_choice) == (IGNORE, vocab.IMPLEMENTATION, False)
    assert "实施期" in other.reason  # shown as the other period's, not dropped silently
    assert implementation.uses[4].period == vocab.ANNUAL
    # the editor's period, when given, decides without last_set
    assert values(read(grid, period=vocab.ANNUAL)) == [("建设农田", "≥10万亩", "")]


def test_every_other_column_goes_to_the_note_with_its_header():
    result = read(
        [
            ["一级指标", "二级指标", "三级指标", "指标值", "权重", "指标解释", "备注", "责任科室", "评分标准"],
            ["产出指标", "数量指标", "门诊人次", "≥100人次", "10", "全年门诊量", "", "门诊部", "按比例扣分"],
            ["", "", "住院人次", "≥20人次", "", "", "", "", ""],
        ]
    )
    assert values(result) == [
        ("门诊人次", "≥100人次", "权重：10；指标解释：全年门诊量；责任科室：门诊部；评分标准：按比例扣分"),
        ("住院人次", "≥20人次", ""),
    ]
    by_index = {use.index: use for use in result.uses}
    assert by_index[6].use == IGNORE and "没有内容" in by_index[6].reason  # an empty 备注 column
    assert by_index[7].use == NOTE and "责任科室" in by_index[7].reason
    assert not any(use.needs_choice for use in result.uses)


def test_the_note_limit_is_a_row_problem_not_a_cut():
    long = "统" * 298
    result = read(
        [
            ["一级指标", "二级指标", "三级指标", "指标值", "指标解释"],
            ["产出指标", "数量指标", "门诊人次", "≥100人次", long],
        ]
    )
    (row,) = result.rows
    assert row.note == "指标解释：" + long  # nothing cut
    (problem,) = row.problems
    assert "最多300字" in problem.message and "指标解释" in problem.message


def test_own_columns_of_the_variant_take_their_header():
    grid = [
        ["一级指标", "二级指标", "三级指标", "指标值", "权重（%）", "指标解释"],
        ["产出指标", "数量指标", "门诊人次", "≥100人次", "10", "全年门诊量"],
    ]
    result = read(grid, own_columns=(("extra.weight", "权重"), ("extra.explain", "指标解释")))
    (row,) = result.addable
    assert (row.extra, row.note) == ({"weight": "10", "explain": "全年门诊量"}, "")
    assert uses(result)[4:] == [(4, "extra.weight"), (5, "extra.explain")]


def test_standard_column_with_and_without_the_standard_field():
    grid = [
        ["一级指标", "二级指标", "三级指标", "指标值", "绩效标准"],
        ["产出指标", "数量指标", "门诊人次", "≥100人次", "历史标准"],
    ]
    (row,) = read(grid, with_standard=True).addable
    assert (row.standard, row.note) == ("历史标准", "")
    (row,) = read(grid).addable
    assert (row.standard, row.note) == ("", "绩效标准：历史标准")


def test_nature_column_read_by_its_content():
    header = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "计量单位"]
    operators = read(
        [header, ["产出指标", "数量指标", "门诊人次", "≥", "100", "人次"], ["", "", "服务质量", "定性", "良好", ""]]
    )
    assert uses(operators)[3] == (3, "operator")
    assert [row.value for row in operators.addable] == ["≥100人次", "良好"]
    kinds = read(
        [header, ["产出指标", "数量指标", "门诊人次", "定量", "100", "人次"], ["", "", "服务质量", "定量", "良好", ""]]
    )
    assert uses(kinds)[3] == (3, "kind")
    assert [(row.value, row.kind) for row in kinds.addable] == [("100人次", "定量"), ("良好", "定量")]
    # 定量 with a value that reads as no number: a note, the row stays addable
    assert [(n.line, n.column) for n in kinds.notes] == [(3, 5)] and "定量" in kinds.notes[0].message
    directions = read([header, ["产出指标", "数量指标", "门诊人次", "正向", "100", "人次"]])
    assert values(directions) == [("门诊人次", "100人次", "指标性质：正向")]


def test_a_direction_column_holding_signs_is_the_operator():
    result = read(
        [
            ["一级指标", "二级指标", "三级指标", "指标方向", "目标值", "计量单位"],
            ["产出指标", "数量指标", "出差人次", "≥", "24", "人次"],
        ]
    )
    assert values(result) == [("出差人次", "≥24人次", "")]


def test_a_column_the_reader_cannot_place_waits_for_the_users_choice():
    grid = [["产出指标", "数量指标", "门诊人次", "≥100人次", "科教科"], ["", "", "住院人次", "≥20人次", ""]]
    result = read(grid)
    (unknown,) = [use for use in result.uses if use.needs_choice]
    assert unknown.index == 4
    assert [row.addable for row in result.rows] == [False, True]
    assert "请在上方为第5列选择用途" in result.rows[0].problems[0].message
    chosen = read(grid, columns={4: NOTE})
    assert values(chosen) == [("门诊人次", "≥100人次", "科教科"), ("住院人次", "≥20人次", "")]
    assert chosen.uses[4].chosen and not chosen.uses[4].needs_choice
    left_out = read(grid, columns={4: IGNORE})
    assert values(left_out) == [("门诊人次", "≥100人次", ""), ("住院人次", "≥20人次", "")]
    # a choice that the form does not offer is not taken
    assert read(grid, columns={4: "extra.nothing"}).uses[4].needs_choice


def test_the_users_choice_overrides_the_header_and_leaves_the_displaced_column_to_choose():
    grid = [
        ["一级指标", "二级指标", "三级指标", "指标值", "年度目标值"],
        ["产出指标", "数量指标", "门诊人次", "≥100人次", "≥120人次"],
    ]
    result = read(grid, columns={4: "value"})
    assert result.columns["value"] == 4
    assert result.uses[3].needs_choice and not result.addable
    result = read(grid, columns={4: "value", 3: NOTE})
    assert values(result) == [("门诊人次", "≥120人次", "指标值：≥100人次")]


def test_headerless_wide_tables_are_read_by_content():
    result = read(
        [
            ["产出指标", "数量指标", "门诊人次", "≥", "100", "人次", "定量"],
            ["", "质量指标", "合格率", "≥", "95", "%", "定量"],
        ]
    )
    assert uses(result) == [
        (0, "level1"),
        (1, "level2"),
        (2, "name"),
        (3, "operator"),
        (4, "value"),
        (5, "unit"),
        (6, "kind"),
    ]
    assert values(result) == [("门诊人次", "≥100人次", ""), ("合格率", "≥95%", "")]
    # three columns and a unit column
    result = read([["数量指标", "门诊人次", "100", "人次"], ["", "住院人次", "20", "人次"]])
    assert values(result) == [("门诊人次", "100人次", ""), ("住院人次", "20人次", "")]


def test_stacked_tables_of_two_periods():
    grid = [
        ["长期绩效指标"],
        ["一级指标", "二级指标", "指标内容", "指标值"],
        ["产出指标", "数量指标", "改造立面", "≥3000平方米"],
        ["年度绩效指标"],
        ["一级指标", "二级指标", "指标内容", "指标值"],
        ["产出指标", "数量指标", "改造立面", "≥1000平方米"],
    ]
    annual, implementation = read(grid, last_set=True), read(grid)
    assert values(annual) == [("改造立面", "≥1000平方米", "")]
    assert values(implementation) == [("改造立面", "≥3000平方米", "")]
    assert "年度" in implementation.rows[1].skipped


def test_a_header_missing_the_value_column_is_a_problem():
    result = read([["一级指标", "二级指标", "三级指标", "备注"], ["产出指标", "数量指标", "门诊人次", "无"]])
    assert [str(problem) for problem in result.problems] == ["第1行：表头中没有“指标值”列。"]


# --- properties ---------------------------------------------------------------------------------------------------

FIELD_NAMES = {
    "level1": vocab.HEADER_NAMES[vocab.LEVEL1][:3],
    "level2": vocab.HEADER_NAMES[vocab.LEVEL2][:3],
    "name": vocab.HEADER_NAMES[vocab.NAME],
    "operator": vocab.HEADER_NAMES[vocab.OPERATOR],
    "value": vocab.HEADER_NAMES[vocab.VALUE],
    "unit": vocab.HEADER_NAMES[vocab.UNIT],
    "weight": vocab.HEADER_NAMES[vocab.WEIGHT],
    "explanation": vocab.HEADER_NAMES[vocab.EXPLANATION],
}
OPERATOR_CELLS = {"≥": "≥", "大于等于": "≥", "≤": "≤", "小于等于": "≤", "≧": "≥", "=": ""}
UNIT_CELLS = ["%", "人次", "万元", "个", "公里", "—", "", "/"]


@settings(max_examples=120, deadline=None)
@given(
    order=st.permutations(list(FIELD_NAMES)),
    data=st.data(),
    title_rows=st.integers(0, 2),
    rows=st.lists(
        st.tuples(
            st.sampled_from(sorted(OPERATOR_CELLS)),
            st.integers(0, 99999),
            st.sampled_from(UNIT_CELLS),
            st.integers(1, 30),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_any_column_order_with_any_header_names_reads_every_row(order, data, title_rows, rows):
    """Whatever the order of the columns and whichever of their common names the header uses, operator, value and
    unit combine into one 指标值 and the weight and explanation land in the 说明 with their headers."""
    headers = {field: data.draw(st.sampled_from(FIELD_NAMES[field]), label=field) for field in order}
    grid = [["项目支出绩效目标表"]] * title_rows + [[headers[field] for field in order]]
    for number, (operator, value, unit, weight) in enumerate(rows):
        cells = {
            "level1": "产出指标" if number == 0 else "",
            "level2": "数量指标" if number == 0 else "",
            "name": f"指标{number}",
            "operator": operator,
            "value": str(value),
            "unit": unit,
            "weight": str(weight),
            "explanation": f"口径{number}",
        }
        grid.append([cells[field] for field in order])
    result = read(grid)
    assert not result.problems and not any(use.needs_choice for use in result.uses)
    unit_text = {"—": "", "/": ""}
    expected = []
    for number, (operator, value, unit, weight) in enumerate(rows):
        notes = {"weight": f"{headers['weight']}：{weight}", "explanation": f"{headers['explanation']}：口径{number}"}
        note = "；".join(notes[field] for field in order if field in notes)
        expected.append((f"指标{number}", f"{OPERATOR_CELLS[operator]}{value}{unit_text.get(unit, unit)}", note))
    assert values(result) == expected


def test_a_group_header_over_the_first_level_column():
    result = read(
        [
            ["绩效指标", "二级指标", "三级指标", "指标值"],
            ["产出指标", "数量指标", "门诊人次", "≥100人次"],
            ["效益指标", "社会效益指标", "群众获得感", "有效提高"],
        ]
    )
    assert uses(result)[0] == (0, "level1") and [row.level1 for row in result.rows] == ["产出指标", "效益指标"]


def test_an_operator_or_unit_that_cannot_join_the_value_is_said():
    result = read(
        [
            ["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "计量单位"],
            ["产出指标", "数量指标", "服务质量", "≥", "有效提高", "%"],
            ["", "", "门诊人次", "≥", "100", "人次"],
            ["", "", "服务态度", "定性", "良好", "—"],
        ]
    )
    assert [row.value for row in result.addable] == ["有效提高", "≥100人次", "良好"]
    (note,) = result.notes
    assert (note.line, note.column) == (2, 5) and "“≥”“%”没有并入指标值“有效提高”" in note.message


def test_a_whole_form_copied_finds_the_indicator_header_below_its_project_lines():
    top = [
        ["项目绩效目标表"],
        ["项目名称", "再生资源回收市场管理经费"],
        ["项目类别", "(31)部门预算项目"],
        ["归口科室", "(08)经济贸易科"],
        ["主管部门", "(433)乌海市供销合作社联合社(部门)"],
        ["实施单位", "(433001)乌海市供销合作社联合社"],
        ["投入目标（万元）", "资金来源", "年初安排金额"],
        ["", "资金总额", "3"],
        ["", "其中：财政拨款数", "3"],
        ["", "其他资金", "0"],
        ["中期目标", "年度目标"],
        ["目标1：规范市场秩序", "目标1：完成年度检查"],
        ["年度目标", "目标1：完成年度检查"],
        ["绩效指标（权重分值90分）"],
    ]
    result = read(
        [
            *top,
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值"],
            ["产出指标", "数量指标", "出差人次", "正向", "=", "24", "人/次", "4"],
        ]
    )
    # every line above is noted as skipped, except the caption spanning the header (it names the group)
    assert not result.problems and [note.line for note in result.notes] == list(range(1, len(top)))
    assert values(result) == [("出差人次", "24人/次", "指标性质：正向；分值：4")]


def test_a_standard_column_is_not_taken_for_a_unit():
    result = read(
        [["产出指标", "数量指标", "门诊人次", "100", "历史标准"], ["", "", "住院人次", "20", "行业标准"]],
        with_standard=True,
    )
    assert [(row.value, row.standard) for row in result.addable] == [("100", "历史标准"), ("20", "行业标准")]


def test_a_form_with_one_set_reads_the_first_of_two_value_columns_and_keeps_the_second_in_the_note():
    grid = [["二级指标", "三级指标", "指标值", "目标值", "绩效标准", "指标值设定依据"],
            ["数量指标", "培训人数", "≥500人", "≥480人", "计划数", "上年完成480人"]]
    result = read(grid, period="annual", with_standard=True)
    assert uses(result) == [(0, "level2"), (1, "name"), (2, "value"), (3, NOTE), (4, "standard"), (5, NOTE)]
    (row,) = result.addable
    assert (row.value, row.standard) == ("≥500人", "计划数")
    assert row.note == "目标值：≥480人；指标值设定依据：上年完成480人"


def test_on_a_form_with_one_set_the_other_periods_column_is_shown_as_not_imported_with_the_way_to_keep_it():
    grid = [["二级指标", "三级指标", "中期目标", "年度目标"], ["数量指标", "建设农田", "≥30万亩", "≥10万亩"]]
    result = read(grid, period="annual")
    (other,) = [use for use in result.uses if use.index == 2]
    assert other.use == IGNORE and "本表样只填年度指标" in other.reason and "说明" in other.reason
    assert values(result) == [("建设农田", "≥10万亩", "")]
    chosen = read(grid, period="annual", columns={2: NOTE})
    assert values(chosen) == [("建设农田", "≥10万亩", "中期目标：≥30万亩")]


def test_a_type_column_word_other_than_quantitative_or_qualitative_is_kept_in_the_note():
    grid = [["二级指标", "三级指标", "指标类型", "指标值"], ["数量指标", "培训人数", "数量型", "≥500人"]]
    (row,) = read(grid, period="annual").addable
    assert row.note == "指标类型：数量型"


def test_a_repeated_header_row_is_skipped_with_a_note_not_silently():
    grid = [["二级指标", "三级指标", "指标值"], ["数量指标", "培训人数", "≥500人"],
            ["二级指标", "三级指标", "指标值"], ["质量指标", "合格率", "≥95%"]]
    result = read(grid, period="annual")
    assert [row.name for row in result.addable] == ["培训人数", "合格率"]
    assert any(note.line == 3 and "重复的表头" in note.message for note in result.notes)

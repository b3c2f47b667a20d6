"""Table shapes modelled on published 绩效目标表 of many regions: the grid as Excel copies it, its merged cells, the
scheme, and what a paste of it must give.

Transcribed layouts: the seeds (/work/shared/seeds: 江西柴桑, 广东大鹏, 山西阳泉, 湖南沅江) and the regional samples
(fixtures/regional_samples: 福建宁德, 内蒙古乌海, 四川昭化), with rows taken from them where the shape says so. The
layouts credited to other provinces combine column names found in published forms (the vocabulary of
indicators/columns.py) the way those forms print them; their exact column sets and all their rows are our own.
`region` names the form a shape is modelled on.

`grid` is what Excel puts on the clipboard (a merged range: its text in the top-left cell, "" elsewhere); `merges`
are the merged ranges as (first_row, first_col, last_row, last_col), 0-based and inclusive, so that .xlsx and .docx
files can be built from the same shape. `expected` holds, in order, every row that can be added at once (`Row`) and
every question the user must answer before the rest can (`Ask`).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Row:
    """A row as added: its 二级 category code, 三级 name, 指标值 as stored, 说明 and own columns."""

    code: str
    name: str
    value: str
    note: str = ""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ask:
    """What the user must see: a column to choose a use for ("column", 0-based index), a row with a problem
    ("row", 1-based line), or a 二级 name to place ("category", the name). `words` are in the message."""

    kind: str
    where: object
    words: str = ""


@dataclass(frozen=True)
class Shape:
    name: str
    region: str
    grid: list[list[str]]
    merges: list[tuple[int, int, int, int]]
    scheme: str  # "cost-first" | "cost-under-output"
    expected: tuple
    options: dict = field(default_factory=dict)  # ReadOptions fields: with_standard, last_set, period, own_columns
    skipped: int = 0  # rows read and skipped on purpose (empty groups, the other period's table)


def derive_merges(grid: list[list[str]], titles: int, header: int, fill: tuple[int, ...]) -> list[tuple]:
    """The merged ranges a printed table has: title rows across the table; header cells spanning the blank cells
    to their right (over sub-headers) and below; blank 一级/二级 cells (`fill`) under the cell above."""
    width = max(len(row) for row in grid)
    rows = [row + [""] * (width - len(row)) for row in grid]
    # a title row (one text in its first cell) spans the table; 项目名称 lines keep their cells
    merges = [(r, 0, r, width - 1) for r in range(titles) if width > 1 and rows[r][0] and not any(rows[r][1:])]
    top, bottom = titles, titles + header - 1
    for r in range(top, bottom + 1):
        for c in range(width):
            if not rows[r][c]:
                continue
            right = c
            while (
                right + 1 < width
                and not rows[r][right + 1]
                and any(rows[k][right + 1] for k in range(r + 1, bottom + 1))
            ):
                right += 1
            down = r
            while down + 1 <= bottom and not any(rows[down + 1][c : right + 1]):
                down += 1
            if (right, down) != (c, r):
                merges.append((r, c, down, right))
    for c in fill:
        r = bottom + 1
        while r < len(rows):
            end = r
            while (
                end + 1 < len(rows)
                and rows[r][c]
                and not rows[end + 1][c]
                and any(rows[end + 1])
                and all(not rows[end + 1][k] for k in fill if k < c)
            ):
                end += 1
            if end > r:
                merges.append((r, c, end, c))
            r = end + 1
    return merges


def shape(name, region, scheme, rows, expected, *, titles=0, header=1, fill=(0, 1), skipped=0, **options):
    grid = [list(row) for row in rows]
    return Shape(
        name, region, grid, derive_merges(grid, titles, header, fill), scheme, tuple(expected), options, skipped
    )


H4 = ["一级指标", "二级指标", "三级指标", "指标值"]

SHAPES = [
    shape(
        "mof88-project",
        "财政部 财预〔2015〕88号 项目支出绩效目标申报表",
        "cost-under-output",
        [
            ["项目支出绩效目标申报表"],
            ["（2024年度）"],
            ["项目名称", "基本公共卫生服务项目"],
            ["年度绩效指标", "一级指标", "二级指标", "三级指标", "指标值"],
            ["", "产出指标", "数量指标", "建立居民健康档案人数", "≥12万人"],
            ["", "", "", "老年人健康管理人数", "≥8000人"],
            ["", "", "质量指标", "健康档案规范化电子建档率", "≥90%"],
            ["", "", "时效指标", "资金拨付及时率", "100%"],
            ["", "", "成本指标", "人均补助标准", "≤89元"],
            ["", "效益指标", "社会效益指标", "居民健康素养水平", "较上年提高"],
            ["", "满意度指标", "服务对象满意度指标", "居民满意度", "≥90%"],
        ],
        [
            Row("quantity", "建立居民健康档案人数", "≥12万人"),
            Row("quantity", "老年人健康管理人数", "≥8000人"),
            Row("quality", "健康档案规范化电子建档率", "≥90%"),
            Row("timeliness", "资金拨付及时率", "100%"),
            Row("output_cost", "人均补助标准", "≤89元"),
            Row("social_benefit", "居民健康素养水平", "较上年提高"),
            Row("beneficiary_satisfaction", "居民满意度", "≥90%"),
        ],
        titles=2,
        fill=(1, 2),
    ),
    shape(
        "mof101-core-template",
        "财政部 财预〔2021〕101号 附件2 核心绩效指标表模板",
        "cost-first",
        [
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "分值", "指标解释"],
            ["成本指标", "经济成本指标", "项目总成本", "≤", "500", "万元", "10", "项目预算批复数"],
            ["产出指标", "数量指标", "培训人数", "≥", "200", "人次", "20", "全年参训人次"],
            ["", "质量指标", "培训合格率", "≥", "95", "%", "20", "考核合格人数/参训人数"],
            ["", "时效指标", "培训完成时间", "≤", "2024年11月", "—", "10", ""],
            ["效益指标", "社会效益指标", "基层服务能力", "定性", "明显提升", "/", "20", "培训后服务能力评估"],
            ["满意度指标", "服务对象满意度指标", "参训人员满意度", "≥", "90", "%", "10", "问卷调查"],
        ],
        [
            Row("economic_cost", "项目总成本", "≤500万元", "分值：10；指标解释：项目预算批复数"),
            Row("quantity", "培训人数", "≥200人次", "分值：20；指标解释：全年参训人次"),
            Row("quality", "培训合格率", "≥95%", "分值：20；指标解释：考核合格人数/参训人数"),
            Row("timeliness", "培训完成时间", "2024年11月", "分值：10"),
            Row("social_benefit", "基层服务能力", "明显提升", "分值：20；指标解释：培训后服务能力评估"),
            Row("beneficiary_satisfaction", "参训人员满意度", "≥90%", "分值：10；指标解释：问卷调查"),
        ],
    ),
    shape(
        "jiangxi-chaisang-dept",
        "江西 九江柴桑 部门整体支出绩效目标设置申报表（种子000）",
        "cost-first",
        [
            ["部门整体支出绩效目标设置申报表"],
            ["部门名称", "九江市柴桑区总医院", "", "年度", "2026"],
            H4,
            ["成本指标", "经济成本指标", "人员经费支出", "≦1850万元"],
            ["产出指标", "数量指标", "门诊人次", "≧18万人次"],
            ["", "", "住院人次", "≧9000人次"],
            ["", "质量指标", "病历甲级率", "≧95%"],
            ["", "时效指标", "急诊响应时间", "≤10分钟"],
            ["效益指标", "社会效益指标", "群众就医便利度", "有效提升"],
            ["满意度指标", "满意度指标", "患者满意度", "≧90%"],
        ],
        [
            Row("economic_cost", "人员经费支出", "≦1850万元"),
            Row("quantity", "门诊人次", "≧18万人次"),
            Row("quantity", "住院人次", "≧9000人次"),
            Row("quality", "病历甲级率", "≧95%"),
            Row("timeliness", "急诊响应时间", "≤10分钟"),
            Row("social_benefit", "群众就医便利度", "有效提升"),
            Row("beneficiary_satisfaction", "患者满意度", "≧90%"),
        ],
        titles=2,
    ),
    shape(
        "guangdong-dapeng-dept",
        "广东 深圳大鹏 部门整体支出绩效目标表（种子002）",
        "cost-under-output",
        [
            ["部门整体支出绩效目标表"],
            H4,
            ["产出指标", "数量指标", "家庭医生签约人数", "≥30000人"],
            ["", "质量指标", "院感发生率", "<10%"],
            ["", "时效指标", "项目完成及时率", "100%"],
            ["", "成本指标", "人均诊疗费用", "≤169000 元/人/年（平均）"],
            ["效益指标", "经济效益指标", "不适用", "不适用"],
            ["", "社会效益指标", "居民健康水平", "有效提高"],
            ["", "生态效益指标", "不适用", "不适用"],
            ["满意度指标", "服务对象满意度指标", "患者满意度", "≥90%"],
        ],
        [
            Row("quantity", "家庭医生签约人数", "≥30000人"),
            Row("quality", "院感发生率", "<10%"),
            Row("timeliness", "项目完成及时率", "100%"),
            Row("output_cost", "人均诊疗费用", "≤169000 元/人/年（平均）"),
            Row("economic_benefit", "不适用", "不适用"),
            Row("social_benefit", "居民健康水平", "有效提高"),
            Row("ecological_benefit", "不适用", "不适用"),
            Row("beneficiary_satisfaction", "患者满意度", "≥90%"),
        ],
        titles=1,
    ),
]

YANGQUAN = [
    ["绩效指标", "一级指标", "实施期", "", "", "年度", "", ""],
    ["", "", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值"],
    ["", "产出指标", "数量指标", "补助医院数", "1个", "数量指标", "补助医院数", "1个"],
    ["", "", "质量指标", "资金使用合规率", "100%", "质量指标", "资金使用合规率", "100%"],
    ["", "", "时效指标", "资金拨付时间", "2024年12月底前", "时效指标", "资金拨付时间", "2024年12月底前"],
    ["", "", "成本指标", "", "", "成本指标", "公立医院百元医疗收入", "较上年下降"],
    ["", "效益指标", "社会效益指标", "医院运行保障", "有效保障", "社会效益指标", "医院运行保障", "有效保障"],
    ["", "", "可持续影响指标", "", "", "可持续影响指标", "医院持续健康运行", "持续"],
    ["", "满意度指标", "服务对象满意度指标", "患者满意度", "≥90%", "服务对象满意度指标", "患者满意度", "≥92%"],
]
HUNAN_ROWS = [
    ["产出指标", "数量指标", "家庭医生签约服务人数", "≧10656人", "历史标准"],
    ["", "", "孕产妇系统管理人数", "≥1200人", "计划标准"],
    ["", "质量指标", "孕产妇死亡率", "≤12/100000", "行业标准"],
    ["", "时效指标", "资金拨付时间", "2024年12月前", "计划标准"],
    ["", "成本指标", "项目总成本", "≤4193.9万元", "预算支出标准"],
    ["效益指标", "社会效益指标", "居民健康水平", "有效提高", "历史标准"],
    ["", "社会公众或服务对象满意度指标", "群众满意度", "≥90%", "行业标准"],
]
HUNAN_EXPECTED = [
    ("quantity", "家庭医生签约服务人数", "≧10656人", "历史标准"),
    ("quantity", "孕产妇系统管理人数", "≥1200人", "计划标准"),
    ("quality", "孕产妇死亡率", "≤12/100000", "行业标准"),
    ("timeliness", "资金拨付时间", "2024年12月前", "计划标准"),
    ("output_cost", "项目总成本", "≤4193.9万元", "预算支出标准"),
    ("social_benefit", "居民健康水平", "有效提高", "历史标准"),
    ("beneficiary_satisfaction", "群众满意度", "≥90%", "行业标准"),
]
WUHAI = [
    ["绩效指标（权重分值90分，其中产出指标权重分值50分，效益指标权重分值30分，满意度指标权重分值10分）"],
    ["一级指标", "二级指标", "三级指标", "指标性质", "指标方向", "目标值", "计量单位", "分值", "备注"],
    ["产出指标", "数量指标", "出差人数", "正向", "=", "8", "", "4", ""],
    ["", "", "出差人次", "正向", "=", "24", "人/次", "4", ""],
    ["", "质量指标", "工作任务完成率", "正向", "=", "100", "%", "4", ""],
    ["", "时效指标", "财政资金到位及时支付率", "正向", "=", "100", "%", "4", ""],
    ["", "成本指标", "出差总成本", "反向", "=", "1", "万元", "4", ""],
    ["", "", "劳务人员总成本", "反向", "=", "2", "万元", "4", ""],
]
WUHAI_OWN = (
    ("extra.nature", "指标性质"),
    ("extra.direction", "指标方向"),
    ("extra.unit", "计量单位"),
    ("extra.weight", "分值"),
)
NINGXIANG = [
    ["长期绩效指标"],
    ["一级指标", "二级指标", "指标内容", "指标值", "备注"],
    ["产出指标", "数量指标", "改造集镇立面", "≥3000平方米", ""],
    ["效益指标", "社会效益指标", "乡村面貌", "明显改善", "长期目标"],
    ["年度绩效指标"],
    ["一级指标", "二级指标", "指标内容", "指标值", "备注"],
    ["产出指标", "数量指标", "改造集镇立面", "≥1000平方米", "一期"],
    ["", "质量指标", "工程验收合格率", "100%", ""],
    ["效益指标", "社会效益指标", "群众出行条件", "有效改善", ""],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", ""],
]

SHAPES += [
    shape(
        "shanxi-yangquan-annual",
        "山西 阳泉 项目支出绩效目标表（种子003），年度编辑器",
        "cost-under-output",
        YANGQUAN,
        [
            Row("quantity", "补助医院数", "1个"),
            Row("quality", "资金使用合规率", "100%"),
            Row("timeliness", "资金拨付时间", "2024年12月底前"),
            Row("output_cost", "公立医院百元医疗收入", "较上年下降"),
            Row("social_benefit", "医院运行保障", "有效保障"),
            Row("sustainable_impact", "医院持续健康运行", "持续"),
            Row("beneficiary_satisfaction", "患者满意度", "≥92%"),
        ],
        header=2,
        fill=(1, 5),
        last_set=True,
    ),
    shape(
        "shanxi-yangquan-implementation",
        "山西 阳泉 项目支出绩效目标表（种子003），实施期编辑器",
        "cost-under-output",
        YANGQUAN,
        [
            Row("quantity", "补助医院数", "1个"),
            Row("quality", "资金使用合规率", "100%"),
            Row("timeliness", "资金拨付时间", "2024年12月底前"),
            Row("social_benefit", "医院运行保障", "有效保障"),
            Row("beneficiary_satisfaction", "患者满意度", "≥90%"),
        ],
        header=2,
        fill=(1, 2),
        skipped=2,
    ),
    shape(
        "hunan-yuanjiang-standard",
        "湖南 沅江 项目支出绩效目标表（种子004），有绩效标准栏",
        "cost-under-output",
        [["一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"], *HUNAN_ROWS],
        [Row(code, name, value) for code, name, value, _ in HUNAN_EXPECTED],
        with_standard=True,
    ),
    shape(
        "hunan-yuanjiang-no-standard",
        "湖南 沅江 表格粘贴到没有绩效标准栏的表样",
        "cost-under-output",
        [["一级指标", "二级指标", "三级指标", "指标值及单位", "绩效标准"], *HUNAN_ROWS],
        [Row(code, name, value, f"绩效标准：{standard}") for code, name, value, standard in HUNAN_EXPECTED],
    ),
    shape(
        "hunan-ningxiang-stacked-annual",
        "湖南 宁乡 项目绩效目标表：长期、年度绩效指标上下两表",
        "cost-under-output",
        NINGXIANG,
        [
            Row("quantity", "改造集镇立面", "≥1000平方米", "备注：一期"),
            Row("quality", "工程验收合格率", "100%"),
            Row("social_benefit", "群众出行条件", "有效改善"),
            Row("beneficiary_satisfaction", "群众满意度", "≥90%"),
        ],
        titles=1,
        skipped=2,
        period="annual",
    ),
    shape(
        "neimenggu-wuhai-own-columns",
        "内蒙古 乌海 项目绩效目标表（样本 proj-wuhai），表样有自己的栏",
        "cost-under-output",
        WUHAI,
        [
            Row("quantity", "出差人数", "8", "", {"nature": "正向", "direction": "=", "weight": "4"}),
            Row("quantity", "出差人次", "24", "", {"nature": "正向", "direction": "=", "unit": "人/次", "weight": "4"}),
            Row(
                "quality", "工作任务完成率", "100", "", {"nature": "正向", "direction": "=", "unit": "%", "weight": "4"}
            ),
            Row(
                "timeliness",
                "财政资金到位及时支付率",
                "100",
                "",
                {"nature": "正向", "direction": "=", "unit": "%", "weight": "4"},
            ),
            Row(
                "output_cost",
                "出差总成本",
                "1",
                "",
                {"nature": "反向", "direction": "=", "unit": "万元", "weight": "4"},
            ),
            Row(
                "output_cost",
                "劳务人员总成本",
                "2",
                "",
                {"nature": "反向", "direction": "=", "unit": "万元", "weight": "4"},
            ),
        ],
        titles=1,
        own_columns=WUHAI_OWN,
    ),
    shape(
        "neimenggu-wuhai-generic",
        "内蒙古 乌海 表格粘贴到通用表样：符号、目标值、单位合成指标值",
        "cost-under-output",
        WUHAI,
        [
            Row("quantity", "出差人数", "8", "指标性质：正向；分值：4"),
            Row("quantity", "出差人次", "24人/次", "指标性质：正向；分值：4"),
            Row("quality", "工作任务完成率", "100%", "指标性质：正向；分值：4"),
            Row("timeliness", "财政资金到位及时支付率", "100%", "指标性质：正向；分值：4"),
            Row("output_cost", "出差总成本", "1万元", "指标性质：反向；分值：4"),
            Row("output_cost", "劳务人员总成本", "2万元", "指标性质：反向；分值：4"),
        ],
        titles=1,
    ),
    shape(
        "fujian-ningde-own-explain",
        "福建 宁德 部门整体支出绩效目标表（样本 dept-ningde）",
        "cost-under-output",
        [
            ["一级指标", "二级指标", "三级指标", "指标解释", "目标值"],
            ["产出指标", "数量指标", "志鉴地情相关工作开展所需资金的供应时效", "100%(历史标准)", "100%"],
            ["", "", "按年度发放绩效奖、文明奖、综治平安奖、应休未休补贴", "60%", "≥60%"],
            ["", "质量指标", "各类书籍审稿率", "100%(计划标准)", "1"],
            ["", "时效指标", "项目完成时间", "2019年12月(计划标准)", "100%"],
        ],
        [
            Row("quantity", "志鉴地情相关工作开展所需资金的供应时效", "100%", "", {"explain": "100%(历史标准)"}),
            Row("quantity", "按年度发放绩效奖、文明奖、综治平安奖、应休未休补贴", "≥60%", "", {"explain": "60%"}),
            Row("quality", "各类书籍审稿率", "1", "", {"explain": "100%(计划标准)"}),
            Row("timeliness", "项目完成时间", "100%", "", {"explain": "2019年12月(计划标准)"}),
        ],
        own_columns=(("extra.explain", "指标解释"),),
    ),
]


def plain(code, name, value, note=""):
    return Row(code, name, value, note)


SHAPES += [
    shape(
        "sichuan-nature-operators",
        "四川 项目支出绩效目标表：指标性质、度量单位分栏",
        "cost-first",
        [
            ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标解释"],
            ["产出指标", "数量指标", "改造农村公路里程", "≥", "35", "公里", "当年完工里程"],
            ["", "质量指标", "工程验收合格率", "=", "100", "%", ""],
            ["", "时效指标", "完工时间", "≤", "2025年10月", "", ""],
            ["成本指标", "经济成本指标", "每公里补助标准", "≤", "60", "万元/公里", "省定标准"],
            ["效益指标", "社会效益指标", "群众出行条件", "定性", "明显改善", "", ""],
            ["满意度指标", "服务对象满意度指标", "沿线群众满意度", "≥", "90", "%", ""],
        ],
        [
            plain("quantity", "改造农村公路里程", "≥35公里", "指标解释：当年完工里程"),
            plain("quality", "工程验收合格率", "100%"),
            plain("timeliness", "完工时间", "2025年10月"),
            plain("economic_cost", "每公里补助标准", "≤60万元/公里", "指标解释：省定标准"),
            plain("social_benefit", "群众出行条件", "明显改善"),
            plain("beneficiary_satisfaction", "沿线群众满意度", "≥90%"),
        ],
    ),
    shape(
        "zhejiang-sign-words-weights",
        "浙江 项目绩效目标表：计算符号（文字）、计量单位、权重、评（扣）分标准",
        "cost-first",
        [
            [
                "一级指标",
                "二级指标",
                "三级指标",
                "计算符号",
                "指标值",
                "计量单位",
                "权重",
                "指标解释",
                "评（扣）分标准",
            ],
            [
                "产出指标",
                "数量指标",
                "完成垃圾分类示范小区",
                "大于等于",
                "20",
                "个",
                "15",
                "验收通过的小区数",
                "每少1个扣1分",
            ],
            ["", "质量指标", "分类准确率", "大于等于", "90", "%", "15", "抽查准确率", "低于目标按比例扣分"],
            ["", "时效指标", "项目完成时限", "小于等于", "12", "月", "10", "", ""],
            ["成本指标", "经济成本指标", "单个小区补助", "小于等于", "15", "万元", "10", "", ""],
            ["效益指标", "生态效益指标", "生活垃圾回收利用率", "大于", "60", "%", "20", "", ""],
            ["满意度指标", "服务对象满意度指标", "居民满意度", "大于等于", "85", "%", "10", "问卷", ""],
        ],
        [
            plain(
                "quantity",
                "完成垃圾分类示范小区",
                "≥20个",
                "权重：15；指标解释：验收通过的小区数；评（扣）分标准：每少1个扣1分",
            ),
            plain(
                "quality", "分类准确率", "≥90%", "权重：15；指标解释：抽查准确率；评（扣）分标准：低于目标按比例扣分"
            ),
            plain("timeliness", "项目完成时限", "≤12月", "权重：10"),
            plain("economic_cost", "单个小区补助", "≤15万元", "权重：10"),
            plain("ecological_benefit", "生活垃圾回收利用率", ">60%", "权重：20"),
            plain("beneficiary_satisfaction", "居民满意度", "≥85%", "权重：10；指标解释：问卷"),
        ],
    ),
    shape(
        "guangxi-score-rules",
        "广西 项目支出绩效目标申报表：分值、评分细则",
        "cost-under-output",
        [
            ["一级指标", "二级指标", "三级指标", "指标值", "分值", "评分细则"],
            ["产出指标", "数量指标", "培训农民人数", "≥500人", "20", "按完成比例计分"],
            ["", "质量指标", "培训考核合格率", "≥95%", "20", "每低1个百分点扣1分"],
            ["", "成本指标", "人均培训成本", "≤800元", "10", "超出不得分"],
            ["效益指标", "经济效益指标", "参训农民人均增收", "≥2000元", "30", ""],
            ["满意度指标", "服务对象满意度指标", "参训农民满意度", "≥90%", "20", ""],
        ],
        [
            plain("quantity", "培训农民人数", "≥500人", "分值：20；评分细则：按完成比例计分"),
            plain("quality", "培训考核合格率", "≥95%", "分值：20；评分细则：每低1个百分点扣1分"),
            plain("output_cost", "人均培训成本", "≤800元", "分值：10；评分细则：超出不得分"),
            plain("economic_benefit", "参训农民人均增收", "≥2000元", "分值：30"),
            plain("beneficiary_satisfaction", "参训农民满意度", "≥90%", "分值：20"),
        ],
    ),
    shape(
        "beijing-direction",
        "北京 项目绩效目标表：指标方向（正向/反向）",
        "cost-first",
        [
            ["一级指标", "二级指标", "三级指标", "指标方向", "指标值"],
            ["产出指标", "数量指标", "巡查河道长度", "正向", "≥120公里"],
            ["", "质量指标", "水质达标率", "正向", "≥95%"],
            ["成本指标", "经济成本指标", "巡查经费", "反向", "≤48万元"],
            ["效益指标", "生态效益指标", "河道水质", "正向", "稳定达标"],
            ["满意度指标", "服务对象满意度指标", "周边居民满意度", "正向", "≥90%"],
        ],
        [
            plain("quantity", "巡查河道长度", "≥120公里", "指标方向：正向"),
            plain("quality", "水质达标率", "≥95%", "指标方向：正向"),
            plain("economic_cost", "巡查经费", "≤48万元", "指标方向：反向"),
            plain("ecological_benefit", "河道水质", "稳定达标", "指标方向：正向"),
            plain("beneficiary_satisfaction", "周边居民满意度", "≥90%", "指标方向：正向"),
        ],
    ),
    shape(
        "jiangsu-kind-column",
        "江苏 项目支出绩效目标表：指标类型（定量/定性）",
        "cost-first",
        [
            ["一级指标", "二级指标", "三级指标", "指标类型", "指标值"],
            ["产出指标", "数量指标", "新增养老床位", "定量", "≥300张"],
            ["", "质量指标", "养老机构星级评定达标率", "定量", "≥80%"],
            ["成本指标", "经济成本指标", "每张床位建设补助", "定量", "≤1万元"],
            ["效益指标", "社会效益指标", "养老服务供给能力", "定性", "明显增强"],
            ["满意度指标", "服务对象满意度指标", "入住老人满意度", "定量", "≥90%"],
        ],
        [
            plain("quantity", "新增养老床位", "≥300张"),
            plain("quality", "养老机构星级评定达标率", "≥80%"),
            plain("economic_cost", "每张床位建设补助", "≤1万元"),
            plain("social_benefit", "养老服务供给能力", "明显增强"),
            plain("beneficiary_satisfaction", "入住老人满意度", "≥90%"),
        ],
    ),
    shape(
        "hebei-two-row-header",
        "河北 项目绩效目标表：表头两行（绩效指标 / 指标值 跨列）",
        "cost-under-output",
        [
            ["绩效指标", "", "", "指标值", ""],
            ["一级指标", "二级指标", "三级指标", "数值", "单位"],
            ["产出指标", "数量指标", "改造老旧小区", "12", "个"],
            ["", "", "惠及居民户数", "3600", "户"],
            ["", "质量指标", "竣工验收合格率", "100", "%"],
            ["", "成本指标", "户均改造成本", "≤3.5", "万元"],
            ["效益指标", "社会效益指标", "居住环境", "明显改善", "—"],
            ["满意度指标", "服务对象满意度指标", "居民满意度", "≥90", "%"],
        ],
        [
            plain("quantity", "改造老旧小区", "12个"),
            plain("quantity", "惠及居民户数", "3600户"),
            plain("quality", "竣工验收合格率", "100%"),
            plain("output_cost", "户均改造成本", "≤3.5万元"),
            plain("social_benefit", "居住环境", "明显改善"),
            plain("beneficiary_satisfaction", "居民满意度", "≥90%"),
        ],
        header=2,
    ),
    shape(
        "hubei-three-row-header",
        "湖北 项目支出绩效目标表：表头三行（年度绩效指标 / 指标值 / 符号、数值、单位）",
        "cost-first",
        [
            ["年度绩效指标", "", "", "", "", ""],
            ["一级指标", "二级指标", "三级指标", "指标值", "", ""],
            ["", "", "", "符号", "数值", "单位"],
            ["产出指标", "数量指标", "义诊下乡次数", "≥", "24", "次"],
            ["", "时效指标", "任务完成时间", "", "2024年12月31日前", ""],
            ["成本指标", "经济成本指标", "义诊活动经费", "≤", "12", "万元"],
            ["效益指标", "社会效益指标", "基层群众健康意识", "", "有效提高", ""],
            ["满意度指标", "服务对象满意度指标", "群众满意度", "≥", "95", "%"],
        ],
        [
            plain("quantity", "义诊下乡次数", "≥24次"),
            plain("timeliness", "任务完成时间", "2024年12月31日前"),
            plain("economic_cost", "义诊活动经费", "≤12万元"),
            plain("social_benefit", "基层群众健康意识", "有效提高"),
            plain("beneficiary_satisfaction", "群众满意度", "≥95%"),
        ],
        header=3,
    ),
    shape(
        "anhui-mid-and-annual-values",
        "安徽 项目绩效目标表：中期指标值、年度指标值并列，年度编辑器",
        "cost-first",
        [
            ["一级指标", "二级指标", "三级指标", "中期指标值", "年度指标值"],
            ["产出指标", "数量指标", "建设高标准农田", "≥30万亩", "≥10万亩"],
            ["", "质量指标", "工程质量合格率", "100%", "100%"],
            ["成本指标", "经济成本指标", "亩均投资", "≤3000元", "≤3000元"],
            ["效益指标", "经济效益指标", "亩均粮食增产", "≥50公斤", "≥40公斤"],
            ["满意度指标", "服务对象满意度指标", "农户满意度", "≥90%", "≥90%"],
        ],
        [
            plain("quantity", "建设高标准农田", "≥10万亩"),
            plain("quality", "工程质量合格率", "100%"),
            plain("economic_cost", "亩均投资", "≤3000元"),
            plain("economic_benefit", "亩均粮食增产", "≥40公斤"),
            plain("beneficiary_satisfaction", "农户满意度", "≥90%"),
        ],
        last_set=True,
    ),
    shape(
        "tianjin-implementation-and-annual-targets",
        "天津 项目绩效目标表：实施期目标值、年度目标值并列，实施期编辑器",
        "cost-under-output",
        [
            ["一级指标", "二级指标", "三级指标", "实施期目标值", "年度目标值"],
            ["产出指标", "数量指标", "更新公交车辆", "200辆", "80辆"],
            ["", "时效指标", "车辆投运时间", "2026年底前", "2024年底前"],
            ["效益指标", "生态效益指标", "年减少碳排放", "≥1.2万吨", "≥0.5万吨"],
            ["满意度指标", "服务对象满意度指标", "乘客满意度", "≥90%", "≥88%"],
        ],
        [
            plain("quantity", "更新公交车辆", "200辆"),
            plain("timeliness", "车辆投运时间", "2026年底前"),
            plain("ecological_benefit", "年减少碳排放", "≥1.2万吨"),
            plain("beneficiary_satisfaction", "乘客满意度", "≥90%"),
        ],
    ),
    shape(
        "ningxia-kind-under-nature",
        "宁夏 项目绩效目标表：指标性质栏写定量/定性，目标值与计量单位分栏",
        "cost-first",
        [
            ["一级指标", "二级指标", "指标名称", "指标性质", "目标值", "计量单位"],
            ["产出指标", "数量指标", "枸杞种植技术培训", "定量", "40", "场次"],
            ["", "质量指标", "技术到位率", "定量", "≥95", "%"],
            ["成本指标", "经济成本指标", "每场培训费用", "定量", "≤0.8", "万元"],
            ["效益指标", "经济效益指标", "种植户增收", "定性", "明显增加", "—"],
            ["满意度指标", "服务对象满意度指标", "种植户满意度", "定量", "≥90", "%"],
        ],
        [
            plain("quantity", "枸杞种植技术培训", "40场次"),
            plain("quality", "技术到位率", "≥95%"),
            plain("economic_cost", "每场培训费用", "≤0.8万元"),
            plain("economic_benefit", "种植户增收", "明显增加"),
            plain("beneficiary_satisfaction", "种植户满意度", "≥90%"),
        ],
    ),
]


def named(name, region, scheme, first, rows, expected, **kwargs):
    """A table whose columns are named in the region's own words (`first`: the header row, or the first row)."""
    return shape(name, region, scheme, [first, *rows], [plain(*row) for row in expected], **kwargs)


HEALTH_ROWS = [
    ["产出指标", "数量指标", "开展健康讲座", "≥22次"],
    ["", "质量指标", "讲座覆盖率", "≥85%"],
    ["", "时效指标", "完成时间", "2025年12月前"],
]
HEALTH = [
    ("quantity", "开展健康讲座", "≥22次"),
    ("quality", "讲座覆盖率", "≥85%"),
    ("timeliness", "完成时间", "2025年12月前"),
]

SHAPES += [
    named(
        "shandong-value-with-description",
        "山东 项目支出绩效目标表：指标值（包含数字及文字描述）",
        "cost-first",
        ["一级指标名称", "二级指标名称", "三级指标名称", "指标值（包含数字及文字描述）"],
        HEALTH_ROWS,
        HEALTH,
    ),
    named(
        "henan-expected-target",
        "河南 项目绩效目标申报表：预期目标",
        "cost-first",
        ["一级指标", "二级指标", "具体指标", "预期目标"],
        HEALTH_ROWS,
        HEALTH,
    ),
    named(
        "yunnan-performance-target-value",
        "云南 项目支出绩效目标表：绩效目标值",
        "cost-first",
        ["一级指标", "二级指标", "三级指标", "绩效目标值"],
        HEALTH_ROWS,
        HEALTH,
    ),
    named(
        "guizhou-indicator-target-value",
        "贵州 项目支出绩效目标表：指标目标值",
        "cost-first",
        ["一级指标", "二级指标", "三级指标", "指标目标值"],
        HEALTH_ROWS,
        HEALTH,
    ),
    named(
        "chongqing-planned-value",
        "重庆 项目绩效目标表：计划值",
        "cost-first",
        ["一级指标", "二级指标", "指标名称", "计划值"],
        HEALTH_ROWS,
        HEALTH,
    ),
    named(
        "heilongjiang-name-in-brackets",
        "黑龙江 项目支出绩效目标表：三级指标（指标名称）、年度指标值",
        "cost-first",
        ["一级指标", "二级指标", "三级指标（指标名称）", "年度指标值"],
        HEALTH_ROWS,
        HEALTH,
    ),
    named(
        "gansu-standard-value-and-basis",
        "甘肃 项目绩效目标表：标准值、指标值设定依据（表样无此栏）",
        "cost-first",
        ["一级指标", "二级指标", "三级指标", "标准值", "指标值设定依据"],
        [[*row, basis] for row, basis in zip(HEALTH_ROWS, ["历史标准", "计划标准", ""], strict=True)],
        [
            (*row, note)
            for row, note in zip(HEALTH, ["指标值设定依据：历史标准", "指标值设定依据：计划标准", ""], strict=True)
        ],
    ),
    named(
        "jilin-weight-percent",
        "吉林 项目支出绩效目标表：权重（%）",
        "cost-first",
        ["一级指标", "二级指标", "三级指标", "指标值", "权重（%）"],
        [[*row, weight] for row, weight in zip(HEALTH_ROWS, ["30", "30", "20"], strict=True)],
        [(*row, f"权重（%）：{weight}") for row, weight in zip(HEALTH, ["30", "30", "20"], strict=True)],
    ),
    named(
        "shanghai-unknown-column-to-note",
        "上海 项目绩效目标表：多出的“责任部门”栏放入说明",
        "cost-first",
        ["一级指标", "二级指标", "三级指标", "指标值", "责任部门"],
        [[*row, office] for row, office in zip(HEALTH_ROWS, ["健康教育科", "健康教育科", ""], strict=True)],
        [(*row, note) for row, note in zip(HEALTH, ["责任部门：健康教育科", "责任部门：健康教育科", ""], strict=True)],
    ),
    named(
        "liaoning-required-marks-in-header",
        "辽宁 项目绩效目标表：表头带必填标记（*）和空格",
        "cost-first",
        ["*一级指标", "*二级 指标", "*三级指标", "*指标值"],
        HEALTH_ROWS,
        HEALTH,
    ),
    named(
        "title-and-project-lines",
        "陕西 项目支出绩效目标申报表：表名、项目名称、资金行在表头之前",
        "cost-first",
        ["项目支出绩效目标申报表"],
        [
            ["项目名称", "健康促进行动", "", ""],
            ["年度资金总额", "40", "其中：财政拨款", "40"],
            ["一级指标", "二级指标", "三级指标", "指标值"],
            *HEALTH_ROWS,
        ],
        HEALTH,
        titles=3,
    ),
    named(
        "headerless-four-columns",
        "江西 种子表格只复制指标行（无表头）",
        "cost-first",
        HEALTH_ROWS[0],
        HEALTH_ROWS[1:],
        HEALTH,
        header=0,
    ),
    named(
        "headerless-three-columns",
        "广东 只复制二级、三级、指标值三列（无表头）",
        "cost-under-output",
        ["数量指标", "门诊人次", "≥100人次"],
        [["", "住院人次", "≥20人次"], ["成本指标", "人均费用", "≤300元"]],
        [
            ("quantity", "门诊人次", "≥100人次"),
            ("quantity", "住院人次", "≥20人次"),
            ("output_cost", "人均费用", "≤300元"),
        ],
        header=0,
        fill=(0,),
    ),
    named(
        "headerless-wide-operator-value-unit",
        "四川 无表头：一级/二级/三级/符号/数值/单位六列",
        "cost-first",
        ["产出指标", "数量指标", "开展健康讲座", "≥", "22", "次"],
        [
            ["", "质量指标", "讲座覆盖率", "≥", "85", "%"],
            ["成本指标", "经济成本指标", "讲座经费", "≤", "3", "万元"],
        ],
        [
            ("quantity", "开展健康讲座", "≥22次"),
            ("quality", "讲座覆盖率", "≥85%"),
            ("economic_cost", "讲座经费", "≤3万元"),
        ],
        header=0,
    ),
]

LONG = "按《基本公共卫生服务规范（第三版）》，以辖区常住人口为基数，统计当年新建及更新的规范化电子健康档案，" * 7

SHAPES += [
    shape(
        "headerless-extra-column-to-choose",
        "湖南 无表头：第五列无法判断，须由用户选择用途",
        "cost-under-output",
        [
            ["产出指标", "数量指标", "门诊人次", "≥100人次", "科教科"],
            ["", "", "住院人次", "≥20人次", ""],
            ["", "质量指标", "合格率", "100%", "医务科"],
        ],
        [
            plain("quantity", "住院人次", "≥20人次"),
            Ask("column", 4, "请选择用途"),
            Ask("row", 1, "请在上方为第5列选择用途"),
            Ask("row", 3, "请在上方为第5列选择用途"),
        ],
    ),
    shape(
        "hainan-long-explanation",
        "海南 项目绩效目标表：指标解释过长，说明超过300字",
        "cost-first",
        [
            ["一级指标", "二级指标", "三级指标", "指标值", "指标解释"],
            ["产出指标", "数量指标", "规范化电子健康档案建档人数", "≥8万人", LONG],
            ["", "质量指标", "建档率", "≥90%", "建档人数/常住人口"],
        ],
        [
            plain("quality", "建档率", "≥90%", "指标解释：建档人数/常住人口"),
            Ask("row", 2, "最多300字"),
        ],
    ),
    shape(
        "unknown-second-level",
        "广西 申报表的投入指标（目标表没有这一类）",
        "cost-under-output",
        [
            H4,
            ["产出指标", "数量指标", "培训人数", "≥500人"],
            ["", "投入指标", "资金到位率", "100%"],
            ["", "质量指标", "合格率", "≥95%"],
        ],
        [
            plain("quantity", "培训人数", "≥500人"),
            plain("quality", "合格率", "≥95%"),
            Ask("category", "投入指标"),
        ],
    ),
]

# Regional names of the standard categories (indicators/placing.py, branch i14-categories): 四川昭化 prints 项目完成指标
# and 项目效益指标 as its 一级 names, others annotate their 二级 names.
REGIONAL_NAMES = [
    shape(
        "sichuan-zhaohua-regional-first-level",
        "四川 广元昭化 项目支出绩效目标申报表（样本 proj-zhaohua）",
        "cost-under-output",
        [
            ["一级指标", "二级指标", "三级指标", "指标值（包含数字及文字描述）"],
            ["项目完成指标", "数量指标", "每年春节慰问麻风村休养员、村外康复者和现症病人", "32人"],
            ["", "", "宣传教育", "覆盖全区所有人员"],
            ["", "时效指标", "项目实施时间", "2021年1月-12月"],
            ["", "成本指标", "严控成本，严格按照项目资金落实各项工作，不扩大，不增债", "严格按照指标任务落实工作"],
            ["项目效益指标", "社会效益指标", "广大群众对病风病防治意识", "明显增强"],
            ["", "可持续影响指标", "服务能力提升", "持续加强"],
            ["满意度指标", "满意度指标", "群众幸福感", "明显提升"],
        ],
        [
            plain("quantity", "每年春节慰问麻风村休养员、村外康复者和现症病人", "32人"),
            plain("quantity", "宣传教育", "覆盖全区所有人员"),
            plain("timeliness", "项目实施时间", "2021年1月-12月"),
            plain("output_cost", "严控成本，严格按照项目资金落实各项工作，不扩大，不增债", "严格按照指标任务落实工作"),
            plain("social_benefit", "广大群众对病风病防治意识", "明显增强"),
            plain("sustainable_impact", "服务能力提升", "持续加强"),
            plain("beneficiary_satisfaction", "群众幸福感", "明显提升"),
        ],
    ),
    shape(
        "annotated-second-level",
        "河南 项目绩效目标表：二级指标带（必填）（选填）和★",
        "cost-first",
        [
            H4,
            ["产出指标", "数量指标（必填）", "改造农村户厕", "≥1200户"],
            ["", "质量指标（必填）", "验收合格率", "≥95%"],
            ["", "★时效指标", "完工时间", "2025年10月底前"],
            ["成本指标", "经济成本指标（必填）", "户均补助", "≤1000元"],
            ["效益指标", "社会效益指标（选填）", "农村人居环境", "明显改善"],
            ["满意度指标", "服务对象满意度指标（必填）", "农户满意度", "≥90%"],
        ],
        [
            plain("quantity", "改造农村户厕", "≥1200户"),
            plain("quality", "验收合格率", "≥95%"),
            plain("timeliness", "完工时间", "2025年10月底前"),
            plain("economic_cost", "户均补助", "≤1000元"),
            plain("social_benefit", "农村人居环境", "明显改善"),
            plain("beneficiary_satisfaction", "农户满意度", "≥90%"),
        ],
    ),
    shape(
        "unknown-second-level-chosen",
        "广西 申报表的投入指标，用户选择一次放入数量指标",
        "cost-under-output",
        [
            H4,
            ["产出指标", "投入指标", "资金到位率", "100%"],
            ["", "", "预算执行率", "≥90%"],
            ["", "质量指标", "合格率", "≥95%"],
        ],
        [
            plain("quantity", "资金到位率", "100%"),
            plain("quantity", "预算执行率", "≥90%"),
            plain("quality", "合格率", "≥95%"),
        ],
        categories={"投入指标": "quantity"},
    ),
]

SHAPES += REGIONAL_NAMES

"""The header vocabulary of printed indicator tables, as data: which column a header names, in published forms.

Names are compared without spaces, with full-width brackets folded, and without marks of required cells (*, ★).
A header with its explanation in brackets ("权重（%）", "指标值（包含数字及文字描述）") is the name before the
bracket. A period word in front of a name (年度指标值, 实施期目标值, 中期目标) tags the column with its period.
"""

import re

# Roles a header can name. The first ten are read into a row's fields (indicators/paste.py); the others are kept in
# the row's 说明, or in a variant's own column of the same name.
LEVEL1, LEVEL2, NAME, VALUE, STANDARD = "level1", "level2", "name", "value", "standard"
OPERATOR, UNIT, KIND = "operator", "unit", "kind"
NATURE = "nature"  # 指标性质: an operator column (≥, 大于等于 …) or a 定量/定性 column, told apart by its content
WEIGHT, DIRECTION, EXPLANATION, REMARK = "weight", "direction", "explanation", "remark"
GROUP = "group"  # a header spanning sub-columns ("绩效指标", "指标值" over 中期/年度): no column of its own

IMPLEMENTATION, ANNUAL = "implementation", "annual"  # the periods of filings.models.indicators.Period

HEADER_NAMES: dict[str, tuple[str, ...]] = {
    LEVEL1: ("一级指标", "一级指标名称", "一级", "一级指标类别", "指标类别"),
    LEVEL2: ("二级指标", "二级指标名称", "二级", "二级指标类别"),
    NAME: (
        "三级指标", "三级指标名称", "三级", "指标名称", "具体指标", "具体指标名称", "三级指标（指标名称）",
        "三级指标内容", "指标内容", "绩效指标名称", "指标项", "考核指标",
    ),
    VALUE: (
        "指标值", "目标值", "预期目标", "预期目标值", "绩效目标值", "指标目标值", "计划值", "标准值", "指标标准值",
        "指标值及单位", "预期指标值", "目标", "绩效目标", "期望值", "预期值", "计划目标值", "预计完成值",
        "指标值（包含数字及文字描述）",
    ),
    STANDARD: ("绩效标准", "指标值设定依据", "指标值确定依据", "取值依据", "目标值设定依据"),
    OPERATOR: ("计算符号", "符号", "运算符号", "运算符", "比较符号", "关系符号", "指标符号", "指标值符号"),
    UNIT: ("计量单位", "单位", "度量单位", "指标单位", "指标值单位"),
    KIND: ("指标类型", "指标属性", "定量/定性", "定性/定量", "定量或定性", "指标类型（定量/定性）"),
    NATURE: ("指标性质",),
    WEIGHT: ("权重", "分值", "指标分值", "权重（%）", "权重分值", "分数", "指标权重", "权重（分）", "满分"),
    DIRECTION: ("指标方向", "指标方向性", "方向", "指标导向"),
    EXPLANATION: (
        "指标解释", "指标说明", "指标值说明", "评（扣）分标准", "评分标准", "扣分标准", "评分细则", "评分规则",
        "评（扣）分细则", "数据来源", "指标来源", "指标值来源", "计算公式", "计算方法", "考核方式", "考核方法",
        "参考值", "上年指标值", "上年实际值", "上年完成值", "历史值", "指标解释及计算方法",
    ),
    REMARK: ("备注", "说明", "其他说明"),
    GROUP: ("绩效指标", "指标", "绩效指标值"),
}  # fmt: skip

# Words in front of a name that say which period a column belongs to (阳泉 prints 实施期 and 年度 side by side;
# other forms print 中期/长期 and 年度).
PERIOD_WORDS: dict[str, str] = {
    "实施期": IMPLEMENTATION, "中期": IMPLEMENTATION, "长期": IMPLEMENTATION, "中长期": IMPLEMENTATION,
    "项目期": IMPLEMENTATION, "整体": IMPLEMENTATION,
    "年度": ANNUAL, "本年度": ANNUAL, "当年": ANNUAL, "本年": ANNUAL, "当年度": ANNUAL,
}  # fmt: skip
PERIOD_LABELS = {IMPLEMENTATION: "实施期（中期）", ANNUAL: "年度"}

# What an operator, unit or 定量/定性 cell holds when it says nothing: a unit column's "—" is no unit.
PLACEHOLDERS = frozenset({"", "—", "——", "-", "--", "/", "／", "无", "空", "不适用", "\\", "～", "~", "…"})
KIND_WORDS = {"定量": "定量", "定性": "定性", "定量指标": "定量", "定性指标": "定性"}
DIRECTION_WORDS = frozenset({"正向", "反向", "正向指标", "反向指标", "中性", "区间"})

_MARKS = re.compile(r"[*＊★☆※△▲]")
_BRACKET_TAIL = re.compile(r"\(.*\)$")

_LOOKUP: dict[str, str] = {}
for _role, _names in HEADER_NAMES.items():
    for _name in _names:
        _LOOKUP.setdefault(_name.replace("（", "(").replace("）", ")"), _role)
_PERIOD_FIRST = sorted(PERIOD_WORDS, key=len, reverse=True)


def header_key(text: str) -> str:
    """A header cell as compared: no spaces, half-width brackets and slash, no marks of required cells."""
    key = "".join((text or "").split()).translate(str.maketrans("（）／：:", "()/  "))
    return _MARKS.sub("", key).strip()


def _role_of(key: str) -> str | None:
    if key in _LOOKUP:
        return _LOOKUP[key]
    bare = _BRACKET_TAIL.sub("", key)
    if bare != key and bare in _LOOKUP:
        return _LOOKUP[bare]
    return None


def classify_header(text: str) -> tuple[str | None, str]:
    """(role, period) of one header cell: (VALUE, ANNUAL) for "年度指标值", (None, "") for an unknown header, and
    (GROUP, ANNUAL) for a bare "年度" (a sub-header under "指标值", or a spanning "年度绩效指标")."""
    key = header_key(text)
    if not key:
        return None, ""
    role = _role_of(key)
    if role is not None:
        return role, ""
    for word in _PERIOD_FIRST:
        if key.startswith(word):
            rest = key[len(word):].removeprefix("的")
            if not rest or rest in ("目标", "绩效目标", "指标", "绩效指标", "绩效"):
                # "年度目标" as a column is the year's value; "年度绩效指标" spans a set of columns
                return (VALUE if rest in ("目标", "绩效目标") else GROUP), PERIOD_WORDS[word]
            role = _role_of(rest)
            if role is not None:
                return role, PERIOD_WORDS[word]
    return None, ""


def is_operator_text(text: str, normalize_operator) -> bool:
    return bool(normalize_operator(text)) or text in ("定性", "定量")


def unit_like(text: str) -> bool:
    """A cell that can only be a unit: short, no digits, no operator (人次, %, 万元, 个/年, ㎡)."""
    return 0 < len(text) <= 5 and not any(ch.isdigit() for ch in text) and not any(
        ch in text for ch in "≥≤><=＞＜＝≧≦") and text not in KIND_WORDS and text not in DIRECTION_WORDS and (
        not text.endswith(("标准", "指标")))  # 历史标准 is a 绩效标准, 数量指标 a 二级 name

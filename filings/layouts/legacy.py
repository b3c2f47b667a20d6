"""The layout of a variant described by the switches it had before layouts were data (预算情况栏目, 含年度主要任务 …).

Used once, by migration 0010, which gave every stored variant its layout before 0012 removed the switches; the
fixtures of the seven seed variants say the same (tests/test_printed_form.py). Reads any object with the switches
as attributes (the historical model in the migration). Where the printed form (check page,
review page, PDF) arranged things otherwise, a ``print`` object says so (see `description`).
"""

from .description import title_without_region

BY_LEVEL_SOURCES = [("central", "其中：中央财政资金"), ("provincial", "省级财政资金"),
                    ("municipal", "市县（区）财政资金"), ("self_raised", "单位自筹"), ("other", "其他资金")]
FISCAL_OTHER_SOURCES = [("fiscal", "其中：财政拨款"), ("other", "其他资金")]
NARRATIVE = [("overview", "项目概况"), ("basis", "立项依据"), ("necessity", "项目设立必要性"),
             ("safeguards", "保证项目实施的制度、措施"), ("plan", "项目实施计划")]


def _row(*entries) -> list:
    return [{"label": text, "fields": list(names)} for text, *names in entries]


def _fields(step, rows, group="", sums=(), printed=None):
    block = {"type": "fields", "step": step, "rows": rows}
    if group:
        block["group"] = group
    if sums:
        block["sums"] = [{"total": total, "parts": list(parts), "code": code} for code, total, parts in sums]
    if printed:
        block["print"] = printed
    return block


# The printed form's own arrangement of a department's 年度总体目标: a table of its own, only when filled in.
GOALS_PRINT = {"table": "own", "if_filled": True}


def legacy_layout(variant) -> dict:
    """``variant`` is anything with the old switches as attributes (a model instance, historical or current)."""
    blocks = department_blocks(variant) if variant.kind == "department" else project_blocks(variant)
    checks = []
    if variant.kind == "department":
        if variant.budget_layout == "jiangxi":
            checks += ["execution_rate", "carryover"]
        if variant.has_unit_facts:
            checks.append("staffing" if variant.staff_total_includes_extra else "staffing_without_extra")
        if variant.has_annual_tasks:
            checks.append("task_budget")
        if variant.task_amount_split:
            checks.append("task_split")
    elif variant.has_implementation_period:
        checks.append("one_year_funds")
    return {"title": title_without_region(variant.name), "checks": checks, "blocks": blocks}


def _labels(variant) -> dict:
    return variant.labels or {}


def _shows(variant, name) -> bool:
    return not variant.shown_fields or name in variant.shown_fields


def indicator_block(variant, periods) -> dict:
    labels = _labels(variant)
    columns = [
        {"field": "level2", "label": "二级指标", "aliases": ["二级"]},
        {"field": "name", "label": "三级指标", "weight": 3, "aliases": ["三级"]},
        {"field": "value_text", "label": "指标值", "weight": 2,
         "aliases": ["目标值", "指标值及单位", "指标值（目标值）"]},
        {"field": "standard", "label": "绩效标准", "aliases": ["绩效标准／取值依据", "取值依据"]},
        {"field": "note", "label": "说明", "aliases": ["备注"], "optional": True},
    ]
    if not variant.has_performance_standard:
        columns[3]["optional"] = True
    captions = {period: labels[f"{period}_indicators"] for period in periods if f"{period}_indicators" in labels}
    block = {"type": "indicators", "periods": periods, "columns": columns}
    if captions:
        block["captions"] = captions
    return block


def default_signoff(step) -> dict:
    return {"type": "signoff", "step": step, "rows": [[
        {"label": "单位负责人（签字）", "sign": True},
        {"label": "经办人", "fields": ["handler"], "print": {"if_filled": True}},
        {"label": "联系电话", "fields": ["contact_phone"], "print": {"blank": True}},
        {"label": "填报日期", "fields": ["filled_on"], "print": {"blank": True}},
    ]]}


# 湖南's printed budget, as the published form has it: “资金总额：X”, 专户 and 其他资金 each on a row of its own, and
# 部门职能·职责概述 below.
HUNAN_BUDGET_PRINT = {
    "style": "inline", "separator": "：", "spans": [2, 1],
    "rows": [
        _row(("资金总额", "funds_total")),
        _row(("按收入性质分", "income_total"), ("按支出性质分", "expenditure_total")),
        _row(("其中：一般公共预算", "income_general_budget"), ("其中：基本支出", "expenditure_basic")),
        _row(("政府性基金拨款", "income_government_fund"), ("项目支出", "expenditure_project")),
        [*_row(("纳入专户管理的非税收入拨款", "income_special_account")), None],
        [*_row(("其他资金", "income_other")), None],
    ],
    "after": [_row(("部门职能·职责概述", "function_summary"))],
}


def department_blocks(v) -> list:
    jiangxi, hunan = v.budget_layout == "jiangxi", v.budget_layout == "hunan"
    unit = [_row(("部门（单位）名称", "unit_name"))]
    if not v.has_unit_facts and v.budget_layout == "none":
        unit.append(_row(("主管部门", "competent_department")))
    if v.has_unit_facts:
        unit += [
            _row(("联系人", "contact_person"), ("联系电话", "contact_phone")),
            _row(("部门职能依据（三定方案批文号）", "function_basis")),
            _row(("部门职能简述", "function_summary")),
            _row(("近三年单位职能是否出现过重大变化", "functions_changed"),
                 ("部门是否为一级预算主管部门", "is_primary_department")),
            _row(("所属部门领域", "sector"), ("直属部门包括", "subordinate_units")),
            _row(("内设职能部门", "internal_department_count"), ("编制控制数", "staffing_quota")),
            _row(("在职人员总数", "staff_total"), ("其中：行政编制人数", "staff_administrative")),
            _row(("事业编制人数", "staff_institutional"), ("编外人数", "staff_extra")),
        ]
    elif hunan:
        unit.append(_row(("部门职能·职责概述", "function_summary")))
    unit_print = None
    if v.has_unit_facts:  # the printed form puts 部门职能依据 and 部门职能简述 side by side
        printed = [list(row) for row in unit]
        printed[2:4] = [printed[2] + printed[3]]
        unit_print = {"rows": printed}
    elif hunan:  # ... and 湖南's 部门职能·职责概述 below the budget
        unit_print = {"rows": unit[:1]}
    blocks = [_fields("unit", unit, printed=unit_print)]
    if jiangxi:
        blocks += [
            _fields("budget", [
                _row(("批复数", "prior_approved"), ("调整数", "prior_adjusted")),
                _row(("实际支出数", "prior_actual"), ("执行率（%）", "prior_execution_rate")),
                _row(("年末结转结余数", "prior_carryover")),
            ], group="上年预算（{money_unit}）", printed={"style": "inline"}),
            _fields("budget", [
                _row(("收入合计", "income_total"), ("其中：上级财政拨款", "income_higher_grant")),
                _row(("本级财政安排", "income_local"), ("其他", "income_other")),
                _row(("支出合计", "expenditure_total"), ("其中：人员经费", "expenditure_personnel")),
                _row(("公用经费", "expenditure_public"), ("项目经费", "expenditure_project")),
            ], group="当年预算（{money_unit}）", sums=[
                ("A1", "income_total", ["income_higher_grant", "income_local", "income_other"]),
                ("A2", "expenditure_total", ["expenditure_personnel", "expenditure_public", "expenditure_project"]),
            ], printed={"style": "inline"}),
            _fields("budget", [_row(("其他需要说明的事项", "other_notes"))]),
        ]
    elif hunan:
        blocks.append(_fields("budget", [
            _row(("资金总额", "funds_total")),
            _row(("按收入性质分：合计", "income_total"), ("按支出性质分：合计", "expenditure_total")),
            _row(("其中：一般公共预算", "income_general_budget"), ("其中：基本支出", "expenditure_basic")),
            _row(("政府性基金拨款", "income_government_fund"), ("项目支出", "expenditure_project")),
            _row(("纳入专户管理的非税收入拨款", "income_special_account"), ("其他资金", "income_other")),
        ], group="年度预算申请（{money_unit}）", sums=[
            ("A9", "funds_total", ["income_general_budget", "income_government_fund", "income_special_account",
                                   "income_other"]),
            ("A9", "funds_total", ["expenditure_basic", "expenditure_project"]),
            ("A9", "funds_total", ["income_total"]),
            ("A9", "funds_total", ["expenditure_total"]),
        ], printed=HUNAN_BUDGET_PRINT))
    if v.has_function_breakdown:
        blocks.append({"type": "functions", "caption": "部门职能分解", "columns": [
            {"field": "name", "label": "部门职能分解", "aliases": ["职能"]},
            {"field": "mid_term_goal", "label": "部门中期目标", "aliases": ["中期目标"]},
            {"field": "annual_goal", "label": "部门年度绩效目标", "aliases": ["年度绩效目标"]},
        ]})
    if v.has_annual_tasks:
        columns = [
            {"field": "name", "label": "年度主要任务", "aliases": ["任务名称", "年度主要任务名称"]},
            {"field": "content", "label": "工作内容" if v.has_unit_facts else "主要内容", "weight": 2,
             "aliases": ["主要内容", "工作内容"], **({"print": {"label": "主要内容"}} if v.has_unit_facts else {})},
            {"field": "related_goal", "label": "对应年度绩效目标和内容", "weight": 2,
             "optional": not v.has_unit_facts},
            {"field": "amount_total", "label": "总额", "aliases": ["预算金额总额", "金额总额"]},
            {"field": "amount_fiscal", "label": "其中：财政拨款", "aliases": ["财政拨款"]},
            {"field": "amount_other", "label": "其中：其他资金", "aliases": ["其他资金"]},
        ]
        tasks = {"type": "tasks", "caption": "年度主要任务", "columns": columns}
        if v.task_amount_split:
            tasks["totals"] = ["tasks_total_amount", "tasks_total_fiscal", "tasks_total_other"]
        blocks.append(tasks)
    blocks.append(_fields("goals", [_row(("整体绩效目标" if hunan else "年度总体目标", "overall_goal"))],
                          printed=GOALS_PRINT))
    blocks.append(indicator_block(v, ["annual"]))
    blocks.append(default_signoff("unit"))
    return blocks


def project_blocks(v) -> list:
    labels = _labels(v)

    def label(name, default):
        return labels.get(name, default)

    rows = [_row((label("name", "项目名称"), "name"))]
    if _shows(v, "competent_department_code"):
        department = {"label": "主管部门及代码", "fields": ["competent_department_code", "competent_department"],
                      "joiner": "-"}
    else:
        department = {"label": label("competent_department", "主管部门"), "fields": ["competent_department"]}
    entries = [department]
    if _shows(v, "implementing_unit"):
        entries += _row(("实施单位", "implementing_unit"))
    rows.append(entries)
    attributes = [name for name in ("novelty", "recurrence") if _shows(v, name)]
    entries = []
    if attributes and len({label(name, "项目属性") for name in attributes}) == 1:
        entries += _row((label(attributes[0], "项目属性"), *attributes))
    else:
        entries += _row(*((label(name, "项目属性"), name) for name in attributes))
    if _shows(v, "period_text"):
        entries += _row((label("period_text", "项目期"), "period_text"))
    rows += [entries[start:start + 2] for start in range(0, len(entries), 2)]
    dates = [(label(name, default), name) for name, default in
             (("start_date", "项目开始日期"), ("end_date", "项目结束日期")) if _shows(v, name)]
    if dates:
        rows.append(_row(*dates))
    printed = None
    if dates or len(attributes) > 1:
        # The printed form: 项目属性 in one cell, and the dates in the 项目期 cell (“一年 2025-01-01 至 2025-12-31”).
        period = [name for name in ("period_text",) if _shows(v, name)] + [name for _, name in dates]
        entry = {"label": label("period_text", "项目期"), "fields": period}
        if len(period) > 1:
            entry["print"] = {"joiners": [" 至 " if name == "end_date" else " " for name in period[1:]]}
        line = [{"label": label(attributes[0], "项目属性"), "fields": attributes, "joiner": " "}] if attributes else []
        printed = {"rows": rows[:2] + [line + [entry]]}
    blocks = [_fields("project", rows, printed=printed)]
    if v.funding_layout == "local_and_higher":
        blocks.append(_fields("funds", [_row(("年度本级预算金额", "local_amount"),
                                             ("该项目支出上级资金", "higher_level_note"))]))
    else:
        sources = BY_LEVEL_SOURCES if v.funding_layout == "by_level" else FISCAL_OTHER_SOURCES
        scopes = ["implementation", "annual"] if v.has_implementation_period else ["annual"]
        totals = {"implementation": "实施期资金总额", "annual": "年度资金总额"}
        funds = [_row(*((totals[scope], f"{scope}_total") for scope in scopes))]
        funds += [_row(*((text, f"{scope}_{source}") for scope in scopes)) for source, text in sources]
        for entry in funds[1] if v.funding_layout == "by_level" else ():
            entry["print"] = {"label": "中央财政资金"}  # printed without “其中：” (the published form has it)
        sums = [("A10", f"{scope}_total", [f"{scope}_{source}" for source, _ in sources]) for scope in scopes]
        blocks.append(_fields("funds", funds, group="项目资金（{money_unit}）", sums=sums))
    if v.has_project_narrative:
        blocks.append(_fields("narrative", [_row((text, name)) for name, text in NARRATIVE]))
    goals = []
    if _shows(v, "implementation_goal"):
        goals.append(_row((label("implementation_goal", "实施期总体目标"), "implementation_goal")))
    goals.append(_row((label("annual_goal", "年度总体目标"), "annual_goal")))
    blocks.append(_fields("goals", goals))
    blocks.append(indicator_block(v, ["implementation", "annual"] if v.has_implementation_period else ["annual"]))
    signoff = [(label(name, default), name) for name, default in (
        ("responsible_person", "负责人"), ("handler", "经办人"), ("contact_person", "联系人"),
        ("contact_phone", "联系电话"), ("filled_on", "填报日期"), ("filled_time", "填报时间"),
        ("unit_head", "单位负责人"),
    ) if v.shown_fields and name in v.shown_fields]
    if signoff:
        rows = [_row(*signoff[start:start + 2]) for start in range(0, len(signoff), 2)]
        for row in rows:
            for entry in row:
                if entry["fields"] == ["unit_head"]:
                    entry["sign"] = True
                    entry["print"] = {"label": f"{entry['label']}签字"}
                elif entry["fields"][0] in {"responsible_person", "handler"}:
                    entry["print"] = {"blank": True}  # a line to sign on where no name is filled in
        block = {"type": "signoff", "step": "project", "rows": rows}
        if any(name == "filled_time" for _, name in signoff):  # printed after the date: “2024.1.26 10:34:48”
            line = [dict(entry) for row in rows for entry in row if entry["fields"] != ["filled_time"]]
            for entry in line:
                if entry["fields"] == ["filled_on"]:
                    entry["fields"] = ["filled_on", "filled_time"]
            block["print"] = {"rows": [line]}
        blocks.append(block)
    else:
        blocks.append(default_signoff("project"))
    return blocks

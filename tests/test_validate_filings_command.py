"""`manage.py validate_filings`, as a finance officer runs it on a year or a unit."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from filings.models import Filing


def run(*args):
    out, err = StringIO(), StringIO()
    try:
        call_command("validate_filings", *args, stdout=out, stderr=err, no_color=True)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue() + err.getvalue()


def test_text_report_lists_findings_per_filing_and_fails_on_errors(demo):
    code, output = run("--year", "2025")
    assert code == 1
    assert "2025年 九江市柴桑区医疗保障局 部门整体支出绩效目标申报表" in output
    assert "[错误] A4 预算情况：执行率应为 130.15%（528.02 ÷ 405.7），表中填写为 117%。" in output
    assert "[警告] A6 单位基本信息：在职人员总数 27" in output
    assert "共核对 2 份申报表" in output
    assert "份申报表有错误，须改正后才能提交。" in output


def test_unit_filter_covers_the_unit_and_its_subordinates(demo):
    code, output = run("--unit", "360404", "--format", "json")
    reports = json.loads(output[: output.rindex("]") + 1])
    assert code == 1
    assert {r["unit"] for r in reports} == {"327001", "327002001"}
    assert len(reports) == 3
    s1 = next(r for r in reports if r["title"].startswith("2025年 九江市柴桑区医疗保障局 部门"))
    assert {"A4", "A6"} <= {f["code"] for f in s1["findings"]}
    assert all(f["severity"] in {"error", "warning"} for f in s1["findings"])


def test_a_clean_selection_exits_zero(demo):
    Filing.objects.all().delete()
    assert run("--year", "2024") == (0, "没有符合条件的申报表。\n")


def test_unknown_unit_is_reported_in_chinese(demo):
    with pytest.raises(CommandError, match="没有编码为 NOPE 的单位"):
        call_command("validate_filings", "--unit", "NOPE", stdout=StringIO())

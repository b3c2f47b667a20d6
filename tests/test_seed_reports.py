"""The reports of the twelve seed filings: the published forms' known mistakes are caught, their correct
sums are not flagged (domain.md §4.1)."""

import pytest

from filings.validation import validate_filing

# key -> (error codes, warning codes), read off domain.md §4.1 and checked by hand against the seeds.
EXPECTED = {
    "s0-dept": ({"A7", "E1", "E10"}, {"A5", "W3", "W5"}),
    "s1-dept": ({"A4", "E10"}, {"A5", "A6", "W4", "W5"}),
    "s1-proj1": ({"E1", "E10"}, {"W4", "W5"}),
    "s2-dept": (set(), {"W7"}),
    "s3-proj1": ({"E1", "E5"}, {"A15", "W6", "W8"}),
    "s3-proj2": ({"E1"}, {"A15", "W6", "W10"}),
    "s3-proj3": ({"A11", "E1"}, {"A15", "W6", "W8"}),
    "s3-proj4": ({"E1", "E5"}, {"A15", "W4", "W6", "W8"}),
    "s3-proj5": ({"E1", "E5"}, {"A15", "W4", "W6"}),
    "s4-dept": (set(), {"W4", "W6"}),
    "s4-proj1": (set(), {"A15", "W4", "W5", "W6"}),
    "s4-proj2": ({"E1"}, {"W4", "W6"}),
}


@pytest.fixture
def reports(demo):
    return {key: validate_filing(filing) for key, filing in demo.items()}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_codes_per_seed_filing(reports, key):
    report = reports[key]
    assert ({f.code for f in report.errors}, {f.code for f in report.warnings}) == EXPECTED[key]


def messages(report, code):
    return [f.message for f in report.findings if f.code == code]


def test_seed_001_execution_rate_and_staffing_are_flagged(reports):
    report = reports["s1-dept"]
    assert messages(report, "A4") == ["执行率应为 130.15%（528.02 ÷ 405.7），表中填写为 117%。"]
    assert messages(report, "A6") == ["在职人员总数 27 与行政编制 7 + 事业编制 20 + 编外 2 = 29 不符。"]
    assert "A7" not in report.codes() and "A12" not in report.codes()  # 47.75 + 447.2 = 494.95


def test_seed_002_tasks_agree_with_the_printed_total(reports):
    report = reports["s2-dept"]
    assert not report.has_errors
    assert not {"A7", "A8"} & report.codes()


def test_seed_003_one_year_project_with_unequal_funds_is_flagged(reports):
    assert messages(reports["s3-proj3"], "A11") == [
        "一次性（1年）项目的实施期资金总额 20,467,700元 应等于年度资金总额 19,340,000元。"]
    assert "A11" not in reports["s3-proj1"].codes()


def test_seed_000_missing_task_amounts_and_blank_cost_categories_are_flagged(reports):
    report = reports["s0-dept"]
    assert messages(report, "A7") == ["年度主要任务均未填预算金额（共 4 项），无法与支出合计 636.17万元 核对。"]
    blank = " ".join(messages(report, "E10"))
    assert "社会成本指标" in blank and "生态环境成本指标" in blank
    assert any("78.86%" in m for m in messages(report, "W3"))


def test_every_error_points_at_a_step_and_every_row_finding_at_a_row(reports):
    for report in reports.values():
        for finding in report.findings:
            assert finding.step
            assert (finding.row is None) == (finding.row_kind == "")

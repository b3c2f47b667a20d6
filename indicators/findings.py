"""The one result type of every check: a finding with a stable code, a severity and where it points."""

from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # blocks submission
    WARNING = "warning"  # shown to the filer and the reviewer, does not block


SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "警告"}


class Step(StrEnum):
    """Where in the filing a finding points: the wizard steps of both forms."""

    UNIT = "unit"  # 单位基本信息 (header, contact, unit facts, staffing)
    BUDGET = "budget"  # 预算情况 (上年 / 当年)
    FUNCTIONS = "functions"  # 部门职能分解
    TASKS = "tasks"  # 年度主要任务
    PROJECT = "project"  # 项目基本信息
    FUNDS = "funds"  # 项目资金
    NARRATIVE = "narrative"  # 项目情况
    GOALS = "goals"  # 总体目标
    INDICATORS = "indicators"  # 绩效指标


STEP_LABELS = {
    Step.UNIT: "单位基本信息",
    Step.BUDGET: "预算情况",
    Step.FUNCTIONS: "部门职能分解",
    Step.TASKS: "年度主要任务",
    Step.PROJECT: "项目基本信息",
    Step.FUNDS: "项目资金",
    Step.NARRATIVE: "项目情况",
    Step.GOALS: "总体目标",
    Step.INDICATORS: "绩效指标",
}


@dataclass(frozen=True)
class Finding:
    code: str  # stable rule code: A4, E5, W3 … (see docs/validation.md)
    severity: Severity
    message: str  # Chinese, naming the numbers involved
    step: Step
    field: str = ""  # model field name the finding is about, if one
    row: int | None = None  # primary key of the row (indicator, task, function) it is about, if one
    row_kind: str = ""  # "indicator" | "task" | "function" when row is set

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    def as_dict(self) -> dict:
        return asdict(self) | {"severity": str(self.severity), "step": str(self.step)}

    def location(self) -> str:
        return STEP_LABELS[self.step]


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def __post_init__(self):
        # Errors first, then by step in form order, then by code; stable within.
        order = list(Step)
        self.findings.sort(key=lambda f: (not f.is_error, order.index(f.step), f.code))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def for_step(self, step: Step) -> list[Finding]:
        return [f for f in self.findings if f.step == step]

    def as_dict(self) -> dict:
        return {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "findings": [f.as_dict() for f in self.findings],
        }

from .department import AnnualTask, DepartmentDetails, FunctionItem
from .downloads import DownloadJob, DownloadKind, JobState
from .events import EventKind, FilingEvent
from .filings import Filing, FilingKind, FilingStatus, FormVariant
from .indicators import Indicator, Operator, Period, ValueKind
from .project import Novelty, ProjectDetails, Recurrence
from .review import Action, FilingDeadline, Grade, Notification, PointRating, ReviewComment, Submission, Transition
from .units import Membership, Role, Unit, UnitKind

__all__ = [
    "DownloadJob",
    "DownloadKind",
    "JobState",
    "AnnualTask",
    "DepartmentDetails",
    "EventKind",
    "FilingEvent",
    "Filing",
    "FilingKind",
    "FilingStatus",
    "FormVariant",
    "FunctionItem",
    "Indicator",
    "Membership",
    "Novelty",
    "Operator",
    "Period",
    "ProjectDetails",
    "Recurrence",
    "Role",
    "Transition",
    "Action",
    "FilingDeadline",
    "Grade",
    "Notification",
    "PointRating",
    "ReviewComment",
    "Submission",
    "Unit",
    "UnitKind",
    "ValueKind",
]

"""The steps of both forms, registered with the wizard's machinery (imported by `FilingsConfig.ready`)."""

from ..models import FilingKind
from ..wizard import register_steps
from .department import DEPARTMENT_STEPS
from .project import PROJECT_STEPS

register_steps(FilingKind.DEPARTMENT, DEPARTMENT_STEPS)
register_steps(FilingKind.PROJECT, PROJECT_STEPS)

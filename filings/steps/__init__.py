from ..models import FilingKind
from .department import DEPARTMENT_STEPS
from .project import PROJECT_STEPS

STEPS_BY_KIND = {FilingKind.DEPARTMENT: DEPARTMENT_STEPS, FilingKind.PROJECT: PROJECT_STEPS}

from ..models import FilingKind
from .department import DEPARTMENT_STEPS

STEPS_BY_KIND = {FilingKind.DEPARTMENT: DEPARTMENT_STEPS}

import datetime

import pytest
from django.core.exceptions import ValidationError


def test_project_period_cannot_end_before_it_starts(demo):
    project = demo["s1-proj1"].project
    project.end_date = datetime.date(2024, 12, 31)
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    assert "项目结束日期不能早于开始日期" in str(error.value)
    project.end_date = datetime.date(2025, 12, 31)
    project.full_clean()

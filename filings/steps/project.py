"""The steps of the 项目支出绩效目标申报表; which fields, labels and groups show follows the variant's layout."""

from indicators.findings import Step

from ..forms.header import FilingHeaderForm
from ..wizard import StepForms, WizardStep
from .blocks import layout_forms, layout_labels
from .shared import FieldsStep, IndicatorsStep


class ProjectStep(WizardStep):
    def build(self, filing, data=None):
        header = ["variant", "money_unit"]
        forms_, groups = layout_forms(filing, self.key, data, header_names=header, header_base=FilingHeaderForm,
                                      leading=header)
        return StepForms(forms=forms_, groups=groups)

    def field_labels(self, filing):
        return layout_labels(filing, self.key, header_names=["variant", "money_unit"], header_base=FilingHeaderForm)


PROJECT_STEPS = [
    ProjectStep(Step.PROJECT, "filings/steps/forms.html"),
    FieldsStep(Step.FUNDS, "filings/steps/funds.html"),
    FieldsStep(Step.NARRATIVE, "filings/steps/forms.html"),
    FieldsStep(Step.GOALS, "filings/steps/forms.html"),
    IndicatorsStep(Step.INDICATORS, "filings/steps/indicators.html"),
]

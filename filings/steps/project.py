"""The steps of the 项目支出绩效目标申报表; which fields and labels show follows the filing's form variant."""

from django import forms

from indicators.findings import Step

from ..models import Filing, FilingKind, FormVariant, ProjectDetails
from ..models.project import FUND_SCOPES
from ..services import switch_scheme
from ..wizard import StepForms, WizardStep, details_form
from .shared import GoalsStep, IndicatorsStep, shown

FILING_FIELDS = ["competent_department", "competent_department_code"]
PROJECT_FIELDS = [
    "name", "code", "implementing_unit", "novelty", "recurrence", "period_text", "period_years", "start_date",
    "end_date",
]
SIGNOFF_FIELDS = ["responsible_person", "handler", "contact_person", "contact_phone", "filled_on", "filled_time",
                  "unit_head"]
NARRATIVE_FIELDS = ["overview", "basis", "necessity", "safeguards", "plan"]
SOURCES_BY_LAYOUT = {
    FormVariant.Funding.BY_LEVEL: ["total", "central", "provincial", "municipal", "self_raised", "other"],
    FormVariant.Funding.FISCAL_OTHER: ["total", "fiscal", "other"],
}
DATE_WIDGETS = {
    "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "filled_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "filled_time": forms.TimeInput(attrs={"type": "time", "step": 1}, format="%H:%M:%S"),
}


def scope_names(filing: Filing) -> list[str]:
    return list(FUND_SCOPES) if filing.variant.has_implementation_period else ["annual"]


class FilingHeaderForm(forms.ModelForm):
    """The filing's own header: the variant (changeable while a draft), the money unit, the 主管部门."""

    class Meta:
        model = Filing
        fields = ["variant", "money_unit", *FILING_FIELDS]
        widgets = DATE_WIDGETS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["variant"].queryset = FormVariant.objects.filter(kind=FilingKind.PROJECT)
        self.fields["variant"].empty_label = None
        self.fields["variant"].help_text = "各地表样栏目不同；更换后，本页和后续步骤按新表样显示。"

    def save(self, commit=True):
        filing = super().save(commit=False)
        if "variant" in self.changed_data:
            if "money_unit" not in self.changed_data:
                # Amounts are kept in 元, so only how they are shown changes.
                filing.money_unit = filing.variant.default_money_unit
            switch_scheme(filing, filing.variant.default_scheme)
        if commit:
            filing.save()
        return filing


class SignoffForm(forms.ModelForm):
    class Meta:
        model = Filing
        fields = SIGNOFF_FIELDS
        widgets = DATE_WIDGETS


class ProjectStep(WizardStep):
    def build(self, filing, data=None):
        variant = filing.variant
        labels = variant.labels or {}
        header = _with_meta(FilingHeaderForm, ["variant", "money_unit", *shown(variant, FILING_FIELDS)], labels)
        signoff = _with_meta(SignoffForm, shown(variant, SIGNOFF_FIELDS), labels)
        details = details_form(ProjectDetails, shown(variant, PROJECT_FIELDS), labels, widgets=DATE_WIDGETS)
        return StepForms(forms={
            "details": details(data, instance=filing.project, prefix="details"),
            "header": header(data, instance=filing, prefix="header"),
            "signoff": signoff(data, instance=filing, prefix="signoff"),
        })


class FundsStep(WizardStep):
    def build(self, filing, data=None):
        variant = filing.variant
        if variant.funding_layout == FormVariant.Funding.LOCAL_AND_HIGHER:
            names = ["local_amount", "higher_level_note"]
        else:
            sources = SOURCES_BY_LAYOUT[variant.funding_layout]
            names = [f"{scope}_{source}" for scope in scope_names(filing) for source in sources]
        form_class = details_form(ProjectDetails, names, variant.labels or {}, filing.money_unit)
        return StepForms(forms={"funds": form_class(data, instance=filing.project, prefix="funds")})


class NarrativeStep(WizardStep):
    def applies(self, filing):
        return filing.variant.has_project_narrative

    def build(self, filing, data=None):
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in NARRATIVE_FIELDS}
        form_class = details_form(ProjectDetails, NARRATIVE_FIELDS, filing.variant.labels or {}, widgets=widgets)
        return StepForms(forms={"narrative": form_class(data, instance=filing.project, prefix="narrative")})


def _with_meta(form_class, fields, labels):
    meta = type("Meta", (form_class.Meta,), {"fields": fields, "labels": labels})
    return type(form_class.__name__, (form_class,), {"Meta": meta, "__module__": __name__})


PROJECT_STEPS = [
    ProjectStep(Step.PROJECT, "filings/steps/forms.html"),
    FundsStep(Step.FUNDS, "filings/steps/funds.html"),
    NarrativeStep(Step.NARRATIVE, "filings/steps/forms.html"),
    GoalsStep(Step.GOALS, "filings/steps/forms.html"),
    IndicatorsStep(Step.INDICATORS, "filings/steps/indicators.html"),
]

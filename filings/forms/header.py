"""The project form's own header on its first step: the 表样 (changeable while a draft) and the money unit."""

from django import forms

from ..models import Filing, FilingKind, FormVariant
from ..services import switch_scheme


class FilingHeaderForm(forms.ModelForm):
    """The filing's own header: the variant (changeable while a draft), the money unit, the 主管部门 …"""

    class Meta:
        model = Filing
        fields = ["variant", "money_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "variant" in self.fields:
            self.fields["variant"].queryset = FormVariant.objects.filter(kind=FilingKind.PROJECT)
            self.fields["variant"].empty_label = None
            self.fields["variant"].help_text = "各地表样栏目不同；更换后，本页和后续步骤按新表样显示。"
        self.scheme_before = self.instance.scheme_id
        self.default_before = self.instance.variant.default_scheme_id if self.instance.variant_id else None

    def save(self, commit=True):
        filing = super().save(commit=False)
        if "variant" in self.changed_data:
            if "money_unit" not in self.changed_data:
                # Amounts are kept in 元, so only how they are shown changes.
                filing.money_unit = filing.variant.default_money_unit
            # The indicator scheme is the filer's choice: one they chose on the indicator step (another than the
            # old variant's default) is kept; one they never changed follows the new variant's default.
            if self.scheme_before in (None, self.default_before):
                switch_scheme(filing, filing.variant.default_scheme)
        if commit:
            filing.save()
        return filing

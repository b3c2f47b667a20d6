"""Forms show and accept amounts in the filing's money unit (万元 or 元); the models store 元."""

from decimal import InvalidOperation

from django import forms

from ..money import MoneyField, MoneyUnit, from_yuan, to_yuan
from .fields import AmountField


class MoneyUnitModelForm(forms.ModelForm):
    """A ModelForm whose MoneyFields are entered in `money_unit` and converted to 元 when cleaned."""

    money_unit = MoneyUnit.YUAN

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit_label = MoneyUnit(self.money_unit).label
        for name in self.money_field_names():
            model_field = self._meta.model._meta.get_field(name)
            label = (self._meta.labels or {}).get(name, model_field.verbose_name)
            self.fields[name] = AmountField(
                label=f"{label}（{unit_label}）",
                decimal_places=6 if self.money_unit == MoneyUnit.WAN else 2,
                help_text=model_field.help_text,
            )
            if self.instance.pk is not None:
                self.initial[name] = from_yuan(getattr(self.instance, name), self.money_unit)

    def money_field_names(self) -> list[str]:
        model_fields = {f.name: f for f in self._meta.model._meta.fields}
        return [name for name in self.fields if isinstance(model_fields.get(name), MoneyField)]

    def clean(self):
        cleaned = super().clean()
        for name in self.money_field_names():
            if name in cleaned:
                try:
                    cleaned[name] = to_yuan(cleaned[name], self.money_unit)
                except InvalidOperation:
                    self.add_error(name, "金额最多精确到分。")
        return cleaned


def money_form_for(unit: str) -> type[MoneyUnitModelForm]:
    return type(f"MoneyUnitModelForm_{unit}", (MoneyUnitModelForm,), {"money_unit": unit})

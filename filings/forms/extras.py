"""Forms that also ask a variant's own fields (`filings.layouts.extras`), stored in the row's ``extra`` JSON."""

from dataclasses import replace

from ..layouts.extras import ExtraField, ExtraFormField


class ExtrasFormMixin:
    """A ModelForm that also asks the variant's own fields (`extras`), stored in the instance's ``extra`` JSON.

    Each is a form field named ``extra.<key>`` that keeps what was typed and answers a Chinese message when
    `ExtraField.clean` refuses it. A required one is not enforced here: a step can be saved half filled in.
    """

    extras: tuple[ExtraField, ...] = ()
    extras_unit: str = "yuan"
    extra_labels: dict = {}
    column_order: tuple = ()  # the fields in the layout's order (a row table's columns), extras included

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_before = dict(getattr(self.instance, "extra", None) or {})
        for extra in self.extras:
            # A required one left blank is reported by validation (E11), like every other field a step may save
            # half filled in.
            form_field = replace(extra, required=False).form_field(self.extras_unit)
            if extra.name in self.extra_labels:
                form_field.label = self.extra_labels[extra.name]
            form_field.widget.attrs["data-extra"] = extra.key
            form_field.is_extra = True
            self.fields[extra.name] = form_field
            # The text an input shows for the stored value (money in the filing's unit): untouched is no change.
            self.initial.setdefault(extra.name, extra.display(self.extra_before.get(extra.key), self.extras_unit))
        if self.column_order:
            self.order_fields(self.column_order)

    def _post_clean(self):
        super()._post_clean()
        if not self.extras:
            return
        for extra in self.extras:
            if extra.name in self.errors:
                widget = self.fields[extra.name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        stored = dict(self.instance.extra or {})
        for extra in self.extras:
            if extra.name not in self.cleaned_data:
                continue
            value = self.cleaned_data[extra.name]
            if value is None:
                stored.pop(extra.key, None)
            else:
                stored[extra.key] = value
        self.instance.extra = stored

    def extra_change(self, name):
        """(old, new) as shown to people, or None when the stored value does not change."""
        form_field = self.fields[name]
        extra = form_field.extra
        old = self.extra_before.get(extra.key)
        new = self.cleaned_data.get(name)
        if (old or None) == (new or None):
            return None
        return extra.display(old, self.extras_unit), extra.display(new, self.extras_unit)


def is_extra_field(form_field) -> bool:
    return isinstance(form_field, ExtraFormField)

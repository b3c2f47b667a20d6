"""A unit chosen by searching: the 单位 filters of lists over a supervisor's scope (thousands of units, never one
drop-down of all of them).

The widget is a text field with a hidden input carrying the chosen unit's id. With JavaScript (static/js/
unit_picker.js) typing asks `filings:unit_search` for up to 20 matching units of the user's scope, an htmx
fragment (templates/filings/partials/unit_options.html) the user picks from with the mouse or the keyboard. Without
JavaScript the typed text is resolved on submit: a unit code, or a unit's exact name. Whatever is sent, the field
cleans to a unit of the `units` it was given or to an error; an id or a name from outside them gets the same
error as one that does not exist.
"""

from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from ..models import Unit
from ..text import ascii_number, strip_control_characters

SEARCH_LIMIT = 20
TEXT_SUFFIX = "_q"  # the typed text's parameter: "unit_q" beside the id's "unit"


def search_units(units, query: str, limit: int = SEARCH_LIMIT):
    """Up to `limit` of `units` whose name contains `query` or whose code starts with it, in tree order."""
    query = strip_control_characters(query).strip()  # PostgreSQL refuses NUL in text
    if not query:
        return Unit.objects.none()
    matching = units.filter(name__icontains=query) | units.filter(code__startswith=query)
    return matching.order_by("path")[:limit]


class UnitPicker(forms.Widget):
    template_name = "filings/partials/unit_picker.html"

    def __init__(self, attrs=None, include_finance=False):
        super().__init__(attrs)
        self.include_finance = include_finance
        self.units = Unit.objects.none()

    def value_from_datadict(self, data, files, name):
        """(the id sent, the text typed); the text is None when the request carries none (a link with ?unit=id)."""
        text = data.get(name + TEXT_SUFFIX)
        return data.get(name, ""), None if text is None else strip_control_characters(text)  # no NUL for PostgreSQL

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + TEXT_SUFFIX not in data

    def _shown(self, value) -> tuple[str, str]:
        """The (id, text) the inputs show: as sent (also when it is an error), else the chosen unit's name."""
        if isinstance(value, Unit):
            return str(value.pk), value.name
        if isinstance(value, tuple):
            raw_id, text = value
            if text is not None:
                return raw_id or "", text
            value = raw_id
        number = ascii_number(str(value)) if value not in (None, "") else None
        unit = self.units.filter(pk=number).first() if number is not None else None
        return (str(unit.pk), unit.name) if unit else ("", "")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        chosen_id, text = self._shown(value)
        base = context["widget"]["attrs"].get("id") or f"id_{name}"
        url = reverse("filings:unit_search") + ("?finance=1" if self.include_finance else "")
        classes = context["widget"]["attrs"].get("class", "")
        extra = {key: value for key, value in context["widget"]["attrs"].items() if key not in ("id", "class")}
        context["widget"].update(chosen_id=chosen_id, text=text, text_name=name + TEXT_SUFFIX, base_id=base,
                                 search_url=url, classes=classes, invalid="is-invalid" in classes.split(),
                                 extra_attrs=extra)
        return context

    def render(self, name, value, attrs=None, renderer=None):
        """With the project's templates (the form renderer reads only the apps' and Django's own)."""
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


class UnitPickerField(forms.Field):
    """Cleans to a unit of `units` or None (nothing chosen)."""

    widget = UnitPicker
    default_error_messages = {
        "unknown": "没有找到这个单位，或您无权查看。请输入单位名称或代码，从列表中选择。",
        "ambiguous": "有 %(count)s 个单位名为“%(text)s”，请从列表中选择，或输入单位代码。",
    }

    def __init__(self, *, units=None, include_finance=False, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(widget=UnitPicker(include_finance=include_finance), **kwargs)
        self.units = Unit.objects.none() if units is None else units

    @property
    def units(self):
        return self._units

    @units.setter
    def units(self, units):
        self._units = units
        self.widget.units = units

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.units = self._units
        return result

    def to_python(self, value):
        if isinstance(value, Unit):
            return value
        raw_id, text = value if isinstance(value, tuple) else (value, None)
        raw_id = "" if raw_id is None else str(raw_id).strip()
        if text is not None:
            text = text.strip()
            if not text:
                return None  # the text was emptied: nothing chosen, whatever id was left behind
        chosen = None
        if raw_id:
            number = ascii_number(raw_id)
            chosen = self.units.filter(pk=number).first() if number is not None else None
            if chosen is None and text is None:
                raise forms.ValidationError(self.error_messages["unknown"], code="unknown")
        if chosen is not None and (text is None or text in (chosen.name, chosen.code)):
            return chosen
        if text is None:
            return None
        return self.resolve(text)

    def resolve(self, text: str) -> Unit:
        """A typed unit code, else a unit's exact name, among `units`."""
        by_code = self.units.filter(code=text).first()
        if by_code is not None:
            return by_code
        named = list(self.units.filter(name=text).order_by("path")[:2])
        if len(named) == 1:
            return named[0]
        if named:
            count = self.units.filter(name=text).count()
            raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous",
                                        params={"count": count, "text": text})
        raise forms.ValidationError(self.error_messages["unknown"], code="unknown")

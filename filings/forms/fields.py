"""Form fields that read numbers the way officers paste them (1,234.5, full-width digits, stray spaces) and texts
within their limits (one-line names, paragraphs)."""

import unicodedata

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError

from ..limits import LENGTH_MESSAGE, LINES_MESSAGE, line_limit
from ..text import line_count, one_line, strip_control_characters, unify_line_breaks


def clean_number_text(value):
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value)
    return "".join(ch for ch in text if not ch.isspace() and ch not in ",，")


class FiniteDecimalField(forms.DecimalField):
    """A decimal field that refuses “NaN”, “Infinity” and “sNaN” as soon as it reads them. Django's own accepts them
    in ``to_python`` and refuses them only in ``validate()``, but compares the value with the initial one first
    (``has_changed``), and a comparison with a signalling NaN raises ``decimal.InvalidOperation``: a server error."""

    def to_python(self, value):
        number = super().to_python(value)
        if number is not None and not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


class AmountField(FiniteDecimalField):
    """A non-negative amount; pasted thousands separators, full-width digits and spaces are accepted."""

    def __init__(self, *, decimal_places=2, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("required", False)
        super().__init__(decimal_places=decimal_places, **kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "class": "form-control text-end amount"})
        self.widget.input_type = "text"

    def to_python(self, value):
        return super().to_python(clean_number_text(value))


class CountField(forms.IntegerField):
    """A head count or similar whole number, pasted text accepted."""

    MAX = 2**31 - 1  # an integer column on every database (SQLite would store more, PostgreSQL refuses it)

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", self.MAX)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "numeric", "class": "form-control text-end count"})

    def to_python(self, value):
        return super().to_python(clean_number_text(value))


class PreloadedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField over objects read once: rendering and cleaning many rows costs no further queries.

    `objects` is a list or a ``{str(pk): object}`` dict; a dict is shared as it is, so the rows of a formset can use
    one (`RowFormSet`). A hidden input never shows its choices: they are only built when something asks for them,
    not for each row's hidden id and category.
    """

    def __init__(self, objects, **kwargs):
        self.objects_by_pk = objects if isinstance(objects, dict) else {str(obj.pk): obj for obj in objects}
        super().__init__(queryset=None, **kwargs)
        if not self.widget.is_hidden:
            self.choices = self._all_choices()

    # No queryset: the objects are the choices (ModelChoiceField would clone one for every copy of the field).
    queryset = property(lambda self: None, lambda self, value: None)

    def _all_choices(self):
        return [("", "---------"), *((obj.pk, str(obj)) for obj in self.objects_by_pk.values())]

    def _get_choices(self):
        if not hasattr(self, "_choices"):
            self.choices = self._all_choices()
        return self._choices

    choices = property(_get_choices, forms.ChoiceField.choices.fset)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.objects_by_pk[str(value.pk if hasattr(value, "pk") else value)]
        except KeyError:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def validate(self, value):
        forms.Field.validate(self, value)

    def has_changed(self, initial, data):
        return str(initial or "") != str(data or "")


class PercentField(FiniteDecimalField):
    """A percentage as printed: 117, 108.97 or 117% are all accepted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "decimal", "class": "form-control text-end"})

    def to_python(self, value):
        cleaned = clean_number_text(value)
        if isinstance(cleaned, str):
            cleaned = cleaned.removesuffix("%")
        return super().to_python(cleaned)


class YesNoRadio(forms.RadioSelect):
    """是/否 as radio buttons for a yes/no/unanswered value; nothing is ticked until the user answers."""

    def __init__(self, attrs=None):
        super().__init__(attrs, choices=[("true", "是"), ("false", "否")])

    def format_value(self, value):
        mapping = {True: "true", False: "false", "True": "true", "False": "false", "true": "true", "false": "false"}
        return [mapping[value]] if value in mapping else []


class LengthValidator(validators.MaxLengthValidator):
    message = LENGTH_MESSAGE


class LinesValidator(validators.MaxValueValidator):
    """At most ``limit_value`` lines (see filings/limits.py)."""

    message = LINES_MESSAGE
    code = "max_lines"

    def clean(self, x):
        return line_count(x)


class LimitedTextField(forms.CharField):
    """Text with a length limit that says, in Chinese, how long it is; the page keeps what was typed.

    The widget carries ``data-maxlength`` rather than ``maxlength``: a browser silently cuts pasted text at its
    ``maxlength``, while this way the whole text reaches the server, which answers with the message (and
    static/js/limits.js counts the characters as the user types).
    """

    def __init__(self, *, max_length=None, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)]
        if max_length is not None:
            self.validators.append(LengthValidator(int(max_length)))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if attrs.pop("maxlength", None) is not None:
            attrs["data-maxlength"] = str(self.max_length)
        return attrs


class OneLineField(LimitedTextField):
    """A one-line text (a name, a phone number): line breaks and control characters become spaces."""

    def to_python(self, value):
        if isinstance(value, str):
            value = one_line(value)
        return super().to_python(value)


class ParagraphField(LimitedTextField):
    """A paragraph text: line breaks kept as "\\n", at most a number of lines that follows from its length."""

    def __init__(self, *, max_length=None, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        if max_length is not None:
            self.validators.append(LinesValidator(line_limit(int(max_length))))

    def to_python(self, value):
        if isinstance(value, str):
            value = strip_control_characters(unify_line_breaks(value))
        return super().to_python(value)

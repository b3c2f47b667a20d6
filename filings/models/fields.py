"""Text fields of the filing models: one-line names and paragraphs, each with the limit the PDF and e-mail carry.

Their form fields (filings/forms/fields.py) hold the rules, so the wizard, the admin and every other ModelForm keep
a name on one line and say in Chinese how much too long a text is. Limits: filings/limits.py.
"""

from django.db import models

from ..forms.fields import OneLineField, ParagraphField


class OneLineCharField(models.CharField):
    """A name, a code, a phone number: line breaks and control characters typed or pasted become spaces."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": OneLineField, **kwargs})


class ParagraphTextField(models.TextField):
    """A narrative or a goal; ``max_length`` is required (the database does not enforce it, the forms do)."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ParagraphField, **kwargs})

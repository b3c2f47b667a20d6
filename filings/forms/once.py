"""One-time keys for forms whose POST creates something: a double click is recognised and done only once."""

import secrets

from django import forms
from django.utils.html import format_html


def new_request_key() -> str:
    return secrets.token_urlsafe(18)


class RequestKeyField(forms.CharField):
    """A hidden key made when the form is shown; the service that writes remembers it with its event."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, required=False, max_length=64, initial=new_request_key,
                         **kwargs)


def request_key_input() -> str:
    return format_html('<input type="hidden" name="request_key" value="{}">', new_request_key())


def posted_request_key(request) -> str:
    return (request.POST.get("request_key") or "")[:64]

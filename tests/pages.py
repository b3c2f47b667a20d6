"""Reading and posting wizard pages the way a browser does, for the Django test client."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.urls import reverse

from .personas import sign_in


class _FormReader(HTMLParser):
    """The successful controls of the first form with a given class (what a browser would submit)."""

    def __init__(self, form_class):
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.data: dict[str, str] = {}
        self.inside = self.in_template = self.done = False
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and not self.done and self.form_class in (attributes.get("class") or "").split():
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.in_template = True
        name = attributes.get("name")
        if self.in_template:
            return
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.data[name] = attributes.get("value") or "on"
            elif kind not in {"submit", "button", "reset"}:
                self.data[name] = attributes.get("value") or ""
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and ("selected" in attributes or self.select not in self.data):
            self.data[self.select] = attributes.get("value", "")

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "template":
            self.in_template = False
        elif tag == "textarea" and self.textarea:
            self.data[self.textarea] = self.data[self.textarea].removeprefix("\n")
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside, self.done = False, True

    def handle_data(self, data):
        if self.inside and self.textarea and not self.in_template:
            self.data[self.textarea] += data


def form_data(response, form_class="wizard-form") -> dict[str, str]:
    reader = _FormReader(form_class)
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return reader.data


class _AdminFormReader(_FormReader):
    """The controls of an admin change form (``<form id="<model>_form">``)."""

    def handle_starttag(self, tag, attrs):
        if tag == "form" and (dict(attrs).get("id") or "").endswith("_form"):
            attrs = [*attrs, ("class", self.form_class)]
        super().handle_starttag(tag, attrs)


def admin_form_data(response) -> dict[str, str]:
    """What the browser would post from an admin change page, the inline formsets' management data included."""
    reader = _AdminFormReader("admin-change-form")
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return {name: value for name, value in reader.data.items() if "__prefix__" not in name}


def html(response) -> str:
    return response.content.decode()


login = sign_in  # the one way tests sign in (tests/personas.py)


def step_url(filing, key):
    return reverse("filings:step", args=[filing.pk, key])


def open_step(client, filing, key):
    response = client.get(step_url(filing, key))
    assert response.status_code == 200, (key, response.status_code)
    return response, form_data(response)


CONTROL = re.compile(r"<(?:input|textarea|select)\b")


def message_next_to(page: str, field_id: str) -> str:
    """The field's own tag must be marked invalid; returns the text between it and the next form control."""
    at = page.index(f'id="{field_id}"')
    tag = page[page.rfind("<", 0, at):page.index(">", at) + 1]
    assert "is-invalid" in tag, tag
    end = page.index(">", at) + 1
    following = CONTROL.search(page, end)
    return page[end:following.start() if following else len(page)]


def error_summary(page: str) -> list[tuple[str, str, str]]:
    """(anchor, label, message) of every item of the error summary at the top of the page."""
    block = re.search(r'<div class="alert alert-danger error-summary".*?</ul>', page, re.S)
    assert block, "no error summary"
    return re.findall(r'<li>(?:<a href="#([^"]*)">([^<]*)</a>：)?(.*?)</li>', block.group(0), re.S)


def step_states(page: str) -> dict[str, str]:
    return dict(re.findall(r'>([^<>]+)</a>\s*<span class="badge state[^"]*">([^<]+)</span>', page))


@dataclass
class BadCase:
    """A step, the input to put in, the field it concerns and the Chinese message expected beside it."""

    key: str
    step: str
    changes: dict[str, str]
    field: str  # the input's name; its id is id_<name>
    message: str

    def __str__(self):
        return f"{self.key}-{self.step}-{self.field}-{'-'.join(self.changes.values())[:12]}"

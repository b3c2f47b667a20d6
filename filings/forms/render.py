"""A bound field's input written straight from its widget's context, without a template per widget.

Django renders every widget through the template engine (``input.html`` → ``attrs.html``, ``select.html`` → one
``select_option.html`` per option): for a table of a hundred rows that is most of the page's time. `render_field`
writes the same markup for the widgets the row tables use — inputs (text, hidden …), text areas and single
selects without groups — from the attributes Django itself computes (`BoundField.build_widget_attrs`: ``id``,
``required``, ``aria-invalid``, ``aria-describedby``; `Widget.get_context`: the value as the widget formats it, the
options and which is selected). Any other widget (radio buttons, check boxes, multiple selects …) is rendered by
Django as before.
"""

import html

from django import forms
from django.forms.widgets import Input
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

FAST = (Input, forms.Textarea, forms.Select)
SLOW = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.SelectMultiple,
        forms.ClearableFileInput, forms.MultiWidget)


def _escape(value) -> str:
    """`conditional_escape` without its lazy-string wrapper: safe strings as they are, others escaped."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"`` for each attribute, the name alone for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_escape(name)}")
        else:
            parts.append(f' {_escape(name)}="{_escape(str(value))}"')
    return "".join(parts)


def render_field(bound) -> SafeString:
    """``str(bound)`` for the field of a form, as Django writes it (see the module's docstring)."""
    widget = bound.field.widget
    if (not isinstance(widget, FAST) or isinstance(widget, SLOW) or bound.field.localize
            or not widget.template_name.startswith("django/forms/widgets/")):
        return bound.as_widget()
    if type(widget) is forms.HiddenInput and not bound.field.disabled:
        # What build_widget_attrs and get_context come to for a hidden input: no required, aria or other mark.
        value = widget.format_value(bound.value())
        attrs = dict(widget.attrs)
        if bound.auto_id and "id" not in attrs:
            attrs["id"] = bound.auto_id
        shown = "" if value is None else f' value="{_escape(str(value))}"'
        return mark_safe(f'<input type="hidden" name="{_escape(bound.html_name)}"{shown}{_attrs(attrs)}>')
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    context = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    if isinstance(widget, forms.Select):
        return _select(context) or bound.as_widget()
    name, value, attrs = context["name"], context["value"], _attrs(context["attrs"])
    if isinstance(widget, forms.Textarea):
        text = _escape(value) if value else ""
        return mark_safe(f'<textarea name="{_escape(name)}"{attrs}>\n{text}</textarea>')
    shown = "" if value is None else f' value="{_escape(str(value))}"'
    return mark_safe(f'<input type="{_escape(context["type"])}" name="{_escape(name)}"'
                     f"{shown}{attrs}>")


def _select(context) -> SafeString | None:
    """``select.html`` for a select without option groups; None when it has groups (Django renders those)."""
    options = []
    for group_name, group_choices, _ in context["optgroups"]:
        if group_name:
            return None
        for option in group_choices:
            options.append(format_html('\n  <option value="{}"{}>{}</option>\n', str(option["value"]),
                                       mark_safe(_attrs(option["attrs"])), option["label"]))
    return mark_safe(f'<select name="{_escape(context["name"])}"{_attrs(context["attrs"])}>'
                     f'{"".join(options)}\n</select>')

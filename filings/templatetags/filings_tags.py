from django import template

from indicators.values import TargetKind, format_target, parse_target

from ..forms.once import request_key_input
from ..money import format_amount
from ..text import short_paragraphs

register = template.Library()

KIND_LABELS = {TargetKind.QUANTITATIVE: "定量", TargetKind.QUALITATIVE: "定性", TargetKind.TIME: "时间",
               TargetKind.NOT_APPLICABLE: "不适用", TargetKind.EMPTY: ""}


@register.inclusion_tag("filings/partials/reading.html")
def reading(text, name=""):
    """What the system understood of a 指标值: ``{% reading value %}``, or ``{% reading value name %}`` with the
    三级 name, which may supply a unit or operator (``（≥**%）``)."""
    target = parse_target(text or "", name or "")
    return {"target": target, "kind": KIND_LABELS[target.kind]}


@register.filter
def amount(value, unit):
    """A stored 元 amount written in the filing's money unit, with thousands separators."""
    return format_amount(value, unit, grouping=True)


@register.filter
def printable(text, pdf=False):
    """Long text as the PDF prints it (see `short_paragraphs`); unchanged on web pages."""
    return short_paragraphs(text or "") if pdf else text


@register.filter
def canonical(text, name=""):
    return format_target(parse_target(text or "", name or ""))


@register.simple_tag
def request_key():
    """A hidden one-time key for a form whose POST creates something (see `filings.forms.once`)."""
    return request_key_input()


@register.filter
def field_of(form, name):
    """The bound field `name` of a form (a name held in a variable, such as a layout's column), or None."""
    return form[name] if name in form.fields else None

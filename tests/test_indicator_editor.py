"""The indicator editor's rows written from plain values (issue 16): the same inputs, labels and error markup as the
form fields render, without a template per widget.

`filings.forms.render.render_field` must write exactly what Django writes for the widgets it handles; the rows of
the editor must carry each error next to its own field, marked invalid, and only there.
"""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from lxml import html as lxml_html

from filings.access import can_edit
from filings.demo import SAMPLE_PREFIX, load_samples
from filings.forms.fields import PreloadedChoiceField
from filings.forms.render import render_field
from filings.models import Filing

from .pages import form_data, login, step_url
from .test_wizard_steps import FILERS

# --- render_field is Django's rendering, written directly ---------------------------------------------------------


class Sample(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"class": "form-control", "data-x": "a\"b"}))
    optional = forms.CharField(required=False, help_text="说明")
    hidden = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"class": "row-order"}))
    area = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    number = forms.DecimalField(required=False)
    choice = forms.ChoiceField(choices=[("", "—"), ("正向", "正向"), ("<反向>", "反向 & 其他")], required=False,
                               widget=forms.Select(attrs={"class": "form-select"}))
    flag = forms.BooleanField(required=False)
    radio = forms.ChoiceField(choices=[("a", "甲"), ("b", "乙")], required=False, widget=forms.RadioSelect)


@pytest.mark.parametrize("data", [
    None,
    {},
    {"text": "<b>“有效”</b>", "optional": "x", "hidden": "3", "area": "一\n二 <i>", "number": "abc",
     "choice": "<反向>", "flag": "on", "radio": "b"},
    {"text": "x" * 30, "choice": "不存在", "number": "1.5"},
])
def test_render_field_writes_what_django_writes(data):
    form = Sample(data, prefix="rows-0", initial={"text": "初始", "hidden": 7, "choice": "正向"})
    if data is not None:
        form.is_valid()
    for bound in form:
        assert render_field(bound) == str(bound), bound.name


def test_render_field_marks_an_invalid_field_as_django_does():
    form = Sample({"text": ""}, prefix="rows-0")
    assert not form.is_valid()
    written = render_field(form["text"])
    assert 'aria-invalid="true"' in written and "required" in written
    assert written == str(form["text"])


def test_a_preloaded_choice_field_offers_its_objects_as_choices():
    class Thing:
        def __init__(self, pk, name):
            self.pk, self.name = pk, name

        def __str__(self):
            return self.name

    things = [Thing(1, "甲"), Thing(2, "乙")]
    hidden = PreloadedChoiceField(things, widget=forms.HiddenInput)
    shown = PreloadedChoiceField({str(t.pk): t for t in things})
    assert list(hidden.choices) == list(shown.choices) == [("", "---------"), (1, "甲"), (2, "乙")]
    assert hidden.clean("2") is things[1] and hidden.queryset is None
    with pytest.raises(forms.ValidationError):
        shown.clean("3")


# --- the rows of the editor -----------------------------------------------------------------------------------


def cell_of(page, field_id):
    """The table cell holding the input `field_id`."""
    (element,) = page.xpath(f'//*[@id="{field_id}"]')
    return element.getparent()


def errors_in(cell) -> list[str]:
    return [div.text_content() for div in cell.xpath('.//div[contains(@class, "invalid-feedback")]')]


def test_a_row_with_errors_shows_each_error_next_to_its_field(client, demo):
    filing = demo["s0-dept"]
    login(client, FILERS["s0-dept"])
    data = form_data(client.get(step_url(filing, "indicators")))
    data.update({"indicators-0-name": "", "indicators-0-value_text": "≥95%", "indicators-1-value_text": "x" * 400,
                 "save": ""})
    response = client.post(step_url(filing, "indicators"), data)
    assert response.status_code == 422
    page = lxml_html.fromstring(response.content)

    name = cell_of(page, "id_indicators-0-name")
    assert errors_in(name) == ["请填写三级指标名称。"]
    assert "is-invalid" in page.get_element_by_id("id_indicators-0-name").classes
    assert page.xpath('//label[@for="id_indicators-0-name"]')[0].text_content() == "三级指标"
    value = cell_of(page, "id_indicators-1-value_text")
    assert errors_in(value) == ["最多 100 个字，现有 400 个字。"]
    assert page.get_element_by_id("id_indicators-1-value_text").get("value") == "x" * 400
    # The others carry no error: row 0's value, row 1's name, row 2.
    for field_id in ["id_indicators-0-value_text", "id_indicators-1-name", "id_indicators-2-name",
                     "id_indicators-2-value_text"]:
        assert errors_in(cell_of(page, field_id)) == []
        assert "is-invalid" not in page.get_element_by_id(field_id).classes
    # The summary at the top links to the fields.
    summary = page.get_element_by_id("error-summary")
    assert {a.get("href") for a in summary.xpath(".//a")} >= {"#id_indicators-0-name", "#id_indicators-1-value_text"}


def test_a_variants_own_column_with_an_error_is_marked_invalid_next_to_its_field(client, demo):
    load_samples()
    filing = Filing.objects.with_related().get(source=f"{SAMPLE_PREFIX}r-wuhai-proj1")
    user = next(u for u in get_user_model().objects.filter(is_active=True).order_by("pk") if can_edit(u, filing))
    client.force_login(user)
    data = form_data(client.get(step_url(filing, "indicators")))
    assert data["indicators-0-extra.nature"] in {"正向", "反向"}
    data.update({"indicators-0-extra.weight": "无效值", "indicators-0-extra.nature": "侧向", "save": ""})
    response = client.post(step_url(filing, "indicators"), data)
    assert response.status_code == 422
    page = lxml_html.fromstring(response.content)

    weight = page.get_element_by_id("id_indicators-0-extra.weight")
    assert weight.get("aria-invalid") == "true" and "is-invalid" in weight.classes
    assert "id_indicators-0-extra.weight_error" in weight.get("aria-describedby").split()
    assert errors_in(weight.getparent()) == ["分值应为数字，不能是“无效值”。"]
    nature = page.get_element_by_id("id_indicators-0-extra.nature")
    assert nature.tag == "select" and nature.get("aria-invalid") == "true"
    assert [o.get("value") for o in nature.xpath("./option")] == ["", "正向", "反向"]
    assert errors_in(nature.getparent()) == ["指标性质应为：正向、反向，不能是“侧向”。"]
    untouched = page.get_element_by_id("id_indicators-1-extra.weight")
    assert untouched.get("aria-invalid") is None and errors_in(untouched.getparent()) == []
    assert [o.get("value") for o in page.xpath('//*[@id="id_indicators-1-extra.nature"]/option[@selected]')] == [
        data["indicators-1-extra.nature"]]

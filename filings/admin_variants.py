"""The admin of 表样: a 财政 administrator copies a variant, edits its layout as JSON and previews its printed form.

Who may: the admin's own staff check (the 财政 administrator is a superuser, `docs/decisions.md`) and the model
permissions of `FormVariant` (view for the preview and the help page, add for a copy, change for edits). Every
save and copy leaves a LogEntry (the admin's history of the variant).
"""

import copy
import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.fields import InvalidJSONInput
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from .checked import refresh_variant
from .layouts.catalogue import ROW_COLUMNS, data_fields
from .layouts.changes import data_losing_changes
from .layouts.description import (
    BLOCK_TYPES,
    CHECKS,
    PERIOD_LABELS,
    STEPS,
    LayoutError,
    parse_layout,
)
from .layouts.extras import OWNERS, TYPES
from .models import FilingKind, FormVariant
from .variants import copy_variant, json_problem, pretty, render_preview

PERIOD_CHOICE = ("period", "项目期（文字或起止日期）")
HELP_EXAMPLE = {
    "title": "项目支出绩效目标表",
    "extra_fields": [
        {"key": "unit", "on": "indicator", "label": "计量单位", "type": "text"},
        {"key": "budget_code", "on": "filing", "label": "部门预算编码", "type": "text", "required": True},
    ],
    "checks": ["one_year_funds"],
    "blocks": [
        {"type": "fields", "step": "project", "rows": [
            [{"label": "项目名称", "fields": ["name"]}],
            [{"label": "主管部门及代码", "fields": ["competent_department_code", "competent_department"],
              "joiner": "-"}, {"label": "部门预算编码", "fields": ["extra.budget_code"]}],
        ]},
        {"type": "fields", "step": "funds", "group": "项目资金（{money_unit}）", "rows": [
            [{"label": "实施期资金总额", "fields": ["implementation_total"]},
             {"label": "年度资金总额", "fields": ["annual_total"]}],
            [{"label": "其中：财政拨款", "fields": ["implementation_fiscal"]},
             {"label": "其中：财政拨款", "fields": ["annual_fiscal"]}],
            [{"label": "其他资金", "fields": ["implementation_other"]},
             {"label": "其他资金", "fields": ["annual_other"]}],
        ], "sums": [{"total": "annual_total", "parts": ["annual_fiscal", "annual_other"], "code": "A1"}]},
        {"type": "fields", "step": "goals", "rows": [
            [{"label": "实施期总体目标", "fields": ["implementation_goal"]}],
            [{"label": "年度总体目标", "fields": ["annual_goal"]}],
        ]},
        {"type": "indicators", "periods": ["implementation", "annual"],
         "captions": {"implementation": "实施期绩效指标", "annual": "年度绩效指标"},
         "columns": [
             {"field": "level2", "label": "二级指标"},
             {"field": "name", "label": "三级指标", "weight": 3},
             {"field": "value_text", "label": "指标值", "weight": 2},
             {"field": "extra.unit", "label": "计量单位"},
             {"field": "note", "label": "备注", "optional": True},
         ]},
        {"type": "signoff", "step": "project", "rows": [[
            {"label": "单位负责人（签字）", "sign": True},
            {"label": "联系电话", "fields": ["contact_phone"]},
            {"label": "填报日期", "fields": ["filled_on"]},
        ]]},
    ],
}


class LayoutJSONField(forms.JSONField):
    """The layout as pretty-printed JSON in a monospace box; a syntax error names its line, and the typing stays."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"class": "layout-json", "rows": 32, "spellcheck": "false",
                                                          "autocapitalize": "off", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, InvalidJSONInput):
            return value
        return pretty(value)

    def to_python(self, value):
        if self.disabled or not isinstance(value, str):
            return super().to_python(value)
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise ValidationError(json_problem(error, value), code="invalid") from None


def required_choices(kind: str | None, variant: FormVariant | None) -> list[tuple[str, str]]:
    """The fields a variant may require: those its layout places (all of the kind's for a new one), and 项目期."""
    try:
        layout = variant.description if variant is not None and variant.pk else None
    except LayoutError:
        layout = None
    choices = {}
    for each in [kind] if kind else [FilingKind.DEPARTMENT, FilingKind.PROJECT]:
        specs = data_fields(each)
        names = layout.placed_fields() if layout else list(specs)
        for name in [*names, *(variant.required_fields if layout else [])]:
            if name in specs:
                choices.setdefault(name, f"{(layout.label(name) if layout else '') or specs[name].label}（{name}）")
        # The variant's own fields are required by their ``required`` key in the layout (finding E11), not here.
        if each == FilingKind.PROJECT:
            choices.setdefault(PERIOD_CHOICE[0], f"{PERIOD_CHOICE[1]}（period）")
    return list(choices.items())


class FormVariantForm(forms.ModelForm):
    layout = LayoutJSONField(
        label="布局", error_messages={"required": "请填写布局（JSON）。"},
        help_text="本表样的标题、栏目块、每块的栏目与列、自定义栏目和核对规则，写成 JSON。"
                  "键的含义和一个完整的例子见本页上方的“布局说明”。")
    required_fields = forms.MultipleChoiceField(
        label="必填栏目", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="提交前必须填写的栏目；列出的是已保存的布局中的栏目（布局中新加的栏目保存后出现在这里）。")

    class Meta:
        model = FormVariant
        fields = ["code", "name", "kind", "region", "default_scheme", "default_money_unit", "required_fields",
                  "layout", "notes"]

    previewing = False  # set by the admin when the 预览 button was pressed

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout_data = None  # the typed layout, once it parsed
        kind = self.instance.kind if self.instance.pk else None
        if "required_fields" in self.fields:
            self.fields["required_fields"].choices = required_choices(kind, self.instance)

    def clean(self):
        cleaned = super().clean()
        kind = self.instance.kind if self.instance.pk else cleaned.get("kind")
        layout = cleaned.get("layout")
        if layout is None or not kind:
            return cleaned
        try:
            parsed = parse_layout(layout, kind)
        except LayoutError as error:
            self.add_error("layout", error.problems)
            return cleaned
        self.layout_data = layout
        required = cleaned.get("required_fields") or []
        missing = [name for name in required if name != PERIOD_CHOICE[0] and not parsed.shows(name)]
        if missing:
            self.add_error("required_fields", f"以下必填栏目不在布局中，填报人无处填写：{'、'.join(missing)}。")
        if self.instance.pk:
            losses = data_losing_changes(self.instance, parsed)
            if losses:
                self.add_error("layout", losses)
        return cleaned

    def is_valid(self):
        # A preview shows the form again with what was typed and saves nothing.
        return super().is_valid() and not self.previewing


class CopyVariantForm(forms.Form):
    code = forms.SlugField(label="新表样代码", max_length=40,
                           help_text="只含英文字母、数字、连字符和下划线，如 proj-hunan-2027。",
                           error_messages={"invalid": "代码只能包含英文字母、数字、连字符和下划线。"})
    name = forms.CharField(label="新表样名称", max_length=100)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if FormVariant.objects.filter(code=code).exists():
            raise ValidationError(f"已有代码为“{code}”的表样，请换一个代码。")
        return code


@admin.register(FormVariant)
class FormVariantAdmin(admin.ModelAdmin):
    form = FormVariantForm
    change_form_template = "admin/filings/formvariant/change_form.html"
    list_display = ["name", "code", "kind", "region", "default_scheme", "default_money_unit", "preview_link"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "region"]
    actions = ["copy_selected"]
    fieldsets = [
        (None, {"fields": ["code", "name", "kind", "region", "notes"]}),
        ("填报设置", {"fields": ["default_scheme", "default_money_unit", "required_fields"]}),
        ("布局", {"fields": ["layout"]}),
    ]

    class Media:
        css = {"all": ["css/variant-admin.css"]}

    def get_readonly_fields(self, request, obj=None):
        # The kind decides which fields a layout may place: fixed once the variant exists (copy to change it).
        return [*super().get_readonly_fields(request, obj), *(["kind"] if obj is not None else [])]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            refresh_variant(obj)  # its required fields and layout decide what its filings' checks find

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.previewing = request.method == "POST" and "_preview" in request.POST
        return form

    @admin.display(description="预览")
    def preview_link(self, obj):
        return format_html('<a href="{}">预览打印样式</a>', reverse("admin:filings_formvariant_preview", args=[obj.pk]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("layout-help/", wrap(self.layout_help_view), name="filings_formvariant_layout_help"),
            path("<int:object_id>/preview/", wrap(self.preview_view), name="filings_formvariant_preview"),
            path("<int:object_id>/copy/", wrap(self.copy_view), name="filings_formvariant_copy"),
            *super().get_urls(),
        ]

    # --- the change form: 预览 without saving --------------------------------------------------------------
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context["layout_help_url"] = reverse("admin:filings_formvariant_layout_help")
        if form.is_bound and form.previewing:
            context["previewing"] = True
            if form.layout_data is None:
                context["preview_error"] = "布局有错误或表类型未选，改正后才能预览。"
            else:
                variant = copy.copy(form.instance)
                context["preview_html"] = render_preview(variant, form.layout_data, request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- the preview of a saved variant ---------------------------------------------------------------------
    def preview_view(self, request, object_id):
        variant = self._variant(request, object_id, self.has_view_permission)
        try:
            html, error = render_preview(variant, request=request), ""
        except LayoutError as problem:
            html, error = "", f"本表样保存的布局有误，不能预览：{'；'.join(problem.problems)}"
        return TemplateResponse(request, "admin/filings/formvariant/preview.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "original": variant,
            "title": f"预览打印样式：{variant.name}", "preview_html": html, "preview_error": error,
        })

    # --- copying ----------------------------------------------------------------------------------------------
    def copy_view(self, request, object_id):
        source = self._variant(request, object_id, lambda request, obj: self.has_add_permission(request))
        if request.method == "POST":
            form = CopyVariantForm(request.POST)
            done = self._copied_already(request.POST, source)
            if done is not None:  # a second click of the same copy: the first result
                return HttpResponseRedirect(reverse("admin:filings_formvariant_change", args=[done.pk]))
            if form.is_valid():
                with transaction.atomic():
                    variant = copy_variant(source, form.cleaned_data["code"], form.cleaned_data["name"])
                    self.log_addition(request, variant, f"复制自表样“{source.name}”（{source.code}）")
                self.message_user(request, f"已复制为新表样“{variant.name}”。它还没有申报表使用，可以任意修改布局。",
                                  messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:filings_formvariant_change", args=[variant.pk]))
        else:
            form = CopyVariantForm(initial={"code": f"{source.code}-copy"[:40], "name": f"{source.name}（副本）"[:100]})
        return TemplateResponse(request, "admin/filings/formvariant/copy.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "original": source, "form": form,
            "title": f"复制为新表样：{source.name}",
        })

    @staticmethod
    def _copied_already(data, source):
        variant = FormVariant.objects.filter(code=data.get("code", ""), name=data.get("name", "")).first()
        if variant and variant.pk != source.pk and variant.layout == source.layout and not variant.filings.exists():
            return variant
        return None

    @admin.action(description="复制为新表样")
    def copy_selected(self, request, queryset):
        chosen = list(queryset[:2])
        if len(chosen) != 1:
            self.message_user(request, "请只选择一个表样来复制。", messages.WARNING)
            return None
        return HttpResponseRedirect(reverse("admin:filings_formvariant_copy", args=[chosen[0].pk]))

    # --- the help page ----------------------------------------------------------------------------------------
    def layout_help_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return TemplateResponse(request, "admin/filings/formvariant/layout_help.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": "表样布局说明",
            "block_types": BLOCK_TYPES, "checks": CHECKS, "extra_types": TYPES, "owners": OWNERS,
            "steps": STEPS, "row_columns": {BLOCK_TYPES[key]: list(columns) for key, columns in ROW_COLUMNS.items()},
            "periods": PERIOD_LABELS, "example": pretty(HELP_EXAMPLE),
            "fields": {kind: [(name, spec.label) for name, spec in data_fields(kind).items()]
                       for kind in (FilingKind.DEPARTMENT, FilingKind.PROJECT)},
        })

    def _variant(self, request, object_id, allowed):
        variant = FormVariant.objects.select_related("default_scheme").filter(pk=object_id).first()
        if variant is None:
            raise Http404("没有这个表样。")
        if not allowed(request, variant):
            raise PermissionDenied
        return variant

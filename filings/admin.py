from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count

from indicators.models import Category

from . import admin_variants  # noqa: F401  (registers the 表样 admin: copy, layout editing, preview)
from .checked import affected_by, refresh_checks, refresh_many
from .errors import FilingWriteRefused
from .forms.money import money_form_for
from .limits import row_limit
from .models import (
    AnnualTask,
    DepartmentDetails,
    EventKind,
    Filing,
    FilingKind,
    FunctionItem,
    Indicator,
    Membership,
    ProjectDetails,
    Unit,
)
from .models.project import FUND_SCOPES, FUND_SOURCES
from .money import MoneyUnit
from .services import lock_filing, record, record_membership
from .text import ascii_number


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "sector", "region", "is_primary"]
    list_filter = ["kind", "is_primary", "sector", "region"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path"]
    inlines = [MembershipInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        changed = [f.instance for f in formset.forms if f.has_changed() and f not in formset.deleted_forms]
        removed = [f.instance for f in formset.deleted_forms if f.instance.pk]
        for membership in removed:
            record_membership(membership, request.user, "删除")
        super().save_formset(request, form, formset, change)
        for membership in changed:
            record_membership(membership, request.user, "添加或修改")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__kind"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__first_name", "unit__name", "unit__code"]
    autocomplete_fields = ["user", "unit"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_membership(obj, request.user, "修改" if change else "添加")

    def delete_model(self, request, obj):
        record_membership(obj, request.user, "删除")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "unit"):
            record_membership(membership, request.user, "删除")
        super().delete_queryset(request, queryset)


def is_locked(filing) -> bool:
    """Whether the workflow holds the filing (submitted, under review, approved): nobody edits it, superusers too."""
    return filing is not None and not filing.is_editable


# What only the workflow writes (filings/workflow.py): never a field of an admin form.
WORKFLOW_FIELDS = ["status", "revision", "submitted_at", "submitted_by", "lock_version"]


class ReadOnlyOutsideDrafts:
    """A filing that is submitted, under review or approved is the record of what was submitted or approved: no admin
    page adds, changes or deletes its parts, for superusers too. Drafts and returned filings stay editable."""

    def _filing(self, obj):
        return obj.filing if obj is not None and hasattr(obj, "filing_id") else obj

    def has_add_permission(self, request, obj=None):
        if not isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request)  # a new filing is always a draft
        return not is_locked(self._filing(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not is_locked(self._filing(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not is_locked(self._filing(obj)) and super().has_delete_permission(request, obj)


class MoneyInUnitInline:
    """Inline rows whose amounts are shown and typed in the filing's unit (万元 or 元), stored in 元."""

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = money_form_for(obj.money_unit if obj else MoneyUnit.YUAN)
        return super().get_formset(request, obj, **kwargs)


class DepartmentInline(ReadOnlyOutsideDrafts, MoneyInUnitInline, admin.StackedInline):
    model = DepartmentDetails
    can_delete = False
    fieldsets = [
        ("单位基本信息", {"fields": [
            "function_basis", "function_summary", ("functions_changed", "is_primary_department"),
            ("sector", "subordinate_units"),
        ]}),
        ("人员情况", {"fields": [
            ("internal_department_count", "staffing_quota", "staff_total"),
            ("staff_administrative", "staff_institutional", "staff_extra"),
        ]}),
        ("上年预算", {"fields": [
            ("prior_approved", "prior_adjusted", "prior_actual"),
            ("prior_execution_rate", "prior_carryover"),
        ]}),
        ("当年预算收入", {"fields": [
            ("funds_total", "income_total"), ("income_higher_grant", "income_local"),
            ("income_general_budget", "income_government_fund", "income_special_account"), "income_other",
        ]}),
        ("当年预算支出", {"fields": [
            "expenditure_total", ("expenditure_personnel", "expenditure_public"),
            ("expenditure_basic", "expenditure_project"),
        ]}),
        ("年度主要任务金额合计", {"fields": [("tasks_total_amount", "tasks_total_fiscal", "tasks_total_other")]}),
        ("目标与说明", {"fields": ["overall_goal", "other_notes"]}),
    ]


class ProjectInline(ReadOnlyOutsideDrafts, MoneyInUnitInline, admin.StackedInline):
    model = ProjectDetails
    can_delete = False
    fieldsets = [
        ("项目基本信息", {"fields": [
            "name", ("code", "implementing_unit"), ("novelty", "recurrence"),
            ("period_text", "period_years"), ("start_date", "end_date"),
        ]}),
        *[
            (f"{scope_label}资金", {"fields": [
                tuple(f"{scope}_{source}" for source in list(FUND_SOURCES)[:4]),
                tuple(f"{scope}_{source}" for source in list(FUND_SOURCES)[4:]),
            ]})
            for scope, scope_label in FUND_SCOPES.items()
        ],
        ("本级与上级资金", {"fields": [("local_amount", "higher_level_note")]}),
        ("项目情况", {"fields": ["overview", "basis", "necessity", "safeguards", "plan"]}),
        ("绩效目标", {"fields": ["implementation_goal", "annual_goal"]}),
    ]


class RowCapped:
    """An inline of a filing's rows holds at most what filings/limits.py allows, checked on the server too."""

    def get_max_num(self, request, obj=None, **kwargs):
        return row_limit(self.model)

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_max=True, **kwargs)


class FunctionItemInline(RowCapped, ReadOnlyOutsideDrafts, admin.TabularInline):
    model = FunctionItem
    fields = ["order", "name", "mid_term_goal", "annual_goal"]
    extra = 0


class AnnualTaskInline(RowCapped, ReadOnlyOutsideDrafts, MoneyInUnitInline, admin.TabularInline):
    model = AnnualTask
    fields = ["order", "name", "content", "related_goal", "amount_total", "amount_fiscal", "amount_other"]
    extra = 0


class IndicatorInline(RowCapped, ReadOnlyOutsideDrafts, admin.TabularInline):
    model = Indicator
    fields = ["period", "category", "order", "name", "value_text", "operator", "value_number",
              "value_unit", "standard", "not_applicable", "note"]
    readonly_fields = ["operator", "value_number", "value_unit", "not_applicable"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category__parent")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "category":
            return super().formfield_for_foreignkey(db_field, request, **kwargs)
        queryset = Category.objects.filter(parent__isnull=False).select_related("parent")
        filing_id = request.resolver_match.kwargs.get("object_id")
        if (filing_pk := ascii_number(filing_id)) is not None:
            queryset = queryset.filter(scheme__filings=filing_pk)
        field = super().formfield_for_foreignkey(db_field, request, queryset=queryset, **kwargs)
        # A fixed list, read once: otherwise every inline row queries the categories again.
        field.choices = [("", "---------"), *((c.pk, str(c)) for c in queryset)]
        return field


@admin.register(Filing)
class FilingAdmin(ReadOnlyOutsideDrafts, admin.ModelAdmin):
    list_display = ["name", "kind", "year", "unit", "variant", "status", "money_unit", "indicator_count"]
    list_filter = ["year", "kind", "status", "variant", "scheme", "unit__region"]
    list_select_related = ["unit", "variant", "project"]
    search_fields = ["unit__name", "unit__code", "unit_name", "project__name"]
    autocomplete_fields = ["unit", "created_by"]
    readonly_fields = ["created_at", "updated_at", *WORKFLOW_FIELDS]
    fieldsets = [
        (None, {"fields": [("kind", "year", "status"), "unit", ("variant", "scheme", "money_unit"),
                           ("revision", "position")],
                "description": "状态、版本和提交信息只随申报流程（提交、审核、退回、调整）改变，这里不能修改。"}),
        ("表头", {"fields": ["unit_name", ("competent_department", "competent_department_code")]}),
        ("联系与签章", {"fields": [
            ("contact_person", "contact_phone"), ("responsible_person", "handler", "unit_head"),
            ("filled_on", "filled_time"), "no_direct_beneficiaries",
        ]}),
        ("记录", {"fields": ["source", "created_by", ("created_at", "updated_at"), ("submitted_at", "submitted_by"),
                           "lock_version"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The kind decides which details and rows a filing has: fixed once it exists.
        return [*super().get_readonly_fields(request, obj), *(["kind"] if obj is not None else [])]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(indicator_total=Count("indicators"))

    @admin.display(description="名称", ordering="project__name")
    def name(self, obj):
        return obj.project.name if obj.kind == FilingKind.PROJECT else obj.display_unit_name

    @admin.display(description="指标数", ordering="indicator_total")
    def indicator_count(self, obj):
        return obj.indicator_total

    def save_model(self, request, obj, form, change):
        if change:
            # As every write: the row locked first, still editable, and the edit version raised, so a filer's page
            # opened before this save is refused as stale instead of overwriting it.
            try:
                locked = lock_filing(obj)
            except FilingWriteRefused as error:
                raise PermissionDenied(error.message) from None
            obj.lock_version = locked.lock_version + 1
        super().save_model(request, obj, form, change)
        changed = {str(form[name].label): [str(form.initial.get(name) or "")[:200],
                                           str(form.cleaned_data.get(name) or "")[:200]] for name in form.changed_data}
        record(obj, EventKind.ADMIN_EDITED if change else EventKind.CREATED, request.user,
               "在管理后台修改" if change else "在管理后台新建", {"fields": changed})
        if obj.kind == FilingKind.PROJECT:
            ProjectDetails.objects.get_or_create(filing=obj)
        else:
            DepartmentDetails.objects.get_or_create(filing=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        refresh_checks(form.instance)  # after the inlines: details, rows and indicators are validated too

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_many(affected_by(obj))

    def delete_queryset(self, request, queryset):
        deleted = list(queryset)
        super().delete_queryset(request, queryset)
        for filing in deleted:
            refresh_many(affected_by(filing))

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.kind == FilingKind.PROJECT:
            return [ProjectInline, IndicatorInline]
        return [DepartmentInline, FunctionItemInline, AnnualTaskInline, IndicatorInline]


class IndicatorAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        if is_locked(cleaned.get("filing")):
            raise forms.ValidationError("这份申报表已提交或已批复，不能修改；如需改动，请退回或由填报单位申请调整。")
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyOutsideDrafts, admin.ModelAdmin):
    form = IndicatorAdminForm
    """All indicators across filings, for finding how units word and set a given 三级指标."""

    list_display = ["name", "value_text", "value_kind", "operator", "value_number", "value_unit", "category",
                    "period", "filing"]
    list_filter = ["period", "value_kind", "not_applicable", "category__scheme", "category__parent__name",
                   "category__name", "filing__year"]
    list_select_related = ["category__parent", "filing__unit", "filing__project"]
    search_fields = ["name", "value_text", "filing__unit__name", "filing__project__name"]
    readonly_fields = ["value_kind", "operator", "value_number", "value_unit"]
    raw_id_fields = ["filing"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        refresh_many(Filing.objects.filter(pk__in={obj.filing_id, form.initial.get("filing") or obj.filing_id}))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_checks(obj.filing)

    def delete_queryset(self, request, queryset):
        filings = set(queryset.values_list("filing_id", flat=True))
        super().delete_queryset(request, queryset)
        refresh_many(Filing.objects.filter(pk__in=filings))

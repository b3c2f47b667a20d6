from django.contrib import admin

from .models import Category, CategoryAlias, LibraryIndicator, Scheme


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ["parent", "code", "name", "order", "is_required", "allows_not_applicable",
              "not_applicable_needs_reason"]
    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["parent"].queryset = obj.categories.filter(parent__isnull=True)
        return formset


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "basis", "is_default"]
    search_fields = ["name", "code", "basis"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "scheme", "code", "order", "is_required", "allows_not_applicable"]
    list_filter = ["scheme", "parent__name", "is_required"]
    list_select_related = ["scheme", "parent"]
    search_fields = ["name"]


@admin.register(CategoryAlias)
class CategoryAliasAdmin(admin.ModelAdmin):
    list_display = ["alias", "code", "region", "source"]
    list_filter = ["code", ("region", admin.EmptyFieldListFilter)]
    search_fields = ["alias", "region", "source"]
    fields = ["alias", "code", "region", "source"]


@admin.register(LibraryIndicator)
class LibraryIndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "category_code", "sector", "unit", "example_value", "source"]
    list_filter = ["sector", "category_code"]
    search_fields = ["name", "example_value"]

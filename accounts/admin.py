"""Admin: users get a 'must change password' flag when an administrator creates them or sets their password;
the login log is read-only; axes' access attempts stay (deleting one unlocks it), its own logs are not used."""

from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import AccountState, LoginEvent

User = get_user_model()


class AccountStateInline(admin.StackedInline):
    model = AccountState
    can_delete = False
    extra = 0
    max_num = 1


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [AccountStateInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # the add form stays Django's two-step form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            AccountState.require_password_change(obj)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        user = self.get_object(request, id)
        if request.method == "POST" and response.status_code == 302 and user is not None and user != request.user:
            AccountState.require_password_change(user)  # a password set by somebody else is to be changed
        return response


for model in (AccessLog, AccessFailureLog):  # AXES_DISABLE_ACCESS_LOG: the login log below replaces them
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    list_display = ["time", "kind", "username", "user", "ip_address", "detail"]
    list_filter = ["kind", "time"]
    search_fields = ["username", "ip_address"]
    list_select_related = ["user"]
    date_hierarchy = "time"
    readonly_fields = [f.name for f in LoginEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # audit records are not removed from the admin

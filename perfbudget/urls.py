from django.contrib import admin
from django.urls import include, path

from accounts.views import PasswordChangeDoneView, PasswordChangeView
from filings.views.home import home
from perfbudget.health import healthz

admin.site.site_header = "预算绩效目标申报系统"
admin.site.site_title = "预算绩效目标申报系统"
admin.site.index_title = "管理"

handler400 = "perfbudget.errors.bad_request"

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),  # for load balancers: no login (SECURE_REDIRECT_EXEMPT matches it)
    # the app's own password change page (it also ends a required change at first login) before Django's
    path("accounts/password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("filings/", include("filings.urls")),
    path("admin/", admin.site.urls),
]

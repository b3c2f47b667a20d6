from django.contrib import admin
from django.urls import include, path

from filings.views.home import home

admin.site.site_header = "预算绩效目标申报系统"
admin.site.site_title = "预算绩效目标申报系统"
admin.site.index_title = "管理"

handler400 = "perfbudget.errors.bad_request"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("filings/", include("filings.urls")),
    path("admin/", admin.site.urls),
]

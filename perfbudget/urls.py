from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "预算绩效目标申报系统"
admin.site.site_title = "预算绩效目标申报系统"
admin.site.index_title = "管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]

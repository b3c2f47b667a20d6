from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login-log/", views.login_log, name="login_log"),
    path("login-log/export.csv", views.login_log_export, name="login_log_export"),
]

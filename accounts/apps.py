from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "账户与登录安全"

    def ready(self):
        from . import signals  # noqa: F401  (connects the login log and session receivers)


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin (its strings are translated in accounts/locale)."""

    verbose_name = "登录失败锁定"

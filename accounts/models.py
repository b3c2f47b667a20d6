"""The login log, each account's security state and its password history (等保2.0: 身份鉴别, 安全审计)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

USER_AGENT_LENGTH = 300
USERNAME_LENGTH = 150


class LoginEventKind(models.TextChoices):
    SUCCESS = "success", "登录成功"
    FAILURE = "failure", "登录失败"
    LOGOUT = "logout", "退出"
    LOCKOUT = "lockout", "锁定"


class LoginEvent(models.Model):
    """One sign-in, failed sign-in, sign-out or lockout: who (as typed, and the account if it exists), when, where."""

    kind = models.CharField("事件", max_length=10, choices=LoginEventKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="login_events", db_index=False)
    # db_index: on PostgreSQL also a varchar_pattern_ops index, which the prefix search (LIKE 'x%') uses
    username = models.CharField("输入的用户名", max_length=USERNAME_LENGTH, blank=True, db_index=True)
    time = models.DateTimeField("时间", default=timezone.now)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("浏览器", max_length=USER_AGENT_LENGTH, blank=True)
    detail = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "登录日志"
        verbose_name_plural = "登录日志"
        ordering = ["-time", "-pk"]
        indexes = [
            models.Index(fields=["-time"], name="loginevent_time"),
            models.Index(fields=["kind", "-time"], name="loginevent_kind_time"),
            models.Index(fields=["ip_address", "-time"], name="loginevent_ip_time"),
            models.Index(fields=["user", "-time"], name="loginevent_user_time"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.time:%Y-%m-%d %H:%M:%S}"


class AccountState(models.Model):
    """Security flags of one account that Django's user model does not carry."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="用户", primary_key=True,
                                on_delete=models.CASCADE, related_name="account_state")
    must_change_password = models.BooleanField(
        "下次登录须修改密码", default=False,
        help_text="由管理员创建或重置密码的账户，首次登录时必须先设置自己的密码。")

    class Meta:
        verbose_name = "账户安全状态"
        verbose_name_plural = "账户安全状态"

    def __str__(self):
        return str(self.user)

    @classmethod
    def require_password_change(cls, user, required: bool = True) -> None:
        cls.objects.update_or_create(user=user, defaults={"must_change_password": required})


class PasswordHistory(models.Model):
    """The hashes of an account's recent passwords, so that none of them is chosen again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE,
                             related_name="password_history")
    password = models.CharField("密码哈希", max_length=128)
    created = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["user", "-created"], name="passwordhistory_user_created")]

    def __str__(self):
        return f"{self.user} {self.created:%Y-%m-%d %H:%M}"

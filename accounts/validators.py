"""Password rules of 等保2.0 beyond Django's own: character classes and no reuse of recent passwords."""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CLASSES = [
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", lambda ch: ch.isascii() and ch.isdigit()),
    ("符号", lambda ch: ch.isascii() and not ch.isalnum() and ch.isprintable()),
]


class CharacterClassesValidator:
    """At least `min_classes` of 大写字母、小写字母、数字、符号."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = [name for name, test in CLASSES if any(test(ch) for ch in password)]
        if len(present) < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、符号中的至少 %(min)d 类（当前只有 %(count)d 类）。",
                code="password_too_few_character_classes",
                params={"min": self.min_classes, "count": len(present)},
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class PasswordHistoryValidator:
    """Not the current password nor one of the last `count` passwords of the user (their hashes are kept)."""

    def __init__(self, count: int = 5):
        self.count = count

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from .models import PasswordHistory

        recent = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        if user.password:
            recent.append(user.password)
        if any(check_password(password, encoded) for encoded in dict.fromkeys(recent)):
            raise ValidationError(
                "不能使用最近 %(count)d 次用过的密码，请换一个新密码。",
                code="password_reused",
                params={"count": self.count},
            )

    def password_changed(self, password, user=None):
        """Django calls this after a new password is saved: keep its hash and forget the older ones."""
        if user is None or user.pk is None or not user.has_usable_password():
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return f"不能与最近 {self.count} 次用过的密码相同。"

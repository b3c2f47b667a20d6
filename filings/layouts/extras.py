"""A variant's own fields (指标解释, 计量单位, 定量/定性, 权重, 部门预算编码 …), stored without a migration.

Values live in the ``extra`` JSON column of the row they belong to (the filing, a task row, an indicator row), keyed
by the field's key, as plain JSON: text as str, numbers and money as decimal strings (money in 元), dates as ISO
strings. `ExtraField.clean` turns what a user typed or a workbook held into that form, or raises a Chinese error.
"""

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from ..money import MoneyUnit, format_amount, normalize_decimal, to_yuan
from .catalogue import FieldSpec

TYPES = {"text": "文字", "longtext": "长文字", "number": "数字", "money": "金额", "date": "日期", "choice": "选项"}
OWNERS = {"filing": "表头", "task": "年度主要任务", "indicator": "绩效指标"}
DEFAULT_LENGTH = {"text": 200, "longtext": 2000}
NUMBER_LIMIT = Decimal("1e12")


@dataclass(frozen=True)
class ExtraField:
    key: str
    on: str  # filing | task | indicator
    label: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None
    help: str = ""
    role: str = ""  # "unit": an indicator row's 计量单位 printed in a column of its own, read with the 指标值

    @property
    def name(self) -> str:
        """How a layout names it: ``extra.<key>``."""
        return f"extra.{self.key}"

    @property
    def limit(self) -> int:
        return self.max_length or DEFAULT_LENGTH.get(self.type, 200)

    @property
    def spec(self) -> FieldSpec:
        kind = {"number": "number", "money": "money", "date": "date", "choice": "choice",
                "longtext": "longtext"}.get(self.type, "text")
        return FieldSpec(self.name, "extra", kind, self.label, self.limit if kind in {"text", "longtext"} else None,
                         tuple((c, c) for c in self.choices))

    def clean(self, raw, money_unit: str = MoneyUnit.YUAN):
        """The stored form of a typed or imported value; blank is ``None``. Raises ValidationError in Chinese."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise ValidationError(f"请填写{self.label}。")
            return None
        if self.type in {"text", "longtext"}:
            text = str(raw).strip() if self.type == "text" else str(raw).rstrip()
            if self.type == "text" and ("\n" in text or "\r" in text):
                text = " ".join(text.split())
            if len(text) > self.limit:
                raise ValidationError(f"{self.label}最多 {self.limit} 个字，现有 {len(text)} 个字。")
            return text
        if self.type == "choice":
            text = str(raw).strip()
            if text not in self.choices:
                raise ValidationError(f"{self.label}应为：{'、'.join(self.choices)}，不能是“{text}”。")
            return text
        if self.type == "date":
            return _date(raw, self.label).isoformat()
        number = _decimal(raw, self.label)
        if self.type == "money" and number < 0:
            raise ValidationError(f"{self.label}不能为负数。")
        if self.type == "money":
            try:
                return str(to_yuan(number, money_unit))
            except InvalidOperation:
                raise ValidationError(f"{self.label}最多精确到分。") from None
        return f"{normalize_decimal(number):f}"

    def python(self, stored):
        """The stored value as Python: Decimal for numbers and money (元), date for dates, str otherwise."""
        if stored in (None, ""):
            return None
        if self.type in {"number", "money"}:
            try:
                return Decimal(str(stored))
            except InvalidOperation:
                return None
        if self.type == "date":
            try:
                return datetime.date.fromisoformat(str(stored))
            except ValueError:
                return None
        return str(stored)

    def display(self, stored, money_unit: str = MoneyUnit.YUAN) -> str:
        value = self.python(stored)
        if value is None:
            return ""
        if self.type == "money":
            return format_amount(value, money_unit)
        if self.type == "number":
            return f"{normalize_decimal(value):f}"
        if self.type == "date":
            return value.isoformat()
        return value

    def form_field(self, money_unit: str = MoneyUnit.YUAN) -> forms.Field:
        """A form field that accepts text and leaves the typing and checking to `clean`, so nothing typed is lost."""
        label = self.label
        if self.type == "money":
            label = f"{label}（{MoneyUnit(money_unit).label}）"
        attrs = {"class": "form-control"}
        if self.type == "longtext":
            widget = forms.Textarea(attrs={**attrs, "rows": 3})
        elif self.type == "choice":
            widget = forms.Select(choices=[("", "—"), *((c, c) for c in self.choices)], attrs={"class": "form-select"})
        elif self.type == "date":
            widget = forms.DateInput(attrs={**attrs, "type": "date"})
        elif self.type in {"number", "money"}:
            widget = forms.TextInput(attrs={**attrs, "inputmode": "decimal"})
        else:
            widget = forms.TextInput(attrs=attrs)
        return ExtraFormField(self, money_unit, label=label, required=False, widget=widget, help_text=self.help)


class ExtraFormField(forms.CharField):
    def __init__(self, extra: ExtraField, money_unit: str, **kwargs):
        self.extra, self.money_unit = extra, money_unit
        super().__init__(strip=False, **kwargs)

    def clean(self, value):
        return self.extra.clean(super().clean(value), self.money_unit)


def _decimal(raw, label: str) -> Decimal:
    if isinstance(raw, bool):
        raise ValidationError(f"{label}应为数字。")
    text = "".join(unicodedata.normalize("NFKC", str(raw)).replace(",", "").replace("，", "").split())
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"{label}应为数字，不能是“{str(raw).strip()[:20]}”。") from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise ValidationError(f"{label}应为不超过一万亿的数字。")
    return number


def _date(raw, label: str) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return datetime.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        raise ValidationError(f"{label}应为日期，如 2026-03-01。") from None

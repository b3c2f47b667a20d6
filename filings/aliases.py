"""Remembering a printed category name for a unit's region: the user's choice in the paste preview
(“把‘XX指标’放到：……”, 记住) becomes an alias that later pastes of the region read by themselves."""

from django.db import transaction

from indicators.hierarchy import region_of, region_prefixes
from indicators.models import CategoryAlias, normalize_category_name, place_in

from .access import can_edit
from .errors import FilingWriteRefused
from .models import EventKind
from .services import lock_filing, record


def _refuse(message: str):
    raise FilingWriteRefused(FilingWriteRefused.REFUSED, message)


@transaction.atomic
def remember_category_alias(user, filing, printed_name: str, code: str) -> CategoryAlias | None:
    """Remember that `printed_name` means the 二级 category `code` in the region of the filing's unit.

    Refused (FilingWriteRefused, nothing changed) when the user may not edit the filing, when the code is not a 二级
    category of the filing's scheme, when the unit has no 所属地区, or when the name is a standard name or a national
    alias of another category. Returns None when the name already reads so (nothing to remember)."""
    if not can_edit(user, filing):
        _refuse("您不能修改这份申报表，所以不能为它记住指标类别名称。")
    locked = lock_filing(filing)
    key = normalize_category_name(printed_name)
    if not key:
        _refuse("指标类别名称去掉标注（如“（必填）”“★”）后为空，没有可记住的名称。")
    longest = CategoryAlias._meta.get_field("alias").max_length
    if len(key) > longest:
        _refuse(f"“{printed_name[:20]}…”去掉标注后有{len(key)}字，超过了{longest}字，不能记住。"
                "这些行仍按您的选择添加。")
    level2 = {c.code: c for c in locked.scheme.level2_categories()}
    category = level2.get(code)
    if category is None:
        _refuse(f"所选类别不是指标体系“{locked.scheme.name}”中的二级指标，请重新选择。")
    meant = next((c for c in level2.values() if normalize_category_name(c.name) == key), None)
    if meant is not None:
        if meant == category:
            return None
        _refuse(f"“{printed_name}”是本指标体系中“{meant}”的标准名称，不能记作“{category.name}”。"
                f"如这一行确属“{category.name}”，请在编辑器中为它选择二级指标。")
    national = CategoryAlias.objects.filter(alias=key, region="").first()
    if national is not None:
        if place_in(level2, national.code) == category:
            return None
        _refuse(f"“{printed_name}”在全国通用的别名中表示“{national.get_code_display()}”，不能改为“{category.name}”。"
                f"如本地区确有不同含义，请联系系统管理员调整别名。")
    region = region_of(locked.unit)
    if not region:
        _refuse(f"单位“{locked.unit.name}”没有填写所属地区，无法记住本地区的指标类别名称。请联系管理员补填所属地区。")
    applying = sorted(CategoryAlias.objects.select_for_update().filter(alias=key, region__in=region_prefixes(region)),
                      key=lambda alias: len(alias.region))
    if applying and place_in(level2, applying[-1].code) == category:
        return None  # the region (or one containing it) already reads the name so
    existing = next((alias for alias in applying if alias.region == region), None)
    before = existing.code if existing else ""
    alias, _ = CategoryAlias.objects.update_or_create(
        alias=key, region=region,
        defaults={"code": category.code, "source": f"{user} 在申报表“{locked.title}”中选择"[:200]})
    change = f"（原为“{existing.get_code_display()}”）" if existing else ""
    record(locked, EventKind.CATEGORY_ALIAS, user,
           f"记住指标类别名称：{region}的“{printed_name}”表示“{category.name}”{change}",
           {"alias": key, "printed": printed_name, "region": region, "fields": {"对应类别": [before, category.code]}})
    return alias


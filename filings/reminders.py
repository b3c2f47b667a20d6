"""Deadline reminders: the filers of units that have not yet submitted their department filing of a year whose
deadline is near are told (in-app and by e-mail). A unit's deadline is its effective one: its nearest 财政 bureau's
for that year, else the next bureau's up (`filings.bureaus`), so a county that set its own date is reminded by it
and not by its city's. Each unit is reminded by one deadline, and nobody twice of it on the same day, so the
periodic task (`filings.upkeep.remind_deadlines`) and the command (`manage.py remind_deadlines`) may run as often
as they like."""

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from .access import filers_of, units_with_filers
from .bureaus import Bureaus
from .models import Filing, FilingDeadline, Notification, Unit, UnitKind
from .models.filings import EDITABLE_STATUSES
from .notifications import Notice, display_name

DAYS = 7  # deadlines this many days ahead (today included) are reminded of


@dataclass
class Reminders:
    """Who is to be reminded, and what was found on the way (the command prints it, the task logs it)."""

    notices: list[Notice] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    deadlines: int = 0

    @property
    def with_mail(self) -> int:
        return sum(1 for notice in self.notices if notice.user.email)


def due(days: int = DAYS) -> Reminders:
    today = timezone.localdate()
    start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    deadlines = list(
        FilingDeadline.objects.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))
        .select_related("region").order_by("due_on", "region__path")
    )
    found = Reminders(deadlines=len(deadlines))
    if not deadlines:
        found.lines.append(f"未来 {days} 天内没有到期的申报截止日期，无需提醒。")
    bureaus: dict[int, Bureaus] = {}  # by year: the bureaus around that year's near deadlines, with their deadlines
    for year in {deadline.year for deadline in deadlines}:
        bureaus[year] = Bureaus.around([d.region.path for d in deadlines if d.year == year], year)
    for deadline in deadlines:
        remind(deadline, today, start_of_day, found, bureaus[deadline.year])
    return found


def remind(deadline: FilingDeadline, today: datetime.date, start_of_day: datetime.datetime, found: Reminders,
           bureaus: Bureaus | None = None) -> None:
    """Remind the units whose effective deadline this is (those of a bureau below with its own date are left to it)."""
    region, year = deadline.region, deadline.year
    if bureaus is None:
        bureaus = Bureaus.around([region.path], year)
    left = (deadline.due_on - today).days
    when = "今天截止" if left == 0 else f"还剩 {left} 天"
    found.lines.append(f"{region.name} {year} 年度部门整体支出绩效目标申报表，截止日期 "
                       f"{deadline.due_on:%Y-%m-%d}（{when}）：")
    units = [unit for unit in units_with_filers(Unit.objects.subtree_of(region).exclude(kind=UnitKind.FINANCE))
             .order_by("path") if getattr(bureaus.deadline(unit.path), "pk", None) == deadline.pk]
    filings = (Filing.objects.departments().filter(year=year, unit__in=units)
               .order_by("unit", "-revision").only("pk", "unit", "status", "revision"))
    submitted = {filing.unit_id for filing in filings if filing.status not in EDITABLE_STATUSES}
    drafts: dict[int, Filing] = {}
    for filing in filings:
        drafts.setdefault(filing.unit_id, filing)
    for unit in units:
        if unit.pk in submitted:
            found.lines.append(f"  {unit.name}：已提交，跳过。")
            continue
        draft = drafts.get(unit.pk)
        message = (f"提醒：{unit.name} {year} 年度部门整体支出绩效目标申报表须于 {deadline.due_on:%Y年%m月%d日} "
                   f"前提交（{when}），目前尚未提交。")
        already = set(Notification.objects.filter(message=message, created_at__gte=start_of_day)
                      .values_list("user", flat=True))
        recipients = list(filers_of(unit.pk))
        to_remind = [user for user in recipients if user.pk not in already]
        reminded = [user for user in recipients if user.pk in already]
        if reminded:
            found.lines.append(f"  {unit.name}：今天已提醒过 {'、'.join(map(display_name, reminded))}，不再重复。")
        if not to_remind:
            continue
        found.lines.append(f"  {unit.name}：{'草稿尚未提交' if draft else '尚未新建申报表'}，提醒 "
                           + "、".join(display_name(user) + (f"（{user.email}）" if user.email else "")
                                      for user in to_remind))
        link = reverse("filings:tasks", args=[draft.pk]) if draft else reverse("home")
        found.notices += [Notice(user=user, message=message, subject=f"申报截止提醒：{unit.name} {year} 年度",
                                 link=link, filing=draft) for user in to_remind]

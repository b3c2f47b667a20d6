"""Remind the filers of units that have not yet submitted their department filing of a year whose deadline is near."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from filings.access import filers_of, units_with_filers
from filings.models import Filing, FilingDeadline, Notification, Unit, UnitKind
from filings.models.filings import EDITABLE_STATUSES
from filings.notifications import Notice, deliver, display_name


class Command(BaseCommand):
    help = (
        "截止日期在 N 天内（含今天）且尚未过期的申报年度：提醒本地区尚未提交部门整体支出绩效目标申报表的单位的"
        "填报人（站内通知和邮件）。同一天重复运行不会重复提醒。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="提醒截止日期在多少天之内的申报（默认 7）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要提醒的人，不发送通知和邮件")

    def handle(self, *args, days: int, dry_run: bool, **options):
        if days < 0:
            raise CommandError("--days 不能是负数。")
        today = timezone.localdate()
        start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
        deadlines = list(
            FilingDeadline.objects.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))
            .select_related("region").order_by("due_on", "region__path")
        )
        if not deadlines:
            self.stdout.write(f"未来 {days} 天内没有到期的申报截止日期，无需提醒。")
            return
        notices: list[Notice] = []
        for deadline in deadlines:
            notices += self.remind(deadline, today, start_of_day)
        with_mail = sum(1 for notice in notices if notice.user.email)
        if dry_run:
            self.stdout.write(f"试运行：将提醒 {len(notices)} 人次（其中 {with_mail} 人次有邮箱），"
                              "没有保存任何通知，也没有发送邮件。")
            return
        stored, sent = deliver(notices)
        summary = f"已发送 {stored} 条站内提醒，邮件 {sent} 封。"
        if sent < with_mail:
            summary += f"另有 {with_mail - sent} 封邮件没有发出（见日志）。"
        self.stdout.write(self.style.SUCCESS(summary))

    def remind(self, deadline: FilingDeadline, today: datetime.date, start_of_day: datetime.datetime) -> list[Notice]:
        region, year = deadline.region, deadline.year
        left = (deadline.due_on - today).days
        when = "今天截止" if left == 0 else f"还剩 {left} 天"
        self.stdout.write(f"{region.name} {year} 年度部门整体支出绩效目标申报表，截止日期 "
                          f"{deadline.due_on:%Y-%m-%d}（{when}）：")
        units = list(units_with_filers(Unit.objects.subtree_of(region).exclude(kind=UnitKind.FINANCE)).order_by("path"))
        filings = (Filing.objects.departments().filter(year=year, unit__in=units)
                   .order_by("unit", "-revision").only("pk", "unit", "status", "revision"))
        submitted = {filing.unit_id for filing in filings if filing.status not in EDITABLE_STATUSES}
        drafts: dict[int, Filing] = {}
        for filing in filings:
            drafts.setdefault(filing.unit_id, filing)
        notices = []
        for unit in units:
            if unit.pk in submitted:
                self.stdout.write(f"  {unit.name}：已提交，跳过。")
                continue
            draft = drafts.get(unit.pk)
            message = (f"提醒：{unit.name} {year} 年度部门整体支出绩效目标申报表须于 {deadline.due_on:%Y年%m月%d日} "
                       f"前提交（{when}），目前尚未提交。")
            already = set(Notification.objects.filter(message=message, created_at__gte=start_of_day)
                          .values_list("user", flat=True))
            recipients = list(filers_of(unit.pk))
            due = [user for user in recipients if user.pk not in already]
            done = [user for user in recipients if user.pk in already]
            if done:
                self.stdout.write(f"  {unit.name}：今天已提醒过 {'、'.join(map(display_name, done))}，不再重复。")
            if not due:
                continue
            self.stdout.write(f"  {unit.name}：{'草稿尚未提交' if draft else '尚未新建申报表'}，提醒 "
                              + "、".join(display_name(user) + (f"（{user.email}）" if user.email else "")
                                         for user in due))
            link = reverse("filings:tasks", args=[draft.pk]) if draft else reverse("home")
            notices += [Notice(user=user, message=message, subject=f"申报截止提醒：{unit.name} {year} 年度",
                               link=link, filing=draft) for user in due]
        return notices

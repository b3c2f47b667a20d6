"""manage.py remind_deadlines: the deadline reminders (`filings.reminders`) at once, with what was found printed.
The periodic task `filings.upkeep.remind_deadlines` does the same every hour."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from filings import reminders
from filings.notifications import deliver


class Command(BaseCommand):
    help = (
        "截止日期在 N 天内（含今天）且尚未过期的申报年度：提醒本地区尚未提交部门整体支出绩效目标申报表的单位的"
        "填报人（站内通知和邮件）。同一天重复运行不会重复提醒。后台定时任务每小时自动运行一次。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=reminders.DAYS,
                            help="提醒截止日期在多少天之内的申报（默认 %(default)s）")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要提醒的人，不发送通知和邮件")

    def handle(self, *args, days: int, dry_run: bool, **options):
        if days < 0:
            raise CommandError("--days 不能是负数。")
        found = reminders.due(days)
        for line in found.lines:
            self.stdout.write(line)
        if not found.deadlines:
            return
        if dry_run:
            self.stdout.write(f"试运行：将提醒 {len(found.notices)} 人次（其中 {found.with_mail} 人次有邮箱），"
                              "没有保存任何通知，也没有发送邮件。")
            return
        with transaction.atomic():
            stored, queued = deliver(found.notices)
        self.stdout.write(self.style.SUCCESS(
            f"已保存 {stored} 条站内提醒，{queued} 封邮件已交给后台工作进程发送。"))

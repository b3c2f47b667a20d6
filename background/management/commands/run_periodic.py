from django.core.management.base import BaseCommand

from background.periodic import enqueue_due


class Command(BaseCommand):
    help = "把到期的定时任务（提醒、清理过期下载、检查中断的任务）排入后台队列；由 systemd 定时器每分钟运行。"

    def handle(self, *args, **options):
        names = enqueue_due()
        self.stdout.write("已排队：" + "、".join(names) if names else "没有到期的定时任务。")

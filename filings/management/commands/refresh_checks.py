from django.core.management.base import BaseCommand

from filings.checked import refresh_dated, refresh_many, refresh_unchecked
from filings.models import Filing


class Command(BaseCommand):
    help = "重新核对申报表并保存错误数、警告数和代码：默认只核对从未核对过的申报表（升级后运行一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="重新核对全部申报表")
        parser.add_argument("--dated", action="store_true",
                            help="只重新核对填报日期在上次核对时尚未到、现已到的申报表（每日运行）")

    def handle(self, *args, **options):
        if options["all"]:
            count = refresh_many(Filing.objects.all())
        elif options["dated"]:
            count = refresh_dated()
        else:
            count = refresh_unchecked()
        self.stdout.write(f"已重新核对 {count} 份申报表。")

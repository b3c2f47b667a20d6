from django.core.management.base import BaseCommand

from filings.checked import refresh_many, refresh_unchecked
from filings.demo import SEED_PREFIX, load_demo, load_samples
from filings.models import Filing


class Command(BaseCommand):
    help = "载入演示数据：单位、各角色用户和五份公开申报表中的全部申报（可重复执行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="把演示申报表恢复为公开原表的内容（丢弃对它们的修改）。"
        )
        parser.add_argument(
            "--samples", action="store_true",
            help="另外载入其他地区表样的示例申报表（fixtures/regional_samples/，每次都按文件重新载入）。",
        )

    def handle(self, *args, **options):
        result = load_demo(reset=options["reset"])
        self.stdout.write(
            self.style.SUCCESS(
                f"演示申报表 {result.filings} 份（本次新建 {result.created} 份），共 {result.indicators} 条绩效指标；"
                f"指标库新增 {result.library_added} 条。"
            )
        )
        if options["samples"]:
            self.stdout.write(f"其他地区表样的示例申报表 {load_samples()} 份。")
        # The validation result the lists show (filings/checked.py) for what was loaded, as the services store it.
        if options["reset"]:
            refresh_many(Filing.objects.filter(source__startswith=SEED_PREFIX))
        refresh_unchecked()
        self.stdout.write(f"演示账号（密码均为 {result.password}）：")
        for username, unit, role in result.logins:
            self.stdout.write(f"  {username:<8} {role:<6} {unit}")

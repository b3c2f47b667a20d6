from django.core.management.base import BaseCommand

from filings.demo import load_demo


class Command(BaseCommand):
    help = "载入演示数据：单位、各角色用户和五份公开申报表中的全部申报（可重复执行）。"

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入 {result.filings} 份申报表，共 {result.indicators} 条绩效指标；"
                f"指标库新增 {result.library_added} 条。"
            )
        )
        self.stdout.write(f"演示账号（密码均为 {result.password}）：")
        for username, unit, role in result.logins:
            self.stdout.write(f"  {username:<8} {role:<6} {unit}")

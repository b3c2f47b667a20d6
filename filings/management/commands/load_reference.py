from django.core.management.base import BaseCommand

from filings import reference


class Command(BaseCommand):
    help = "载入基础数据：指标体系、指标类别别名、表样和指标库（可重复执行）。"

    def handle(self, *args, **options):
        reference.load_schemes()
        reference.load_variants()
        added = reference.load_library()
        self.stdout.write(self.style.SUCCESS(f"已载入指标体系、别名和表样；指标库新增 {added} 条。"))

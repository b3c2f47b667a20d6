from django.core.management.base import BaseCommand, CommandError

from filings.models import FormVariant
from filings.variants import export_text


class Command(BaseCommand):
    help = "把一个表样写成 JSON 文件（打印到标准输出），格式同 fixtures/variants/*.json，可用 load_variant 载入。"

    def add_arguments(self, parser):
        parser.add_argument("code", help="表样代码，如 proj-hunan")

    def handle(self, *args, **options):
        variant = FormVariant.objects.select_related("default_scheme").filter(code=options["code"]).first()
        if variant is None:
            codes = "、".join(FormVariant.objects.values_list("code", flat=True))
            raise CommandError(f"没有代码为“{options['code']}”的表样。现有表样：{codes or '无'}。")
        self.stdout.write(export_text(variant), ending="")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from filings.variants import VariantFileError, apply_load, plan_load, read_document


class Command(BaseCommand):
    help = ("从 JSON 文件（export_variant 的格式）新建或按代码更新一个表样：先检查布局，"
            "已有申报表填写了内容的栏目不能删除；--dry-run 只列出将要做的修改。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="表样文件，如 proj-hunan.json")
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出将要做的修改，不写入数据库")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"找不到文件 {path}。") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"不能读取文件 {path}（应为 UTF-8 编码的 JSON）：{error}") from None
        try:
            with transaction.atomic():
                plan = plan_load(read_document(text))
                self.stdout.write(("（试运行，未写入）" if options["dry_run"] else "") + plan.describe())
                if options["dry_run"] or (not plan.created and not plan.changes):
                    return
                variant = apply_load(plan)
        except VariantFileError as error:
            raise CommandError("不能载入表样文件 " + str(path) + "：\n" + "\n".join(
                f"  - {problem}" for problem in error.problems)) from None
        self.stdout.write(f"{'已新建' if plan.created else '已更新'}表样 {variant.code}（{variant.name}）。")

"""Build the queued batch PDF downloads (ZIP files) that were too large to build in a web request."""

import time

from django.core.management.base import BaseCommand, CommandError

from filings.exports.batches import build_queued


class Command(BaseCommand):
    help = "生成排队中的批量PDF（ZIP）。可由定时任务每分钟运行一次，或用 --loop 作为常驻进程运行。"

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="常驻运行：处理完后每隔 --interval 秒再检查一次")
        parser.add_argument("--interval", type=float, default=5, help="--loop 时两次检查之间的秒数（默认 5）")

    def handle(self, *args, loop: bool, interval: float, **options):
        if interval <= 0:
            raise CommandError("--interval 必须大于 0。")
        while True:
            built = build_queued()
            if built or not loop:
                self.stdout.write(f"已生成 {built} 个批量PDF。")
            if not loop:
                return
            time.sleep(interval)

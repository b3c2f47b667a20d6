"""manage.py worker: one background worker process for whichever task backend the settings name."""

from django.conf import settings
from django.core.management.base import BaseCommand

from background import backends, periodic
from background.heartbeat import HeartbeatThread, new_worker_id


class Command(BaseCommand):
    help = ("启动一个后台工作进程（数据库任务后端或 RQ 后端，由 TASK_BACKEND 决定），执行批量PDF、Excel汇总、通知邮件和"
            "定时任务；每隔几秒写一次心跳（/healthz 和清理任务据此判断工作进程是否还在）。")

    def add_arguments(self, parser):
        parser.add_argument("--queues", default=",".join(settings.TASK_QUEUES),
                            help="要处理的队列，逗号分隔（默认全部：%(default)s）")
        parser.add_argument("--schedule", action="store_true",
                            help="同时按时排入定时任务（没有 systemd 定时器时使用，例如 bin/run 的演示环境）")
        parser.add_argument("--interval", type=float, default=1.0, help="没有任务时隔多少秒再查一次（数据库后端）")
        parser.add_argument("--max-tasks", type=int, default=None, help="执行这么多个任务后退出")
        parser.add_argument("--burst", action="store_true", help="执行完已排队的任务后退出")

    def handle(self, *args, queues: str, schedule: bool, interval: float, max_tasks, burst: bool, **options):
        worker_id = new_worker_id()
        queue_names = [name.strip() for name in queues.split(",") if name.strip()]
        heart = HeartbeatThread(worker_id, backends.backend_path(), ",".join(queue_names),
                                on_beat=periodic.enqueue_due if schedule else None)
        # Seen before the first task is claimed: the sweep takes a task whose worker was never seen for orphaned.
        heart.beat()
        heart.start()
        queues_text = "、".join(queue_names)
        self.stdout.write(f"后台工作进程 {worker_id} 已启动（{backends.backend_path()}，队列 {queues_text}）")
        try:
            backends.run_worker(worker_id, queue_names, interval, max_tasks, burst)
        finally:
            heart.stop()
            heart.join(timeout=10)

"""Running the queued background tasks inside a test, on the test's own database connection (the database backend
of production; the worker's loop is left out because it closes connections between tasks)."""

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

WORKER_ID = "test-worker"


def run_tasks(limit: int = 1000) -> int:
    """Run ready tasks (and those they enqueue) until none is left; how many ran."""
    worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id=WORKER_ID, excluded_queue_names=[])
    ran = 0
    while ran < limit:
        with transaction.atomic():
            result = DBTaskResult.objects.ready().get_locked()
            if result is None:
                return ran
            result.claim(WORKER_ID)
        worker.run_task(result)
        ran += 1
    raise AssertionError(f"more than {limit} tasks: one enqueues itself without end?")

"""/healthz for load balancers and monitoring: the database answers, the private storage takes a file, and a
background worker has beaten recently. 200 when all hold, else 503 naming what failed. No login and no session."""

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from background.heartbeat import alive

logger = logging.getLogger(__name__)


def database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def private_storage_works() -> bool:
    # A name of its own per probe: several servers may probe the same shared storage at once.
    storage = storages["private"]
    name = storage.save(f"healthz/{get_random_string(12)}.probe", ContentFile(b"ok"))
    try:
        with storage.open(name, "rb") as probe:
            return probe.read() == b"ok"
    finally:
        storage.delete(name)


def worker_alive() -> bool:
    return alive().exists()


CHECKS = {"database": database_answers, "storage": private_storage_works, "worker": worker_alive}


def passes(name: str, check) -> bool:
    try:
        return check()
    except Exception:  # noqa: BLE001 - any failure of a dependency is an answer, not a 500
        logger.exception("健康检查 %s 失败", name)
        return False


@never_cache
@require_safe
def healthz(request):
    results = {name: passes(name, check) for name, check in CHECKS.items()}
    failed = [name for name, ok in results.items() if not ok]
    body = {"status": "fail" if failed else "ok", "checks": {n: "ok" if ok else "fail" for n, ok in results.items()},
            "failed": failed}
    return JsonResponse(body, status=503 if failed else 200)

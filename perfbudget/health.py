"""/healthz for load balancers and monitoring. Each check is reported in the JSON: the database answers, the private
storage takes a file, a background worker has beaten recently and, on TASK_BACKEND=rq, Redis answers a ping.

Only the database and the storage decide the answer (503 when one fails): filing and review need no worker, so a
stopped worker must not make every server look down to a load balancer; downloads and mail then wait in the queue.
With ``?strict=1`` (for monitoring) any failed check answers 503, the workers included. No login and no session."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from background.heartbeat import alive

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 1


def database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def probe_name() -> str:
    # Fixed per host, process and thread: servers sharing the storage never touch each other's probe, and one left by
    # a request killed mid-probe is removed by the next probe of the same name instead of piling up.
    return f"healthz/{socket.gethostname()}-{os.getpid()}-{threading.get_native_id()}.probe"


def private_storage_works() -> bool:
    storage = storages["private"]
    name = probe_name()
    storage.delete(name)  # a leftover would make save() choose another name
    saved = storage.save(name, ContentFile(b"ok"))
    try:
        with storage.open(saved, "rb") as probe:
            return probe.read() == b"ok"
    finally:
        storage.delete(saved)


def worker_alive() -> bool:
    return alive().exists()


def redis_answers() -> bool:
    import redis  # installed with the RQ backend only

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                  socket_timeout=REDIS_TIMEOUT_SECONDS)
    try:
        return client.ping() is True
    finally:
        client.close()


CHECKS = {"database": database_answers, "storage": private_storage_works, "worker": worker_alive}
ESSENTIAL = {"database", "storage"}  # what filing and review need; the rest only delays background work


def checks() -> dict:
    if settings.TASK_BACKEND == "rq":
        return {**CHECKS, "redis": redis_answers}
    return CHECKS


def passes(name: str, check) -> bool:
    try:
        return check()
    except Exception:  # noqa: BLE001 - any failure of a dependency is an answer, not a 500
        logger.exception("健康检查 %s 失败", name)
        return False


@never_cache
@require_safe
def healthz(request):
    results = {name: passes(name, check) for name, check in checks().items()}
    failed = [name for name, ok in results.items() if not ok]
    essential_failed = ESSENTIAL.intersection(failed)
    status = "fail" if essential_failed else "degraded" if failed else "ok"
    strict = request.GET.get("strict") == "1"
    body = {"status": status, "checks": {n: "ok" if ok else "fail" for n, ok in results.items()}, "failed": failed}
    return JsonResponse(body, status=503 if essential_failed or (strict and failed) else 200)

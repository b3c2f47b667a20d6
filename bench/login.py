"""CPU and wall time of a password hash and of a whole login, for choosing the Argon2 parameters (issue 16).

Standalone: a SQLite database in a temporary directory (`migrate`, one user), nothing else touched.

1. **Hashes**: `--runs` hashes of each parameter set (Argon2id at Django's defaults, OWASP's minimums and a few
   stronger ones; PBKDF2-SHA256 at Django's iteration count), CPU (`time.process_time`, every thread of the
   process) and wall time, medians; the memory one login holds while it hashes is Argon2's `memory_cost`.
2. **A morning burst**: `--workers` processes (gunicorn's sync workers: one login at a time each) hash
   `--burst` passwords each with a parameter set at once; logins per second of the machine and the memory the
   hashes hold together.
3. **Login POSTs**: the login page through Django's test client (a new browser each time, the real view, axes,
   the login log): server CPU and wall time between `request_started` and `request_finished`, medians, for
   PBKDF2 as the preferred hasher, Django's Argon2, the chosen Argon2 (accounts.hashers), the one login that
   upgrades a PBKDF2 hash, and a failed login.

    .venv/bin/python bench/login.py [--runs 9] [--workers 5] [--burst 10]

Exit status 1 when the steady-state login with the chosen hasher takes more than 150 ms of server CPU.
"""

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 150
PASSWORD = "Qingshan#2026"
CHOSEN = "accounts.hashers.PerfbudgetArgon2Hasher"
PBKDF2 = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
DJANGO_ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"

# (label, time_cost, memory_cost KiB, parallelism)
ARGON2_SETS = [
    ("Django 默认 t=2 m=100 MiB p=8", 2, 102400, 8),
    ("OWASP t=1 m=47 MiB p=1", 1, 47104, 1),
    ("OWASP t=2 m=19 MiB p=1（选定）", 2, 19456, 1),
    ("OWASP t=3 m=12 MiB p=1", 3, 12288, 1),
    ("OWASP t=5 m=7 MiB p=1", 5, 7168, 1),
    ("t=3 m=19 MiB p=1", 3, 19456, 1),
    ("t=2 m=64 MiB p=1", 2, 65536, 1),
]


def median_ms(values) -> float:
    return statistics.median(values) * 1000


def argon2_hash(t: int, m: int, p: int) -> None:
    from argon2.low_level import Type, hash_secret

    hash_secret(PASSWORD.encode(), os.urandom(16), time_cost=t, memory_cost=m, parallelism=p, hash_len=32,
                type=Type.ID)


def pbkdf2_hash() -> None:
    import hashlib

    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), os.urandom(16), PBKDF2PasswordHasher.iterations)


def timed(function, runs: int) -> tuple[float, float]:
    function()  # warm-up (the library loaded, the first pages touched)
    cpu, wall = [], []
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        function()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return median_ms(cpu), median_ms(wall)


def hashes(runs: int) -> None:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    print(f"### 单次哈希（{runs} 次的中位数）")
    print()
    print("| 参数 | CPU ms | 墙钟 ms | 每次登录占用内存 | 每 CPU 秒可登录 |")
    print("|---|---:|---:|---:|---:|")
    for label, t, m, p in ARGON2_SETS:
        cpu, wall = timed(lambda t=t, m=m, p=p: argon2_hash(t, m, p), runs)
        print(f"| Argon2id {label} | {cpu:.0f} | {wall:.0f} | {m / 1024:.0f} MiB | {1000 / cpu:.0f} |")
    cpu, wall = timed(pbkdf2_hash, max(3, runs // 3))
    print(f"| PBKDF2-SHA256 {PBKDF2PasswordHasher.iterations:,} 次迭代（Django 默认） | {cpu:.0f} | {wall:.0f} | "
          f"< 1 MiB | {1000 / cpu:.1f} |")
    print()


def _burst_worker(args) -> None:
    t, m, p, count = args
    for _ in range(count):
        argon2_hash(t, m, p)


def burst(workers: int, per_worker: int) -> None:
    print(f"### 早高峰：{workers} 个进程同时各登录 {per_worker} 次（{os.cpu_count()} 个 CPU 核）")
    print()
    print("| 参数 | 墙钟 s | 每秒登录 | 同时占用内存 |")
    print("|---|---:|---:|---:|")
    context = multiprocessing.get_context("fork")
    for label, t, m, p in ARGON2_SETS[:4]:
        with context.Pool(workers) as pool:
            pool.map(_burst_worker, [(t, m, p, 1)] * workers)  # warm-up: every worker started
            started = time.perf_counter()
            pool.map(_burst_worker, [(t, m, p, per_worker)] * workers)
            seconds = time.perf_counter() - started
        print(f"| Argon2id {label} | {seconds:.1f} | {workers * per_worker / seconds:.0f} | "
              f"{workers * m / 1024:.0f} MiB |")
    print()


# --- whole login POSTs --------------------------------------------------------------------------------------------

def setup_django(folder: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/login.sqlite3"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "perfbudget.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    logging.getLogger("axes").setLevel(logging.ERROR)  # axes warns with a line per failed login
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class ServerCPU:
    """Server CPU (process_time) and wall time between request_started and request_finished, last request."""

    def __init__(self):
        from django.core.signals import request_finished, request_started

        self.cpu = self.wall = 0.0
        request_started.connect(self.start, weak=False)
        request_finished.connect(self.finish, weak=False)

    def start(self, **kwargs):
        self._cpu, self._wall = time.process_time(), time.perf_counter()

    def finish(self, **kwargs):
        self.cpu, self.wall = time.process_time() - self._cpu, time.perf_counter() - self._wall


def logins(runs: int) -> float:
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.contrib.auth import SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.test import Client, override_settings
    from django.urls import reverse

    production = list(settings.PASSWORD_HASHERS)
    assert production[0] == CHOSEN, production
    rest = [name for name in production if name not in (CHOSEN, PBKDF2)]
    user = get_user_model().objects.create(username="bench_officer")
    clock = ServerCPU()

    def post(password: str) -> bool:
        client = Client()
        response = client.post(reverse("login"), {"username": "bench_officer", "password": password},
                               REMOTE_ADDR="10.1.2.3")
        return response.status_code == 302 and SESSION_KEY in client.session

    def set_hash(encoded: str) -> None:
        get_user_model().objects.filter(pk=user.pk).update(password=encoded)

    with override_settings(PASSWORD_HASHERS=[PBKDF2, *rest]):
        pbkdf2 = make_password(PASSWORD)
    with override_settings(PASSWORD_HASHERS=[DJANGO_ARGON2, PBKDF2, *rest]):
        django_argon2 = make_password(PASSWORD)
    chosen = make_password(PASSWORD)
    cases = [  # (label, hashers, stored hash before each login, password, expect success, reset before each)
        ("PBKDF2 为首选（改动前的存量哈希）", [PBKDF2, DJANGO_ARGON2, *rest], pbkdf2, PASSWORD, True),
        ("Django 默认参数的 Argon2", [DJANGO_ARGON2, PBKDF2, *rest], django_argon2, PASSWORD, True),
        ("选定的 Argon2（accounts.hashers）", production, chosen, PASSWORD, True),
        ("PBKDF2 哈希升级为选定 Argon2 的那一次登录", production, pbkdf2, PASSWORD, True),
        ("登录失败（密码错误），选定的 Argon2", production, chosen, "Qingshan#2025", False),
    ]
    print(f"### 登录 POST（登录页、axes、登录日志；{runs} 次的中位数，服务器端 request_started → request_finished）")
    print()
    print("| 情形 | 服务器 CPU ms | 墙钟 ms | 最小–最大 CPU ms |")
    print("|---|---:|---:|---:|")
    steady = 0.0
    for label, hashers, encoded, password, success in cases:
        cpu, wall = [], []
        with override_settings(PASSWORD_HASHERS=hashers):
            for run in range(runs + 1):
                set_hash(encoded)
                AccessAttempt.objects.all().delete()  # failures must not lock the bench's account
                assert post(password) is success, label
                if run:  # the first is a warm-up
                    cpu.append(clock.cpu)
                    wall.append(clock.wall)
        if hashers is production and encoded is chosen and success:
            steady = median_ms(cpu)
        print(f"| {label} | **{median_ms(cpu):.0f}** | {median_ms(wall):.0f} | "
              f"{min(cpu) * 1000:.0f}–{max(cpu) * 1000:.0f} |")
    print()
    return steady


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed hashes and logins per case (default 9)")
    parser.add_argument("--workers", type=int, default=5, help="processes of the burst (default 5, gunicorn's "
                                                                "2 × cores + 1)")
    parser.add_argument("--burst", type=int, default=10, help="logins per process in the burst (default 10; 0: "
                                                              "no burst)")
    args = parser.parse_args()
    print(f"负载（1/5/15 分钟）：{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    with tempfile.TemporaryDirectory(prefix="perfbudget-login-") as folder:
        setup_django(folder)
        hashes(args.runs)
        if args.burst:
            burst(args.workers, args.burst)
        steady = logins(args.runs)
    print(f"负载（1/5/15 分钟）：{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"目标：选定 Argon2 的登录 ≤ {TARGET_MS} ms 服务器 CPU —— {'达到' if steady <= TARGET_MS else '未达到'}"
          f"（{steady:.0f} ms）")
    return 0 if steady <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())

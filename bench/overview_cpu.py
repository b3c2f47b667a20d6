"""年度概览 per role and drilled down: server time, the app's CPU and the PostgreSQL backend's CPU per request.

    .venv/bin/python bench/overview_cpu.py --db DB [--runs 9] [--json OUT]

DB is a database made by `bench/province.py --keep` (or a clone of one). Requests go through Django's test Client
in this process without `setup_test_environment` (its template instrumentation costs CPU a server does not spend).
CPU is `time.process_time()` around each request; the database's is its backend's utime + stime from
/proc/<pid>/stat (the server must run on this machine; 10 ms ticks). Medians of --runs requests after a warm-up. The
CPU time of `sum(range(10**7))` is printed to compare machines and loads.
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import province  # bench/ is the script's folder, first on sys.path
from server_clock import ServerClock

ROLES = ["省财政", "市财政", "县财政", "主管部门审核人"]
DRILLED = ["C01", "K001", "K001D01"]  # the province's pages of a city, a county and a 主管部门, as its links open them


def backend_cpu_ms(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") * 1000


def measure(runs: int) -> list[dict]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from filings.models import Unit

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    clock = ServerClock()
    users = province.sample_users(1)
    ids = dict(Unit.objects.filter(code__in=DRILLED).values_list("code", "pk"))
    pages = [(role, "年度概览", "/filings/overview/") for role in ROLES]
    pages += [("省财政", f"年度概览 {code}", f"/filings/overview/?year={province.YEAR}&unit={ids[code]}")
              for code in DRILLED]
    results = []
    for role, label, path in pages:
        client = Client()
        client.force_login(users[role][0])
        client.get(path)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        walls, cpus, dbs = [], [], []
        for _run in range(runs):
            db_before, cpu_before = backend_cpu_ms(pid), time.process_time()
            response = client.get(path)
            cpus.append((time.process_time() - cpu_before) * 1000)
            dbs.append(backend_cpu_ms(pid) - db_before)
            walls.append(clock.elapsed * 1000)
        assert response.status_code == 200, (role, path, response.status_code)
        results.append({"role": role, "page": label, "p50": statistics.median(walls),
                         "p95": province.percentile(walls, 0.95), "cpu": statistics.median(cpus),
                         "db_cpu": statistics.median(dbs), "kb": len(response.content) / 1024})
        r = results[-1]
        print(f"{province.pad(role, 14)} {province.pad(label, 20)} p50 {r['p50']:6.0f} p95 {r['p95']:6.0f} "
              f"cpu {r['cpu']:5.1f} db cpu {r['db_cpu']:5.1f} KB {r['kb']:6.1f}", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json")
    args = parser.parse_args()
    province.setup_django(args.db)
    started = time.process_time()
    sum(range(10**7))
    calibration = time.process_time() - started
    load_before = province.load_average()
    results = measure(args.runs)
    print(f"load average before {load_before}, after {province.load_average()}; "
          f"sum(range(10**7)) took {calibration:.3f} s CPU")
    if args.json:
        Path(args.json).write_text(json.dumps({"load": [load_before, province.load_average()],
                                               "calibration": calibration, "pages": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()

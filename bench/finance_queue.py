"""The 财政 review queue of the province, a city and a county on a generated province (issue 16, nested bureaus).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<clone> .venv/bin/python bench/finance_queue.py [label]

Run it against a clone of a `bench/province.py` database (`createdb -T pb_base_1_0 …`, then `migrate`). For the
accounts cP, cC01 and cK001 (财政 of P, C01, K001): how many filings are in 待审核, the SQL time of its count and of
its first 50 rows, the CPU of `Scope.of` + the queue's condition (medians of RUNS), and whether the plan scans
filings or project details; then, over 300 filings spread over the province, how many 财政 members a 主管部门审核通过
tells, and how often the province account is among them.
"""

import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from filings import queues  # noqa: E402
from filings.access import Scope, members_over  # noqa: E402
from filings.models import Filing, Role  # noqa: E402

RUNS = 9
label = sys.argv[1] if len(sys.argv) > 1 else ""
for code in ["P", "C01", "K001"]:
    user = get_user_model().objects.get(username=f"c{code}")
    scopes, counts, pages = [], [], []
    for _ in range(RUNS):
        start = time.process_time()
        scope = Scope.of(user)
        queue = queues.to_review(user, scope=scope)
        str(queue.query)
        scopes.append((time.process_time() - start) * 1000)
        start = time.perf_counter()
        rows = queue.count()
        counts.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        list(queue[:50])
        pages.append((time.perf_counter() - start) * 1000)
    plan = queue.explain()
    scans = [t for t in ("filings_filing", "filings_projectdetails") if f"Seq Scan on {t}" in plan]
    print(f"{label} {code}: 待审核 {rows} rows; count {statistics.median(counts):.1f} ms, first 50 "
          f"{statistics.median(pages):.1f} ms, Scope.of+condition CPU {statistics.median(scopes):.1f} ms, "
          f"seq scans {scans or '-'}")

sample = list(Filing.objects.select_related("unit").order_by("pk"))[::180][:300]
told: Counter = Counter()
for filing in sample:
    told.update(user.username for user in members_over(filing, Role.FINANCE))
print(f"{label} {len(sample)} filings: 财政 members told per 主管部门审核通过 {sum(told.values()) / len(sample):.2f}; "
      f"the province account told of {told['cP']}")

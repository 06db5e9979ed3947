"""OParl API benchmark: list pages of 100 objects (papers, files, meetings) over a synthetic
corpus, through the whole Django stack (middleware, view, JSON), p50/p95 in ms.

    .venv/bin/python bench/oparl.py --sizes 100000[,1000000] [--reuse] [--reps 30]

The corpus (bench/corpus.py) is built in its own database ``<BENCH_DB_PREFIX>_<size>``
(default ``namndportalen_bench_<size>``) on the local PostgreSQL or the embedded one; the dev
database is never touched. Pages timed: the first page, a page deep in the list (the keyset
cursor at the middle id, what page 5,000 of a full harvest costs), the file list (handlingar
then bilagor), and sync pages with ``modified_since`` (deleted objects included): since 2020
(most of the register) and since an hour ago, after 60 cases and 60 handlingar spread over
the register were changed (a day's work for an incremental client). Target
from issue 16: p95 under 100 ms at 1M documents.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

TARGET_P95_MS = 100


def _pages() -> list[tuple[str, str]]:
    from cases.models import Case, Document

    middle_case = Case.objects.order_by("pk").values_list("pk", flat=True)[
        Case.objects.count() // 2
    ]
    middle_document = Document.objects.order_by("pk").values_list("pk", flat=True)[
        Document.objects.count() // 2
    ]
    body = "/oparl/v1.1/body/stockholm"
    since = _touch_recent()
    return [
        ("papers, first page", f"{body}/paper/?limit=100"),
        ("papers, deep page", f"{body}/paper/?limit=100&after={middle_case}"),
        ("files, first page", f"{body}/file/?limit=100"),
        ("files, deep page", f"{body}/file/?limit=100&after=h{middle_document}"),
        (
            "files, sync since 2020",
            f"{body}/file/?limit=100&modified_since=2020-01-01T00:00:00%2B01:00",
        ),
        ("papers, sync since 2020", f"{body}/paper/?limit=100&modified_since=2020-01-01"),
        ("papers, sync last hour", f"{body}/paper/?limit=100&modified_since={since}"),
        ("files, sync last hour", f"{body}/file/?limit=100&modified_since={since}"),
        ("meetings, first page", f"{body}/meeting/?limit=100"),
    ]


RECENT_CHANGES = 60


def _touch_recent() -> str:
    """A day's work for an incremental client: RECENT_CHANGES cases and handlingar spread
    over the register changed now (the corpus's own times are all in the past)."""
    from django.db import connection
    from django.utils import timezone

    since = timezone.now() - datetime.timedelta(hours=1)
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_document"):
            cursor.execute(
                f"UPDATE {table} SET updated_at = now() WHERE id IN "
                f"(SELECT id FROM {table} ORDER BY md5(id::text) LIMIT %s)",
                [RECENT_CHANGES],
            )
    return quote(since.isoformat())


def _time(client, url: str, reps: int) -> tuple[list[float], int]:
    response = client.get(url, secure=True)  # warm-up, and the size of the answer
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    count = len(response.json()["data"])
    runs = []
    for _ in range(reps):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        runs.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return runs, count


def bench_size(size: int, args, results: list) -> None:
    from django.test import Client

    print(f"\n=== {size:,} documents: database {corpus.db_name(size)} ===", flush=True)
    corpus.migrate()
    if args.reuse and corpus.corpus_size() == size:
        print("  reusing the existing corpus")
    else:
        print(f"  building the corpus ({args.workers} workers)", flush=True)
        timings = corpus.build(size, workers=args.workers)
        print("  build time: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    print(f"  {corpus.server_summary()}")
    print(f"  load average {os.getloadavg()[0]:.2f} (other work on the machine skews timings)")
    client = Client()
    for label, url in _pages():
        runs, count = _time(client, url, args.reps)
        runs.sort()
        p50 = statistics.median(runs)
        p95 = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]
        results.append((size, label, count, p50, p95))
        print(f"  {label:<24} {count:>4} objects  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--reuse", action="store_true", help="keep an existing corpus")
    parser.add_argument("--server", default=corpus.DEFAULT_SERVER)
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--reps", type=int, default=30, help="timed requests per page")
    parser.add_argument("--workers", type=int, default=2, help="build processes")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    results: list = []
    for index, size in enumerate(sizes):
        if index == 0:
            corpus.setup_django(server=args.server, embedded=args.embedded, size=size)
        else:
            corpus.switch_database(server=args.server, embedded=args.embedded, size=size)
        bench_size(size, args, results)
    print(f"\nOParl list pages of up to 100 objects, ms (target p95 < {TARGET_P95_MS} ms at 1M)")
    print(f"{'size':>9}  {'page':<24} {'objects':>7} {'p50':>7} {'p95':>7}")
    for size, label, count, p50, p95 in results:
        flag = "" if p95 < TARGET_P95_MS else "  over target"
        print(f"{size:>9,}  {label:<24} {count:>7} {p50:7.1f} {p95:7.1f}{flag}")


if __name__ == "__main__":
    main()

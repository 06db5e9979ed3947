"""CSV export benchmark: GET /sok/export.csv for a result of about 100,000 rows.

    .venv/bin/python bench/export.py [--size 1000000] [--rows 100000] [--reuse]

Uses the bench corpus of ``--size`` documents (bench/corpus.py; built unless ``--reuse`` finds
it) and calls the view ``cases.views.export_csv`` through Django's RequestFactory (the view →
``document_search.result_ids`` → ``exports.Limited`` → ``exports.export_rows`` →
``exports.csv_stream``), iterating ``streaming_content`` as the WSGI server would.

Two results of about ``--rows`` rows are exported: the date filter alone (no words), and a
common word with a date filter (relevance order: ranked candidates first, then the rest).
Each is calibrated once to the date range that gives about ``--rows`` rows.

Reported per export: time to the first byte (BOM + header, sent before any row is read), time
to the first data row, total time, rows, MB, and peak memory growth of this process measured as
RSS: /proc/self/status VmHWM after the export minus VmRSS before it, with the high-water mark
reset first through /proc/self/clear_refs. A second, untimed pass with tracemalloc gives the
peak of Python allocations.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402


def _status(field: str) -> int:
    """A /proc/self/status memory field in kB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def calibrate(query: str, rows: int) -> tuple[str, str, int]:
    """A date range [from, 2026-12-31] whose export has about ``rows`` rows (newest years)."""
    from cases.search import criteria, document_search

    filters = criteria.SearchFilters
    end = datetime.date(corpus.END_YEAR, 12, 31)
    start = end
    count = 0
    # widen by quarters from the newest date until the count passes ``rows``
    while count < rows and start.year >= corpus.START_YEAR:
        start = start - datetime.timedelta(days=91)
        count = document_search.count_results(
            query=query, filters=filters(date_from=start, date_to=end), limit=10**9
        )
    return start.isoformat(), end.isoformat(), count


def export_once(params: dict, *, trace: bool = False) -> dict:
    from django.test import RequestFactory

    from cases import views

    request = RequestFactory().get("/sok/export.csv", params)
    gc.collect()
    rss_before = _status("VmRSS")
    peak_reset = _reset_peak()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = views.export_csv(request)
    assert response.status_code == 200, response.content[:300]
    first_byte = first_row = None
    size = rows = 0
    for chunk in response.streaming_content:
        now = time.perf_counter()
        if first_byte is None:
            first_byte = now - started  # BOM + header
        size += len(chunk)
        rows += chunk.count(b"\r\n")
        if first_row is None and rows > 1:
            first_row = now - started
    total = time.perf_counter() - started
    result = {
        "first_byte": first_byte,
        "first_row": first_row,
        "total": total,
        "rows": rows - 1,  # header
        "mb": size / 1e6,
        "rss_growth_mb": (_status("VmHWM") - rss_before) / 1024 if peak_reset else None,
    }
    if trace:
        result["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="corpus size (documents)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows to export")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--server", default=corpus.DEFAULT_SERVER)
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=2, help="timed runs per export")
    parser.add_argument("--word", default="förvaltningen")
    args = parser.parse_args(argv)

    corpus.setup_django(server=args.server, embedded=args.embedded, size=args.size)
    corpus.migrate()
    if not (args.reuse and corpus.corpus_size() == args.size):
        print(f"building the {args.size:,}-document corpus", flush=True)
        timings = corpus.build(args.size, workers=args.workers)
        print("build time: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    print(corpus.server_summary())

    from cases import exports

    print(f"exports.EXPORT_LIMIT = {exports.EXPORT_LIMIT:,}, BATCH_SIZE = {exports.BATCH_SIZE}")
    scenarios = []
    for label, query, sort in (
        ("date filter only", "", "nyast"),
        (f"'{args.word}' + date filter", args.word, "relevans"),
    ):
        date_from, date_to, count = calibrate(query, args.rows)
        params = {"q": query, "fran": date_from, "till": date_to, "sortering": sort}
        print(f"\n{label}: {params} → {count:,} rows", flush=True)
        export_once(params)  # warm-up
        runs = [export_once(params) for _ in range(args.runs)]
        traced = export_once(params, trace=True)
        for n, run in enumerate(runs, 1):
            print(
                f"  run {n}: first byte {run['first_byte'] * 1000:7.1f} ms, first row "
                f"{run['first_row'] * 1000:7.1f} ms, total {run['total']:6.2f} s, "
                f"{run['rows']:,} rows, {run['mb']:.1f} MB, peak RSS growth "
                f"{run['rss_growth_mb']:.1f} MB"
            )
        print(
            f"  tracemalloc pass (untimed): Python allocation peak "
            f"{traced['traced_peak_mb']:.1f} MB, {traced['rows']:,} rows"
        )
        best = min(runs, key=lambda r: r["total"])
        scenarios.append((label, best, traced, count))

    print(
        "\nCSV export (best run)  first byte  first row   total   rows     "
        "RSS growth  py peak  targets (<1 s, <10 s, <100 MB)"
    )
    for label, run, traced, count in scenarios:
        ok = [
            "ok" if run["first_byte"] < 1 else "MISSED first byte",
            "ok" if run["total"] < 10 else "MISSED total",
            "ok" if (run["rss_growth_mb"] or 0) < 100 else "MISSED memory",
        ]
        print(
            f"{label:<24} {run['first_byte'] * 1000:8.0f} ms {run['first_row'] * 1000:7.0f} ms "
            f"{run['total']:6.2f} s {run['rows']:>8,} {run['rss_growth_mb']:8.1f} MB "
            f"{traced['traced_peak_mb']:6.1f} MB  {' / '.join(ok)}"
        )
        assert run["rows"] == count, f"exported {run['rows']} rows, expected {count}"


if __name__ == "__main__":
    main()

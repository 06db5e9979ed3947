"""Spelling suggestions: what a misspelt query's search page spends on finding one.

    .venv/bin/python bench/suggest.py --size 100000 [--reps 5]

Reads the bench corpus ``namndportalen_bench_<size>`` (built by bench/corpus.py; never
builds or writes it). For each misspelt query of bench/search.py's "misspelt" class, and
the examples of issue 14, prints the suggestion, the time ``suggest.suggest`` takes (p50 of
``--reps`` runs after a warm-up), how many statements it runs, and the slowest of them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

EXAMPLES = ("medborgarförslg", "Polismyndigheten", "bygglov", "drönre", "förskolr")


def misspelt_queries() -> list[str]:
    import search

    return [q.text for q in search.query_mix([]) if q.klass == "misspelt"]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--server", default=corpus.DEFAULT_SERVER)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args(argv)
    corpus.setup_django(server=args.server, embedded=False, size=args.size)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.search import language, suggest

    if corpus.corpus_size() != args.size:
        sys.exit(f"no complete corpus of {args.size:,} in {corpus.db_name(args.size)}")
    print(f"{args.size:,} documents, load average {' '.join(map(str, os.getloadavg()))}")
    for text in [*misspelt_queries(), *EXAMPLES]:
        parsed = language.parse_query(text)
        suggest.suggest(parsed)  # warm-up (word list, caches)
        times = []
        for _ in range(args.reps):
            start = time.perf_counter()
            suggestion = suggest.suggest(parsed)
            times.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as captured:
            suggest.suggest(parsed)
        statements = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
        slowest = max(statements, default=(0.0, ""))
        print(
            f"  {text:<22} -> {suggestion!s:<24} p50 {statistics.median(times):7.1f} ms  "
            f"statements {len(statements):3}  in them {sum(t for t, _ in statements):7.1f} ms  "
            f"slowest {slowest[0]:6.1f} ms: {' '.join(slowest[1].split())[:90]}"
        )
    print(f"load average {' '.join(map(str, os.getloadavg()))}")


if __name__ == "__main__":
    main()

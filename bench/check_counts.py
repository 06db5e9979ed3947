"""Check the search page's counts against a brute-force count on a bench corpus.

    .venv/bin/python bench/check_counts.py --size 100000

For every text query of bench/search.py's mix, the total and the three facet counts of
``document_search.search_documents`` are compared with a count that tests the vector of
every search entry (a sequential scan, no index, no LIMIT) with the same visibility rule,
filters and tsquery. Below document_search.EXACT_LIMIT hits they must be equal; above it
the page must say "more than" (a facet above it is counted over the newest hits and is not
compared). Reads only, and migrates nothing; the corpus must exist (bench/search.py builds
it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402
import search as bench_search  # noqa: E402

FACET_COLUMNS = {"board": 0, "kind": 1, "status": 2}


def brute_force(tsquery, filters, skip: str = "") -> list[tuple]:
    """(board, kind, status, count) of the public entries that match: every vector tested."""
    from django.db import connection, transaction

    from cases.search import statements

    where, params = statements.where_sql(filters, skip=skip)
    if tsquery:
        match_sql, match_params = statements.match_condition(tsquery)
        where, params = f"{where} AND coalesce({match_sql}, false)", [*params, *match_params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_indexscan = off")
        cursor.execute(
            f"SELECT board_id, kind, status, count(*) FROM cases_searchentry WHERE {where} "
            "GROUP BY 1, 2, 3",
            params,
        )
        return cursor.fetchall()


def check(query, filters) -> tuple[int, object, list[str]]:
    from cases.models import Board
    from cases.search import candidates, criteria, document_search, language

    words, resolved = criteria.resolve_dnr_query(query.text, filters)
    tsquery = candidates.request_tsquery(language.parse_query(words))
    results = document_search.search_documents(query=query.text, filters=filters, sort=query.sort)
    rows = brute_force(tsquery, resolved)
    total = sum(row[3] for row in rows)
    problems = []
    if total <= document_search.EXACT_LIMIT and (results.total, results.total_capped) != (
        total,
        False,
    ):
        problems.append(f"total {results.total} != {total}")
    if total > document_search.EXACT_LIMIT and not results.total_capped:
        problems.append(f"total {results.total} not capped ({total} hits)")
    slugs = dict(Board.objects.values_list("pk", "slug"))
    for name, column in FACET_COLUMNS.items():
        source = brute_force(tsquery, resolved, skip=name) if getattr(resolved, name) else rows
        expected: dict = {}
        for row in source:
            key = slugs[row[0]] if name == "board" else row[column]
            expected[key] = expected.get(key, 0) + row[3]
        if sum(expected.values()) > document_search.EXACT_LIMIT:
            continue  # counted over the newest hits (the page says so)
        shown = {value.value: value.count for value in results.facets[name]}
        if shown != expected:
            problems.append(f"facet {name} {shown} != {expected}")
    return total, results, problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--server", default=corpus.DEFAULT_SERVER)
    args = parser.parse_args(argv)
    corpus.setup_django(server=args.server, embedded=False, size=args.size)
    if corpus.corpus_size() != args.size:
        print(f"no complete corpus of {args.size:,} documents in {corpus.db_name(args.size)}")
        return 2
    mix = [q for q in bench_search.query_mix(bench_search.pick_dnrs()) if not q.dnr and not q.cases]
    failures = 0
    for query in mix:
        total, results, problems = check(query, bench_search._filters(query.filters))
        shown = f"{'>' if results.total_capped else ''}{results.total:,}"
        estimate = f" (cirka {results.total_estimate:,})" if results.total_estimate else ""
        verdict = "; ".join(problems) or "ok"
        print(
            f"  {query.klass:<9} {query.label[:50]:<50} brute force {total:>7,}  "
            f"page {shown:>7}{estimate}  {verdict}",
            flush=True,
        )
        failures += bool(problems)
    print(f"{failures} of {len(mix)} queries differ from the brute-force count")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

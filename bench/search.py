"""Search benchmark: the whole search page (document_search.search_documents) against naive icontains.

    .venv/bin/python bench/search.py --sizes 10000,100000,1000000 [--reuse]

For each size a synthetic corpus (bench/corpus.py) is built in its own database
``namndportalen_bench_<size>`` on the local PostgreSQL (``--server``, default
postgres://postgres@127.0.0.1:5432) or in the embedded PostgreSQL (``--embedded``); the dev
database is never touched. ``--reuse`` keeps a complete corpus of the same size and generator
version instead of rebuilding it.

A fixed query mix is timed per class (rare words, most common words, phrases, operators,
facet filters, dnr lookups): each query runs once to warm up, then ``--reps`` times; p50/p95
are over all timed runs of the class. What is timed is what the search page calls:
``document_search.search_documents`` (page-1 hits, capped total, three facet lists, headlines) and
``queries.lookup_dnr`` for dnr queries (with ``near_miss_cases`` when no case has the
number). A number that names no single case is also searched as text by the page: those
searches are the class "dnr-text". The peer is a naive ``icontains`` search over the
documents with the same visibility rule and filters, timed as Django's paginator/admin does
it: ``count()`` plus the first page of 20 (the targets' peer), and timed again once it has
also counted the three facet lists the search page shows ("+facets": GROUP BY over the
matches, each without its own filter).

At the largest size ``EXPLAIN (ANALYZE, BUFFERS)`` summaries of every SQL statement of one
query per class show the plan nodes, indexes, timings and buffers.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

PAGE = 20


@dataclass
class BenchQuery:
    klass: str
    text: str
    filters: dict = field(default_factory=dict)  # board (short name), kind, status, date_from/to
    sort: str = "relevans"
    dnr: bool = False
    cases: bool = False  # the Ärenden tab (case_search.search_cases) instead

    @property
    def label(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.filters.items())
        sort = "" if self.sort == "relevans" else f" sort={self.sort}"
        return f"{self.text}{' [' + extra + ']' if extra else ''}{sort}"


def _rare_words() -> list[str]:
    """Words of the Zipf tail of the generator's rare-word pool (expected hit share
    ≈ 1/(rank·11)·1.05 per document): two with å/ä/ö, so OCR expansion is exercised."""
    pool = corpus.rare_pool()
    chosen = []
    for rank, special in ((200, True), (800, False), (2500, True), (8000, False)):
        for word in pool[rank:]:
            if any(ch in word for ch in "åäö") == special and len(word) >= 8:
                chosen.append(word)
                break
    return chosen


def query_mix(dnrs: list[str]) -> list[BenchQuery]:
    rare = _rare_words()
    queries = [BenchQuery("rare", word) for word in rare]
    queries += [
        BenchQuery("common", word)
        for word in (
            "förvaltningen",
            "socialsekreterare",
            "arbetet",
            "stadsdelsnämnden",
            "biståndshandläggare",
            "förslag",
        )
    ]
    queries += [
        BenchQuery("phrase", text)
        for text in (
            '"förslag till beslut"',
            '"socialsekreterare och biståndshandläggare"',
            '"otillåten påverkan"',
            '"handlingsplan för förbättrad arbetssituation"',
        )
    ]
    queries += [
        BenchQuery("operators", text)
        for text in (
            "ängsmark -gungor",
            "medborgarförslag or skrivelse",
            "arbetsmiljö socialsekreterare",
            f"{rare[0]} or {rare[1]}",
        )
    ]
    queries += [
        BenchQuery("facets", "förvaltningen", {"board": "Hässelby-Vällingby"}),
        BenchQuery(
            "facets",
            "socialsekreterare",
            {"kind": "rapport", "date_from": "2015-01-01", "date_to": "2020-12-31"},
        ),
        BenchQuery("facets", "nämnden", {"status": "beslutat"}, sort="nyast"),
        BenchQuery("facets", rare[1], {"board": "Kommunstyrelsen"}),
        BenchQuery("facets", "", {"board": "Socialnämnden", "kind": "tjansteutlatande"}),
    ]
    # The Ärenden tab: every matching case counted (exactly up to 10,000), faceted and ranked
    queries += [
        BenchQuery("cases", text, filters, cases=True)
        for text, filters in (
            ("förskola", {}),
            ("medborgarförslag", {}),
            ("synpunkter", {"board": "Hässelby-Vällingby"}),
            ("nämnden", {"status": "beslutat"}),
        )
    ]
    # A misspelled word finds nothing: the page then looks for a suggestion (suggest.py),
    # word list and whole-compound candidates each searched for hits
    queries += [
        BenchQuery("misspelt", text)
        for text in (
            "förvaltnigen",
            "socialsekretrare",
            "stadsdelsnämden",
            "biståndshandläggre",
            "delegatonsordning",
            rare[2][:4] + rare[2][5:],
        )
    ]
    queries += [BenchQuery("dnr", text, dnr=True) for text in dnrs]
    # A number that names no single case: the search page also searches it as text
    queries += [BenchQuery("dnr-text", text) for text in dnrs if not _unique_case(text)]
    return queries


def _unique_case(text: str) -> bool:
    from cases import queries

    return queries.lookup_dnr(text).unique is not None


def pick_dnrs() -> list[str]:
    """Real numbers of the corpus in the spellings people type, plus one that is missing."""
    from cases.models import Case

    hv = Case.objects.filter(board__short_name="Hässelby-Vällingby", dnr_year=2019)
    hv = hv.order_by("dnr_number").first()
    ks = Case.objects.filter(board__short_name="Kommunstyrelsen").order_by("-pk").first()
    other = Case.objects.exclude(board__short_name__in=["Hässelby-Vällingby", "Kommunstyrelsen"])
    other = other.order_by("pk").first()
    out = []
    if hv:
        out += [
            hv.dnr,
            hv.dnr.lower().replace(" ", "").replace("/", "-"),
            f"{hv.dnr_year}/{hv.dnr_number}",
        ]
    if ks:
        out.append(f"{ks.dnr}-2")
    if other:
        out.append(other.dnr)
    out.append("HV 2019/99999")
    return out


# --- The two ways to search ----------------------------------------------------------------


def _filters(spec: dict):
    from cases.models import Board
    from cases.search import criteria

    return criteria.SearchFilters(
        board=Board.objects.get(short_name=spec["board"]) if "board" in spec else None,
        kind=spec.get("kind", ""),
        status=spec.get("status", ""),
        date_from=datetime.date.fromisoformat(spec["date_from"]) if "date_from" in spec else None,
        date_to=datetime.date.fromisoformat(spec["date_to"]) if "date_to" in spec else None,
    )


def run_fast(query: BenchQuery, filters) -> tuple[int, bool]:
    """What the search page does: one call, everything it renders."""
    from cases import queries
    from cases.search import document_search

    if query.dnr:
        # as the search page: a unique number redirects, otherwise near misses and a search
        lookup = queries.lookup_dnr(query.text)
        if not lookup.cases:
            queries.near_miss_cases(query.text)
        return len(lookup.cases), False
    if query.cases:
        # the Ärenden tab (as views.search): the documents' number (the other tab's label)
        # and the cases' page
        from cases.search import case_search

        document_search.count_documents(query=query.text, filters=filters)
        found = case_search.search_cases(query=query.text, filters=filters, sort=query.sort)
        return found.total, found.estimated
    results = document_search.search_documents(query=query.text, filters=filters, sort=query.sort)
    list(results.hits)
    return results.total, results.total_capped


def run_naive(query: BenchQuery, filters) -> tuple[int, float, float]:
    """A naive icontains search, paged as Django's Paginator (and the admin) page it, then
    the three facet lists the search page also shows, counted with GROUP BY over the
    matches (each without its own filter, as the page counts them).

    Returns the number of matches, the ms until the count and first page were read and the
    ms until the facets were too (for a dnr: a case list, no facets)."""
    from django.core.paginator import Paginator
    from django.db.models import Count, Q

    from cases.models import Case, Document
    from cases.search import language

    started = time.perf_counter()
    if query.dnr:
        cases = Case.objects.filter(dnr__icontains=query.text).order_by("-registered_on", "-pk")
        paginator = Paginator(cases.select_related("board"), PAGE)
        list(paginator.page(1).object_list) if paginator.count else None
        ms = (time.perf_counter() - started) * 1000
        return paginator.count, ms, ms

    if query.cases:
        cases = Case.objects.exclude(status="makulerat")
        for word in language.parse_query(query.text).positive_words:
            cases = cases.filter(title__icontains=word)
        if filters.board:
            cases = cases.filter(board=filters.board)
        if filters.status:
            cases = cases.filter(status=filters.status)
        paginator = Paginator(cases.select_related("board").order_by("-registered_on", "-pk"), PAGE)
        list(paginator.page(1).object_list) if paginator.count else None
        page_ms = (time.perf_counter() - started) * 1000
        for field_name in ("board", "status"):
            list(cases.order_by().values(field_name).annotate(n=Count("pk")))
        return paginator.count, page_ms, (time.perf_counter() - started) * 1000

    def matches(skip: str = ""):
        documents = Document.objects.filter(published=True, confidential=False, cancelled=False)
        documents = documents.exclude(case__status="makulerat")
        for clause in language.parse_query(query.text).clauses:
            condition = Q()
            for term in clause:
                match = Q(title__icontains=term.text) | Q(full_text__icontains=term.text)
                if term.negated:
                    documents = documents.exclude(match)
                else:
                    condition |= match
            if condition:
                documents = documents.filter(condition)
        if filters.board and skip != "board":
            documents = documents.filter(case__board=filters.board)
        if filters.kind and skip != "kind":
            documents = documents.filter(kind=filters.kind)
        if filters.status and skip != "status":
            documents = documents.filter(case__status=filters.status)
        if filters.date_from:
            documents = documents.filter(document_date__gte=filters.date_from)
        if filters.date_to:
            documents = documents.filter(document_date__lte=filters.date_to)
        return documents

    ordered = matches().select_related("case", "case__board").order_by("-document_date", "-pk")
    paginator = Paginator(ordered, PAGE)
    if paginator.count:
        list(paginator.page(1).object_list)
    page_ms = (time.perf_counter() - started) * 1000
    for skip, field_name in (
        ("board", "case__board"),
        ("kind", "kind"),
        ("status", "case__status"),
    ):
        facet = matches(skip).order_by().values(field_name).annotate(n=Count("pk"))
        list(facet)
    return paginator.count, page_ms, (time.perf_counter() - started) * 1000


def _loadavg() -> str:
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def timed(fn, *args) -> tuple[float, tuple]:
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


# --- EXPLAIN -------------------------------------------------------------------------------


def explain_query(query: BenchQuery, filters) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every SELECT the search page runs for ``query``."""
    from django.db import connection

    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        run_fast(query, filters)
    lines = []
    for number, (sql, params) in enumerate(captured, 1):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            import json

            plan = json.loads(plan)
        top = plan[0]
        root = top["Plan"]
        nodes = []
        _walk(root, nodes, 0)
        hit = root.get("Shared Hit Blocks", 0)
        read = root.get("Shared Read Blocks", 0)
        jit = top.get("JIT", {}).get("Timing", {}).get("Total")
        head = _sql_head(sql)
        lines.append(
            f"    [{number}] {top['Execution Time']:8.1f} ms  rows={root.get('Actual Rows')}  "
            f"buffers hit={hit} read={read}{f'  JIT {jit:.0f} ms' if jit else ''}  -- {head}"
        )
        lines.extend(f"        {node}" for node in nodes[:14])
        if len(nodes) > 14:
            lines.append(f"        … {len(nodes) - 14} more nodes")
    return lines


def _walk(node: dict, out: list[str], depth: int) -> None:
    name = node["Node Type"]
    if node.get("Index Name"):
        name += f" using {node['Index Name']}"
    elif node.get("Relation Name"):
        name += f" on {node['Relation Name']}"
    detail = f"{node.get('Actual Total Time', 0):.1f} ms, rows={node.get('Actual Rows')}"
    if node.get("Actual Loops", 1) > 1:
        detail += f" x{node['Actual Loops']}"
    if node.get("Rows Removed by Filter"):
        detail += f", removed by filter={node['Rows Removed by Filter']}"
    if node.get("Rows Removed by Index Recheck"):
        detail += f", recheck removed={node['Rows Removed by Index Recheck']}"
    if node.get("Exact Heap Blocks") or node.get("Lossy Heap Blocks"):
        detail += f", heap blocks exact={node.get('Exact Heap Blocks', 0)}"
        detail += f" lossy={node.get('Lossy Heap Blocks', 0)}"
    out.append(f"{'  ' * depth}{name} ({detail})")
    for child in node.get("Plans", []):
        _walk(child, out, depth + 1)


def _sql_head(sql: str) -> str:
    flat = " ".join(sql.split())
    if "FROM" in flat:
        select, _, rest = flat.partition(" FROM ")
        flat = f"{select[:60]} FROM {rest[:70]}"
    return flat[:150]


# --- Main ----------------------------------------------------------------------------------


def bench_size(size: int, args, results: list) -> None:
    from cases.models import Document

    print(f"\n=== {size:,} documents: database {corpus.db_name(size)} ===", flush=True)
    corpus.migrate()
    existing = corpus.corpus_size()
    if args.reuse and existing == size:
        print("  reusing the existing corpus")
    else:
        print(f"  building the corpus ({args.workers} workers)", flush=True)
        timings = corpus.build(size, workers=args.workers)
        print("  build time: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        corpus.verify_vectors(args.verify)
    print(f"  {corpus.server_summary()}")
    print(f"  load average {_loadavg()} (other work on the machine skews timings)")
    documents = Document.objects.count()
    public = Document.objects.filter(search_entry__public=True).count()
    ocr = Document.objects.filter(text_source="ocr").count()
    print(f"  {documents:,} documents, {public / documents:.1%} public, {ocr / documents:.1%} OCR")

    mix = query_mix(pick_dnrs())
    naive_reps = args.naive_reps if args.naive_reps is not None else (3 if size <= 100_000 else 1)
    naive_warmup = "+1 warm-up" if size <= 100_000 else "no warm-up"
    warmup = "+1 warm-up" if args.warmup else "no warm-up"
    print(
        f"  timing {len(mix)} queries: {args.reps} runs each ({warmup}), icontains "
        f"{naive_reps} run(s) each ({naive_warmup})",
        flush=True,
    )
    per_class: dict[str, dict[str, list[float]]] = {}
    detail = []
    for query in mix:
        filters = _filters(query.filters)
        if args.warmup:
            run_fast(query, filters)
        fast = []
        for _ in range(args.reps):
            ms, (total, capped) = timed(run_fast, query, filters)
            fast.append(ms)
        naive, naive_page = [], []
        naive_total = None
        if not args.skip_naive:
            run_naive(query, filters) if size <= 100_000 else None  # warm-up
            for _ in range(naive_reps):
                naive_total, page_ms, whole_ms = run_naive(query, filters)
                naive.append(page_ms)
                naive_page.append(whole_ms)
        bucket = per_class.setdefault(query.klass, {"fast": [], "naive": [], "naive_page": []})
        bucket["fast"] += fast
        bucket["naive"] += naive
        bucket["naive_page"] += naive_page
        hits = f"{'>' if capped else ''}{total:,}"
        detail.append(
            f"  {query.klass:<9} {query.label[:62]:<62} hits {hits:>7}  p50 "
            f"{statistics.median(fast):7.1f} ms  max {max(fast):7.1f} ms"
            + (
                f"  | icontains {statistics.median(naive):8.1f} ms ({naive_total:,} hits), "
                f"with facets {statistics.median(naive_page):8.1f} ms"
                if naive
                else ""
            )
        )
        print(detail[-1], flush=True)
    print(f"  load average {_loadavg()}")
    for klass, bucket in per_class.items():
        fast, naive, naive_page = bucket["fast"], bucket["naive"], bucket["naive_page"]
        results.append(
            (
                size,
                klass,
                len(fast),
                percentile(fast, 50),
                percentile(fast, 95),
                percentile(naive, 50) if naive else None,
                percentile(naive, 95) if naive else None,
                percentile(naive_page, 50) if naive_page else None,
            )
        )
    if args.explain and size == max(args.sizes):
        print(
            f"\n  EXPLAIN (ANALYZE, BUFFERS) at {size:,}: one query per class, every SELECT "
            "the page runs",
            flush=True,
        )
        seen = set()
        for query in mix:
            if query.klass in seen:
                continue
            seen.add(query.klass)
            print(f"\n  {query.klass}: {query.label}")
            for line in explain_query(query, _filters(query.filters)):
                print(line)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--reuse", action="store_true", help="keep an existing corpus")
    parser.add_argument(
        "--server",
        default=corpus.DEFAULT_SERVER,
        help="PostgreSQL server URL without database name",
    )
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="use the embedded PostgreSQL in var/pgdata (own database)",
    )
    parser.add_argument("--reps", type=int, default=7, help="timed runs per query")
    parser.add_argument(
        "--naive-reps",
        type=int,
        default=None,
        help="timed icontains runs per query (default 3, 1 above 100k)",
    )
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument(
        "--no-warmup", dest="warmup", action="store_false", help="no untimed first run"
    )
    parser.add_argument("--no-explain", dest="explain", action="store_false")
    parser.add_argument("--workers", type=int, default=2, help="build processes")
    parser.add_argument(
        "--verify",
        type=int,
        default=200,
        help="documents re-indexed through indexing.index_document to check the bulk vectors",
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]

    results: list = []
    for index, size in enumerate(args.sizes):
        if index == 0:
            corpus.setup_django(server=args.server, embedded=args.embedded, size=size)
        else:
            corpus.switch_database(server=args.server, embedded=args.embedded, size=size)
        bench_size(size, args, results)

    print(
        "\nSearch page (document_search.search_documents / queries.lookup_dnr) vs naive icontains, ms: "
        "icont = count + first page (the target's peer); +facets = that and the three facet "
        "lists the page shows"
    )
    print(
        f"{'size':>9}  {'class':<9} {'runs':>4} {'p50':>8} {'p95':>8} "
        f"{'icont p50':>10} {'icont p95':>10} {'speed-up p50':>13} {'p95':>7} "
        f"{'+facets p50':>12} {'speed-up':>9}  target"
    )
    for size, klass, runs, p50, p95, n50, n95, f50 in results:
        limit = 50 if size <= 100_000 else 150
        ok = "ok" if p95 <= limit else f"MISSED (p95 > {limit} ms)"
        if size == 100_000 and n50 is not None and n50 / p50 < 100:
            ok += " / speed-up < 100x"
        speed = f"{n50 / p50:12.0f}x" if n50 else f"{'–':>13}"
        speed95 = f"{n95 / p95:6.0f}x" if n95 else f"{'–':>7}"
        naive50 = f"{n50:10.1f}" if n50 is not None else f"{'–':>10}"
        naive95 = f"{n95:10.1f}" if n95 is not None else f"{'–':>10}"
        facets50 = f"{f50:12.1f}" if f50 is not None else f"{'–':>12}"
        facets_speed = f"{f50 / p50:8.0f}x" if f50 else f"{'–':>9}"
        print(
            f"{size:>9,}  {klass:<9} {runs:>4} {p50:8.1f} {p95:8.1f} {naive50} {naive95} "
            f"{speed} {speed95} {facets50} {facets_speed}  {ok}"
        )


if __name__ == "__main__":
    main()

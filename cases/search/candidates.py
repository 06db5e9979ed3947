"""The candidate set of a search: the newest EXACT_LIMIT + 1 public matches in (date, id)
order (document_search), which every list, count and facet of a search page reads; the
newest RANKED of them are ranked (``with_ranks``).

Also what the plans need from the database before the statement runs: the OCR spellings
that occur in the vocabulary, the phrase pairs of a phrase query, and the date above which
the newest tenth of the entries lie.
"""

import dataclasses
import datetime
import time
from dataclasses import dataclass

from portal.db_router import read_connection as connection

from . import language
from .criteria import SearchFilters
from .statements import (
    CANDIDATE_COLUMNS,
    PROBE_ROWS,
    WALK_COST_RATIO,
    date_order,
    gin_statement,
    match_condition,
    rank_expression,
    relaxed_condition,
    walk_statement,
    where_sql,
)


@dataclass(frozen=True)
class Candidate:
    pk: int
    date: datetime.date
    board_id: int
    kind: str
    status: str
    rank: float = 0.0


def present_variants(parsed: language.ParsedQuery) -> dict[str, list[str]]:
    """For each word of the query expanded into OCR spellings: the spellings that occur.

    A spelling is kept when the vocabulary (cases_searchword: every lexeme of the public
    entries, kept current by indexing.index_document) has a word starting with its stem, so
    searching with the kept spellings finds, ranks and highlights exactly what the full
    expansion would. One statement, answered from the vocabulary's btree.
    """
    return present_variants_of([parsed])[0]


def present_variants_of(queries: list[language.ParsedQuery]) -> list[dict[str, list[str]]]:
    """``present_variants`` of each query, all in one statement (the alert digest's many
    saved searches)."""
    words_of = [
        sorted({t.text for clause in parsed.clauses for t in clause if not t.phrase})
        for parsed in queries
    ]
    expanded = {word: language.ocr_variants(word) for words in words_of for word in words}
    expanded = {word: spellings for word, spellings in expanded.items() if len(spellings) > 1}
    present = _present_spellings(expanded) if expanded else {}
    return [{word: present[word] for word in words if word in present} for words in words_of]


def _present_spellings(expanded: dict[str, list[str]]) -> dict[str, list[str]]:
    rows = [(word, spelling) for word, spellings in expanded.items() for spelling in spellings]
    queries = [language.word_query(spelling, prefix=True) for _word, spelling in rows]
    config = language.SEARCH_CONFIG
    sql = f"""
        WITH spelling AS MATERIALIZED (
            SELECT t.n, CASE WHEN numnode(q) = 1
                THEN substring(q::text FROM '^''(.+)'':\\*$') END AS stem
            FROM unnest(%s::int[], %s::text[]) AS t(n, query),
                 LATERAL (SELECT to_tsquery('{config}', t.query) AS q OFFSET 0) parsed
        )
        SELECT n FROM spelling s
        WHERE s.stem IS NULL OR EXISTS (
            SELECT 1 FROM cases_searchword w
            WHERE w.word ~>=~ s.stem
              AND w.word ~<~ (left(s.stem, -1) || chr(ascii(right(s.stem, 1)) + 1))
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(range(len(rows))), queries])
        keep = {row[0] for row in cursor.fetchall()}
    present: dict[str, list[str]] = {word: [] for word in expanded}
    for n, (word, spelling) in enumerate(rows):
        if n in keep:
            present[word].append(spelling)
    # a word none of whose spellings occurs still needs one (that matches nothing)
    return {word: kept or expanded[word][:1] for word, kept in present.items()}


def request_tsquery(parsed: language.ParsedQuery) -> language.TsQuery:
    """The tsqueries a request passes down to every statement: built once, with the OCR
    spellings that occur (``present_variants``)."""
    return language.build_tsquery(parsed, present_variants(parsed) if parsed else {})


def phrase_pairs(parsed: language.ParsedQuery) -> tuple[list[str], list[str]] | None:
    """The adjacent lexeme pairs (clean, OCR) that every entry matching the query has, in
    the form of ``cases_phrase_pairs`` (migration 0012): when the query's words are only
    phrases (and exclusions), each of at least two words. None otherwise: then the vector
    indexes answer.

    The lexemes and positions come from to_tsvector, which parses and stems like the
    phraseto_tsquery the phrase is matched with."""
    phrases = []
    for clause in parsed.clauses:
        positive = [term for term in clause if not term.negated]
        if not positive:
            continue
        if len(clause) != 1 or not positive[0].phrase:
            return None
        phrases.append(positive[0].text)
    if not phrases:
        return None
    texts = [*phrases, *(language.ocrfold(phrase) for phrase in phrases)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.n, u.lexeme, p.pos FROM unnest(%s::text[]) WITH ORDINALITY t(text, n), "
            f"unnest(to_tsvector('{language.SEARCH_CONFIG}', t.text)) u, "
            "unnest(u.positions) p(pos)",
            [texts],
        )
        rows = cursor.fetchall()
    lexemes: dict[int, dict[int, list[str]]] = {}
    for n, lexeme, position in rows:
        lexemes.setdefault(n, {}).setdefault(position, []).append(lexeme)
    sides = ([], [])
    for n in range(1, len(texts) + 1):
        side, tag = (0, "c") if n <= len(phrases) else (1, "o")
        at = lexemes.get(n, {})
        pairs = [
            f"{tag}{distance} {first} {second}"
            for position, words in at.items()
            for distance in (1, 2)
            for first in words
            for second in at.get(position + distance, [])
        ]
        if not pairs:  # a phrase of one word (or only stop words)
            return None
        sides[side].extend(pairs)
    return sorted(set(sides[0])), sorted(set(sides[1]))


# Slices. Newest first, the first ``limit`` matches are usually among the newest entries: in
# a large table the search first asks only the newest tenth (the date above which pg_stats'
# histogram puts a tenth of the entries) and asks the whole table only when the slice has
# too few. Through GIN that reads a tenth of the matches (1M entries, a word with 24,000
# matches: 279 -> 44 ms; operators p95 at 1M 179 -> 80 ms). In a smaller table a slice too
# often holds too few and the second statement costs more than the first saves (bench at
# 100k: phrase p50 33 -> 49 ms), hence MIN_SLICE_ENTRIES.
SLICE_SHARE = 0.1


MIN_SLICE_ENTRIES = 50_000


# Through the pair index a slice costs little even when it holds too few (bench at 100k:
# "förslag till beslut" reads 750 candidates instead of 7,500).
MIN_PHRASE_SLICE_ENTRIES = 5_000


def find_matches(
    parsed: language.ParsedQuery | language.TsQuery,
    filters: SearchFilters,
    *,
    limit: int,
    variants: dict | None = None,
    skip: str = "",
    oldest: bool = False,
    ranked: bool = False,
    pairs: tuple[list[str], list[str]] | None = None,
) -> list[Candidate]:
    """The first ``limit`` public matches in date order (newest first unless ``oldest``),
    with their rank when ``ranked``: from the newest slice when it holds enough (every match
    outside it is older than every match in it), else from all entries. ``parsed`` is the
    request's ``TsQuery`` or a parsed query (its tsqueries built here with ``variants``)."""
    tsquery = language.as_tsquery(parsed, variants)
    options = {"limit": limit, "skip": skip, "ranked": ranked, "pairs": pairs}
    if tsquery and not oldest:
        cutoff = recent_cutoff(MIN_PHRASE_SLICE_ENTRIES if pairs else MIN_SLICE_ENTRIES)
        if cutoff is not None and (filters.date_from is None or filters.date_from < cutoff):
            recent = dataclasses.replace(filters, date_from=cutoff)
            rows = _matches_statement(tsquery, recent, oldest=False, **options)
            if len(rows) >= limit:
                return rows
    return _matches_statement(tsquery, filters, oldest=oldest, **options)


# The statistics change only when the table is analysed, and any cutoff gives the same
# results (a slice is used only when it holds enough): each process reads them at most once
# a minute per database (pg_stats is a view over several catalogs: 0.5 ms of every search).
CUTOFF_TTL_SECONDS = 60


_cutoff_cache: dict[tuple, tuple[float, datetime.date | None]] = {}


def recent_cutoff(
    min_entries: int | None = None, *, table: str = "cases_searchentry"
) -> datetime.date | None:
    """The date after which about SLICE_SHARE of the search entries lie, from the planner's
    statistics; None when the slice would hold fewer than ``min_entries`` (default
    MIN_SLICE_ENTRIES) entries or ANALYZE has not seen the table yet."""
    min_entries = MIN_SLICE_ENTRIES if min_entries is None else min_entries
    key = (connection.alias, connection.settings_dict["NAME"], table, min_entries)
    now = time.monotonic()
    cached = _cutoff_cache.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    cutoff = _read_recent_cutoff(min_entries, table)
    _cutoff_cache[key] = (now + CUTOFF_TTL_SECONDS, cutoff)
    return cutoff


def _read_recent_cutoff(min_entries: int, table: str) -> datetime.date | None:
    with connection.cursor() as cursor:
        # pg_stats is a view over every column's statistics: asked only for a large table
        cursor.execute(
            "SELECT entries, CASE WHEN entries * %s::float8 >= %s THEN (SELECT histogram_bounds::text "
            "FROM pg_stats WHERE schemaname = current_schema() "
            "AND tablename = %s AND attname = 'date') END "
            "FROM (SELECT reltuples AS entries FROM pg_class "
            "WHERE oid = %s::regclass) t",
            [SLICE_SHARE, min_entries, table, table],
        )
        entries, histogram = cursor.fetchone()
    bounds = histogram.strip("{}").split(",") if histogram else []
    if (entries or 0) * SLICE_SHARE < min_entries or len(bounds) < 10:
        return None
    try:
        return datetime.date.fromisoformat(bounds[int(len(bounds) * (1 - SLICE_SHARE))])
    except ValueError:  # 'infinity' and the like: no slice
        return None


def _matches_statement(
    tsquery: language.TsQuery,
    filters: SearchFilters,
    *,
    limit: int,
    skip: str,
    oldest: bool,
    ranked: bool,
    pairs: tuple[list[str], list[str]] | None = None,
) -> list[Candidate]:
    """The first ``limit`` public matches in date order. One statement."""
    where, params = where_sql(filters, skip=skip)
    order = date_order(oldest)
    if not tsquery:
        sql = (
            f"SELECT {CANDIDATE_COLUMNS}, 0::real FROM cases_searchentry WHERE {where} "
            f"ORDER BY {order} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return [Candidate(*row) for row in cursor.fetchall()]
    since = None if oldest else filters.date_from
    sql, params = _probed_statement(tsquery, where, params, order, limit, since, pairs)
    if ranked:
        rank_sql, rank_params = rank_expression(tsquery, table="e")
        sql = (
            f"SELECT c.*, (SELECT {rank_sql} FROM cases_searchentry e "
            f"WHERE e.document_id = c.document_id) FROM ({sql}) c"
        )
        params = [*rank_params, *params]
    else:
        sql = f"SELECT c.*, 0::real FROM ({sql}) c"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [Candidate(*row) for row in cursor.fetchall()]
    # The statement returns the rows in order; sorting again costs nothing and makes the
    # order independent of the plan.
    rows.sort(key=_date_key, reverse=not oldest)
    return rows


def _probed_statement(
    tsquery: language.TsQuery,
    where: str,
    params: list,
    order: str,
    limit: int,
    since: datetime.date | None,
    pairs: tuple[list[str], list[str]] | None,
) -> tuple[str, list]:
    """The probe and both plans (the walk, GIN) as one statement, which runs the plan the
    probe finds cheaper. Its parameter lists are assembled side by side in the order of its
    text."""
    match_sql, match_params = match_condition(tsquery)
    walk_sql, walk_params = walk_statement(tsquery, None, where, params, order)
    gin_sql, gin_params = gin_statement(tsquery, None, where, params, order, since, pairs)
    if tsquery.parsed.needs_positions:
        # GIN reads the candidates and then tests their vectors: count the candidates in the
        # probe too. Through the pair index they are about the phrase matches; otherwise the
        # entries with all the words (the relaxed query).
        if pairs:
            relaxed_sql, relaxed_params = match_sql, match_params
        else:
            relaxed_sql, relaxed_params = relaxed_condition(tsquery)
        tested = f"+ %s::float8 * {WALK_COST_RATIO} * relaxed * n"
        tested_params = [limit]
    else:
        relaxed_sql, relaxed_params, tested, tested_params = match_sql, match_params, "", []
    # Walk when it costs less. With h of the n probed entries matching (r for the relaxed
    # query) in a table of N entries, the walk tests about limit * n / h vectors (each
    # costs WALK_COST_RATIO) and GIN reads about N * r / n index entries (each 1), plus for
    # a phrase or an exclusion tests about limit * r / h vectors. Multiplied by h * n:
    walk = (
        f"(SELECT n < {PROBE_ROWS} OR (hits > 0 AND %s::float8 * {WALK_COST_RATIO} * n * n < "
        "(SELECT greatest(reltuples, 0) FROM pg_class "
        f"WHERE oid = 'cases_searchentry'::regclass) * relaxed * hits {tested}) FROM probe)"
    )
    sql = (
        f"WITH probe AS MATERIALIZED (SELECT count(*) FILTER (WHERE {match_sql}) AS hits, "
        f"count(*) FILTER (WHERE {relaxed_sql}) AS relaxed, count(*) AS n FROM ("
        f"SELECT clean_vector, ocr_vector FROM cases_searchentry "
        f"WHERE {where} ORDER BY {order} LIMIT {PROBE_ROWS}) sample) "
        f"SELECT * FROM ({walk_sql} LIMIT %s) a WHERE {walk} "
        f"UNION ALL SELECT * FROM ({gin_sql} LIMIT %s) b WHERE NOT {walk}"
    )
    params = [
        *match_params,
        *relaxed_params,
        *params,
        *walk_params,
        limit,
        limit,
        *tested_params,
        *gin_params,
        limit,
        limit,
        *tested_params,
    ]
    return sql, params


def _date_key(candidate: Candidate):
    return (candidate.date, candidate.pk)


def with_ranks(tsquery: language.TsQuery, candidates: list[Candidate]) -> list[Candidate]:
    """``candidates`` with their rank (statements.rank_expression), in the same order: one
    statement reading the vectors of these entries only."""
    if not candidates:
        return []
    rank_sql, rank_params = rank_expression(tsquery)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT document_id, {rank_sql} FROM cases_searchentry WHERE document_id = ANY(%s)",
            [*rank_params, [c.pk for c in candidates]],
        )
        ranks = dict(cursor.fetchall())
    # built directly: dataclasses.replace() cost 1.1 ms for 300 candidates
    return [
        Candidate(c.pk, c.date, c.board_id, c.kind, c.status, ranks.get(c.pk, 0.0))
        for c in candidates
    ]


def by_rank(candidates: list[Candidate]) -> list[Candidate]:
    """Relevance order: rank, then newest (ORDER BY rank DESC, date DESC, id DESC)."""
    return sorted(candidates, key=lambda c: (c.rank, c.date, c.pk), reverse=True)

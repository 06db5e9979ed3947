"""Exact counts of a document search up to EXACT_LIMIT matches, by board, kind and case
status (the facets), and a proof when there are more.

Counting reads every match: one GIN index entry and one row of the search table each (the
row holds the visibility rule and the facet columns). Up to EXACT_LIMIT + 1 matches are
read; a statement that finds more than EXACT_LIMIT says so and no more.

A common word would still cost its EXACT_LIMIT + 1 rows (the word "förvaltningen" is in two
of three documents of the bench corpus). Before counting, a random sample of the entries
tests whether the matches are provably more than EXACT_LIMIT: up to SAMPLE_SIZE document ids
drawn uniformly, without replacement, from 1 to the largest id (sample_matches), each
tested with the search's own visibility rule, filters and match condition (the same test a
brute-force count makes).
If at most EXACT_LIMIT of the max_id slots matched, the number of matching draws would
exceed ``needed_hits`` with a probability below ERROR_BOUND (Hoeffding's bound for the
hypergeometric tail: exp(-n * KL(k/n || p))). So when that many draws match, the result has
more than EXACT_LIMIT matches, with that certainty, at the cost of SAMPLE_SIZE index lookups.
Results of up to EXACT_LIMIT are never declared larger unless that improbable event
happens, and a result declared larger is only ever shown as an estimate ("cirka 54 000").

Measured with bench/search.py and bench/check_counts.py (README, "Antal träffar").
"""

import functools
import hashlib
import math
from dataclasses import dataclass, field

from django.db import transaction

from portal.db_router import read_connection as connection

from . import language
from .candidates import Candidate
from .criteria import SearchFilters
from .statements import (
    WALK_COST_RATIO,
    match_condition,
    relaxed_condition,
    where_sql,
)

EXACT_LIMIT = 10_000


# count_matches and count_first take their own sample unless given one
NOT_SAMPLED = object()


SAMPLE_SIZE = 500


ERROR_BOUND = 1e-9


# The sample's estimate is given when this many draws matched (a relative error of about
# 1/sqrt(hits): 20 %); with fewer the caller falls back on the date statistics.
MIN_ESTIMATE_HITS = 25


# the facet columns' places in a group's key
COLUMNS = {"board": 0, "kind": 1, "status": 2}


@dataclass(frozen=True)
class MatchCounts:
    """How many public entries match: ``total`` exact unless ``more`` (then more than the
    limit, and ``groups`` is empty). ``groups``: (board_id, kind, status) -> count."""

    total: int
    more: bool
    groups: dict[tuple[int, str, str], int] = field(default_factory=dict)
    # from the sample: the share of drawn ids that matched times the largest id, when sampled;
    # the number counted when a count that read on read them all (count_first)
    estimate: int | None = None
    # count_first: the newest matches (newest first), read by the same statement; None when
    # not asked for or when the statement did not read every match
    newest: list[Candidate] | None = None

    def by(self, field_name: str) -> dict:
        """The counts by one facet column ("board", "kind" or "status")."""
        return self._by_column[COLUMNS[field_name]]

    @functools.cached_property
    def _by_column(self) -> tuple[dict, dict, dict]:
        # all three in one pass over the groups (a phrase of 6,122 matches has 1,436)
        boards: dict = {}
        kinds: dict = {}
        statuses: dict = {}
        for (board, kind, status), n in self.groups.items():
            boards[board] = boards.get(board, 0) + n
            kinds[kind] = kinds.get(kind, 0) + n
            statuses[status] = statuses.get(status, 0) + n
        return boards, kinds, statuses

    def narrowed(self, field_name: str, value) -> "MatchCounts":
        """The counts of the matches whose ``field_name`` is ``value``, from exact counts:
        the counts of a search with that filter, when these were counted without it."""
        if self.more:
            raise ValueError("only exact counts can be narrowed")
        column = COLUMNS[field_name]
        groups = {key: n for key, n in self.groups.items() if key[column] == value}
        return MatchCounts(sum(groups.values()), False, groups)


def count_matches(
    tsquery: language.TsQuery,
    filters: SearchFilters,
    *,
    pairs: tuple[list[str], list[str]] | None = None,
    skip: str = "",
    limit: int | None = None,
    sample: "Sample | None | object" = NOT_SAMPLED,
) -> MatchCounts:
    """The public matches of ``tsquery`` passing ``filters`` (without the filter named by
    ``skip``), counted exactly by facet up to ``limit`` (default EXACT_LIMIT). ``sample``:
    the sample of these matches when it was taken before (``sample_searches``)."""
    limit = EXACT_LIMIT if limit is None else limit
    where, params = where_sql(filters, skip=skip)
    if sample is NOT_SAMPLED:
        sample = sample_matches(tsquery, where, params, limit=limit, pairs=pairs)
    terms = filter_terms(filters, skip=skip)
    return _counted(tsquery, where, params, sample, pairs=pairs, terms=terms, limit=limit)


def count_first(
    tsquery: language.TsQuery,
    filters: SearchFilters,
    *,
    pairs: tuple[list[str], list[str]] | None,
    limit: int,
    newest: int,
    sample: "Sample | None | object" = NOT_SAMPLED,
) -> MatchCounts | None:
    """``count_matches`` before the search has read its newest matches, when the sample
    expects more than ``newest`` of them: the matches would then be counted anyway, and the
    count's statement also returns the newest ``newest`` (``MatchCounts.newest``), so they
    are not read a second time. A sample that proves more than ``limit`` is returned as the
    counts (without the newest). None when the sample expects fewer, or the table is too
    small for a sample: reading the newest first costs less, and counting is needed only
    when there are more than ``newest`` - 1. ``sample``: as for ``count_matches``."""
    if not tsquery:
        return None
    where, params = where_sql(filters)
    if sample is NOT_SAMPLED:
        sample = sample_matches(tsquery, where, params, limit=limit, pairs=pairs)
    if sample is None or not (sample.proves_more or sample.expected > newest):
        return None
    terms = filter_terms(filters)
    # Expected a little above the limit but not proven: reading on to OVERREAD times the
    # limit usually reads them all, and the newest come from the same statement (a phrase
    # of 10,404 matches: 10,001 read, then the newest 8.4 ms on their own)
    read = limit + 1
    if limit < sample.expected <= limit * OVERREAD_EXPECTED:
        read = limit * OVERREAD + 1
    return _counted(
        tsquery,
        where,
        params,
        sample,
        pairs=pairs,
        terms=terms,
        limit=limit,
        newest=newest,
        read=read,
    )


# count_first reads on to OVERREAD times the limit when the sample expects up to
# OVERREAD_EXPECTED times the limit (and does not prove more)
OVERREAD = 2


OVERREAD_EXPECTED = 1.5


def _counted(
    tsquery: language.TsQuery,
    where: str,
    params: list,
    sample: "Sample | None",
    *,
    pairs,
    terms: str,
    limit: int,
    newest: int = 0,
    read: int | None = None,
) -> MatchCounts:
    """The counts from ``read`` (default ``limit`` + 1) matches at most; more than ``limit``
    are counted as more, with the newest when ``read`` held them all."""
    read = limit + 1 if read is None else read
    if sample and sample.proves_more:
        return MatchCounts(limit, True, estimate=sample.estimate)
    indexed = False
    if not tsquery:
        source = f"SELECT {SOURCE_COLUMNS} FROM cases_searchcount WHERE {where} AND {FILTERS_ONLY}"
        source_params = params
    elif sample and sample.walk_cheaper:
        source, source_params = _walk_source(tsquery, where, params)
    else:
        source, source_params = _gin_source(tsquery, where, params, pairs, terms)
        indexed = True
    groups, rows = _grouped_counts(source, [*source_params, read], indexed=indexed, newest=newest)
    total = sum(groups.values())
    if total > limit:
        if total < read:  # all were read: the newest are the newest, the total is known
            return MatchCounts(limit, True, estimate=total, newest=rows if newest else None)
        return MatchCounts(limit, True, estimate=sample.estimate if sample else None)
    return MatchCounts(total, False, groups, newest=rows if newest else None)


# The condition of the count table's indexes of its filter columns (migration 0031), true of
# every row: stated only by the count without words, the one statement they are for
FILTERS_ONLY = "document_id > 0"


# what every source of a count gives, in this order
SOURCE_COLUMNS = "document_id, date, board_id, kind, status"


def _grouped_counts(
    source: str, params: list, *, indexed: bool, newest: int = 0
) -> tuple[dict, list[Candidate]]:
    """(board_id, kind, status) -> count of the rows of ``source`` (which ends in a LIMIT
    parameter), and with ``newest`` the newest that many of them in date order, newest
    first. ``indexed``: the source's vector conditions are to be read through their
    GIN indexes. PostgreSQL estimates a tsquery at a fixed share of the table and would
    often test every vector in a sequential scan instead; the plan is fixed by the
    statement's shape (the sample chose it), so the scan is ruled out for this statement.
    """
    if newest:
        # the rows are read once; the groups have no document, the newest have no count
        sql = (
            f"WITH m AS MATERIALIZED ({source} LIMIT %s) "
            "SELECT NULL::bigint, NULL::date, board_id, kind, status, count(*) FROM m "
            "GROUP BY board_id, kind, status "
            f"UNION ALL (SELECT {SOURCE_COLUMNS}, 0 FROM m "
            "ORDER BY date DESC, document_id DESC LIMIT %s)"
        )
        params = [*params, newest]
    else:
        sql = (
            f"SELECT NULL, NULL, board_id, kind, status, count(*) FROM ({source} LIMIT %s) m "
            "GROUP BY board_id, kind, status"
        )
    # Parallel workers cost more to start than they save here, and take the other core
    # from the next request: "förslag till beslut", 7,520 matches, 26 -> 7 ms. A phrase's
    # matches are estimated at a few dozen, so they would be sorted to be grouped instead
    # of hashed: 6,122 matches of a four-word phrase, 21.5 -> 18.8 ms.
    # A disabled plan node still runs where it is the only way (the newest's sort), costed
    # at 1e10: JIT would then compile the statement, 110 ms. Nothing here needs JIT.
    settings = {"max_parallel_workers_per_gather": "0", "enable_sort": "off", "jit": "off"}
    if indexed:
        settings["enable_seqscan"] = "off"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # set_config(..., true) is SET LOCAL
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
            [value for pair in settings.items() for value in pair],
        )
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        # Nothing was written: rolled back, which also ends the settings where this block
        # is a savepoint in a caller's transaction (SET LOCAL outlives a released savepoint)
        transaction.set_rollback(True, using=connection.alias)
    groups = {(board, kind, status): n for pk, _date, board, kind, status, n in rows if pk is None}
    found = [
        Candidate(pk, date, board, kind, status)
        for pk, date, board, kind, status, _n in rows
        if pk is not None
    ]
    # the statement gives them in order; sorted again so the order does not hang on the plan
    found.sort(key=lambda c: (c.date, c.pk), reverse=True)
    return groups, found


def _walk_source(tsquery: language.TsQuery, where: str, params: list) -> tuple[str, list]:
    """Every entry passing ``where`` (the planner picks the filter's index or a scan), its
    vectors tested. coalesce() keeps the vector indexes out of the plan."""
    match_sql, match_params = match_condition(tsquery)
    sql = (
        f"SELECT {SOURCE_COLUMNS} FROM cases_searchentry "
        f"WHERE {where} AND coalesce({match_sql}, false)"
    )
    return sql, [*params, *match_params]


def _gin_source(
    tsquery: language.TsQuery, where: str, params: list, pairs, terms: str = ""
) -> tuple[str, list]:
    """The matches through the vector indexes, in no order (a LIMIT stops the heap scan).
    A query of only words, alternatives and exclusions is answered by the count table's
    indexes exactly, one narrow row read per match (models.SearchCount), the filters'
    ``terms`` (``filter_terms``) read from the same indexes. So is a phrase of two words,
    which is exactly its pair (the count table's pair index, migration 0030). A longer
    phrase needs its positions, tested in the search table's vectors of the entries its
    word-pair index (0012) or the relaxed query finds."""
    if pairs or _has_phrase(tsquery):
        if pairs:
            found = (
                "(cases_phrase_pairs(clean_vector, ocr_vector) @> %s::text[] "
                "OR cases_phrase_pairs(clean_vector, ocr_vector) @> %s::text[])"
            )
            found_params = list(pairs)
        else:
            found, found_params = relaxed_condition(tsquery)
        params = [*params, *found_params]
        if pairs and exact_pairs(tsquery, pairs):
            # the pairs are the phrase: the count table's pair index (migration 0030)
            return (
                f"SELECT {SOURCE_COLUMNS} FROM cases_searchcount WHERE {where} AND {found}",
                params,
            )
        # the vectors are in the search table's row (migration 0011): tested where read
        match_sql, match_params = match_condition(tsquery)
        sql = (
            f"SELECT {SOURCE_COLUMNS} FROM cases_searchentry WHERE {where} AND {found} "
            f"AND coalesce({match_sql}, false)"
        )
        return sql, [*params, *match_params]
    (clean_sql, clean_params), (ocr_sql, ocr_params) = tsquery.clean, tsquery.ocr
    if terms:
        clean_sql, clean_params = f"({clean_sql}) && %s::tsquery", [*clean_params, terms]
        ocr_sql, ocr_params = f"({ocr_sql}) && %s::tsquery", [*ocr_params, terms]
    # the expressions of the count table's indexes (models.search_index.count_terms)
    match_sql = (
        f"(cases_count_terms(clean_vector, board_id, kind, status) @@ ({clean_sql}) "
        f"OR cases_count_terms(ocr_vector, board_id, kind, status) @@ ({ocr_sql}))"
    )
    sql = f"SELECT {SOURCE_COLUMNS} FROM cases_searchcount WHERE {where} AND {match_sql}"
    return sql, [*params, *clean_params, *ocr_params]


def filter_terms(filters: SearchFilters, *, skip: str = "") -> str:
    """The terms of the chosen board, kind and status (without the one named by ``skip``)
    as a tsquery that needs them all, in the form of the count table's indexes (migration
    0029); empty when none is chosen."""
    terms = []
    if filters.board and skip != "board":
        terms.append(f"=b{filters.board.pk}")
    if filters.kind and skip != "kind":
        terms.append(f"=k{filters.kind}")
    if filters.status and skip != "status":
        terms.append(f"=s{filters.status}")
    # quoted lexemes: a quote inside is doubled (kinds and statuses are choices; to be safe)
    return " & ".join("'" + term.replace("'", "''") + "'" for term in terms)


def _has_phrase(tsquery: language.TsQuery) -> bool:
    return any(term.phrase for clause in tsquery.parsed.clauses for term in clause)


def exact_pairs(tsquery: language.TsQuery, pairs: tuple[list[str], list[str]]) -> bool:
    """Whether containing the phrase pairs is the same as matching: one phrase of two words
    (one pair on each side, ``c1 a b`` or ``c2 a b`` across a stop word), nothing else."""
    clauses = tsquery.parsed.clauses
    if len(clauses) != 1 or len(clauses[0]) != 1:
        return False
    term = clauses[0][0]
    return term.phrase and not term.negated and len(pairs[0]) == 1 and len(pairs[1]) == 1


@functools.lru_cache(maxsize=256)
def needed_hits(draws: int, slots: int, limit: int) -> int | None:
    """The fewest matching draws (of ``draws`` from ``slots``) that prove more than
    ``limit`` matches with an error below ERROR_BOUND; None when no number of draws can."""
    share = limit / slots
    if share >= 1:
        return None
    for hits in range(math.floor(draws * share) + 1, draws + 1):
        if math.exp(-draws * _divergence(hits / draws, share)) < ERROR_BOUND:
            return hits
    return None


def _divergence(q: float, p: float) -> float:
    """Kullback-Leibler divergence of Bernoulli(q) from Bernoulli(p), 0 < p < 1."""
    total = q * math.log(q / p)
    if q < 1:
        total += (1 - q) * math.log((1 - q) / (1 - p))
    return total


@dataclass(frozen=True)
class Sample:
    proves_more: bool
    estimate: int | None
    # reading every filtered entry and testing its vectors costs less than the index plan
    walk_cheaper: bool
    # how many match, from the sample (the share of drawn ids that matched times the
    # largest id), however few matched
    expected: float = 0.0


def sample_matches(
    tsquery: language.TsQuery, where: str, params: list, *, limit: int, pairs=None
) -> Sample | None:
    """A random sample of the search table's ids (see the module's docstring): whether it
    proves more than ``limit`` public entries pass ``where`` and match ``tsquery``, the
    estimate it gives, and which plan counts them for less: testing the vectors of every
    entry passing ``where`` (WALK_COST_RATIO each), or reading every entry the vector
    indexes give (1 each, plus WALK_COST_RATIO for a phrase's test of the vectors). None when
    the table is too small for a proof."""
    return sample_conditions(tsquery, [(where, params)], limit=limit, pairs=pairs)[0]


def sample_searches(
    tsquery: language.TsQuery,
    filters: SearchFilters,
    skips: list[str],
    *,
    limit: int,
    pairs=None,
) -> dict[str, Sample | None]:
    """``sample_matches`` of the search with ``filters`` without the filter named by each of
    ``skips`` ("" for none), from one draw in one statement: a search with a chosen facet
    counts its matches both with and without that facet's filter, and one sample of 500
    entries costs about as much as two (2.5-4.5 ms each at 100,000 documents)."""
    conditions = [where_sql(filters, skip=skip) for skip in skips]
    samples = sample_conditions(tsquery, conditions, limit=limit, pairs=pairs)
    return dict(zip(skips, samples, strict=True))


def sample_conditions(
    tsquery: language.TsQuery, conditions: list[tuple[str, list]], *, limit: int, pairs=None
) -> list[Sample | None]:
    """``sample_matches`` for each of several ``(where, params)`` from the same draw: the
    draw's vectors are tested once, each condition counted over them.

    The draw is pseudo-random, seeded by the statement: the same search shows the same
    estimate on every reload, and different searches draw independently. It is made in the
    statement itself (one statement, whether or not the table is large enough): SAMPLE_SIZE
    hashes of the seed give ids, of which the distinct ones are the draws (given their
    number, every set of that many ids is equally likely: a uniform draw without
    replacement). A table of at most SAMPLE_SIZE ids is drawn whole."""
    test, test_params = match_condition(tsquery) if tsquery else ("true", [])
    found_column, found_params = _found_column(tsquery, pairs)
    found = "found" if found_column else "hit"
    if not SAMPLE_SIZE:
        return [None] * len(conditions)
    # each drawn entry's vectors are tested once (OFFSET 0 keeps the subquery's columns
    # from being substituted into every condition that reads them)
    counted, counted_params = [], []
    for where, params in conditions:
        counted += [f"count(*) FILTER (WHERE {where} AND hit)", f"count(*) FILTER (WHERE {where})"]
        counted_params += [*params, *params]
    sql = (
        "WITH s AS MATERIALIZED ("
        "SELECT coalesce(max(document_id), 0) AS slots FROM cases_searchentry), "
        "draw AS MATERIALIZED (SELECT DISTINCT CASE WHEN s.slots <= %s THEN g "
        "ELSE 1 + (hashtextextended(%s, g) & 9223372036854775807) %% s.slots END AS id "
        "FROM s, generate_series(1, least(s.slots, %s)) g) "
        f"SELECT {', '.join(counted)}, count(*) FILTER (WHERE {found}), "
        "(SELECT count(*) FROM draw), (SELECT slots FROM s) "
        f"FROM (SELECT *, coalesce({test}, false) AS hit{found_column} FROM cases_searchentry "
        "WHERE document_id = ANY(ARRAY(SELECT id FROM draw)) OFFSET 0) e"
    )
    sql_params = [*counted_params, *test_params, *found_params]
    seed = hashlib.sha256(repr((sql, sql_params)).encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(sql, [SAMPLE_SIZE, seed, SAMPLE_SIZE, *sql_params])
        row = cursor.fetchone()
    *tallies, found_count, draws, slots = row
    needed = needed_hits(draws, slots, limit) if draws else None
    if needed is None:
        return [None] * len(conditions)
    tested = 0
    if tsquery and _has_phrase(tsquery) and not (pairs and exact_pairs(tsquery, pairs)):
        tested = found_count * WALK_COST_RATIO
    samples = []
    for hits, filtered in zip(tallies[0::2], tallies[1::2], strict=True):
        samples.append(
            Sample(
                proves_more=hits >= needed,
                estimate=round(hits * slots / draws) if hits >= MIN_ESTIMATE_HITS else None,
                walk_cheaper=filtered * WALK_COST_RATIO < found_count + tested,
                expected=hits * slots / draws,
            )
        )
    return samples


def _found_column(tsquery: language.TsQuery, pairs) -> tuple[str, list]:
    """The sample's column of what the vector indexes give (see _gin_source), when it is not
    the match itself (the sample's ``hit``): a phrase found by its relaxed query."""
    if tsquery and not pairs and _has_phrase(tsquery):
        relaxed, params = relaxed_condition(tsquery)
        return f", coalesce({relaxed}, false) AS found", params
    return "", []

"""The SQL of a search, built as (text, parameters) and executed by the layers above.

Column names stay unqualified where a condition is also used inside a subquery. The plans
and their measurements are described at ``PROBE_ROWS`` below and in docs/performance.md.
"""

import datetime

from . import language
from .criteria import SearchFilters


def match_condition(
    query: language.ParsedQuery | language.TsQuery, variants: dict | None = None
) -> tuple[str, list[str]]:
    """The match test over the search table's two vectors. ``query`` is the request's
    ``TsQuery`` (``variants`` then unused) or a parsed query, whose tsqueries are built here
    with ``variants``; the same holds for every statement below."""
    # Column names stay unqualified: the condition is also used inside subqueries, where
    # Django aliases the table (U0) and a qualified name would silently correlate.
    tsquery = language.as_tsquery(query, variants)
    return _vectors_match(tsquery.clean, tsquery.ocr)


def relaxed_condition(tsquery: language.TsQuery) -> tuple[str, list[str]]:
    """The match test of the relaxed query (what a GIN index answers alone)."""
    return _vectors_match(tsquery.relaxed_clean, tsquery.relaxed_ocr)


def _vectors_match(clean: tuple, ocr: tuple) -> tuple[str, list[str]]:
    (clean_sql, clean_params), (ocr_sql, ocr_params) = clean, ocr
    return (
        f"(clean_vector @@ ({clean_sql}) OR ocr_vector @@ ({ocr_sql}))",
        [*clean_params, *ocr_params],
    )


def rank_expression(
    query: language.ParsedQuery | language.TsQuery,
    variants: dict | None = None,
    *,
    table: str = "",
) -> tuple[str, list[str]]:
    tsquery = language.as_tsquery(query, variants)
    (clean_sql, clean_params), (ocr_sql, ocr_params) = tsquery.clean, tsquery.ocr
    prefix = f"{table}." if table else ""
    return (
        f"coalesce(ts_rank({prefix}clean_vector, {clean_sql}), 0) + "
        f"coalesce(ts_rank({prefix}ocr_vector, {ocr_sql}), 0)",
        [*clean_params, *ocr_params],
    )


# Measured with bench/search.py (10k, 100k and 1M documents); see docs/performance.md.
#
# OCR variants. A word typed with å/ä/ö becomes up to 256 OCR spellings, most of which occur
# in no document. They cost on every row: ts_rank_cd's work grows faster than linearly with
# the number of operands (1,000 rows: 3.5 s with 196 spellings, 95 ms with the 26 that occur),
# and so do @@ and ts_headline. ``present_variants`` keeps the spellings that occur, which
# changes no match, rank or headline: an operand that matches no lexeme contributes nothing.
#
# Candidates. Every list, count and facet of a search reads one *candidate set*: the newest
# EXACT_LIMIT + 1 public matches in (date, id) order (document_search). Two plans, and the
# statement measures which one pays instead of trusting the planner:
#
# - the *walk* reads the (date, id) index newest first and tests each entry's vector until
#   enough match. Each test fetches the vector from TOAST, so it pays when matches are dense
#   (a common word stops after a few thousand entries);
# - the *GIN* plan gets every match from the vector indexes and sorts out the newest. It
#   touches every match, so it pays when matches are rare.
#
# PostgreSQL cannot choose: it estimates each prefix (``:*``) or OCR operand at a fixed share
# of the table, so a rare word with 196 spellings looks like half the table (a seq scan that
# tests every vector) and a very common word like 1 %. A *probe* tests the PROBE_ROWS newest
# entries of the filtered set, and the statement runs the walk or the GIN branch from the
# measured density (a one-time filter: the other branch never starts).
PROBE_ROWS = 200


# Cost of testing one walked entry relative to one match read through GIN (measured).
WALK_COST_RATIO = 3.5


CANDIDATE_COLUMNS = "document_id, date, board_id, kind, status"


def where_sql(filters: SearchFilters, *, skip: str = "") -> tuple[str, list]:
    """The visibility rule and the filters, as SQL over the search table's columns."""
    conditions, params = ["public"], []
    if filters.board and skip != "board":
        conditions.append("board_id = %s")
        params.append(filters.board.pk)
    if filters.kind and skip != "kind":
        conditions.append("kind = %s")
        params.append(filters.kind)
    if filters.status and skip != "status":
        conditions.append("status = %s")
        params.append(filters.status)
    if filters.date_from:
        conditions.append("date >= %s")
        params.append(filters.date_from)
    if filters.date_to:
        conditions.append("date <= %s")
        params.append(filters.date_to)
    if filters.dnr:
        conditions.append(
            "document_id IN (SELECT document_id FROM cases_searchentry WHERE case_id = ANY(%s) "
            "UNION SELECT source_id FROM cases_reference "
            "WHERE target_id = ANY(%s) OR dnr_key = ANY(%s))"
        )
        params += [list(filters.dnr.case_ids), list(filters.dnr.case_ids), list(filters.dnr.keys)]
    return " AND ".join(conditions), params


def date_order(oldest: bool) -> str:
    return "date, document_id" if oldest else "date DESC, document_id DESC"


def gin_statement(
    query: language.ParsedQuery | language.TsQuery,
    variants: dict | None,
    where: str,
    params: list,
    order: str,
    since: datetime.date | None = None,
    pairs: tuple[list[str], list[str]] | None = None,
) -> tuple[str, list]:
    """The public matches passing ``where`` in ``order`` (in no order when ``order`` is
    empty: what a count reads), read through the GIN indexes:
    ``cases_search_matches`` (migration 0006) plans only the index scans; with ``since`` (a
    lower date bound that ``where`` also holds) ``cases_search_matches_since`` (0010) ANDs
    them with the date index.

    A phrase or an exclusion needs the positions in the vector, which a GIN index does not
    hold, so it would recheck the vector of every entry with all the words. Instead the
    index is asked for the relaxed query (``TsQuery.relaxed_clean`` and ``relaxed_ocr``,
    answered from the index alone), the filters and the order are applied, and the vectors
    are tested in that order: a LIMIT outside stops after enough matches. With ``pairs`` (``phrase_pairs``)
    the pair index (migration 0012) answers instead: far fewer entries than those with all
    the words."""
    tsquery = language.as_tsquery(query, variants)
    relaxed = tsquery.parsed.needs_positions
    (clean_sql, clean_params), (ocr_sql, ocr_params) = tsquery.relaxed_clean, tsquery.relaxed_ocr
    if pairs and since is None:
        source = "cases_search_phrase_matches(%s::text[], %s::text[])"
        source_params = list(pairs)
    elif pairs:
        source = "cases_search_phrase_matches_since(%s::text[], %s::text[], %s)"
        source_params = [*pairs, since]
    elif since is None:
        source = f"cases_search_matches(({clean_sql}), ({ocr_sql}))"
        source_params = [*clean_params, *ocr_params]
    else:
        source = f"cases_search_matches_since(({clean_sql}), ({ocr_sql}), %s)"
        source_params = [*clean_params, *ocr_params, since]
    ordered = f" ORDER BY {order}" if order else ""
    sql = f"SELECT {CANDIDATE_COLUMNS} FROM {source} WHERE {where}{ordered}"
    params = [*source_params, *params]
    if relaxed:
        match_sql, match_params = match_condition(tsquery)
        columns = ", ".join(f"r.{c.strip()}" for c in CANDIDATE_COLUMNS.split(","))
        # OFFSET 0 in the lateral keeps one index lookup per row in date order; flattened,
        # the planner hash-joins a scan that tests the vector of every entry (44 -> 9 ms).
        sql = (
            f"SELECT {columns} FROM ({sql} OFFSET 0) r CROSS JOIN LATERAL ("
            "SELECT clean_vector, ocr_vector FROM cases_searchentry e "
            f"WHERE e.document_id = r.document_id OFFSET 0) v WHERE coalesce({match_sql}, false)"
        )
        params = [*params, *match_params]
    return sql, params


def walk_statement(
    query: language.ParsedQuery | language.TsQuery,
    variants: dict | None,
    where: str,
    params: list,
    order: str,
) -> tuple[str, list]:
    """The public matches passing ``where`` in ``order``, walking an ordered index: the
    filtered entries in order behind an OFFSET 0 fence (an ordered index scan, since the
    LIMIT outside asks for few rows), the vectors tested above it."""
    match_sql, match_params = match_condition(query, variants)
    # coalesce() hides the test from the planner's selectivity estimate, which for these
    # tsqueries is off by orders of magnitude; the plan is fixed by the shape anyway, and a
    # sane estimate keeps the statement below jit_above_cost (JIT compiled for ~30 ms here).
    sql = (
        f"SELECT {CANDIDATE_COLUMNS} FROM ("
        f"SELECT {CANDIDATE_COLUMNS}, clean_vector, ocr_vector FROM cases_searchentry "
        f"WHERE {where} ORDER BY {order} OFFSET 0) walk WHERE coalesce({match_sql}, false)"
    )
    return sql, [*params, *match_params]

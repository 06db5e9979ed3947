"""Cases as search results of their own: every case whose (public) ärendemening matches,
paged, counted, with facets and a sort; the "Ärenden" tab of the search page and the case
export.

211 of the seeds' 231 cases have no documents: a politician searching "förskola" must be
able to reach and export all 35 matching cases, not only the five best.

Counts are exact up to EXACT_LIMIT matches. Beyond it the newest EXACT_LIMIT + 1 are
counted, ranked and faceted, and the total is an estimate that says so: the matches are
assumed to be spread over the years like the cases are (the date histogram of the planner's
statistics), which is right to a few per cent for a common word.
"""

import json
from dataclasses import dataclass, field

from portal.db_router import read_connection as connection

from ..models import Board, Case, CaseStatus
from . import candidates, criteria, estimates, language, statements

PAGE_SIZE = 20
EXACT_LIMIT = 10_000
# Relevance ranks the newest this many matches (the documents' RANKED); the others
# follow newest first. Ranking every match reads every title's vector (bench at 100k,
# "förvaltningen", 4,074 cases: 98 ms against 13 ms for counting them).
RANKED = 300


@dataclass
class CaseResults:
    cases: list[Case]
    total: int
    estimated: bool  # more than the exact limit matched: ``total`` is an estimate
    page: int
    pages: int
    facets: dict[str, list[criteria.FacetValue]] = field(default_factory=dict)


def searchable(filters: criteria.SearchFilters) -> bool:
    """A case has no document kind, and a dnr query names its cases already."""
    return not filters.kind and not filters.dnr


def search_cases(
    *,
    query: str,
    filters: criteria.SearchFilters,
    sort: str = criteria.SORT_RELEVANCE,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    exact_limit: int = EXACT_LIMIT,
) -> CaseResults:
    """The public cases whose title matches ``query`` (every public case passing the
    filters when there are no words): one page of them in ``sort`` order, the total and the
    board and status facets (a facet whose own filter is active counted without it)."""
    words, filters = criteria.resolve_dnr_query(query, filters)
    tsquery = candidates.request_tsquery(language.parse_query(words))
    return _search(
        tsquery,
        filters,
        sort=sort,
        page=page,
        page_size=page_size,
        exact_limit=exact_limit,
        facets=True,
    )


def best_cases(
    parsed: language.ParsedQuery | language.TsQuery,
    filters: criteria.SearchFilters,
    *,
    variants: dict | None = None,
    limit: int,
    exact_limit: int = EXACT_LIMIT,
) -> CaseResults:
    """The ``limit`` most relevant matching cases and the total, without facets (the
    documents tab shows them above the documents). ``parsed``: the request's ``TsQuery``,
    or a parsed query (searched with ``variants``)."""
    return _search(
        language.as_tsquery(parsed, variants),
        filters,
        sort=criteria.SORT_RELEVANCE,
        page=1,
        page_size=limit,
        exact_limit=exact_limit,
        facets=False,
    )


def _search(tsquery, filters, *, sort, page, page_size, exact_limit, facets) -> CaseResults:
    if not searchable(filters):
        return CaseResults([], 0, False, 1, 1)
    relevance = sort == criteria.SORT_RELEVANCE and bool(tsquery)
    oldest = sort == criteria.SORT_OLDEST
    page = max(page, 1)
    total, oldest_counted, counts, ids = _statement(
        tsquery,
        filters,
        cap=exact_limit + 1,
        relevance=relevance,
        oldest=oldest,
        offset=(page - 1) * page_size,
        limit=page_size,
        facets=facets,
    )
    estimated = total > exact_limit
    if estimated:
        total = estimates.estimate_total(
            exact_limit + 1, oldest_counted, table="cases_casesearchentry", oldest=oldest
        ) or (exact_limit + 1)
    pages = max(1, -(-min(total, exact_limit) // page_size))
    if page > pages:  # a page beyond the last shows the last
        return _search(
            tsquery,
            filters,
            sort=sort,
            page=pages,
            page_size=page_size,
            exact_limit=exact_limit,
            facets=facets,
        )
    found = Case.objects.select_related("board").in_bulk(ids)
    results = CaseResults([found[pk] for pk in ids if pk in found], total, estimated, page, pages)
    if facets:
        board_counts, status_counts = counts
        if filters.board:
            board_counts = _facet_counts(tsquery, filters, "board", exact_limit)
        if filters.status:
            status_counts = _facet_counts(tsquery, filters, "status", exact_limit)
        results.facets = {
            "board": _board_facet(board_counts, filters),
            "status": _status_facet(status_counts, filters),
        }
    return results


def _source(tsquery: language.TsQuery) -> tuple[str, list]:
    """The matching case entries (all entries without words): cases_case_matches (migration
    0015) plans only the two GIN index scans."""
    if not tsquery:
        return "cases_casesearchentry", []
    (clean_sql, clean_params), (ocr_sql, ocr_params) = tsquery.clean, tsquery.ocr
    return f"cases_case_matches(({clean_sql}), ({ocr_sql}))", [*clean_params, *ocr_params]


def _matches_cte(tsquery, filters, *, cap: int, oldest: bool, skip: str = ""):
    # the case table has the columns where_sql reads (a kind or dnr never gets here)
    where, params = statements.where_sql(filters, skip=skip)
    source, source_params = _source(tsquery)
    order = "date, case_id" if oldest else "date DESC, case_id DESC"
    sql = (
        f"matches AS MATERIALIZED (SELECT case_id, date, board_id, status FROM {source} "
        f"WHERE {where} ORDER BY {order} LIMIT %s)"
    )
    return sql, [*source_params, *params, cap]


def _relevance_order(tsquery: language.TsQuery) -> tuple[str, list]:
    """The case ids of ``matches`` in relevance order: the newest RANKED matches by rank
    (then newest), the rest newest first, as the documents' relevance order."""
    (clean_sql, clean_params), (ocr_sql, ocr_params) = tsquery.clean, tsquery.ocr
    sql = (
        "SELECT m.case_id FROM (SELECT case_id, date, row_number() OVER "
        "(ORDER BY date DESC, case_id DESC) AS n FROM matches) m "
        f"LEFT JOIN LATERAL (SELECT coalesce(ts_rank(e.vector, ({clean_sql})), 0) + "
        f"coalesce(ts_rank(e.ocr_vector, ({ocr_sql})), 0) AS rank FROM cases_casesearchentry e "
        # OFFSET 0: one index lookup per ranked row, not a hash join over every entry
        "WHERE m.n <= %s AND e.case_id = m.case_id OFFSET 0) r ON true "
        "ORDER BY m.n <= %s DESC, r.rank DESC NULLS LAST, m.date DESC, m.case_id DESC"
    )
    return sql, [*clean_params, *ocr_params, RANKED, RANKED]


def _statement(tsquery, filters, *, cap, relevance, oldest, offset, limit, facets):
    """One statement: the number of matches (up to ``cap``), the date of the last one
    counted, the facet counts over them and the ids of one page."""
    cte, params = _matches_cte(tsquery, filters, cap=cap, oldest=oldest)
    if relevance:
        order_sql, order_params = _relevance_order(tsquery)
        page_sql = f"{order_sql} OFFSET %s LIMIT %s"
        page_params = [*order_params, offset, limit]
    else:
        order = "date, case_id" if oldest else "date DESC, case_id DESC"
        page_sql = f"SELECT case_id FROM matches ORDER BY {order} OFFSET %s LIMIT %s"
        page_params = [offset, limit]
    if facets:
        facet_sql = (
            ", (SELECT json_object_agg(board_id, n) FROM "
            "(SELECT board_id, count(*) AS n FROM matches GROUP BY board_id) b), "
            "(SELECT json_object_agg(status, n) FROM "
            "(SELECT status, count(*) AS n FROM matches GROUP BY status) s)"
        )
    else:
        facet_sql = ", NULL::json, NULL::json"
    extreme = "max(date)" if oldest else "min(date)"
    sql = (
        f"WITH {cte} SELECT (SELECT count(*) FROM matches), (SELECT {extreme} FROM matches)"
        f"{facet_sql}, ARRAY(SELECT case_id FROM ({page_sql}) p)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *page_params])
        total, last_date, boards, statuses, ids = cursor.fetchone()
    return total, last_date, (_json_counts(boards), _json_counts(statuses)), list(ids)


def _json_counts(value) -> dict:
    if value is None:
        return {}
    if isinstance(value, str):
        value = json.loads(value)
    return dict(value)


def _facet_counts(tsquery, filters, skip: str, exact_limit: int) -> dict:
    """A facet counted without its own filter (so the other values can be chosen)."""
    cte, params = _matches_cte(tsquery, filters, cap=exact_limit + 1, oldest=False, skip=skip)
    column = "board_id" if skip == "board" else "status"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {cte} SELECT {column}, count(*) FROM matches GROUP BY {column}", params
        )
        return {str(value): n for value, n in cursor.fetchall()}


def _board_facet(counts: dict, filters) -> list[criteria.FacetValue]:
    if not counts:
        return []
    selected = filters.board.pk if filters.board else None
    boards = Board.objects.filter(pk__in=[int(pk) for pk in counts]).order_by("name")
    return [
        criteria.FacetValue(slug, short_name, counts[str(pk)], pk == selected)
        for pk, slug, short_name in boards.values_list("pk", "slug", "short_name")
    ]


def _status_facet(counts: dict, filters) -> list[criteria.FacetValue]:
    return [
        criteria.FacetValue(value, label, counts[value], value == filters.status)
        for value, label in CaseStatus.choices
        if counts.get(value)
    ]


def result_ids(*, query: str, filters: criteria.SearchFilters, sort: str, chunk_size: int = 2000):
    """Every matching case id in the order the Ärenden tab shows them (the case export);
    streams through a server-side cursor."""
    words, filters = criteria.resolve_dnr_query(query, filters)
    if not searchable(filters):
        return
    tsquery = candidates.request_tsquery(language.parse_query(words))
    where, params = statements.where_sql(filters)
    source, source_params = _source(tsquery)
    if sort == criteria.SORT_RELEVANCE and tsquery:
        order_sql, order_params = _relevance_order(tsquery)
        sql = (
            f"WITH matches AS MATERIALIZED (SELECT case_id, date FROM {source} WHERE {where}) "
            f"{order_sql}"
        )
        params = [*source_params, *params, *order_params]
    else:
        order = "date, case_id" if sort == criteria.SORT_OLDEST else "date DESC, case_id DESC"
        sql = f"SELECT case_id FROM {source} WHERE {where} ORDER BY {order}"
        params = [*source_params, *params]
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from (row[0] for row in rows)


def count_matches(*, query: str, filters: criteria.SearchFilters, limit: int) -> int:
    """The number of matching cases, counted up to ``limit + 1``."""
    words, filters = criteria.resolve_dnr_query(query, filters)
    if not searchable(filters):
        return 0
    tsquery = candidates.request_tsquery(language.parse_query(words))
    cte, params = _matches_cte(tsquery, filters, cap=limit + 1, oldest=False)
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {cte} SELECT count(*) FROM matches", params)
        return cursor.fetchone()[0]

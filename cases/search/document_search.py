"""The search page: documents matching a query (``search_documents``), their facets,
the dnr-shaped query, and every hit in page order for the export (``result_ids``).

Only ``public`` search entries are ever read, so results, counts, facets, snippets and
suggestions follow the same visibility rule.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from portal.db_router import read_connection as connection

from ..models import Board, Case, CaseStatus, Document, DocumentKind, SearchEntry
from . import counts, estimates, language, snippets
from .candidates import (
    Candidate,
    by_rank,
    find_matches,
    phrase_pairs,
    request_tsquery,
    with_ranks,
)
from .criteria import SORT_OLDEST, SORT_RELEVANCE, FacetValue, SearchFilters, resolve_dnr_query
from .snippets import reference_snippets
from .statements import date_order, gin_statement, match_condition, where_sql

PAGE_SIZE = 20


# The newest this many matches are read for every search: they are the first pages, relevance
# ranks them (ts_rank reads each one's vectors: ranking every match of a common word would read
# thousands of vectors, README) and they give the facet counts when there are more than
# counts.EXACT_LIMIT matches. Below CANDIDATES + 1 matches they are also the exact counts.
CANDIDATES = 300


# Relevance ranks the newest this many matches; the older ones follow them newest first.
RANKED = CANDIDATES


# Counts and facet counts are exact up to this many matches (cases/search/counts.py); beyond
# it the total is an estimate that says so ("cirka 54 000") and the pages show the first
# EXACT_LIMIT hits.
EXACT_LIMIT = counts.EXACT_LIMIT


@dataclass
class SearchHit:
    document: Document
    snippet: str = ""  # plain text with HEADLINE_START/STOP around matches; escape when shown
    raw_snippet: str = ""  # an OCR'd document's snippet as OCR read it (snippet is repaired)


@dataclass
class SearchResults:
    query: str
    hits: list[SearchHit]
    total: int
    total_capped: bool
    page: int
    pages: int
    facets: dict[str, list[FacetValue]]
    unfiltered_total: int | None = None
    suggestion: str | None = None
    # beyond EXACT_LIMIT: how many match in all, estimated from the date statistics
    total_estimate: int | None = None
    # the facets counted over the newest CANDIDATES matches (their set is beyond EXACT_LIMIT)
    partial_facets: list[str] = field(default_factory=list)
    newest_counted: int = 0  # how many newest matches the partial facets count
    # Cases whose own title matches (case_hits): the best CASE_HITS, of case_total
    case_hits: list[Case] = field(default_factory=list)
    case_total: int = 0
    case_total_capped: bool = False

    @property
    def first_number(self) -> int:
        """The number of the page's first hit, for the list's ``start``."""
        return (self.page - 1) * PAGE_SIZE + 1


def result_ids(
    *, query: str, filters: SearchFilters, sort: str = SORT_RELEVANCE, chunk_size: int = 2000
):
    """Every document id of a search result, in the order the search page shows them.

    For relevance order the ranked candidates come first (exactly the search page's order)
    and the hits beyond them follow newest first. Streams through a server-side cursor.
    """
    query, filters = resolve_dnr_query(query, filters)
    parsed = language.parse_query(query)
    tsquery = request_tsquery(parsed)
    pairs = phrase_pairs(parsed)
    where, params = where_sql(filters)
    oldest = sort == SORT_OLDEST
    if sort == SORT_RELEVANCE and parsed:
        newest = find_matches(tsquery, filters, limit=RANKED + 1, ranked=True, pairs=pairs)
        yield from (c.pk for c in by_rank(newest[:RANKED]))
        if len(newest) <= RANKED:
            return
        # the rest: everything older than the ranked candidates, newest first
        last = newest[RANKED - 1]
        where = f"{where} AND (date, document_id) < (%s, %s)"
        params = [*params, last.date, last.pk]
    order = date_order(oldest)
    if parsed:
        # Every match is read: through GIN that is one index entry each, where the walk would
        # test the vector of every filtered entry.
        sql, params = gin_statement(tsquery, None, where, params, order, pairs=pairs)
        sql = f"SELECT document_id FROM ({sql}) c ORDER BY {order}"
    else:
        sql = f"SELECT document_id FROM cases_searchentry WHERE {where} ORDER BY {order}"
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from (row[0] for row in rows)


def count_results(*, query: str, filters: SearchFilters, limit: int) -> int:
    """The number of hits, counted up to ``limit + 1`` at most (bench/export.py sizes its
    exports with it; the export itself finds its limit while streaming)."""
    query, filters = resolve_dnr_query(query, filters)
    parsed = language.parse_query(query)
    where, params = where_sql(filters)
    if parsed:
        # Counting reads every match: through GIN that is one index entry each.
        sql, params = gin_statement(parsed, None, where, params, "", pairs=phrase_pairs(parsed))
        sql = f"SELECT count(*) FROM ({sql} LIMIT %s) c"
    else:
        sql = f"SELECT count(*) FROM (SELECT 1 FROM cases_searchentry WHERE {where} LIMIT %s) c"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit + 1])
        return cursor.fetchone()[0]


# What a hit shows (templates/cases/search.html): the rows without their texts.
HIT_FIELDS = (
    "sequence",
    "title",
    "public_title",
    "title_protected",
    "kind",
    "document_date",
    "text_source",
    "case__dnr_key",
    "case__title",
    "case__public_title",
    "case__title_protected",
    "case__board__short_name",
    "case__board__slug",
)


def search_documents(
    *, query: str, filters: SearchFilters, sort: str = SORT_RELEVANCE, page: int = 1
) -> SearchResults:
    """Public full-text search over documents (and their case and attachments).

    Only ``public`` entries are ever read, so results, counts, facets, snippets and
    suggestions follow the same visibility rule. The newest CANDIDATES + 1 matches are
    read first: when they are all, they are the list, the total and the facets. Otherwise
    the total and the facets are counted (exact up to EXACT_LIMIT, counts.py); beyond it the
    total is an estimate and the facets count the newest CANDIDATES. A facet whose own
    filter is active is counted without that filter. Relevance order ranks the newest
    RANKED matches, the others follow newest first.
    """
    parsed, tsquery, pairs, filters = _request(query, filters)
    samples = _samples(tsquery, filters, pairs)
    own = _own_counts(tsquery, filters, pairs, samples)
    # an exact count without a chosen filter holds the counts: none to count first
    newest, first = _newest_matches(
        tsquery,
        filters,
        pairs,
        count_first=all(c.more for c in own.values()),
        sample=samples.get("", counts.NOT_SAMPLED),
    )
    counted, total, estimate = _count(
        tsquery, filters, newest, pairs, own, first, sample=samples.get("", counts.NOT_SAMPLED)
    )
    capped = counted is not None and counted.more
    newest = newest[: min(CANDIDATES, EXACT_LIMIT)]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    offset = (page - 1) * PAGE_SIZE
    page_ids = _ordered_ids(tsquery, filters, newest, sort, offset, pairs=pairs, total=total)

    facets, partial = _facets(newest, counted, own, tsquery, filters, pairs)
    results = SearchResults(
        query=query,
        hits=_page_hits(page_ids, tsquery, filters),
        total=total,
        total_capped=capped,
        page=page,
        pages=pages,
        facets=facets,
        total_estimate=estimate,
        partial_facets=partial,
        newest_counted=len(newest) if partial else 0,
    )
    if parsed:
        results.case_hits, results.case_total, results.case_total_capped = case_hits(
            tsquery, filters
        )
    if total == 0 and not results.case_hits:
        if filters.active:
            unfiltered = find_matches(
                tsquery, filters.without_user_filters(), limit=CANDIDATES, pairs=pairs
            )
            results.unfiltered_total = len(unfiltered)
        if not results.unfiltered_total:
            results.suggestion = suggest_spelling(parsed)
    return results


def _request(query: str, filters: SearchFilters):
    """The parsed query, its tsquery and phrase pairs, and the filters (a dnr among the
    words becomes one): what both a search and its count start from."""
    words, filters = resolve_dnr_query(query, filters)
    parsed = language.parse_query(words)
    return parsed, request_tsquery(parsed), phrase_pairs(parsed), filters


def _newest_matches(
    tsquery,
    filters: SearchFilters,
    pairs,
    *,
    count_first: bool = True,
    sample=counts.NOT_SAMPLED,
):
    """The newest CANDIDATES + 1 matches, and the counts when they were counted first
    (else None).

    When the sample expects more matches than CANDIDATES, they are counted first and the
    count's statement gives the newest too (counts.count_first), which saves reading them
    again: a phrase with 7,520 matches, 11 ms. Not unless ``count_first``. ``sample``: the
    count's sample when it was taken before (``_samples``)."""
    first = None
    if count_first:
        first = counts.count_first(
            tsquery,
            filters,
            pairs=pairs,
            limit=EXACT_LIMIT,
            newest=CANDIDATES + 1,
            sample=sample,
        )
    if first is not None and first.newest is not None:
        return first.newest, first
    return find_matches(tsquery, filters, limit=CANDIDATES + 1, pairs=pairs), first


FACET_FIELDS = ("board", "kind", "status")


def _chosen_facets(filters: SearchFilters) -> list[str]:
    return [name for name in FACET_FIELDS if getattr(filters, name)]


def _samples(tsquery, filters: SearchFilters, pairs) -> dict:
    """With a facet's filter chosen, the samples of the counts (without each chosen facet's
    filter, and with them all: "") from one statement (counts.sample_searches); else none:
    the count takes its own sample, when it needs one."""
    chosen = _chosen_facets(filters)
    if not chosen:
        return {}
    return counts.sample_searches(tsquery, filters, [*chosen, ""], limit=EXACT_LIMIT, pairs=pairs)


def _own_counts(
    tsquery, filters: SearchFilters, pairs, samples: dict
) -> dict[str, counts.MatchCounts]:
    """For each facet whose filter is chosen: the matches counted without that filter (the
    facet lists the other choices with their counts)."""
    return {
        name: counts.count_matches(
            tsquery, filters, pairs=pairs, skip=name, limit=EXACT_LIMIT, sample=samples[name]
        )
        for name in _chosen_facets(filters)
    }


def _filter_value(filters: SearchFilters, name: str):
    return filters.board.pk if name == "board" else getattr(filters, name)


def count_documents(*, query: str, filters: SearchFilters) -> SearchResults:
    """How many documents match, counted as ``search_documents`` counts them, without the
    page, its snippets, the facets or the cases: what the Ärenden tab shows of the
    documents (the tab's label). The cases' own numbers are the caller's to set."""
    _parsed, tsquery, pairs, filters = _request(query, filters)
    newest, first = _newest_matches(tsquery, filters, pairs)
    counted, total, estimate = _count(tsquery, filters, newest, pairs, {}, first)
    return SearchResults(
        query=query,
        hits=[],
        total=total,
        total_capped=counted is not None and counted.more,
        page=1,
        pages=max(1, -(-total // PAGE_SIZE)),
        facets={},
        total_estimate=estimate,
    )


def _count(
    tsquery,
    filters: SearchFilters,
    newest: list[Candidate],
    pairs,
    own: dict,
    first: counts.MatchCounts | None = None,
    *,
    sample=counts.NOT_SAMPLED,
):
    """The counts (None when the newest candidates are all the matches), the total (at most
    EXACT_LIMIT) and, beyond EXACT_LIMIT, the estimate of all matches: the sample's, else
    from the date statistics; None when it would say no more than "more than the limit".
    Exact counts without a chosen filter (``own``) hold the counts with it; ``first``: the
    counts when they were counted before the newest were read; ``sample``: the count's
    sample when it was taken before."""
    if len(newest) <= min(CANDIDATES, EXACT_LIMIT):
        return None, len(newest), None
    exact = [(name, c) for name, c in own.items() if not c.more]
    if exact:
        name, without = exact[0]
        counted = without.narrowed(name, _filter_value(filters, name))
        return counted, counted.total, None
    counted = first or counts.count_matches(
        tsquery, filters, pairs=pairs, limit=EXACT_LIMIT, sample=sample
    )
    if not counted.more:
        return counted, counted.total, None
    estimate = counted.estimate or estimates.estimate_total(
        len(newest), newest[-1].date, table="cases_searchentry"
    )
    if estimate and estimates.round_estimate(estimate) > EXACT_LIMIT:
        return counted, counted.total, estimates.round_estimate(estimate)
    return counted, counted.total, None


def _ordered_ids(
    tsquery, filters, newest: list[Candidate], sort: str, offset: int, *, pairs, total: int
) -> list[int]:
    """The ids of one page in the page's order: relevance ranks the newest RANKED matches
    and the older ones follow newest first; the other sorts are date order. A page beyond
    the newest CANDIDATES reads the matches up to its end in date order."""
    end = min(offset + PAGE_SIZE, total)
    if sort == SORT_OLDEST:
        if total <= CANDIDATES:
            ordered = newest[::-1]
        else:
            ordered = find_matches(tsquery, filters, limit=end, oldest=True, pairs=pairs)
        return [c.pk for c in ordered[offset:end]]
    ordered = newest
    if sort == SORT_RELEVANCE and tsquery:
        ordered = by_rank(with_ranks(tsquery, newest[:RANKED])) + newest[RANKED:]
    if end > len(ordered) and total > len(ordered):
        deeper = find_matches(tsquery, filters, limit=end, pairs=pairs)
        ordered = ordered + deeper[len(ordered) :]
    return [c.pk for c in ordered[offset:end]]


FEED_SIZE = 50


def newest_hits(
    *, query: str, filters: SearchFilters, limit: int = FEED_SIZE
) -> list[tuple[SearchHit, datetime.date]]:
    """The newest ``limit`` public hits of a search, newest first, each with its snippet
    and its date (the search table's, which orders them): what a search's feed shows."""
    words, filters = resolve_dnr_query(query, filters)
    parsed = language.parse_query(words)
    tsquery = request_tsquery(parsed)
    newest = find_matches(tsquery, filters, limit=limit, pairs=phrase_pairs(parsed))
    dates = {c.pk: c.date for c in newest}
    hits = _page_hits(list(dates), tsquery, filters)
    return [(hit, dates[hit.document.pk]) for hit in hits]


def _page_hits(
    page_ids: list[int], tsquery: language.TsQuery, filters: SearchFilters
) -> list[SearchHit]:
    """The page's documents in page order, each with its snippet: the passage where the
    words occur, or for a dnr query the place the number is mentioned."""
    documents = Document.objects.select_related("case", "case__board").only(*HIT_FIELDS)
    documents = documents.in_bulk(page_ids)
    if tsquery:
        passages = snippets.page_snippets(page_ids, tsquery)
    elif filters.dnr:
        passages = {
            pk: snippets.Snippet(text)
            for pk, text in reference_snippets(page_ids, filters.dnr).items()
        }
    else:
        passages = {}
    return [
        SearchHit(documents[pk], passages[pk].text, passages[pk].raw)
        if pk in passages
        else SearchHit(documents[pk])
        for pk in page_ids
        if pk in documents
    ]


def _facets(
    newest: list[Candidate],
    counted: counts.MatchCounts | None,
    own: dict[str, counts.MatchCounts],
    tsquery: language.TsQuery,
    filters: SearchFilters,
    pairs,
) -> tuple[dict, list[str]]:
    """Board, kind and status counts, and the names of the facets counted over the newest
    CANDIDATES matches only (their set has more than EXACT_LIMIT). A facet whose own filter
    is active has its counts without that filter in ``own``."""
    partial = []

    def facet_counts(field_name: str) -> dict:
        if field_name in own:
            if not own[field_name].more:
                return own[field_name].by(field_name)
            partial.append(field_name)
            some = find_matches(tsquery, filters, limit=CANDIDATES, skip=field_name, pairs=pairs)
            return _facet_counts(some, field_name)
        if counted is None:
            return _facet_counts(newest, field_name)
        if not counted.more:
            return counted.by(field_name)
        partial.append(field_name)
        return _facet_counts(newest, field_name)

    facets = {
        "board": _board_facet(facet_counts("board"), filters),
        "kind": _choice_facet(facet_counts("kind"), DocumentKind, filters.kind),
        "status": _choice_facet(facet_counts("status"), CaseStatus, filters.status),
    }
    return facets, partial


CASE_HITS = 5


def case_hits(
    parsed: language.ParsedQuery | language.TsQuery,
    filters: SearchFilters,
    *,
    variants: dict | None = None,
    limit: int = CASE_HITS,
) -> tuple[list[Case], int, bool]:
    """The cases whose own (public) title matches the query, most relevant first: the best
    ``limit``, how many matched (exact up to case_search.EXACT_LIMIT, else an estimate) and
    whether the number is an estimate. See cases/case_search.py. ``parsed``: the request's
    ``TsQuery``, or a parsed query (searched with ``variants``)."""
    from .case_search import best_cases  # case_search reads this module's helpers

    if not parsed:
        return [], 0, False
    found = best_cases(parsed, filters, variants=variants, limit=limit)
    return found.cases, found.total, found.estimated


def _facet_counts(candidates: list[Candidate], field_name: str) -> dict:
    counts: dict = {}
    attribute = "board_id" if field_name == "board" else field_name
    for candidate in candidates:
        value = getattr(candidate, attribute)
        counts[value] = counts.get(value, 0) + 1
    return counts


def _board_facet(counts_by_board: dict, filters: SearchFilters) -> list[FacetValue]:
    if not counts_by_board:
        return []
    boards = Board.objects.filter(pk__in=list(counts_by_board)).order_by("name")
    selected = filters.board.pk if filters.board else None
    return [
        FacetValue(slug, short_name, counts_by_board[pk], pk == selected)
        for pk, slug, short_name in boards.values_list("pk", "slug", "short_name")
    ]


def _choice_facet(counts_by_value: dict, choices, selected: str) -> list[FacetValue]:
    return [
        FacetValue(value, label, counts_by_value[value], value == selected)
        for value, label in choices.choices
        if counts_by_value.get(value)
    ]


def suggest_spelling(parsed: language.ParsedQuery) -> str | None:
    """Real words close to the query that find something, for a query that found nothing
    (cases/suggest.py)."""
    from .suggest import suggest  # suggest searches through this module

    return suggest(parsed)


def staff_search_document_ids(query: str):
    """The portal's search for the admin: same parsing and vectors, no public filter (the
    admin's own queryset applies the staff visibility rules)."""
    parsed = language.parse_query(query)
    if not parsed:
        return SearchEntry.objects.none().values("pk")
    sql, params = match_condition(parsed)
    return SearchEntry.objects.filter(RawSQL(sql, params, output_field=BooleanField())).values("pk")

"""Which of a day's new handlingar each saved search finds, for the digest.

Fast for many saved searches (bench/follow.py: 10,000 subscriptions): the day's new public
search rows are copied once into a small temporary table; each distinct saved search is
parsed once (its filter parameters through the search page's own form, once per distinct
combination of filters; its words through the form's q field), the OCR spellings of all
their words are looked up in one statement, and the searches run in batches, many to a
statement, with the search page's filter and match SQL.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import QueryDict

from ..filters import SearchFilterSet, parse_search
from ..search import language
from ..search.candidates import present_variants_of
from ..search.criteria import SearchFilters, resolve_dnr_query
from ..search.statements import match_condition, where_sql

# Saved searches per statement: fewer round trips, statements still small to plan.
BATCH = 250


@dataclass
class SavedSearch:
    """A saved search as the search page reads it."""

    filters: SearchFilters
    parsed: language.ParsedQuery | None
    variants: dict


@dataclass
class NewEntry:
    document_id: int
    case_id: int
    board_id: int
    registered_at: datetime.datetime


def parse_searches(searches: set[str]) -> dict[str, SavedSearch]:
    """Each saved search's filters and words; a search with a filter that no longer exists
    (a board renamed) or words the form refuses is left out: it finds nothing."""
    q_field = SearchFilterSet.base_filters["q"].field
    by_filters: dict[str, SearchFilters | None] = {}
    words: dict[str, tuple[str, SearchFilters]] = {}
    for search in searches:
        params = QueryDict(search, mutable=True)
        query = params.pop("q", [""])[-1]
        key = params.urlencode()
        if key not in by_filters:
            by_filters[key] = parse_search(params)[2]
        filters = by_filters[key]
        try:
            query = (q_field.clean(query) or "").strip()
        except ValidationError:
            continue
        if filters is not None:
            words[search] = resolve_dnr_query(query, filters)
    parsed = {search: language.parse_query(text) for search, (text, _f) in words.items()}
    with_words = [search for search in parsed if parsed[search]]
    found = present_variants_of([parsed[search] for search in with_words])
    variants = dict(zip(with_words, found, strict=True))
    return {
        search: SavedSearch(filters, parsed[search] or None, variants.get(search, {}))
        for search, (_text, filters) in words.items()
    }


def match_new_documents(
    *, start: datetime.datetime, now: datetime.datetime, searches: set[str]
) -> tuple[list[NewEntry], dict[str, SavedSearch], dict[str, set[int]]]:
    """The public handlingar registered after ``start`` up to ``now`` (newest first), the
    saved searches parsed (when there was anything new) and which new handlingar each finds."""
    parsed: dict[str, SavedSearch] = {}
    found: dict[str, set[int]] = {}
    with connection.cursor() as cursor:
        # (dropped first: inside an outer transaction ON COMMIT comes later)
        cursor.execute("DROP TABLE IF EXISTS digest_entries")
        cursor.execute(
            "CREATE TEMP TABLE digest_entries AS "
            "SELECT e.document_id, e.case_id, e.board_id, e.kind, e.status, e.date, e.public, "
            "e.clean_vector, e.ocr_vector, d.registered_at FROM cases_searchentry e "
            "JOIN cases_document d ON d.id = e.document_id "
            "WHERE e.public AND d.registered_at > %s AND d.registered_at <= %s",
            [start, now],
        )
        try:
            cursor.execute(
                "SELECT document_id, case_id, board_id, registered_at FROM digest_entries "
                "ORDER BY registered_at DESC, document_id DESC"
            )
            new = [NewEntry(*row) for row in cursor.fetchall()]
            if new and searches:
                parsed = parse_searches(searches)
                cursor.execute("ANALYZE digest_entries")
                found = _run_searches(cursor, parsed)
        finally:
            cursor.execute("DROP TABLE digest_entries")
    return new, parsed, found


def _run_searches(cursor, searches: dict[str, SavedSearch]) -> dict[str, set[int]]:
    names = list(searches)
    found: dict[str, set[int]] = {name: set() for name in names}
    for first in range(0, len(names), BATCH):
        parts, params = [], []
        for number, name in enumerate(names[first : first + BATCH], start=first):
            search = searches[name]
            where, where_params = where_sql(search.filters)
            if search.parsed:
                match, match_params = match_condition(search.parsed, search.variants)
                where, where_params = f"{where} AND {match}", [*where_params, *match_params]
            parts.append(f"SELECT {number}, document_id FROM digest_entries WHERE {where}")
            params += where_params
        cursor.execute(" UNION ALL ".join(parts), params)
        for number, document_id in cursor.fetchall():
            found[names[number]].add(document_id)
    return found

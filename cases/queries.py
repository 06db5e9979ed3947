"""Reads that combine things: dnr lookup, case pages, board and meeting pages.

Everything here that feeds a public page applies the public visibility rules: confidential,
unpublished and cancelled documents never leave this module for the public.
"""

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Count, FloatField, Prefetch, Q
from django.db.models.expressions import RawSQL

from . import dnr as dnrlib
from . import search
from .models import (
    AgendaItem,
    Attachment,
    Board,
    Case,
    CaseStatus,
    Decision,
    Document,
    DocumentKind,
    Meeting,
    Reference,
    SearchEntry,
)


def board_catalogue() -> list[dnrlib.BoardInfo]:
    """What the dnr engine knows about each board: the built-in name forms plus the
    prefixes registrators have configured in the database."""
    builtin = {info.short_name: info for info in dnrlib.STOCKHOLM_BOARDS}
    catalogue = []
    for board in Board.objects.order_by("name"):
        known = builtin.get(board.short_name)
        catalogue.append(
            dnrlib.BoardInfo(
                name=board.name,
                short_name=board.short_name,
                prefixes=tuple(board.dnr_prefixes) or (known.prefixes if known else ()),
                names=known.names if known else (board.name, board.short_name),
                formats=known.formats if known else (),
            )
        )
    return catalogue


def boards_by_short_name() -> dict[str, Board]:
    return {board.short_name: board for board in Board.objects.all()}


def latest_cases(*, limit: int = 20) -> list[Case]:
    return list(
        Case.objects.not_cancelled()
        .select_related("board")
        .order_by("-registered_on", "-dnr_year", "-dnr_number", "-pk")[:limit]
    )


def boards_for_home() -> tuple[list[Board], list[Board]]:
    boards = list(Board.objects.select_related("successor").order_by("name"))
    active = [b for b in boards if b.valid_to is None]
    former = [b for b in boards if b.valid_to is not None]
    return active, former


@dataclass
class DnrLookup:
    """The result of looking a typed number up: zero, one or several cases."""

    query: str
    parsed: dnrlib.Dnr | None
    cases: list[Case]
    document_sequence: int | None = None

    @property
    def unique(self) -> Case | None:
        return self.cases[0] if len(self.cases) == 1 else None


def lookup_dnr(text: str) -> DnrLookup:
    """Find cases by a dnr typed in any spelling, including aliases in old formats.

    A number without prefix ("2019/272") matches every board's case with that year and
    löpnummer; "2019/16" never matches "2019/167" because parts are compared as integers.
    """
    parsed = dnrlib.try_parse_dnr(text)
    if parsed is None:
        return DnrLookup(query=text, parsed=None, cases=[])
    case_dnr = parsed.case_dnr
    cases = Case.objects.select_related("board")
    if case_dnr.prefix is None and case_dnr.classification is None:
        candidates = cases.filter(dnr_year=case_dnr.year, dnr_number=case_dnr.number)
        found = [case for case in candidates if _is_prefix_form(case.dnr_key)]
        alias_hits = cases.filter(aliases__dnr_key=case_dnr.key)
        found += [case for case in alias_hits if case not in found]
    else:
        found = list(
            cases.filter(Q(dnr_key=case_dnr.key) | Q(aliases__dnr_key=case_dnr.key)).distinct()
        )
    found.sort(key=lambda c: (c.board.name, c.dnr_key))
    return DnrLookup(query=text, parsed=parsed, cases=found, document_sequence=parsed.document)


def _is_prefix_form(key: str) -> bool:
    parsed = dnrlib.try_parse_dnr(key)
    return parsed is not None and parsed.classification is None


@dataclass
class ReferenceGroup:
    board_name: str
    references: list[Reference] = field(default_factory=list)


@dataclass
class CasePage:
    case: Case
    documents: list[Document]
    decisions: list[Decision]
    agenda_items: list[AgendaItem]
    refers_to: list[ReferenceGroup]
    referred_from: list[ReferenceGroup]


def case_page(case: Case) -> CasePage:
    """Everything the public case page shows, with the public visibility rules applied."""
    documents = list(
        Document.objects.public()
        .filter(case=case)
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(
                    published=True, confidential=False, cancelled=False
                ).order_by("number"),
                to_attr="public_attachments",
            )
        )
        .order_by("document_date", "sequence")
    )
    decisions = list(
        case.decisions.select_related("meeting", "meeting__board").order_by("decided_on", "section")
    )
    agenda_items = list(
        case.agenda_items.select_related("meeting", "meeting__board").order_by("meeting__date")
    )
    outgoing = (
        Reference.objects.filter(source__case=case, source__in=Document.objects.public())
        .select_related("board", "target", "target__board", "source")
        .order_by("display", "start")
    )
    incoming = (
        Reference.objects.filter(target=case, source__in=Document.objects.public())
        .exclude(source__case=case)
        .select_related("source", "source__case", "source__case__board")
        .order_by("source__case__board__name", "source__case__dnr_key", "source__sequence")
    )
    return CasePage(
        case=case,
        documents=documents,
        decisions=decisions,
        agenda_items=agenda_items,
        refers_to=_group_outgoing(outgoing),
        referred_from=_group_incoming(incoming),
    )


def _group_outgoing(references) -> list[ReferenceGroup]:
    """One row per referenced number (the first mention), grouped by the number's board."""
    groups: OrderedDict[str, ReferenceGroup] = OrderedDict()
    seen = set()
    for reference in references:
        if reference.dnr_key in seen:
            continue
        seen.add(reference.dnr_key)
        if reference.target is not None:
            board_name = reference.target.board.name
        elif reference.board is not None:
            board_name = reference.board.name
        else:
            board_name = "Okänd nämnd"
        groups.setdefault(board_name, ReferenceGroup(board_name)).references.append(reference)
    return sorted(groups.values(), key=lambda g: g.board_name)


def _group_incoming(references) -> list[ReferenceGroup]:
    """One row per citing case, grouped by that case's board."""
    groups: OrderedDict[str, ReferenceGroup] = OrderedDict()
    seen = set()
    for reference in references:
        citing = reference.source.case
        if citing.pk in seen:
            continue
        seen.add(citing.pk)
        board_name = citing.board.name
        groups.setdefault(board_name, ReferenceGroup(board_name)).references.append(reference)
    return list(groups.values())


def board_page(board: Board, *, limit: int = 50) -> tuple[list[Case], list[Meeting]]:
    cases = list(
        board.cases.not_cancelled().order_by("-registered_on", "-dnr_year", "-dnr_number")[:limit]
    )
    meetings = list(board.meetings.order_by("-date")[:limit])
    return cases, meetings


def meeting_page(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.items.select_related("case", "case__board").order_by("number"))


# --- Search --------------------------------------------------------------------------------

PAGE_SIZE = 20
# Exact counts, facets and ranking cover at most this many hits (PERF-NOTES.md: touching every
# hit of a common word is what costs). Beyond it the page says "fler än 1 000" honestly.
RESULT_CAP = 1000
SORT_RELEVANCE = "relevans"
SORT_NEWEST = "nyast"
SORT_OLDEST = "aldst"
SORTS = {SORT_RELEVANCE: "Relevans", SORT_NEWEST: "Nyast först", SORT_OLDEST: "Äldst först"}
HEADLINE_START = "\x02"
HEADLINE_STOP = "\x03"


@dataclass
class SearchFilters:
    board: Board | None = None
    kind: str = ""
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.board or self.kind or self.status or self.date_from or self.date_to)


@dataclass
class SearchHit:
    document: Document
    snippet: str = ""  # plain text with HEADLINE_START/STOP around matches; escape when shown


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


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


def _match_condition(parsed: search.ParsedQuery) -> tuple[str, list[str]]:
    # Column names stay unqualified: the condition is also used inside subqueries, where
    # Django aliases the table (U0) and a qualified name would silently correlate.
    clean_sql, clean_params = search.tsquery_sql(parsed, ocr=False)
    ocr_sql, ocr_params = search.tsquery_sql(parsed, ocr=True)
    return (
        f"(clean_vector @@ ({clean_sql}) OR ocr_vector @@ ({ocr_sql}))",
        [*clean_params, *ocr_params],
    )


def _rank_expression(parsed: search.ParsedQuery) -> tuple[str, list[str]]:
    clean_sql, clean_params = search.tsquery_sql(parsed, ocr=False)
    ocr_sql, ocr_params = search.tsquery_sql(parsed, ocr=True)
    return (
        f"coalesce(ts_rank_cd(clean_vector, {clean_sql}), 0) + "
        f"coalesce(ts_rank_cd(ocr_vector, {ocr_sql}), 0)",
        [*clean_params, *ocr_params],
    )


def _public_matches(parsed: search.ParsedQuery):
    entries = SearchEntry.objects.filter(public=True)
    if parsed:
        sql, params = _match_condition(parsed)
        entries = entries.filter(RawSQL(sql, params, output_field=BooleanField()))
    return entries


def _apply_filters(entries, filters: SearchFilters, *, skip: str = ""):
    if filters.board and skip != "board":
        entries = entries.filter(board=filters.board)
    if filters.kind and skip != "kind":
        entries = entries.filter(kind=filters.kind)
    if filters.status and skip != "status":
        entries = entries.filter(status=filters.status)
    if filters.date_from:
        entries = entries.filter(date__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(date__lte=filters.date_to)
    return entries


def _capped_count(entries) -> tuple[int, bool]:
    count = entries.order_by()[: RESULT_CAP + 1].count()
    return min(count, RESULT_CAP), count > RESULT_CAP


def _facet_counts(entries, field_name: str) -> dict:
    capped = entries.order_by("-date", "-document_id").values("pk")[:RESULT_CAP]
    rows = (
        SearchEntry.objects.filter(pk__in=capped)
        .values(field_name)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row[field_name]: row["n"] for row in rows}


def _ordered(filtered, parsed: search.ParsedQuery, sort: str):
    """The result order. Relevance ranks the RESULT_CAP most recent hits (the page never
    goes further); date orders walk the (date, id) index."""
    if sort == SORT_RELEVANCE and parsed:
        candidates = filtered.order_by("-date", "-document_id").values("pk")[:RESULT_CAP]
        rank_sql, rank_params = _rank_expression(parsed)
        return (
            SearchEntry.objects.filter(pk__in=candidates)
            .annotate(rank=RawSQL(rank_sql, rank_params, output_field=FloatField()))
            .order_by("-rank", "-date", "-document_id")
        )
    if sort == SORT_OLDEST:
        return filtered.order_by("date", "document_id")
    return filtered.order_by("-date", "-document_id")


def result_ids(
    *, query: str, filters: SearchFilters, sort: str = SORT_RELEVANCE, chunk_size: int = 2000
):
    """Every document id of a search result, in the order the search page shows them.

    For relevance order the ranked candidates come first (exactly the search page's order)
    and the hits beyond them follow newest first. Streams through a server-side cursor.
    """
    parsed = search.parse_query(query)
    filtered = _apply_filters(_public_matches(parsed), filters)
    ordered = _ordered(filtered, parsed, sort)
    if sort == SORT_RELEVANCE and parsed:
        ranked = list(ordered.values_list("pk", flat=True))
        yield from ranked
        rest = filtered.exclude(pk__in=ranked).order_by("-date", "-document_id")
        yield from rest.values_list("pk", flat=True).iterator(chunk_size=chunk_size)
    else:
        yield from ordered.values_list("pk", flat=True).iterator(chunk_size=chunk_size)


def count_results(*, query: str, filters: SearchFilters, limit: int) -> int:
    """The number of hits, counted up to ``limit + 1`` at most."""
    parsed = search.parse_query(query)
    filtered = _apply_filters(_public_matches(parsed), filters)
    return filtered.order_by()[: limit + 1].count()


def search_documents(
    *, query: str, filters: SearchFilters, sort: str = SORT_RELEVANCE, page: int = 1
) -> SearchResults:
    """Public full-text search over documents (and their case and attachments).

    Only ``public`` entries are ever read, so results, counts, facets, snippets and
    suggestions follow the same visibility rule.
    """
    parsed = search.parse_query(query)
    matches = _public_matches(parsed)
    filtered = _apply_filters(matches, filters)
    total, capped = _capped_count(filtered)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    offset = (page - 1) * PAGE_SIZE

    ordered = _ordered(filtered, parsed, sort)
    page_ids = list(ordered.values_list("pk", flat=True)[offset : offset + PAGE_SIZE])

    documents = Document.objects.select_related("case", "case__board").in_bulk(page_ids)
    snippets = _headlines(page_ids, parsed) if parsed else {}
    hits = [SearchHit(documents[pk], snippets.get(pk, "")) for pk in page_ids if pk in documents]

    facets = {
        "board": _board_facet(_apply_filters(matches, filters, skip="board"), filters),
        "kind": _choice_facet(
            _apply_filters(matches, filters, skip="kind"), "kind", DocumentKind, filters.kind
        ),
        "status": _choice_facet(
            _apply_filters(matches, filters, skip="status"), "status", CaseStatus, filters.status
        ),
    }
    results = SearchResults(
        query=query,
        hits=hits,
        total=total,
        total_capped=capped,
        page=page,
        pages=pages,
        facets=facets,
    )
    if total == 0:
        if filters.active:
            results.unfiltered_total = _capped_count(matches)[0]
        results.suggestion = suggest_spelling(parsed)
    return results


def _board_facet(entries, filters: SearchFilters) -> list[FacetValue]:
    counts = _facet_counts(entries, "board")
    boards = Board.objects.filter(pk__in=list(counts)).order_by("name")
    return [FacetValue(b.slug, b.short_name, counts[b.pk], filters.board == b) for b in boards]


def _choice_facet(entries, field_name, choices, selected: str) -> list[FacetValue]:
    counts = _facet_counts(entries, field_name)
    return [
        FacetValue(value, label, counts[value], value == selected)
        for value, label in choices.choices
        if counts.get(value)
    ]


def _headlines(page_ids: list[int], parsed: search.ParsedQuery) -> dict[int, str]:
    """ts_headline only for the rows on the page (never for the whole result)."""
    if not page_ids:
        return {}
    clean_sql, clean_params = search.tsquery_sql(parsed, ocr=False)
    ocr_sql, ocr_params = search.tsquery_sql(parsed, ocr=True)
    options = (
        f"StartSel={HEADLINE_START}, StopSel={HEADLINE_STOP}, MaxWords=30, MinWords=12, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    sql = (
        "SELECT d.id, CASE WHEN d.text_source = 'ocr' "
        f"THEN ts_headline('{search.SEARCH_CONFIG}', d.full_text, {ocr_sql}, %s) "
        f"ELSE ts_headline('{search.SEARCH_CONFIG}', d.full_text, {clean_sql}, %s) END "
        "FROM cases_document d WHERE d.id = ANY(%s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ocr_params, options, *clean_params, options, page_ids])
        return {row[0]: row[1] for row in cursor.fetchall()}


def suggest_spelling(parsed: search.ParsedQuery) -> str | None:
    """The closest words from the public vocabulary, for a query that found nothing."""
    replaced = []
    changed = False
    for word in parsed.positive_words:
        if len(word) < 4 or word.isdigit():
            replaced.append(word)
            continue
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word FROM cases_searchword WHERE word %% %s AND word <> %s "
                "ORDER BY similarity(word, %s) DESC, documents DESC, word LIMIT 1",
                [word, word, word],
            )
            row = cursor.fetchone()
        if row:
            replaced.append(row[0])
            changed = True
        else:
            replaced.append(word)
    return " ".join(replaced) if changed else None


# --- Staff permissions ---------------------------------------------------------------------


def staff_boards(user, *roles: str):
    """The boards a staff member works for (in any of ``roles``); all boards for admins."""
    if user.is_superuser:
        return Board.objects.all()
    memberships = user.board_memberships.all()
    if roles:
        memberships = memberships.filter(role__in=roles)
    return Board.objects.filter(pk__in=memberships.values("board_id"))


def is_member(user, board: Board, *roles: str) -> bool:
    if user.is_superuser:
        return True
    return staff_boards(user, *roles).filter(pk=board.pk).exists()


def staff_documents(user):
    """Documents a staff member may see: all public ones, confidential ones of their boards."""
    documents = Document.objects.all()
    if user.is_superuser:
        return documents
    return documents.filter(Q(confidential=False) | Q(case__board__in=staff_boards(user)))


def staff_attachments(user):
    attachments = Attachment.objects.all()
    if user.is_superuser:
        return attachments
    own = staff_boards(user)
    return attachments.filter(
        (Q(confidential=False) & Q(document__confidential=False)) | Q(document__case__board__in=own)
    )


def staff_search_document_ids(query: str):
    """The portal's search for the admin: same parsing and vectors, no public filter (the
    admin's own queryset applies the staff visibility rules)."""
    parsed = search.parse_query(query)
    if not parsed:
        return SearchEntry.objects.none().values("pk")
    sql, params = _match_condition(parsed)
    return SearchEntry.objects.filter(RawSQL(sql, params, output_field=BooleanField())).values("pk")


def near_miss_cases(text: str) -> list[Case]:
    """Registered cases a mistyped number probably meant (VH 2019/254 → HV 2019/254)."""
    parsed = dnrlib.try_parse_dnr(text)
    if parsed is None:
        return []
    prefixes = {p for board in Board.objects.all() for p in board.dnr_prefixes}
    keys = dnrlib.near_miss_keys(parsed.case_dnr, prefixes)
    return list(Case.objects.filter(dnr_key__in=list(keys)).select_related("board"))

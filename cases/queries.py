"""Reads that combine things: dnr lookup, case pages, board and meeting pages.

Everything here that feeds a public page applies the public visibility rules: confidential,
unpublished and cancelled documents never leave this module for the public.
"""

import dataclasses
import datetime
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Prefetch, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from portal.db_router import read_connection as connection

from . import dnr as dnrlib
from . import estimates, search, snippets
from .importers.model import PROVISIONAL_PREFIX
from .models import (
    AgendaItem,
    Attachment,
    Board,
    BoardKind,
    Case,
    CaseAlias,
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
    builtin = {
        info.short_name: info for info in (*dnrlib.STOCKHOLM_BOARDS, *dnrlib.EXTERNAL_BODIES)
    }
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
                external=board.kind == BoardKind.EXTERNAL,
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
    boards = list(
        Board.objects.exclude(kind=BoardKind.EXTERNAL).select_related("successor").order_by("name")
    )
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


# What a person types for a board's series besides the prefix: the board's name ("Hässelby-
# Vällingby 2019/272"), a space for the slash ("HV 2019 272"), a two-digit year ("HV 19/272"),
# the digits run together ("hv2019272"). Read only with a prefix or name the register knows:
# "budget 2019 2020" stays words.
_TYPED_SERIES = re.compile(
    r"(?:(?:dnr|diarienummer|diarienr)\.?:?\s*)?(?P<who>[^\d]*?[^\W\d_])"
    r"(?:\s+(?:dnr|diarienummer|diarienr)\.?)?[\s/:.-]*(?P<rest>[0-9].*)",
    re.IGNORECASE,
)
_TYPED_REST = (
    re.compile(r"(?P<year>(?:19|20)[0-9]{2})\s+(?P<number>[0-9]{1,7})(?P<doc>-[0-9]{1,4})?"),
    re.compile(r"(?P<year>(?:19|20)[0-9]{2})(?P<number>[0-9]{1,5})"),
    re.compile(r"(?P<yy>[0-9]{2})\s*/\s*(?P<number>[0-9]{1,7})(?P<doc>-[0-9]{1,4})?"),
    re.compile(
        r"(?P<year>(?:19|20)[0-9]{2})\s*[/:-]\s*(?P<number>[0-9]{1,7})(?P<doc>-[0-9]{1,4})?"
    ),
)


def _series_prefixes() -> dict[str, str]:
    """Every way the register knows to name a board's series (prefix, name, short name,
    lower case and without å/ä/ö), to the board's first prefix."""
    known = {}
    for board in board_catalogue():
        if not board.prefixes:
            continue
        for form in (*board.prefixes, *board.forms):
            known[search.fold_diacritics(form).strip()] = board.prefixes[0]
    return known


def _known_prefixes() -> set[str]:
    """The series prefixes of the register's boards, and the provisional series."""
    known = {prefix.upper() for board in board_catalogue() for prefix in board.prefixes}
    return known | {PROVISIONAL_PREFIX}


def typed_dnr(text: str) -> str:
    """A number typed in a form the dnr parser does not read, in the form it does
    ("Hässelby-Vällingby 2019 272" -> "HV 2019/272"); any other text unchanged."""
    text = " ".join(text.split())
    if dnrlib.looks_like_dnr(text) or not any(ch.isdigit() for ch in text):
        return text
    match = _TYPED_SERIES.fullmatch(text)
    if match is None:
        return text
    for pattern in _TYPED_REST:
        rest = pattern.fullmatch(match.group("rest"))
        if rest is None:
            continue
        # the boards are asked only for a text of the right shape
        who = search.fold_diacritics(match.group("who")).strip(" -/:.")
        prefix = _series_prefixes().get(who)
        if prefix is None:
            return text
        groups = rest.groupdict()
        year = groups.get("year")
        if year is None:
            year = str(_full_year(int(groups["yy"])))
        candidate = f"{prefix} {year}/{int(groups['number'])}{groups.get('doc') or ''}"
        return candidate if dnrlib.looks_like_dnr(candidate) else text
    return text


def looks_like_dnr(text: str) -> bool:
    """For the search box: a dnr in any spelling the parser or ``typed_dnr`` reads."""
    return dnrlib.looks_like_dnr(typed_dnr(text))


def lookup_dnr(text: str) -> DnrLookup:
    """Find cases by a dnr typed in any spelling, including aliases in old formats.

    A number without prefix ("2019/272") matches every board's case with that year and
    löpnummer; "2019/16" never matches "2019/167" because parts are compared as integers.
    A number with the year last ("HV 272/2019") that names no case is also tried the eDok
    way round ("HV 2019/272").
    """
    text = typed_dnr(text)
    parsed = dnrlib.try_parse_dnr(text)
    if parsed is None:
        return DnrLookup(query=text, parsed=None, cases=[])
    found = _cases_with_number(parsed)
    if not found and parsed.family == dnrlib.NUMBER_YEAR and parsed.prefix:
        # "HV 272/2019" is HV 2019/272; "HV 19/82" (read as number 19 of 1982) HV 2019/82
        turns = [(parsed.year, parsed.number)]
        if parsed.number < 100:
            turns.append((_full_year(parsed.number), parsed.year % 100))
        for year, number in turns:
            turned = dnrlib.try_parse_dnr(f"{parsed.prefix} {year}/{number}")
            cases = _cases_with_number(turned) if turned is not None else []
            if cases:
                parsed, found = dataclasses.replace(turned, document=parsed.document), cases
                break
    return DnrLookup(query=text, parsed=parsed, cases=found, document_sequence=parsed.document)


def _full_year(yy: int) -> int:
    return 2000 + yy if 2000 + yy <= timezone.localdate().year else 1900 + yy


def _cases_with_number(parsed: dnrlib.Dnr) -> list[Case]:
    case_dnr = parsed.case_dnr
    cases = Case.objects.select_related("board")
    if case_dnr.prefix is None and case_dnr.classification is None:
        candidates = cases.filter(dnr_year=case_dnr.year, dnr_number=case_dnr.number)
        found = [case for case in candidates if _is_prefix_form(case.dnr_key)]
        alias_hits = cases.filter(aliases__dnr_key=case_dnr.key)
        found += [case for case in alias_hits if case not in found]
    else:
        # Two index lookups (own number, alias) instead of an OR across a join, which scans
        # every case (0.1 ms instead of ~80 ms at 37,000 cases).
        own = Case.objects.filter(dnr_key=case_dnr.key).values("pk")
        aliased = CaseAlias.objects.filter(dnr_key=case_dnr.key).values("case_id")
        found = list(cases.filter(pk__in=own.union(aliased)))
    found.sort(key=lambda c: (c.board.name, c.dnr_key))
    return found


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
# Exact counts, facets and ranking cover at most this many hits (docs/performance.md: touching every
# hit of a common word is what costs). Beyond it the page says "fler än 300" honestly.
RESULT_CAP = 300
SORT_RELEVANCE = "relevans"
SORT_NEWEST = "nyast"
SORT_OLDEST = "aldst"
SORTS = {SORT_RELEVANCE: "Relevans", SORT_NEWEST: "Nyast först", SORT_OLDEST: "Äldst först"}
HEADLINE_START = "\x02"
HEADLINE_STOP = "\x03"


@dataclass(frozen=True)
class DnrTarget:
    """A query that is a diarienummer: the cases with that number and the keys it is
    written with. Its hits are the documents of those cases and the documents that refer to
    them (the Reference rows the dnr engine read from the texts), not a phrase of digits."""

    case_ids: tuple[int, ...]
    keys: tuple[str, ...]


@dataclass
class SearchFilters:
    board: Board | None = None
    kind: str = ""
    status: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    dnr: DnrTarget | None = None  # set by the search itself for a dnr-shaped query

    @property
    def active(self) -> bool:
        return bool(self.board or self.kind or self.status or self.date_from or self.date_to)

    def without_user_filters(self) -> "SearchFilters":
        return SearchFilters(dnr=self.dnr)


def _dnr_query(query: str, filters: SearchFilters) -> tuple[str, SearchFilters]:
    """A dnr-shaped query becomes a DnrTarget filter and no words: searching "2019/1" as the
    words 2019 and 1 is slow (every document has them) and finds the wrong things. A number
    with a prefix before or after words ("HV 2019/272 ängsmark") searches the words among
    that number's documents."""
    number, words = query, ""
    if not looks_like_dnr(query):
        number, words = split_dnr(query)
        if not number:
            return query, filters
    lookup = lookup_dnr(number)
    if not lookup.cases and (lookup.parsed.prefix or "") not in _known_prefixes() | {""}:
        # "handlingsplan 2019-2022" has the shape of a number of an unknown series: words
        return query, filters
    keys = {lookup.parsed.case_dnr.key}
    keys.update(case.dnr_key for case in lookup.cases)
    target = DnrTarget(tuple(case.pk for case in lookup.cases), tuple(sorted(keys)))
    return words, dataclasses.replace(filters, dnr=target)


def split_dnr(query: str) -> tuple[str, str]:
    """A number with a prefix at the start or the end of a query of words, and the words;
    ("", query) when there is none."""
    tokens = query.split()
    known = None
    for size in (4, 3, 2, 1):
        if len(tokens) <= size:
            continue
        for number, words in (
            (tokens[:size], tokens[size:]),
            (tokens[-size:], tokens[:-size]),
        ):
            text = " ".join(number)
            parsed = dnrlib.try_parse_dnr(typed_dnr(text)) if looks_like_dnr(text) else None
            if parsed is None or not parsed.prefix:
                continue
            known = _known_prefixes() if known is None else known
            if parsed.prefix in known:  # "handlingsplanen 2019-2022" is words
                return text, " ".join(words)
    return "", query


@dataclass
class SearchHit:
    document: Document
    snippet: str = ""  # plain text with HEADLINE_START/STOP around matches; escape when shown
    raw_snippet: str = ""  # an OCR'd document's snippet as OCR read it (snippet is repaired)


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
    # beyond RESULT_CAP: how many match in all, estimated from the date statistics
    total_estimate: int | None = None
    # Cases whose own title matches (case_hits): the best CASE_HITS, of case_total
    case_hits: list[Case] = field(default_factory=list)
    case_total: int = 0
    case_total_capped: bool = False


def _match_condition(
    parsed: search.ParsedQuery, variants: dict | None = None
) -> tuple[str, list[str]]:
    # Column names stay unqualified: the condition is also used inside subqueries, where
    # Django aliases the table (U0) and a qualified name would silently correlate.
    clean_sql, clean_params = search.tsquery_sql(parsed, ocr=False)
    ocr_sql, ocr_params = search.tsquery_sql(parsed, ocr=True, variants=variants)
    return (
        f"(clean_vector @@ ({clean_sql}) OR ocr_vector @@ ({ocr_sql}))",
        [*clean_params, *ocr_params],
    )


def _rank_expression(
    parsed: search.ParsedQuery, variants: dict | None = None, *, table: str = ""
) -> tuple[str, list[str]]:
    clean_sql, clean_params = search.tsquery_sql(parsed, ocr=False)
    ocr_sql, ocr_params = search.tsquery_sql(parsed, ocr=True, variants=variants)
    prefix = f"{table}." if table else ""
    return (
        f"coalesce(ts_rank({prefix}clean_vector, {clean_sql}), 0) + "
        f"coalesce(ts_rank({prefix}ocr_vector, {ocr_sql}), 0)",
        [*clean_params, *ocr_params],
    )


# --- Plans --------------------------------------------------------------------------------
# Measured with bench/search.py (10k, 100k and 1M documents); see docs/performance.md.
#
# OCR variants. A word typed with å/ä/ö becomes up to 256 OCR spellings, most of which occur
# in no document. They cost on every row: ts_rank_cd's work grows faster than linearly with
# the number of operands (1,000 rows: 3.5 s with 196 spellings, 95 ms with the 26 that occur),
# and so do @@ and ts_headline. ``_present_variants`` keeps the spellings that occur, which
# changes no match, rank or headline: an operand that matches no lexeme contributes nothing.
#
# Candidates. Every list, count and facet of a search reads one *candidate set*: the newest
# RESULT_CAP + 1 public matches in (date, id) order. Two plans, and the statement measures
# which one pays instead of trusting the planner:
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

_CANDIDATE_COLUMNS = "document_id, date, board_id, kind, status"


@dataclass(frozen=True)
class _Candidate:
    pk: int
    date: datetime.date
    board_id: int
    kind: str
    status: str
    rank: float = 0.0


def _present_variants(parsed: search.ParsedQuery) -> dict[str, list[str]]:
    """For each word of the query expanded into OCR spellings: the spellings that occur.

    A spelling is kept when the vocabulary (cases_searchword: every lexeme of the public
    entries, kept current by services.index_document) has a word starting with its stem, so
    searching with the kept spellings finds, ranks and highlights exactly what the full
    expansion would. One statement, answered from the vocabulary's btree.
    """
    words = sorted({t.text for clause in parsed.clauses for t in clause if not t.phrase})
    expanded = {word: search.ocr_variants(word) for word in words}
    expanded = {word: spellings for word, spellings in expanded.items() if len(spellings) > 1}
    if not expanded:
        return {}
    rows = [(word, spelling) for word, spellings in expanded.items() for spelling in spellings]
    queries = [search._word_query(spelling, prefix=True) for _word, spelling in rows]
    config = search.SEARCH_CONFIG
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


def _phrase_pairs(parsed: search.ParsedQuery) -> tuple[list[str], list[str]] | None:
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
    texts = [*phrases, *(search.ocrfold(phrase) for phrase in phrases)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.n, u.lexeme, p.pos FROM unnest(%s::text[]) WITH ORDINALITY t(text, n), "
            f"unnest(to_tsvector('{search.SEARCH_CONFIG}', t.text)) u, "
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


def _where(filters: SearchFilters, *, skip: str = "") -> tuple[str, list]:
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


def _order_sql(oldest: bool) -> str:
    return "date, document_id" if oldest else "date DESC, document_id DESC"


def _gin_sql(
    parsed,
    variants,
    where: str,
    params: list,
    order: str,
    since: datetime.date | None = None,
    pairs: tuple[list[str], list[str]] | None = None,
) -> tuple[str, list]:
    """The public matches passing ``where`` in ``order``, read through the GIN indexes:
    ``cases_search_matches`` (migration 0006) plans only the index scans; with ``since`` (a
    lower date bound that ``where`` also holds) ``cases_search_matches_since`` (0010) ANDs
    them with the date index.

    A phrase or an exclusion needs the positions in the vector, which a GIN index does not
    hold, so it would recheck the vector of every entry with all the words. Instead the
    index is asked for the relaxed query (``tsquery_sql(relaxed=True)``, answered from the
    index alone), the filters and the order are applied, and the vectors are tested in that
    order: a LIMIT outside stops after enough matches. With ``pairs`` (``_phrase_pairs``)
    the pair index (migration 0012) answers instead: far fewer entries than those with all
    the words."""
    relaxed = parsed.needs_positions
    clean_sql, clean_params = search.tsquery_sql(parsed, ocr=False, relaxed=relaxed)
    ocr_sql, ocr_params = search.tsquery_sql(parsed, ocr=True, variants=variants, relaxed=relaxed)
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
    sql = f"SELECT {_CANDIDATE_COLUMNS} FROM {source} WHERE {where} ORDER BY {order}"
    params = [*source_params, *params]
    if relaxed:
        match_sql, match_params = _match_condition(parsed, variants)
        columns = ", ".join(f"r.{c.strip()}" for c in _CANDIDATE_COLUMNS.split(","))
        # OFFSET 0 in the lateral keeps one index lookup per row in date order; flattened,
        # the planner hash-joins a scan that tests the vector of every entry (44 -> 9 ms).
        sql = (
            f"SELECT {columns} FROM ({sql} OFFSET 0) r CROSS JOIN LATERAL ("
            "SELECT clean_vector, ocr_vector FROM cases_searchentry e "
            f"WHERE e.document_id = r.document_id OFFSET 0) v WHERE coalesce({match_sql}, false)"
        )
        params = [*params, *match_params]
    return sql, params


def _walk_sql(parsed, variants, where: str, params: list, order: str) -> tuple[str, list]:
    """The public matches passing ``where`` in ``order``, walking an ordered index: the
    filtered entries in order behind an OFFSET 0 fence (an ordered index scan, since the
    LIMIT outside asks for few rows), the vectors tested above it."""
    match_sql, match_params = _match_condition(parsed, variants)
    # coalesce() hides the test from the planner's selectivity estimate, which for these
    # tsqueries is off by orders of magnitude; the plan is fixed by the shape anyway, and a
    # sane estimate keeps the statement below jit_above_cost (JIT compiled for ~30 ms here).
    sql = (
        f"SELECT {_CANDIDATE_COLUMNS} FROM ("
        f"SELECT {_CANDIDATE_COLUMNS}, clean_vector, ocr_vector FROM cases_searchentry "
        f"WHERE {where} ORDER BY {order} OFFSET 0) walk WHERE coalesce({match_sql}, false)"
    )
    return sql, [*params, *match_params]


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


def _matches(
    parsed: search.ParsedQuery,
    filters: SearchFilters,
    *,
    limit: int,
    variants: dict | None = None,
    skip: str = "",
    oldest: bool = False,
    ranked: bool = False,
    pairs: tuple[list[str], list[str]] | None = None,
) -> list[_Candidate]:
    """The first ``limit`` public matches in date order (newest first unless ``oldest``),
    with their rank when ``ranked``: from the newest slice when it holds enough (every match
    outside it is older than every match in it), else from all entries."""
    options = {
        "limit": limit,
        "variants": variants,
        "skip": skip,
        "ranked": ranked,
        "pairs": pairs,
    }
    if parsed and not oldest:
        cutoff = _recent_cutoff(MIN_PHRASE_SLICE_ENTRIES if pairs else MIN_SLICE_ENTRIES)
        if cutoff is not None and (filters.date_from is None or filters.date_from < cutoff):
            recent = dataclasses.replace(filters, date_from=cutoff)
            rows = _matches_statement(parsed, recent, oldest=False, **options)
            if len(rows) >= limit:
                return rows
    return _matches_statement(parsed, filters, oldest=oldest, **options)


# The statistics change only when the table is analysed, and any cutoff gives the same
# results (a slice is used only when it holds enough): each process reads them at most once
# a minute per database (pg_stats is a view over several catalogs: 0.5 ms of every search).
CUTOFF_TTL_SECONDS = 60
_cutoff_cache: dict[tuple, tuple[float, datetime.date | None]] = {}


def _recent_cutoff(
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
    parsed: search.ParsedQuery,
    filters: SearchFilters,
    *,
    limit: int,
    variants: dict | None,
    skip: str,
    oldest: bool,
    ranked: bool,
    pairs: tuple[list[str], list[str]] | None = None,
) -> list[_Candidate]:
    """The first ``limit`` public matches in date order. One statement."""
    where, params = _where(filters, skip=skip)
    order = _order_sql(oldest)
    if not parsed:
        sql = (
            f"SELECT {_CANDIDATE_COLUMNS}, 0::real FROM cases_searchentry WHERE {where} "
            f"ORDER BY {order} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return [_Candidate(*row) for row in cursor.fetchall()]
    match_sql, match_params = _match_condition(parsed, variants)
    walk_sql, walk_params = _walk_sql(parsed, variants, where, params, order)
    since = None if oldest else filters.date_from
    gin_sql, gin_params = _gin_sql(parsed, variants, where, params, order, since, pairs)
    if parsed.needs_positions:
        # GIN reads the candidates and then tests their vectors: count the candidates in the
        # probe too. Through the pair index they are about the phrase matches; otherwise the
        # entries with all the words (the relaxed query).
        if pairs:
            relaxed_sql, relaxed_params = match_sql, match_params
        else:
            clean_sql, clean_params = search.tsquery_sql(parsed, ocr=False, relaxed=True)
            ocr_sql, ocr_params = search.tsquery_sql(
                parsed, ocr=True, variants=variants, relaxed=True
            )
            relaxed_sql = f"(clean_vector @@ ({clean_sql}) OR ocr_vector @@ ({ocr_sql}))"
            relaxed_params = [*clean_params, *ocr_params]
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
    if ranked:
        rank_sql, rank_params = _rank_expression(parsed, variants, table="e")
        sql = (
            f"SELECT c.*, (SELECT {rank_sql} FROM cases_searchentry e "
            f"WHERE e.document_id = c.document_id) FROM ({sql}) c"
        )
        params = [*rank_params, *params]
    else:
        sql = f"SELECT c.*, 0::real FROM ({sql}) c"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [_Candidate(*row) for row in cursor.fetchall()]
    # The statement returns the rows in order; sorting again costs nothing and makes the
    # order independent of the plan.
    rows.sort(key=_date_key, reverse=not oldest)
    return rows


def _date_key(candidate: _Candidate):
    return (candidate.date, candidate.pk)


def _by_rank(candidates: list[_Candidate]) -> list[_Candidate]:
    """Relevance order: rank, then newest (ORDER BY rank DESC, date DESC, id DESC)."""
    return sorted(candidates, key=lambda c: (c.rank, c.date, c.pk), reverse=True)


def result_ids(
    *, query: str, filters: SearchFilters, sort: str = SORT_RELEVANCE, chunk_size: int = 2000
):
    """Every document id of a search result, in the order the search page shows them.

    For relevance order the ranked candidates come first (exactly the search page's order)
    and the hits beyond them follow newest first. Streams through a server-side cursor.
    """
    query, filters = _dnr_query(query, filters)
    parsed = search.parse_query(query)
    variants = _present_variants(parsed) if parsed else {}
    pairs = _phrase_pairs(parsed)
    where, params = _where(filters)
    oldest = sort == SORT_OLDEST
    if sort == SORT_RELEVANCE and parsed:
        newest = _matches(
            parsed, filters, limit=RESULT_CAP + 1, variants=variants, ranked=True, pairs=pairs
        )
        yield from (c.pk for c in _by_rank(newest[:RESULT_CAP]))
        if len(newest) <= RESULT_CAP:
            return
        # the rest: everything older than the ranked candidates, newest first
        last = newest[RESULT_CAP - 1]
        where = f"{where} AND (date, document_id) < (%s, %s)"
        params = [*params, last.date, last.pk]
    order = _order_sql(oldest)
    if parsed:
        # Every match is read: through GIN that is one index entry each, where the walk would
        # test the vector of every filtered entry.
        sql, params = _gin_sql(parsed, variants, where, params, order, pairs=pairs)
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
    query, filters = _dnr_query(query, filters)
    parsed = search.parse_query(query)
    where, params = _where(filters)
    if parsed:
        # Counting reads every match: through GIN that is one index entry each.
        sql, params = _gin_sql(
            parsed, None, where, params, "document_id", pairs=_phrase_pairs(parsed)
        )
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
)


def search_documents(
    *, query: str, filters: SearchFilters, sort: str = SORT_RELEVANCE, page: int = 1
) -> SearchResults:
    """Public full-text search over documents (and their case and attachments).

    Only ``public`` entries are ever read, so results, counts, facets, snippets and
    suggestions follow the same visibility rule. The list, the total (exact up to
    RESULT_CAP), the facets and the relevance ranking all come from one candidate set, the
    newest RESULT_CAP + 1 matches; a facet whose own filter is active is counted over the
    candidates without that filter.
    """
    words, filters = _dnr_query(query, filters)
    parsed = search.parse_query(words)
    variants = _present_variants(parsed) if parsed else {}
    pairs = _phrase_pairs(parsed)
    relevance = sort == SORT_RELEVANCE and bool(parsed)
    newest = _matches(
        parsed, filters, limit=RESULT_CAP + 1, variants=variants, ranked=relevance, pairs=pairs
    )
    total, capped = min(len(newest), RESULT_CAP), len(newest) > RESULT_CAP
    estimate = None
    if capped:
        estimate = estimates.estimate_total(len(newest), newest[-1].date, table="cases_searchentry")
    newest = newest[:RESULT_CAP]
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    offset = (page - 1) * PAGE_SIZE

    if relevance:
        ordered = _by_rank(newest)
    elif sort == SORT_OLDEST and capped:
        ordered = _matches(
            parsed, filters, limit=offset + PAGE_SIZE, variants=variants, oldest=True, pairs=pairs
        )
    elif sort == SORT_OLDEST:
        ordered = newest[::-1]
    else:
        ordered = newest
    page_ids = [c.pk for c in ordered[offset : offset + PAGE_SIZE]]

    documents = Document.objects.select_related("case", "case__board").only(*HIT_FIELDS)
    documents = documents.in_bulk(page_ids)
    if parsed:
        passages = snippets.page_snippets(page_ids, parsed, variants)
    elif filters.dnr:
        passages = {
            pk: snippets.Snippet(text)
            for pk, text in _reference_snippets(page_ids, filters.dnr).items()
        }
    else:
        passages = {}
    hits = [
        SearchHit(documents[pk], passages[pk].text, passages[pk].raw)
        if pk in passages
        else SearchHit(documents[pk])
        for pk in page_ids
        if pk in documents
    ]

    def facet_set(field_name: str) -> list[_Candidate]:
        if getattr(filters, field_name):
            return _matches(
                parsed, filters, limit=RESULT_CAP, variants=variants, skip=field_name, pairs=pairs
            )
        return newest

    facets = {
        "board": _board_facet(facet_set("board"), filters),
        "kind": _choice_facet(facet_set("kind"), "kind", DocumentKind, filters.kind),
        "status": _choice_facet(facet_set("status"), "status", CaseStatus, filters.status),
    }
    results = SearchResults(
        query=query,
        hits=hits,
        total=total,
        total_capped=capped,
        page=page,
        pages=pages,
        facets=facets,
        total_estimate=estimate,
    )
    if parsed:
        results.case_hits, results.case_total, results.case_total_capped = case_hits(
            parsed, filters, variants=variants
        )
    if total == 0 and not results.case_hits:
        if filters.active:
            unfiltered = _matches(
                parsed,
                filters.without_user_filters(),
                limit=RESULT_CAP + 1,
                variants=variants,
                pairs=pairs,
            )
            results.unfiltered_total = min(len(unfiltered), RESULT_CAP)
        if not results.unfiltered_total:
            results.suggestion = suggest_spelling(parsed)
    return results


CASE_HITS = 5


def case_hits(
    parsed: search.ParsedQuery,
    filters: SearchFilters,
    *,
    variants: dict | None = None,
    limit: int = CASE_HITS,
) -> tuple[list[Case], int, bool]:
    """The cases whose own (public) title matches the query, most relevant first: the best
    ``limit``, how many matched (exact up to case_search.EXACT_LIMIT, else an estimate) and
    whether the number is an estimate. See cases/case_search.py."""
    from .case_search import best_cases  # case_search reads this module's helpers

    if not parsed:
        return [], 0, False
    found = best_cases(parsed, filters, variants=variants, limit=limit)
    return found.cases, found.total, found.estimated


def _facet_counts(candidates: list[_Candidate], field_name: str) -> dict:
    counts: dict = {}
    attribute = "board_id" if field_name == "board" else field_name
    for candidate in candidates:
        value = getattr(candidate, attribute)
        counts[value] = counts.get(value, 0) + 1
    return counts


def _board_facet(candidates: list[_Candidate], filters: SearchFilters) -> list[FacetValue]:
    counts = _facet_counts(candidates, "board")
    if not counts:
        return []
    boards = Board.objects.filter(pk__in=list(counts)).order_by("name")
    selected = filters.board.pk if filters.board else None
    return [
        FacetValue(slug, short_name, counts[pk], pk == selected)
        for pk, slug, short_name in boards.values_list("pk", "slug", "short_name")
    ]


def _choice_facet(candidates: list[_Candidate], field_name, choices, selected: str):
    counts = _facet_counts(candidates, field_name)
    return [
        FacetValue(value, label, counts[value], value == selected)
        for value, label in choices.choices
        if counts.get(value)
    ]


SNIPPET_CONTEXT = 120


def _reference_snippets(page_ids: list[int], target: DnrTarget) -> dict[int, str]:
    """For a dnr search: the text around the first place each document mentions the number
    (or, for the case's own documents, nothing)."""
    if not page_ids:
        return {}
    sql = (
        "SELECT DISTINCT ON (r.source_id) r.source_id, "
        "substr(d.full_text, greatest(1, r.start + 1 - %s), least(r.start, %s)), "
        "substr(d.full_text, r.start + 1, r.end - r.start), "
        "substr(d.full_text, r.end + 1, %s) "
        "FROM cases_reference r JOIN cases_document d ON d.id = r.source_id "
        "WHERE r.source_id = ANY(%s) AND r.start IS NOT NULL "
        "AND (r.target_id = ANY(%s) OR r.dnr_key = ANY(%s)) ORDER BY r.source_id, r.start"
    )
    params = [
        SNIPPET_CONTEXT,
        SNIPPET_CONTEXT,
        SNIPPET_CONTEXT,
        page_ids,
        list(target.case_ids),
        list(target.keys),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            pk: f"… {' '.join(before.split())} {HEADLINE_START}{' '.join(raw.split())}"
            f"{HEADLINE_STOP} {' '.join(after.split())} …"
            for pk, before, raw, after in cursor.fetchall()
        }


def suggest_spelling(parsed: search.ParsedQuery) -> str | None:
    """Real words close to the query that find something, for a query that found nothing
    (cases/suggest.py)."""
    from .suggest import suggest  # suggest searches through this module

    return suggest(parsed)


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

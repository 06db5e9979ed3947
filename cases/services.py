"""Writes to the register. Each service is atomic and keyword-only."""

import dataclasses
import datetime
import functools
import pathlib
import re
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from . import dnr as dnrlib
from . import personal_data, search
from .importers import metadata, pdf, text_pack
from .importers.model import PROVISIONAL_PREFIX
from .importers.quality import load_wordlist
from .models import (
    AgendaItem,
    Board,
    BoardKind,
    Case,
    CaseAlias,
    CaseStatus,
    CaseStatusChange,
    Decision,
    DnrSeries,
    Document,
    Meeting,
    PersonalDataFinding,
    Reference,
    ReferenceStatus,
    SearchEntry,
)
from .queries import board_catalogue, boards_by_short_name


class RegisterError(ValueError):
    """A registration that the register's rules refuse; the message is Swedish."""


@transaction.atomic
def register_case(
    *,
    board: Board,
    dnr: str,
    title: str,
    registered_on: datetime.date,
    class_code: str = "",
    officer: str = "",
    aliases: tuple[str, ...] = (),
    changed_by: str = "",
) -> Case:
    """Register a case under an existing number, or return it if it is already registered."""
    parsed = _parse_for_board(dnr, board=board)
    case = Case.objects.filter(board=board, dnr_key=parsed.key).first()
    if case is None:
        case = Case.objects.create(
            board=board,
            dnr=dnr.strip(),
            dnr_key=parsed.key,
            dnr_year=parsed.year,
            dnr_number=parsed.number,
            title=title.strip(),
            registered_on=registered_on,
            class_code=class_code,
            officer=officer,
        )
        CaseStatusChange.objects.create(
            case=case, from_status="", to_status=case.status, changed_by=changed_by
        )
        index_case(case=case)
    for alias in aliases:
        add_case_alias(case=case, dnr=alias)
    resolve_pending_references(case=case)
    return case


@transaction.atomic
def add_case_alias(*, case: Case, dnr: str) -> CaseAlias:
    parsed = _parse_for_board(dnr, board=case.board)
    alias, _created = CaseAlias.objects.get_or_create(
        case=case, dnr_key=parsed.key, defaults={"dnr": dnr.strip()}
    )
    resolve_pending_references(case=case)
    return alias


@transaction.atomic
def change_case_status(
    *, case: Case, status: str, changed_by: str = "", note: str = ""
) -> CaseStatusChange:
    if status not in CaseStatus.values:
        raise RegisterError(f"Okänd status ”{status}”.")
    if status == CaseStatus.CANCELLED and not note.strip():
        raise RegisterError("Makulering kräver ett skäl.")
    case = Case.objects.select_for_update().get(pk=case.pk)
    change = CaseStatusChange.objects.create(
        case=case, from_status=case.status, to_status=status, changed_by=changed_by, note=note
    )
    case.status = status
    if status == CaseStatus.CANCELLED:
        case.cancelled_reason = note.strip()
    case.save(update_fields=["status", "cancelled_reason", "updated_at"])
    index_case(case=case)
    return change


@transaction.atomic
def add_document(*, case: Case, title: str, kind: str, **fields) -> Document:
    """Add a handling with the next sequence number of its case and record its references."""
    # Lock the case row so two registrators adding handlings get consecutive numbers.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    last = case.documents.aggregate(last=Max("sequence"))["last"] or 0
    document = Document.objects.create(
        case=case, sequence=last + 1, title=title.strip(), kind=kind, **fields
    )
    record_references(document=document)
    return document


@transaction.atomic
def record_references(*, document: Document) -> list[Reference]:
    """Turn the dnr mentioned in a document's text into Reference rows (replacing old ones)."""
    case = document.case
    own_keys = {case.dnr_key, *case.aliases.values_list("dnr_key", flat=True)}
    boards = boards_by_short_name()
    matches = dnrlib.find_dnrs(
        document.full_text, board=case.board.short_name, boards=board_catalogue()
    )
    # Only the references read from the text are replaced; those a registrator added by hand
    # (no span in the text) stay.
    document.references.filter(start__isnull=False).delete()
    references = []
    for match in matches:
        if match.dnr.case_dnr.key in own_keys:
            continue
        reference = Reference(
            source=document,
            raw=match.raw[:120],
            dnr_key=match.dnr.case_dnr.key,
            display=match.dnr.case_dnr.display,
            start=match.start,
            end=match.end,
            board=_reference_board(match.board, boards),
            relation=match.relation or "",
        )
        _resolve(reference)
        references.append(reference)
    Reference.objects.bulk_create(references)
    return references


def _reference_board(label: str | None, boards: dict[str, Board]) -> Board | None:
    """The register's board for the owner the dnr engine named; a body outside the city
    (Länsstyrelsen, JO, ...) is added as a board of the external kind the first time a
    document quotes one of its numbers."""
    if not label:
        return None
    if label not in boards and label in dnrlib.EXTERNAL_BY_SHORT_NAME:
        body = dnrlib.EXTERNAL_BY_SHORT_NAME[label]
        boards[label], _created = Board.objects.get_or_create(
            short_name=body.short_name,
            defaults={
                "name": body.name,
                "slug": slugify(body.short_name),
                "kind": BoardKind.EXTERNAL,
            },
        )
    return boards.get(label)


@transaction.atomic
def add_manual_reference(*, document: Document, target: Case, relation: str = "") -> Reference:
    """A reference a registrator adds by choosing the referenced case (any board)."""
    reference, _created = Reference.objects.update_or_create(
        source=document,
        start=None,
        target=target,
        defaults={
            "raw": target.dnr,
            "display": target.dnr_key,
            "dnr_key": target.dnr_key,
            "board": target.board,
            "relation": relation,
            "status": ReferenceStatus.RESOLVED,
        },
    )
    return reference


def _resolve(reference: Reference) -> None:
    target = find_case_by_key(key=reference.dnr_key, board=reference.board)
    if target is not None:
        reference.status = ReferenceStatus.RESOLVED
        reference.target = target
        reference.suspected_target = None
        return
    reference.target = None
    reference.suspected_target = _near_miss(reference)
    reference.status = (
        ReferenceStatus.NEAR_MISS if reference.suspected_target else ReferenceStatus.UNRESOLVED
    )


def _near_miss(reference: Reference) -> Case | None:
    parsed = dnrlib.try_parse_dnr(reference.dnr_key)
    if parsed is None:
        return None
    prefixes = {p for b in Board.objects.all() for p in b.dnr_prefixes}
    keys = dnrlib.near_miss_keys(parsed, prefixes)
    if not keys:
        return None
    return Case.objects.filter(dnr_key__in=list(keys)).order_by("pk").first()


def find_case_by_key(*, key: str, board: Board | None = None) -> Case | None:
    """The case with this normalised number (directly or through an alias), if registered."""
    match = Q(dnr_key=key) | Q(aliases__dnr_key=key)
    cases = Case.objects.filter(match).distinct().order_by("pk")
    if board is not None:
        at_board = cases.filter(board=board).first()
        if at_board is not None:
            return at_board
        parsed = dnrlib.try_parse_dnr(key)
        # A prefixed number names its board itself; a classification number does not, so it
        # only resolves at the board the text attributed it to.
        if parsed is None or parsed.prefix is None:
            return None
    return cases.first()


@transaction.atomic
def resolve_pending_references(*, case: Case) -> int:
    """Link references that waited for this case (registered later, or an alias added)."""
    keys = {case.dnr_key, *case.aliases.values_list("dnr_key", flat=True)}
    pending = Reference.objects.filter(dnr_key__in=keys).exclude(status=ReferenceStatus.RESOLVED)
    count = 0
    for reference in pending.select_related("board"):
        _resolve(reference)
        if reference.status == ReferenceStatus.RESOLVED:
            reference.save(update_fields=["status", "target", "suspected_target"])
            count += 1
    return count


def parse_case_dnr(text: str, *, board: Board) -> dnrlib.Dnr:
    """A number as a case number of the board's register (RegisterError if it is not)."""
    return _parse_for_board(text, board=board)


def _parse_for_board(text: str, *, board: Board) -> dnrlib.Dnr:
    """Parse a number for a board's register, refusing another board's series (a provisional
    ``PREL`` number of the importer belongs to every board)."""
    default_prefix = board.dnr_prefixes[0] if board.dnr_prefixes else None
    try:
        parsed = dnrlib.parse_dnr(text, default_prefix=default_prefix).case_dnr
    except dnrlib.DnrError as error:
        raise RegisterError(str(error)) from error
    own_series = {*board.dnr_prefixes, PROVISIONAL_PREFIX}
    if parsed.prefix and board.dnr_prefixes and parsed.prefix not in own_series:
        raise RegisterError(
            f"Diarienumret {parsed.display} hör inte till {board.name}s serie "
            f"({', '.join(board.dnr_prefixes)})."
        )
    return parsed


# --- Search index ------------------------------------------------------------------------


def _vector_parts(document: Document) -> dict[str, str]:
    """The text indexed for a document, by weight. Personnummer are masked first so a search
    for one can never confirm that a document contains it."""
    case = document.case
    attachments = " ".join(a.text for a in document.attachments.all() if a.is_public)
    parts = {
        # Display titles: a protected title must not be findable by its words.
        "a": f"{document.display_title}\n{case.display_title}",
        "b": f"{case.dnr} {case.dnr_key}\n{document.summary}\n{document.proposal}",
        "c": document.clean_text or document.full_text,
        "d": attachments,
    }
    return {weight: personal_data.mask_personal_numbers(text) for weight, text in parts.items()}


@functools.cache
def _folded_wordlist() -> frozenset[str]:
    # Dictionary words hold no OCR glyphs, so plain diacritic folding equals ocrfold here.
    return frozenset(search.fold_diacritics(word) for word in load_wordlist())


def _is_word(word: str) -> bool:
    return word in load_wordlist()


def _is_folded_word(word: str) -> bool:
    return word in _folded_wordlist()


def _with_compounds(text: str, *, ocr: bool) -> str:
    is_word = _is_folded_word if ocr else _is_word
    folded = search.ocrfold(text) if ocr else text
    return f"{folded}\n{search.compound_parts(folded, is_word)}"


@transaction.atomic
def index_document(*, document: Document) -> None:
    """Write the document's row in the search table (both vectors, visibility, facets)."""
    document = (
        Document.objects.select_related("case", "case__board")
        .prefetch_related("attachments")
        .get(pk=document.pk)
    )
    case = document.case
    ocr = document.text_source == Document.TextSource.OCR
    parts = {k: _with_compounds(v, ocr=ocr) for k, v in _vector_parts(document).items()}
    vector_sql = search.weighted_vector_sql([("A", "a"), ("B", "b"), ("C", "c"), ("D", "d")])
    public = document.is_public and not case.is_cancelled
    old_words = _public_words(document.pk)
    entry, _created = SearchEntry.objects.update_or_create(
        document=document,
        defaults={
            "case": case,
            "board": case.board,
            "kind": document.kind,
            "status": case.status,
            "date": document.document_date or case.registered_on,
            "public": public,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE cases_searchentry SET clean_vector = {'NULL' if ocr else vector_sql}, "
            f"ocr_vector = {vector_sql if ocr else 'NULL'} WHERE document_id = %(id)s",
            {**parts, "id": document.pk},
        )
    _update_vocabulary(document.pk, old_words)


# The vocabulary (SearchWord) holds every lexeme of the public entries. The search asks it
# which OCR spellings of a word occur (queries._present_variants) and takes spelling
# suggestions from it, so index_document keeps it current instead of a full rebuild: it adds
# the words of a public entry, and drops the words an entry no longer shows the public (it
# became confidential, a title was protected, an attachment was made secret) unless another
# public entry has them. A suggestion never reveals a word of a confidential document.
_PUBLIC_WORDS = (
    "SELECT DISTINCT lexeme FROM cases_searchentry e, "
    "unnest(coalesce(e.clean_vector, e.ocr_vector)) u WHERE e.document_id = %s AND e.public "
    "AND length(lexeme) <= 100 AND position(chr(92) in lexeme) = 0"
)


def _public_words(document_id: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(_PUBLIC_WORDS, [document_id])
        return [row[0] for row in cursor.fetchall()]


def _update_vocabulary(document_id: int, old_words: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_searchword (word, documents) SELECT lexeme, 1 FROM "
            f"({_PUBLIC_WORDS}) mine ON CONFLICT (word) DO NOTHING",
            [document_id],
        )
        if not old_words:
            return
        cursor.execute(
            "DELETE FROM cases_searchword w USING ("
            f" SELECT unnest(%s::text[]) AS lexeme EXCEPT {_PUBLIC_WORDS}) gone "
            "WHERE w.word = gone.lexeme AND NOT EXISTS ("
            " SELECT 1 FROM cases_searchentry p WHERE p.public AND ("
            "  p.clean_vector @@ quote_literal(gone.lexeme)::tsquery"
            "  OR p.ocr_vector @@ quote_literal(gone.lexeme)::tsquery)) "
            "AND NOT EXISTS ("
            " SELECT 1 FROM cases_casesearchentry c WHERE c.public AND ("
            "  c.vector @@ quote_literal(gone.lexeme)::tsquery"
            "  OR c.ocr_vector @@ quote_literal(gone.lexeme)::tsquery))",
            [old_words, document_id],
        )


def reindex_case(*, case: Case) -> None:
    """Reindex a case and every document of it (its title, status or visibility changed)."""
    index_cases([case.pk])
    for document in case.documents.all():
        index_document(document=document)


def index_case(*, case: Case) -> None:
    index_cases([case.pk])


def index_cases(case_ids) -> None:
    """Write the cases' rows in the case search table (CaseSearchEntry): the public title
    with its compound parts, the board, status, registration date and whether the public
    sees the case (not cancelled). One statement for any number of cases."""
    cases = Case.objects.filter(pk__in=list(case_ids)).only(
        "pk",
        "board_id",
        "status",
        "registered_on",
        "title",
        "public_title",
        "title_protected",
        "title_from_ocr",
    )
    rows = []
    for case in cases:
        # a protected title is replaced by its public form, which a registrator typed
        ocr = case.title_from_ocr and not case.title_protected
        title = _with_compounds(search.split_slashes(case.display_title), ocr=ocr)
        rows.append(
            (
                case.pk,
                case.board_id,
                case.status,
                case.registered_on,
                not case.is_cancelled,
                None if ocr else title,
                title if ocr else None,
            )
        )
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_casesearchentry "
            "(case_id, board_id, status, date, public, vector, ocr_vector) "
            f"SELECT t.id, t.board, t.status, t.date, t.public, "
            f"setweight(to_tsvector('{search.SEARCH_CONFIG}', t.title), 'A'), "
            f"setweight(to_tsvector('{search.SEARCH_CONFIG}', t.ocr_title), 'A') "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::date[], %s::bool[], "
            "%s::text[], %s::text[]) AS t(id, board, status, date, public, title, ocr_title) "
            "ON CONFLICT (case_id) DO UPDATE SET board_id = excluded.board_id, "
            "status = excluded.status, date = excluded.date, public = excluded.public, "
            "vector = excluded.vector, ocr_vector = excluded.ocr_vector",
            [list(column) for column in columns],
        )
        # The vocabulary holds the public titles' words too (the search keeps the OCR
        # spellings that occur in it); a protected title is indexed by its public form only.
        cursor.execute(CASE_WORDS, [[row[0] for row in rows]])


CASE_WORDS = (
    "INSERT INTO cases_searchword (word, documents) SELECT DISTINCT lexeme, 1 "
    "FROM cases_casesearchentry e, unnest(coalesce(e.vector, e.ocr_vector)) u "
    "WHERE e.case_id = ANY(%s) AND e.public "
    "AND length(lexeme) <= 100 AND position(chr(92) in lexeme) = 0 "
    "ON CONFLICT (word) DO NOTHING"
)


@transaction.atomic
def rebuild_search_vocabulary() -> int:
    """Rebuild the vocabulary from the public search entries only, with exact document
    counts (index_document keeps it current between rebuilds)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_searchword")
        cursor.execute(
            "INSERT INTO cases_searchword (word, documents) "
            "SELECT word, max(ndoc) FROM ("
            " SELECT word, ndoc FROM ts_stat("
            "  'SELECT clean_vector FROM cases_searchentry WHERE public AND clean_vector IS NOT NULL')"
            " UNION ALL"
            " SELECT word, ndoc FROM ts_stat("
            "  'SELECT ocr_vector FROM cases_searchentry WHERE public AND ocr_vector IS NOT NULL')"
            " UNION ALL"
            " SELECT word, ndoc FROM ts_stat("
            "  'SELECT coalesce(vector, ocr_vector) FROM cases_casesearchentry WHERE public')"
            ") words WHERE length(word) <= 100 AND position(chr(92) in word) = 0 "
            "GROUP BY word"
        )
        return cursor.rowcount


# --- Registration by registrators ----------------------------------------------------------

OSL_REFERENCE = re.compile(
    r"^\d{1,2} kap\. \d{1,2}(?: [a-z])? §(?: (?:första|andra|tredje|fjärde) stycket)?$"
)
COUNTERPART_MISSING = "saknas"


def normalise_osl_reference(text: str) -> str:
    """'26 kap 1§', 'OSL 26:1', '26:1 OSL', '26 kap. 1 § OSL' → '26 kap. 1 §';
    RegisterError if unreadable."""
    cleaned = " ".join(text.replace("§", " § ").split())
    if not cleaned:
        raise RegisterError("Ange sekretessparagrafen i OSL, t.ex. ”26 kap. 1 §”.")
    law = r"(?:osl|offentlighets- och sekretesslagen(?: \(2009:400\))?)"
    cleaned = re.sub(rf"(?i)^{law}\s*", "", cleaned)
    cleaned = re.sub(rf"(?i),?\s*{law}$", "", cleaned)
    short = re.fullmatch(r"(\d{1,2})\s*:\s*(\d{1,2})", cleaned)
    if short:
        cleaned = f"{short.group(1)} kap. {short.group(2)} §"
    cleaned = re.sub(r"(?i)(\d{1,2})\s*kap\.?\s*", r"\1 kap. ", cleaned)
    cleaned = re.sub(r"(\d{1,2}(?: [a-z])?)\s*§", r"\1 §", cleaned).strip()
    if not OSL_REFERENCE.match(cleaned):
        raise RegisterError(
            f"Sekretessparagrafen ”{text}” ska skrivas som kapitel och paragraf i OSL, "
            "t.ex. ”26 kap. 1 §”."
        )
    return cleaned


@transaction.atomic
def allocate_dnr(*, board: Board, year: int) -> str:
    """The next number in the board's series for the year: HV 2026/1, HV 2026/2, ...

    The series row is locked (SELECT ... FOR UPDATE) so concurrent registrations queue up;
    numbers already in the register (imported) are never handed out again.
    """
    if not board.dnr_prefixes:
        raise RegisterError(
            f"{board.name} har inget diarieprefix. Ange ett prefix för nämnden först."
        )
    prefix = board.dnr_prefixes[0]
    DnrSeries.objects.bulk_create([DnrSeries(board=board, year=year)], ignore_conflicts=True)
    series = DnrSeries.objects.select_for_update().get(board=board, year=year)
    highest_registered = (
        Case.objects.filter(board=board, dnr_year=year, dnr_key__startswith=f"{prefix} ").aggregate(
            highest=Max("dnr_number")
        )["highest"]
        or 0
    )
    series.last_number = max(series.last_number, highest_registered) + 1
    series.save(update_fields=["last_number"])
    return f"{prefix} {year}/{series.last_number}"


@transaction.atomic
def register_new_case(
    *,
    board: Board,
    title: str,
    document_kind: str,
    document_title: str,
    document_date: datetime.date,
    direction: str,
    counterpart: str,
    registered_by: str = "",
    registered_on: datetime.date | None = None,
    class_code: str = "",
    officer: str = "",
    confidential: bool = False,
    osl_reference: str = "",
    title_protected: bool = False,
    public_title: str = "",
) -> Case:
    """Register a new case with its first handling, allocating the next dnr.

    OSL 5 kap. 2 §: the registration holds the date the handling arrived or was drawn up,
    the sender or recipient (or an explicit "saknas") and a short description.
    """
    title = title.strip()
    counterpart = counterpart.strip()
    if not title:
        raise RegisterError("Ange en kort beskrivning av ärendet (ärendemening).")
    if not counterpart:
        raise RegisterError("Ange avsändare eller mottagare, eller skriv ”saknas”.")
    if document_date is None:
        raise RegisterError("Ange datum då handlingen kom in eller upprättades.")
    if confidential:
        osl_reference = normalise_osl_reference(osl_reference)
    registered_on = registered_on or timezone.localdate()
    dnr = allocate_dnr(board=board, year=registered_on.year)
    case = register_case(
        board=board,
        dnr=dnr,
        title=title,
        registered_on=registered_on,
        class_code=class_code,
        officer=officer,
        changed_by=registered_by,
    )
    if title_protected:
        case.title_protected = True
        case.public_title = public_title.strip()
        case.save(update_fields=["title_protected", "public_title", "updated_at"])
        index_case(case=case)
    document = add_document(
        case=case,
        title=document_title.strip() or title,
        kind=document_kind,
        document_date=document_date,
        direction=direction,
        counterpart=counterpart,
        officer=officer,
        confidential=confidential,
        osl_reference=osl_reference,
    )
    index_document(document=document)
    return case


def find_possible_duplicates(
    *, board: Board, title: str, counterpart: str, document_date: datetime.date, days: int = 7
) -> list[Case]:
    """Cases of the board with the same title and sender registered within ``days`` days."""
    window = datetime.timedelta(days=days)
    documents = Document.objects.filter(
        case__board=board,
        case__title__iexact=title.strip(),
        document_date__range=(document_date - window, document_date + window),
    )
    if counterpart and counterpart != COUNTERPART_MISSING:
        documents = documents.filter(counterpart__iexact=counterpart.strip())
    return list(Case.objects.filter(pk__in=documents.values("case_id")).order_by("dnr_key"))


def personal_number_warnings(text: str) -> list[str]:
    """Warnings for a registrator when free text holds a personnummer."""
    return [
        f"Texten innehåller ett personnummer ({masked}). Personnummer får inte publiceras."
        for masked in _masked_personal_numbers(text)
    ]


@transaction.atomic
def add_open_cases_to_agenda(*, meeting: Meeting) -> int:
    """Put the board's open cases that are not yet on this agenda last on it."""
    on_agenda = meeting.items.values("case_id")
    cases = (
        Case.objects.filter(board=meeting.board, status=CaseStatus.OPEN)
        .exclude(pk__in=on_agenda)
        .order_by("dnr_year", "dnr_number")
    )
    number = meeting.items.aggregate(last=Max("number"))["last"] or 0
    added = 0
    for case in cases:
        number += 1
        AgendaItem.objects.create(meeting=meeting, number=number, title=case.title, case=case)
        added += 1
    return added


@transaction.atomic
def record_decision(
    *, case: Case, meeting: Meeting | None, decided_on: datetime.date, text: str
) -> Decision:
    """Record a decision with the next § of the board's minutes for the year.

    § numbers run per board and year; the board's series row is locked so two secretaries
    never get the same §.
    """
    board = meeting.board if meeting else case.board
    year = decided_on.year
    DnrSeries.objects.bulk_create([DnrSeries(board=board, year=year)], ignore_conflicts=True)
    DnrSeries.objects.select_for_update().get(board=board, year=year)
    last = Decision.objects.filter(board=board, year=year).aggregate(last=Max("section"))["last"]
    return Decision.objects.create(
        case=case,
        meeting=meeting,
        board=board,
        year=year,
        section=(last or 0) + 1,
        decided_on=decided_on,
        text=text,
    )


def _masked_personal_numbers(text: str) -> list[str]:
    return [
        finding.masked
        for finding in personal_data.find_personal_data(text)
        if finding.kind == "personnummer"
    ]


# --- Roles ---------------------------------------------------------------------------------

# What each role's work needs. A registrator registers cases, handlings and bilagor, adds
# aliases and references to any board's case (on the document page), and reads the meetings
# and decisions the cases went to; a nämndsekreterare keeps meetings, agendas and decisions
# and reads the cases, handlings and bilagor they are about. Which boards they act on is
# decided per object by their memberships (queries.is_member), not by these permissions.
ROLE_GROUPS = {
    "registrator": (
        "Registrator",
        {
            "case": ("add", "change", "view"),
            "casealias": ("add", "change", "view"),
            "document": ("add", "change", "view"),
            "attachment": ("add", "change", "view"),
            "reference": ("add", "view"),
            "personaldatafinding": ("change", "view"),
            "casestatuschange": ("view",),
            "dnrseries": ("view",),
            "board": ("view",),
            "meeting": ("view",),
            "agendaitem": ("view",),
            "decision": ("view",),
        },
    ),
    "namndsekreterare": (
        "Nämndsekreterare",
        {
            "meeting": ("add", "change", "view"),
            "agendaitem": ("add", "change", "view"),
            "decision": ("add", "change", "view"),
            "case": ("view",),
            "casealias": ("view",),
            "casestatuschange": ("view",),
            "document": ("view",),
            "attachment": ("view",),
            "reference": ("view",),
            "board": ("view",),
        },
    ),
}


@transaction.atomic
def ensure_role_permissions(*, user) -> None:
    """Put a staff member in the permission groups of the roles they hold at any board.

    Which boards they may act on is decided per object by their board memberships.
    """
    from django.contrib.auth.models import Group, Permission

    roles = set(user.board_memberships.values_list("role", flat=True))
    for role, (group_name, model_perms) in ROLE_GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        # The groups hold exactly what ROLE_GROUPS says, also after an upgrade changed it.
        codenames = [
            f"{action}_{model}" for model, actions in model_perms.items() for action in actions
        ]
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        )
        if role in roles:
            user.groups.add(group)
        else:
            user.groups.remove(group)


# --- Import --------------------------------------------------------------------------------
# Meeting packs and single documents (OCR'd text, typed text, PDF) are parsed by
# ``cases.importers`` (pure Python) and written here, one file per transaction: a file that
# fails halfway leaves the register as it was. A re-import updates the same rows in place
# (cases, documents and attachments can never be deleted).

IMPORT_FIELDS = (
    "document_date",
    "direction",
    "counterpart",
    "officer",
    "summary",
    "full_text",
    "clean_text",
    "text_source",
    "ocr_quality",
    "proposal",
    "meeting_date",
    "officer_phone",
    "signatories",
    "attachment_list",
    "attested_by",
    "source_file",
    "source_start",
    "source_end",
)


@dataclasses.dataclass
class ImportResult:
    """What one imported file changed; ``warnings`` are Swedish, for the summary."""

    source_file: str
    cases_created: int = 0
    cases_updated: int = 0
    documents_created: int = 0
    documents_updated: int = 0
    references_created: int = 0
    references_removed: int = 0
    findings: int = 0
    meeting: Meeting | None = None
    agenda_items: int = 0
    documents_by_kind: dict[str, int] = dataclasses.field(default_factory=dict)
    warnings: list[str] = dataclasses.field(default_factory=list)
    retitled_cases: set[int] = dataclasses.field(default_factory=set)
    new_case_ids: set[int] = dataclasses.field(default_factory=set)


def find_board(value: str) -> Board | None:
    """A board by name, short name, slug or dnr prefix, ignoring case."""
    value = value.strip()
    query = (
        Q(name__iexact=value)
        | Q(short_name__iexact=value)
        | Q(slug__iexact=value)
        | Q(dnr_prefixes__contains=[value.upper()])
    )
    return Board.objects.filter(query).order_by("pk").first()


@transaction.atomic
def import_file(
    *,
    path: pathlib.Path,
    board: Board,
    source_file: str,
    meeting_date: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import one .txt or .pdf file; ``source_file`` is the name stored on every row."""
    suffix = path.suffix.lower()
    catalogue = board_catalogue()
    if suffix == ".pdf":
        content = pdf.read_pdf(path.read_bytes())
        if content.text_source == "none":
            return _import_scan(content, board=board, source_file=source_file, path=path)
        text, forced_source = content.text, Document.TextSource.TEXT_LAYER
    else:
        text, forced_source = _read_text(path), None
    pack = text_pack.parse_text_pack(
        text,
        board=board.short_name,
        boards=catalogue,
        meeting_date=meeting_date,
        source_name=source_file,
    )
    if forced_source:
        for document in pack.documents:
            document.text_source = forced_source
    return import_parsed_pack(pack=pack, source_file=source_file, progress=progress)


def _read_text(path: pathlib.Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older exports from Windows tools: Latin-1/cp1252 has a character for every byte.
        return data.decode("cp1252", errors="replace")


@transaction.atomic
def import_parsed_pack(
    *, pack, source_file: str, progress: Callable[[str], None] | None = None
) -> ImportResult:
    """Write a ``ParsedPack``: cases first (so references resolve), then documents, then the
    meeting and its agenda items."""
    result = ImportResult(source_file=source_file, warnings=list(pack.warnings))
    boards = boards_by_short_name()
    cases = _register_new_cases(pack, boards, result)
    for ref, info in pack.cases.items():
        cases[ref] = _import_case(info, boards[info.board], source_file, result, cases.get(ref))
    existing = list(Document.objects.filter(source_file=source_file).order_by("source_start"))
    used: set[int] = set()
    for parsed in pack.documents:
        document = _import_document(parsed, cases[parsed.case], existing, used, result)
        if progress:
            progress(f"{document.case.dnr}-{document.sequence} {document.title[:60]}")
    left = [d for d in existing if d.pk not in used]
    if left:
        result.warnings.append(
            f"{len(left)} handlingar från en tidigare import av filen finns inte längre i den "
            "(ändras inte; granska och makulera vid behov)."
        )
    if pack.meeting_date and pack.agenda:
        _import_meeting(pack, boards[pack.board], cases, source_file, result)
    return result


def _register_new_cases(pack, boards: dict[str, Board], result: ImportResult) -> dict:
    """Register the pack's numbered cases the register does not have yet, in bulk.

    Does what ``register_case`` does for each (parsed number, first status change, history
    row, pending references resolved) with a handful of queries instead of ten per case: a
    meeting pack lists hundreds of cases.
    """
    wanted = {ref: info for ref, info in pack.cases.items() if not info.provisional}
    known = Case.objects.filter(dnr_key__in=[info.key for info in wanted.values()])
    found = {(case.board_id, case.dnr_key): case for case in known}
    new = []
    for info in wanted.values():
        board = boards[info.board]
        if (board.pk, info.key) in found:
            continue
        parsed = _parse_for_board(info.dnr, board=board)
        new.append(
            Case(
                board=board,
                dnr=info.dnr,
                dnr_key=parsed.key,
                dnr_year=parsed.year,
                dnr_number=parsed.number,
                title=info.title or f"Ärende {info.dnr}",
                title_from_ocr=info.title_from_ocr,
                registered_on=min(info.dates) if info.dates else timezone.localdate(),
                officer=info.officer,
            )
        )
    created = bulk_create_with_history(new, Case) if new else []
    index_cases([case.pk for case in created])
    CaseStatusChange.objects.bulk_create(
        [CaseStatusChange(case=case, from_status="", to_status=case.status) for case in created]
    )
    result.cases_created += len(created)
    result.new_case_ids.update(case.pk for case in created)
    pending = Reference.objects.filter(dnr_key__in=[case.dnr_key for case in created]).exclude(
        status=ReferenceStatus.RESOLVED
    )
    for reference in pending.select_related("board"):
        _resolve(reference)
        reference.save(update_fields=["status", "target", "suspected_target"])
    by_key = {(case.board_id, case.dnr_key): case for case in [*found.values(), *created]}
    return {
        ref: by_key[(boards[info.board].pk, info.key)]
        for ref, info in wanted.items()
        if (boards[info.board].pk, info.key) in by_key
    }


def _import_case(
    info, board: Board, source_file: str, result: ImportResult, case: Case | None
) -> Case:
    registered_on = min(info.dates) if info.dates else timezone.localdate()
    title = info.title or f"Ärende {info.dnr}"
    if info.provisional:
        case = _provisional_case(info, board, source_file, registered_on)
    if case is None:
        dnr = info.dnr
        if info.provisional:
            dnr = _next_provisional(board, registered_on.year, text_pack.PROVISIONAL_PREFIX)
        case = register_case(
            board=board, dnr=dnr, title=title, registered_on=registered_on, officer=info.officer
        )
        result.cases_created += 1
        result.new_case_ids.add(case.pk)
    changes = {
        "title": title,
        "title_from_ocr": info.title_from_ocr,
        "registered_on": min(registered_on, case.registered_on)
        if not info.provisional
        else registered_on,
        "title_protected": info.protected or case.title_protected,
        "officer": case.officer or info.officer,
    }
    changed = [field for field, value in changes.items() if getattr(case, field) != value]
    if {"title", "title_protected"} & set(changed):
        result.retitled_cases.add(case.pk)
    if changed:
        for field in changed:
            setattr(case, field, changes[field])
        case.save(update_fields=[*changed, "updated_at"])
        index_case(case=case)
        if case.pk not in result.new_case_ids:
            result.cases_updated += 1
    known_aliases = set(case.aliases.values_list("dnr", flat=True)) if info.aliases else set()
    for alias in info.aliases:
        if alias not in known_aliases:
            add_case_alias(case=case, dnr=alias)
    if info.cancelled_reason and case.status != CaseStatus.CANCELLED:
        change_case_status(
            case=case, status=CaseStatus.CANCELLED, note=info.cancelled_reason, changed_by="import"
        )
        case.refresh_from_db()
    return case


def _provisional_case(info, board: Board, source_file: str, registered_on) -> Case | None:
    """The provisional case this file's document was registered under last time."""
    earlier = (
        Document.objects.filter(
            source_file=source_file,
            case__board=board,
            case__dnr_key__startswith=f"{text_pack.PROVISIONAL_PREFIX} ",
        )
        .select_related("case")
        .order_by("source_start")
        .first()
    )
    return earlier.case if earlier else None


def _next_provisional(board: Board, year: int, prefix: str) -> str:
    """``PREL 2022/1``: a number that can never be mistaken for the board's own series."""
    Case.objects.select_for_update().filter(board=board, dnr_year=year).exists()
    highest = (
        Case.objects.filter(board=board, dnr_year=year, dnr_key__startswith=f"{prefix} ").aggregate(
            highest=Max("dnr_number")
        )["highest"]
        or 0
    )
    return f"{prefix} {year}/{highest + 1}"


def _import_document(parsed, case: Case, existing, used: set[int], result: ImportResult):
    meta = parsed.meta
    fields = {
        "document_date": meta.document_date,
        "direction": parsed.direction,
        "counterpart": parsed.counterpart,
        "officer": meta.officer[:200],
        "summary": meta.summary,
        "full_text": parsed.full_text,
        "clean_text": parsed.clean_text,
        "text_source": parsed.text_source,
        "ocr_quality": parsed.ocr_quality,
        "proposal": meta.proposal,
        "meeting_date": meta.meeting_date,
        "officer_phone": meta.officer_phone[:40],
        "signatories": meta.signatories,
        "attachment_list": meta.attachment_list,
        "attested_by": meta.attested_by,
        "source_file": result.source_file,
        "source_start": parsed.source_start,
        "source_end": parsed.source_end,
    }
    result.documents_by_kind[parsed.kind] = result.documents_by_kind.get(parsed.kind, 0) + 1
    document = _match_document(parsed, case, existing, used)
    if document is None:
        before = 0
        document = add_document(case=case, title=parsed.title, kind=parsed.kind, **fields)
        result.documents_created += 1
        used.add(document.pk)
        changed_text, changed = True, ["*"]
    else:
        before = document.references.count()
        changes = {"title": parsed.title, "kind": parsed.kind, **fields}
        changed = [f for f, value in changes.items() if getattr(document, f) != value]
        changed_text = "full_text" in changed or document.case_id != case.pk
        if document.case_id != case.pk:
            # A corrected pack put the handling in another case: it takes that case's next
            # number (the old number is not reused).
            document.case = case
            document.sequence = (case.documents.aggregate(last=Max("sequence"))["last"] or 0) + 1
            changed += ["case", "sequence"]
        if changed:
            for field in changed:
                if field not in ("case", "sequence"):
                    setattr(document, field, changes[field])
            document.save(update_fields=changed)
            result.documents_updated += 1
        if changed_text:
            record_references(document=document)
    after = document.references.count()
    result.references_created += max(0, after - before)
    result.references_removed += max(0, before - after)
    if changed_text or document.personal_data.count() == 0:
        result.findings += _sync_findings(document)
    else:
        result.findings += document.personal_data.count()
    # The search row depends on the document's and its case's titles and texts.
    stale = changed or case.pk in result.retitled_cases
    if stale or not SearchEntry.objects.filter(document=document).exists():
        index_document(document=document)
    return document


def _match_document(parsed, case: Case, existing, used: set[int]):
    """The row an earlier import of the same file made for this handling: same case, kind
    and title; else same kind and title (moved to another case); else same case and kind
    in file order (its title was corrected)."""
    tests = (
        lambda d: d.case_id == case.pk and d.kind == parsed.kind and d.title == parsed.title,
        lambda d: d.kind == parsed.kind and d.title == parsed.title,
        lambda d: d.case_id == case.pk and d.kind == parsed.kind,
    )
    for test in tests:
        for document in existing:
            if document.pk not in used and test(document):
                used.add(document.pk)
                return document
    return None


def _sync_findings(document: Document) -> int:
    """Personal data in the text, kept in step with earlier findings: a finding a
    registrator has reviewed keeps its review when the text has not moved it."""
    found = personal_data.find_personal_data(document.full_text)
    current = {(f.kind, f.masked_value, f.start): f for f in document.personal_data.all()}
    wanted = {(m.kind, m.masked, m.start): m for m in found}
    stale = [f.pk for key, f in current.items() if key not in wanted]
    PersonalDataFinding.objects.filter(pk__in=stale).delete()
    PersonalDataFinding.objects.bulk_create(
        [
            PersonalDataFinding(
                document=document,
                kind=m.kind,
                masked_value=m.masked[:80],
                start=m.start,
                end=m.end,
            )
            for key, m in wanted.items()
            if key not in current
        ]
    )
    return len(wanted)


def _import_meeting(pack, board: Board, cases, source_file: str, result: ImportResult) -> None:
    meeting, _created = Meeting.objects.get_or_create(
        board=board, date=pack.meeting_date, defaults={"source_file": source_file}
    )
    if not meeting.source_file:
        meeting.source_file = source_file
        meeting.save(update_fields=["source_file"])
    for entry in pack.agenda:
        case = cases.get(entry.case) if entry.case else None
        item = AgendaItem.objects.filter(meeting=meeting, number=entry.number).first()
        title = entry.title or (case.title if case else "")
        if item is None:
            AgendaItem.objects.create(meeting=meeting, number=entry.number, title=title, case=case)
        elif item.title != title or item.case_id != (case.pk if case else None):
            item.title, item.case = title, case
            item.save(update_fields=["title", "case"])
        result.agenda_items += 1
    result.meeting = meeting


def _import_scan(content, *, board: Board, source_file: str, path: pathlib.Path) -> ImportResult:
    """A PDF without a text layer: registered with what its metadata says, flagged as
    needing OCR (text_source "none"), never as an empty text."""
    CaseInfo, DocumentInfo, ParsedPack = (
        text_pack.CaseInfo,
        text_pack.DocumentInfo,
        text_pack.ParsedPack,
    )
    title = content.title or path.stem.replace("_", " ")
    meta = metadata.DocumentMeta(kind="annan", title=title, document_date=content.created)
    info = CaseInfo(board.short_name, "", f"PREL:{source_file}", 0, 0, provisional=True)
    info.offer_title(title, 0)
    if content.created:
        info.dates.append(content.created)
    ref = (board.short_name, info.key)
    document = DocumentInfo(
        case=ref,
        kind="annan",
        title=title,
        meta=meta,
        full_text="",
        clean_text="",
        text_source=Document.TextSource.NONE,
        ocr_quality=None,
        direction=Document.Direction.INCOMING,
        counterpart=content.author[:300],
        source_start=0,
        source_end=0,
        main=True,
    )
    pack = ParsedPack(
        board.short_name,
        None,
        {ref: info},
        [document],
        [],
        [f"{path.name}: PDF utan textlager ({content.pages} sidor) – behöver OCR."],
    )
    return import_parsed_pack(pack=pack, source_file=source_file)

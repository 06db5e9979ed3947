"""Registering cases and what belongs to them: handlings, aliases, status changes, dnr
allocation, agenda items and decisions. Every write here is atomic and keyword-only
(``parse_case_dnr`` and ``normalise_osl_reference`` only read and check what was typed); a
refused registration raises ``RegisterError`` with a Swedish message.
"""

import datetime
import re

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from .. import dnr as dnrlib
from .. import queries
from ..models import (
    AgendaItem,
    Board,
    BoardMembership,
    Case,
    CaseAlias,
    CaseStatus,
    CaseStatusChange,
    Decision,
    DnrSeries,
    Document,
    Meeting,
)
from .cross_references import record_references, resolve_pending_references
from .indexing import index_case, index_document, reindex_case

SECRETARY = BoardMembership.Role.SECRETARY


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
    title_protected: bool = False,
    public_title: str = "",
) -> Case:
    """Register a case under an existing number, or return it if it is already registered.

    A protected title is protected from the first write: the search (and its vocabulary)
    only ever sees its public form."""
    parsed = parse_case_dnr(dnr, board=board)
    case = Case.objects.filter(board=board, dnr_key=parsed.key).first()
    if case is None:
        case = Case.objects.create(
            board=board,
            dnr=dnr.strip(),
            dnr_key=parsed.key,
            dnr_year=parsed.year,
            dnr_number=parsed.number,
            title=title.strip(),
            title_protected=title_protected,
            public_title=public_title.strip() if title_protected else "",
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
    parsed = parse_case_dnr(dnr, board=case.board)
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
    # The documents' search rows carry the status (a filter) and, for a cancelled case,
    # leave the public register: searches and feeds must not find them any more.
    reindex_case(case=case)
    return change


@transaction.atomic
def add_document(*, case: Case, title: str, kind: str, **fields) -> Document:
    """Add a handling with the next sequence number of its case and record its references.

    A private person's handling (``counterpart_private``) is not published until a
    registrator has reviewed it (``publishing.review_for_publication``)."""
    if fields.get("counterpart_private"):
        fields["published"], fields["review_pending"] = False, True
    # Lock the case row so two registrators adding handlings get consecutive numbers.
    Case.objects.select_for_update().filter(pk=case.pk).first()
    last = case.documents.aggregate(last=Max("sequence"))["last"] or 0
    document = Document.objects.create(
        case=case, sequence=last + 1, title=title.strip(), kind=kind, **fields
    )
    record_references(document=document)
    return document


def parse_case_dnr(text: str, *, board: Board) -> dnrlib.Dnr:
    """Parse a number for a board's register, refusing another board's series (a provisional
    ``PREL`` number of the importer belongs to every board)."""
    default_prefix = board.dnr_prefixes[0] if board.dnr_prefixes else None
    try:
        parsed = dnrlib.parse_dnr(text, default_prefix=default_prefix).case_dnr
    except dnrlib.DnrError as error:
        raise RegisterError(str(error)) from error
    own_series = {*board.dnr_prefixes, dnrlib.PROVISIONAL_PREFIX}
    if parsed.prefix and board.dnr_prefixes and parsed.prefix not in own_series:
        raise RegisterError(
            f"Diarienumret {parsed.display} hör inte till {board.name}s serie "
            f"({', '.join(board.dnr_prefixes)})."
        )
    return parsed


OSL_REFERENCE = re.compile(
    r"^\d{1,2} kap\. \d{1,2}(?: [a-z])? §(?: (?:första|andra|tredje|fjärde) stycket)?$"
)


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
    counterpart_private: bool = False,
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

    Over the house limit by its keyword list: it is the whole one-screen registration, and
    the checks read best in the order the form asks.
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
        title_protected=title_protected,
        public_title=public_title,
    )
    # A handling titled after a protected case title is protected the same way.
    inherits_protection = title_protected and not document_title.strip()
    document = add_document(
        case=case,
        title=document_title.strip() or title,
        title_protected=inherits_protection,
        public_title=case.public_title if inherits_protection else "",
        kind=document_kind,
        document_date=document_date,
        direction=direction,
        counterpart=counterpart,
        counterpart_private=counterpart_private,
        officer=officer,
        confidential=confidential,
        osl_reference=osl_reference,
    )
    index_document(document=document)
    return case


def meeting_case_error(*, case: Case, meeting: Meeting) -> str:
    """Why ``case`` cannot be on ``meeting``'s agenda or decided at it ("" when it can).

    A board's meeting handles its own board's cases: what is on it shows on that board's
    public pages. Another board's case comes to the meeting registered under the board's
    own number (a KS remiss as HV 2019/307), with a reference to the other number.
    """
    if case.board_id == meeting.board_id:
        return ""
    return (
        f"Ärendet {case.dnr} hör till {case.board.name}, inte till {meeting.board.name}. "
        "Registrera det hos nämnden och hänvisa till det andra numret."
    )


def staff_role_error(*, user, board: Board, role: str) -> str:
    """Why ``user`` may not act for ``board`` in ``role`` ("" when they may)."""
    if user is None or queries.is_member(user, board, role):
        return ""
    return f"Du har inte behörighet att göra det för {board.name}."


@transaction.atomic
def add_open_cases_to_agenda(*, meeting: Meeting, by=None) -> int:
    """Put the board's open cases that are not yet on this agenda last on it. The item keeps
    the case's public title; the pages show the case's current one (AgendaItem.display_title).
    ``by``, the staff member acting, must be the board's nämndsekreterare."""
    error = staff_role_error(user=by, board=meeting.board, role=SECRETARY)
    if error:
        raise RegisterError(error)
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
        AgendaItem.objects.create(
            meeting=meeting, number=number, title=case.display_title, case=case
        )
        added += 1
    return added


@transaction.atomic
def record_decision(
    *, case: Case, meeting: Meeting | None, decided_on: datetime.date, text: str, by=None
) -> Decision:
    """Record a decision with the next § of the board's minutes for the year.

    § numbers run per board and year; the board's series row is locked so two secretaries
    never get the same §. A decision at a meeting is on the meeting's board's own case;
    ``by``, the staff member acting, must be that board's nämndsekreterare.
    """
    board = meeting.board if meeting else case.board
    error = (meeting_case_error(case=case, meeting=meeting) if meeting else "") or (
        staff_role_error(user=by, board=board, role=SECRETARY)
    )
    if error:
        raise RegisterError(error)
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

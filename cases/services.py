"""Writes to the register. Each service is atomic and keyword-only."""

import datetime

from django.db import transaction
from django.db.models import Max, Q

from . import dnr as dnrlib
from .models import (
    Board,
    Case,
    CaseAlias,
    CaseStatus,
    CaseStatusChange,
    Document,
    Reference,
    ReferenceStatus,
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
    document.references.all().delete()
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
            board=boards.get(match.board) if match.board else None,
            relation=match.relation or "",
        )
        _resolve(reference)
        references.append(reference)
    Reference.objects.bulk_create(references)
    return references


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


def _parse_for_board(text: str, *, board: Board) -> dnrlib.Dnr:
    default_prefix = board.dnr_prefixes[0] if board.dnr_prefixes else None
    try:
        return dnrlib.parse_dnr(text, default_prefix=default_prefix).case_dnr
    except dnrlib.DnrError as error:
        raise RegisterError(str(error)) from error

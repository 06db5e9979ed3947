"""References between cases: the diarienummer a handling's text mentions become Reference
rows, resolved to the case they name (directly or through an alias) when it is registered,
and resolved later when it is.
"""

from django.db import transaction
from django.utils.text import slugify

from .. import dnr as dnrlib
from ..models import Board, BoardKind, Case, Document, Reference, ReferenceStatus
from ..queries import board_catalogue, boards_by_short_name, find_case_by_key


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
        resolve_reference(reference)
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


def resolve_reference(reference: Reference) -> None:
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


@transaction.atomic
def resolve_pending_references(*, case: Case) -> int:
    """Link references that waited for this case (registered later, or an alias added)."""
    keys = {case.dnr_key, *case.aliases.values_list("dnr_key", flat=True)}
    pending = Reference.objects.filter(dnr_key__in=keys).exclude(status=ReferenceStatus.RESOLVED)
    count = 0
    for reference in pending.select_related("board"):
        resolve_reference(reference)
        if reference.status == ReferenceStatus.RESOLVED:
            reference.save(update_fields=["status", "target", "suspected_target"])
            count += 1
    return count

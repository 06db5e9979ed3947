"""Reads that combine things: dnr lookup, case pages, board and meeting pages.

Everything here that feeds a public page applies the public visibility rules: confidential,
unpublished and cancelled documents never leave this module for the public.
"""

from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from . import dnr as dnrlib
from .models import (
    AgendaItem,
    Attachment,
    Board,
    Case,
    Decision,
    Document,
    Meeting,
    Reference,
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

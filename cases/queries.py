"""Reads that combine things: dnr lookup, case pages, board and meeting pages.

Everything here that feeds a public page applies the public visibility rules: confidential,
unpublished and cancelled documents never leave this module for the public.
"""

import dataclasses
import datetime
import re
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone

from . import dnr as dnrlib
from . import personal_data
from .models import (
    AgendaItem,
    Attachment,
    Board,
    BoardKind,
    Case,
    CaseAlias,
    Decision,
    Document,
    Meeting,
    Reference,
)
from .search import language


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
            known[language.fold_diacritics(form).strip()] = board.prefixes[0]
    return known


def known_prefixes() -> set[str]:
    """The series prefixes of the register's boards, and the provisional series."""
    known = {prefix.upper() for board in board_catalogue() for prefix in board.prefixes}
    return known | {dnrlib.PROVISIONAL_PREFIX}


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
        who = language.fold_diacritics(match.group("who")).strip(" -/:.")
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


def lookup_board_dnr(board: Board, text: str) -> tuple[DnrLookup, list[Case]]:
    """Look a number up (any spelling, aliases) as ``lookup_dnr`` does: the lookup across
    all boards, and the cases of ``board`` among them."""
    lookup = lookup_dnr(text)
    return lookup, [case for case in lookup.cases if case.board_id == board.pk]


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
        found = list(_cases_with_key(case_dnr.key).select_related("board"))
    found.sort(key=lambda c: (c.board.name, c.dnr_key))
    return found


def _cases_with_key(key: str):
    """The cases registered under ``key`` or with it as an alias: two index lookups (own
    number, alias) instead of an OR across a join, which scans every case (0.1 ms instead of
    ~80 ms at 37,000 cases)."""
    own = Case.objects.filter(dnr_key=key).values("pk")
    aliased = CaseAlias.objects.filter(dnr_key=key).values("case_id")
    return Case.objects.filter(pk__in=own.union(aliased))


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
                queryset=Attachment.objects.public().order_by("number"),
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


# A board page lists this many cases a page: the newest first, every case on some page.
BOARD_PAGE_SIZE = 50


@dataclass
class BoardPage:
    board: Board
    cases: Page
    meeting_years: list[tuple[int, int]]  # (year, meetings that year), the newest first
    year: int | None  # the year whose meetings are listed
    meetings: list[Meeting]


def board_page(board: Board, *, page: int = 1, year: int | None = None) -> BoardPage:
    """All of a board's cases, a page at a time (a page past the end shows the last page, as
    the search does), and its meetings a year at a time, the newest first: ``year``, or the
    newest year with meetings (a board of twenty years has thousands of meetings; listing
    them all made the page 340 kB and 400 ms at the 1M bench corpus). Every year with
    meetings is named with its count, so every meeting is two links away. Makulerade cases
    are listed too: a number once registered stays in the register, marked as makulerat."""
    cases = board.cases.order_by("-registered_on", "-dnr_year", "-dnr_number", "-pk")
    paginator = Paginator(cases, BOARD_PAGE_SIZE)
    years = list(
        board.meetings.annotate(year=ExtractYear("date"))
        .values_list("year")
        .annotate(count=Count("pk"))
        .order_by("-year")
    )
    if year is None and years:
        year = years[0][0]
    meetings = []
    if year is not None:
        meetings = list(
            board.meetings.filter(
                date__gte=datetime.date(year, 1, 1), date__lt=datetime.date(year + 1, 1, 1)
            )
            .only("pk", "board", "date")
            .order_by("-date")
        )
    return BoardPage(
        board=board,
        cases=paginator.get_page(page),
        meeting_years=years,
        year=year,
        meetings=meetings,
    )


@dataclass
class AgendaRow:
    """A numbered line of the agenda; ``item`` is None where the register lacks that number
    (an agenda whose first page is missing from the imported minutes)."""

    number: int
    item: AgendaItem | None


@dataclass
class MeetingPage:
    meeting: Meeting
    agenda: list[AgendaRow]
    decisions: list[Decision]

    @property
    def missing_items(self) -> list[int]:
        return [row.number for row in self.agenda if row.item is None]


def meeting_page(meeting: Meeting) -> MeetingPage:
    """The agenda from item 1 in order, with the numbers the register lacks marked as such,
    and the decisions (§) recorded at the meeting."""
    items = list(meeting.items.select_related("case", "case__board").order_by("number"))
    by_number = {item.number: item for item in items}
    last = items[-1].number if items else 0
    agenda = [AgendaRow(number, by_number.get(number)) for number in range(1, last + 1)]
    decisions = list(
        meeting.decisions.select_related("case", "case__board").order_by("section", "pk")
    )
    return MeetingPage(meeting=meeting, agenda=agenda, decisions=decisions)


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
    """Documents a staff member may see in the admin: every one of their boards, and of
    other boards what the public sees (confidential, unpublished and cancelled ones not)."""
    if user.is_superuser:
        return Document.objects.all()
    return Document.objects.filter(case__board__in=staff_boards(user)) | Document.objects.public()


def staff_attachments(user):
    """Attachments a staff member may see and download: as ``staff_documents``."""
    if user.is_superuser:
        return Attachment.objects.all()
    own = Attachment.objects.filter(document__case__board__in=staff_boards(user))
    return own | Attachment.objects.public()


def staff_title_search(user, term: str, *, board: str = "board") -> Q:
    """Rows whose title has every word of ``term``, for the admin's search: the raw title of
    the user's boards' rows and of unprotected ones, the public title of protected ones (a
    protected title is never matched by its words for another board's staff)."""
    raw, public = Q(), Q(title_protected=True)
    for word in term.split():
        raw &= Q(title__icontains=word)
        public &= Q(public_title__icontains=word)
    if not user.is_superuser:
        raw &= Q(title_protected=False) | Q(**{f"{board}__in": staff_boards(user)})
    return raw | public


def near_miss_cases(text: str) -> list[Case]:
    """Registered cases a mistyped number probably meant (VH 2019/254 → HV 2019/254)."""
    parsed = dnrlib.try_parse_dnr(text)
    if parsed is None:
        return []
    prefixes = {p for board in Board.objects.all() for p in board.dnr_prefixes}
    keys = dnrlib.near_miss_keys(parsed.case_dnr, prefixes)
    return list(Case.objects.filter(dnr_key__in=list(keys)).select_related("board"))


def find_case_by_key(*, key: str, board: Board | None = None) -> Case | None:
    """The case with this normalised number (directly or through an alias), if registered."""
    cases = _cases_with_key(key).order_by("pk")
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


COUNTERPART_MISSING = "saknas"


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


def _masked_personal_numbers(text: str) -> list[str]:
    return [
        finding.masked
        for finding in personal_data.find_personal_data(text)
        if finding.kind == "personnummer"
    ]


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

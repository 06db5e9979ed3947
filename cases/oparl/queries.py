"""Reads for the API: each list as one or more sources (a queryset in id order), with the
public rule and the created and modified times the API shows.

``visible`` is the public rule for a row; rows outside it are deleted objects to the API
(shown only to a client asking for changes) or, for sub-objects, simply absent. ``modified``
of a deleted row includes the change that hid it (a handling is hidden when its case is
makulerat), so a client syncing with ``modified_since`` learns of it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Case as Conditional
from django.db.models import Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Greatest

from ..models import AgendaItem, Attachment, Board, BoardKind, Case, Document, Meeting, Reference

OPEN_CASE = ~Q(status=Case.Status.CANCELLED)
PUBLIC_DOCUMENT = Q(published=True, confidential=False, cancelled=False) & ~Q(
    case__status=Case.Status.CANCELLED
)
PUBLIC_ATTACHMENT = Q(
    published=True,
    confidential=False,
    cancelled=False,
    document__published=True,
    document__confidential=False,
    document__cancelled=False,
) & ~Q(document__case__status=Case.Status.CANCELLED)


HEAVY_DOCUMENT_FIELDS = (
    "full_text",
    "clean_text",
    "summary",
    "proposal",
    "signatories",
    "attachment_list",
    "attested_by",
)


@dataclass(frozen=True)
class Source:
    """One table behind a list: ``kind`` names the serializer, ``prefix`` marks its ids in
    the paging cursor of a list drawn from several tables."""

    kind: str
    prefix: str
    queryset: QuerySet
    visible: Q
    subobject: bool = False
    # For a sync (modified_since): querysets, each in the order of an index, whose ids
    # include every row modified since the moment. See paging.filtered.
    changed_since: Callable[[datetime.datetime], tuple[QuerySet, ...]] | None = None


def organizations() -> QuerySet:
    return (
        Board.objects.exclude(kind=BoardKind.EXTERNAL)
        .select_related("successor")
        .annotate(oparl_created=F("created_at"), oparl_modified=F("updated_at"))
    )


def meetings() -> QuerySet:
    latest_item = (
        AgendaItem.objects.filter(meeting=OuterRef("pk"))
        .values("meeting")
        .annotate(latest=Max("updated_at"))
        .values("latest")
    )
    return (
        Meeting.objects.exclude(board__kind=BoardKind.EXTERNAL)
        .select_related("board")
        .annotate(
            oparl_created=F("created_at"),
            # the agenda is part of the meeting object (PostgreSQL's GREATEST skips NULL)
            oparl_modified=Greatest("updated_at", Subquery(latest_item)),
        )
    )


def agenda_items() -> QuerySet:
    return (
        AgendaItem.objects.exclude(meeting__board__kind=BoardKind.EXTERNAL)
        .select_related("meeting", "meeting__board", "case")
        .annotate(oparl_created=F("created_at"), oparl_modified=F("updated_at"))
    )


def papers() -> QuerySet:
    return Case.objects.select_related("board").annotate(
        oparl_created=F("created_at"), oparl_modified=F("updated_at")
    )


def handlings() -> QuerySet:
    return Document.objects.select_related("case", "case__board").annotate(
        oparl_created=F("registered_at"),
        oparl_modified=Conditional(
            When(PUBLIC_DOCUMENT, then=F("updated_at")),
            default=Greatest("updated_at", "case__updated_at"),
        ),
    )


def attachments() -> QuerySet:
    return (
        Attachment.objects.select_related("document", "document__case", "document__case__board")
        .defer(*(f"document__{name}" for name in HEAVY_DOCUMENT_FIELDS))
        .annotate(
            oparl_created=F("created_at"),
            oparl_modified=Conditional(
                When(PUBLIC_ATTACHMENT, then=F("updated_at")),
                default=Greatest(
                    "updated_at", "document__updated_at", "document__case__updated_at"
                ),
            ),
        )
    )


def agenda_consultations() -> QuerySet:
    return (
        AgendaItem.objects.filter(case__isnull=False)
        .exclude(meeting__board__kind=BoardKind.EXTERNAL)
        .select_related("meeting", "meeting__board", "case")
        .annotate(oparl_created=F("created_at"), oparl_modified=F("updated_at"))
    )


def reference_consultations() -> QuerySet:
    """A case another board's public handling refers to (a remiss, an answer, a mention):
    the paper handled by that board. One per citing handling and cited case."""
    earlier = Reference.objects.filter(
        source=OuterRef("source"), target=OuterRef("target"), pk__lt=OuterRef("pk")
    )
    return (
        Reference.objects.filter(status=Reference.Status.RESOLVED, target__isnull=False)
        .exclude(source__case__board=F("target__board"))
        .exclude(Exists(earlier))
        .select_related("source", "source__case", "source__case__board", "target")
        # the citing handling's number and case are shown, never its text
        .defer(*(f"source__{name}" for name in HEAVY_DOCUMENT_FIELDS))
        .annotate(
            oparl_created=F("source__registered_at"),
            oparl_modified=Greatest("source__updated_at", "target__updated_at"),
        )
    )


PUBLIC_REFERENCE = (
    Q(source__published=True, source__confidential=False, source__cancelled=False)
    & ~Q(source__case__status=Case.Status.CANCELLED)
    & ~Q(target__status=Case.Status.CANCELLED)
)
PUBLIC_AGENDA_CONSULTATION = ~Q(case__status=Case.Status.CANCELLED)

ORGANIZATION = Source("organization", "", organizations(), Q())
MEETING = Source("meeting", "", meetings(), Q())
AGENDA_ITEM = Source("agendaItem", "", agenda_items(), Q(), subobject=True)


def _cases_changed_since(moment) -> tuple[QuerySet, ...]:
    return (Case.objects.filter(updated_at__gte=moment).order_by("updated_at").values("pk"),)


def _handlings_changed_since(moment) -> tuple[QuerySet, ...]:
    """A handling's modified is its own, or its case's when the case hid it (makulerat)."""
    return (
        Document.objects.filter(updated_at__gte=moment).order_by("updated_at").values("pk"),
        Document.objects.filter(case__updated_at__gte=moment)
        .order_by("case__updated_at")
        .values("pk"),
    )


PAPER = Source("paper", "", papers(), OPEN_CASE, changed_since=_cases_changed_since)
FILES = (
    Source("handling", "h", handlings(), PUBLIC_DOCUMENT, changed_since=_handlings_changed_since),
    Source("bilaga", "b", attachments(), PUBLIC_ATTACHMENT),
)
CONSULTATIONS = (
    Source("agendaConsultation", "d", agenda_consultations(), PUBLIC_AGENDA_CONSULTATION, True),
    Source("referenceConsultation", "r", reference_consultations(), PUBLIC_REFERENCE, True),
)


AGENDA_CONSULTATION_FIELDS = (
    "case_id",
    "meeting_id",
    "created_at",
    "updated_at",
    "meeting__board_id",
    "case__board_id",
)
REFERENCE_CONSULTATION_FIELDS = (
    "target_id",
    "relation",
    "source__sequence",
    "source__case__dnr_key",
    "source__case__board__slug",
)


def consultations_of(cases: list[Case]) -> dict[int, list]:
    """The public consultations of a page of papers, by case id (two queries)."""
    found: dict[int, list] = {case.pk: [] for case in cases}
    if not cases:
        return found
    # Only what a Consultation shows: a page has some 150 of them, and building every
    # column of five joined rows each took a third of a paper page's time.
    items = (
        agenda_consultations()
        .filter(PUBLIC_AGENDA_CONSULTATION, case__in=cases)
        .select_related(None)
        .select_related("meeting", "case")
        .only(*AGENDA_CONSULTATION_FIELDS)
        .order_by("pk")
    )
    for item in items:
        found[item.case_id].append(("agendaConsultation", item))
    references = (
        reference_consultations()
        .filter(PUBLIC_REFERENCE, target__in=cases)
        .select_related(None)
        .select_related("source__case__board")
        .only(*REFERENCE_CONSULTATION_FIELDS)
        .order_by("pk")
    )
    for reference in references:
        found[reference.target_id].append(("referenceConsultation", reference))
    return found


def files_of(cases: list[Case]) -> dict[int, list[tuple[str, object]]]:
    """The public handlingar of a page of papers with their public bilagor, in the order
    of the case page (handling by number, each followed by its bilagor), by case id
    (two queries). Only what a File shows without its text is read, and the page's cases are
    reused: a paper page embeds some 300 files."""
    found: dict[int, list] = {case.pk: [] for case in cases}
    if not cases:
        return found
    by_id = {case.pk: case for case in cases}
    documents = list(
        Document.objects.filter(PUBLIC_DOCUMENT, case__in=cases)
        .only(
            "case_id",
            "sequence",
            "title",
            "public_title",
            "title_protected",
            "document_date",
            "registered_at",
            "updated_at",
        )
        .annotate(oparl_created=F("registered_at"), oparl_modified=F("updated_at"))
        .order_by("case_id", "sequence", "pk")
    )
    bilagor: dict[int, list] = {}
    attachments_of_page = (
        Attachment.objects.filter(PUBLIC_ATTACHMENT, document__in=[d.pk for d in documents])
        .defer("text")
        .annotate(oparl_created=F("created_at"), oparl_modified=F("updated_at"))
        .order_by("number", "pk")
    )
    for attachment in attachments_of_page:
        bilagor.setdefault(attachment.document_id, []).append(attachment)
    for document in documents:
        document.case = by_id[document.case_id]
        found[document.case_id].append(("handling", document))
        for attachment in bilagor.get(document.pk, []):
            attachment.document = document
            found[document.case_id].append(("bilaga", attachment))
    return found


def agenda_of(meetings_on_page: list[Meeting]) -> dict[int, list[AgendaItem]]:
    """The agenda items of a page of meetings, by meeting id (one query)."""
    found: dict[int, list[AgendaItem]] = {meeting.pk: [] for meeting in meetings_on_page}
    if not meetings_on_page:
        return found
    for item in agenda_items().filter(meeting__in=meetings_on_page).order_by("number", "pk"):
        found[item.meeting_id].append(item)
    return found


def body_times():
    """When the body's data began and last changed: its boards' times (one query)."""
    return Board.objects.exclude(kind=BoardKind.EXTERNAL).aggregate(
        created=Min("created_at"),
        modified=Max("updated_at"),
    )

"""Atom feeds: a search's newest hits, a board's new documents, one case's new documents,
decisions and status changes, and new meetings.

Each feed is read here as a list of ``FeedEntry`` (public material only: the same rules as
the pages: ``SearchEntry.public``, ``Document.objects.public()``, public titles, never a
sender) and written by one Feed class. Entries link to the canonical pages; summaries are
escaped text.
"""

import datetime
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import feedgenerator, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .models import Board, Case, Document, Meeting
from .search import document_search
from .search.criteria import SearchFilters
from .templatetags.portal import highlight

FEED_SIZE = document_search.FEED_SIZE

# The search parameters a feed keeps (paging, sort and tab are the page's, not the result's).
FEED_PARAMETERS = ("q", "namnd", "typ", "status", "fran", "till")


@dataclass
class FeedEntry:
    guid: str
    title: str
    link: str
    summary: str  # HTML, built from escaped text
    updated: datetime.datetime


@dataclass
class FeedContent:
    title: str
    link: str
    subtitle: str
    entries: list[FeedEntry]


def feed_query(params) -> str:
    """The query string of a search's feed: the search's own parameters, nothing else."""
    kept = params.copy()
    for key in list(kept):
        if key not in FEED_PARAMETERS or not any(kept.getlist(key)):
            kept.pop(key)
    return kept.urlencode()


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def document_link(case: Case, sequence: int) -> str:
    return f"{case.get_absolute_url()}?handling={sequence}#handling-{sequence}"


def _hit_entry(hit: document_search.SearchHit, day: datetime.date) -> FeedEntry:
    document = hit.document
    case = document.case
    meta = f"{document.get_kind_display()} · {case.board.short_name} · {day.isoformat()}"
    summary = format_html("<p>{}</p><p>Ärende: {} {}</p>", meta, case.dnr_key, case.display_title)
    if hit.snippet:
        summary += format_html("<p>{}</p>", highlight(hit.snippet))
    return FeedEntry(
        guid=f"urn:namndportalen:handling:{document.pk}",
        title=f"{case.dnr_key}-{document.sequence} {document.display_title}",
        link=document_link(case, document.sequence),
        summary=summary,
        updated=_start_of(day),
    )


def search_feed(*, query: str, filters: SearchFilters, link: str) -> FeedContent:
    hits = document_search.newest_hits(query=query, filters=filters, limit=FEED_SIZE)
    described = " ".join(
        part
        for part in (
            f"”{query}”" if query else "",
            filters.board.name if filters.board else "",
            Document.Kind(filters.kind).label if filters.kind else "",
        )
        if part
    )
    return FeedContent(
        title=f"Nämndportalen: {described}" if described else "Nämndportalen: nya handlingar",
        link=link,
        subtitle=f"De {FEED_SIZE} nyaste publicerade handlingarna som matchar sökningen.",
        entries=[_hit_entry(hit, day) for hit, day in hits],
    )


def board_feed(board: Board) -> FeedContent:
    hits = document_search.newest_hits(query="", filters=SearchFilters(board=board))
    return FeedContent(
        title=f"Nya handlingar: {board.name}",
        link=board.get_absolute_url(),
        subtitle=f"De {FEED_SIZE} nyaste publicerade handlingarna hos {board.name}.",
        entries=[_hit_entry(hit, day) for hit, day in hits],
    )


def case_feed(case: Case) -> FeedContent:
    """New documents, decisions and status changes of one case, newest first. A cancelled
    case shows only its status changes (its documents leave the public register)."""
    entries = [_status_entry(case, change) for change in case.status_changes.order_by("-pk")]
    if not case.is_cancelled:
        documents = (
            Document.objects.public()
            .filter(case=case)
            .only(
                "sequence",
                "kind",
                "title",
                "public_title",
                "title_protected",
                "summary",
                "document_date",
                "registered_at",
                "case_id",
            )
            .order_by("-registered_at", "-sequence")[:FEED_SIZE]
        )
        entries += [_document_entry(case, document) for document in documents]
        decisions = case.decisions.select_related("meeting").order_by("-decided_on", "-section")
        entries += [_decision_entry(case, decision) for decision in decisions[:FEED_SIZE]]
    entries.sort(key=lambda entry: (entry.updated, entry.guid), reverse=True)
    return FeedContent(
        title=f"{case.dnr_key} {case.display_title}",
        link=case.get_absolute_url(),
        subtitle="Nya handlingar, beslut och statusändringar i ärendet.",
        entries=entries[:FEED_SIZE],
    )


def _document_entry(case: Case, document: Document) -> FeedEntry:
    day = document.document_date or timezone.localdate(document.registered_at)
    summary = format_html("<p>{} · {}</p>", document.get_kind_display(), day.isoformat())
    if document.summary and not document.title_protected:
        summary += format_html("<p>{}</p>", document.public_summary)
    document.case = case
    return FeedEntry(
        guid=f"urn:namndportalen:handling:{document.pk}",
        title=f"Ny handling: {document.display_title}",
        link=document_link(case, document.sequence),
        summary=summary,
        updated=document.registered_at,
    )


def _decision_entry(case: Case, decision) -> FeedEntry:
    return FeedEntry(
        guid=f"urn:namndportalen:beslut:{decision.pk}",
        title=f"Beslut § {decision.section}/{decision.year}",
        link=case.get_absolute_url(),
        summary=format_html(
            "<p>Beslutat {}</p><p>{}</p>", decision.decided_on.isoformat(), decision.public_text
        ),
        updated=_start_of(decision.decided_on),
    )


def _status_entry(case: Case, change) -> FeedEntry:
    label = Case.Status(change.to_status).label
    return FeedEntry(
        guid=f"urn:namndportalen:status:{change.pk}",
        title=f"Status: {label}",
        link=case.get_absolute_url(),
        summary=format_html("<p>Ärendets status är nu {}.</p>", label.lower()),
        updated=change.changed_at,
    )


def meetings_feed(board: Board | None = None) -> FeedContent:
    meetings = Meeting.objects.select_related("board").order_by("-date", "-pk")
    if board is not None:
        meetings = meetings.filter(board=board)
    where = board.name if board else "Stockholms nämnder"
    return FeedContent(
        title=f"Sammanträden: {where}",
        link=board.get_absolute_url() if board else reverse("cases:home"),
        subtitle=f"De {FEED_SIZE} senaste sammanträdena hos {where}.",
        entries=[_meeting_entry(meeting) for meeting in meetings[:FEED_SIZE]],
    )


def _meeting_entry(meeting: Meeting) -> FeedEntry:
    summary = format_html("<p>{} sammanträder {}.</p>", meeting.board.name, meeting.date)
    if meeting.location:
        summary += format_html("<p>Plats: {}</p>", meeting.public_location)
    return FeedEntry(
        guid=f"urn:namndportalen:sammantrade:{meeting.pk}",
        title=f"{meeting.board.name}, sammanträde {meeting.date.isoformat()}",
        link=meeting.get_absolute_url(),
        summary=summary,
        updated=_start_of(meeting.date),
    )


class AtomFeed(Feed):
    """Writes a FeedContent as Atom 1.0 (the content is read before, by the view)."""

    feed_type = feedgenerator.Atom1Feed
    author_name = "Stockholms stad, Nämndportalen"
    language = "sv"

    def __init__(self, content: FeedContent):
        super().__init__()
        self.content = content

    def get_object(self, request, *args, **kwargs):
        return self.content

    def title(self, content):
        return content.title

    def link(self, content):
        return content.link

    def subtitle(self, content):
        return content.subtitle

    def items(self, content):
        return content.entries

    def item_title(self, entry):
        return entry.title

    def item_link(self, entry):
        return entry.link

    def item_description(self, entry):
        return mark_safe(entry.summary)

    def item_guid(self, entry):
        return entry.guid

    def item_updateddate(self, entry):
        return entry.updated

    def item_pubdate(self, entry):
        return entry.updated

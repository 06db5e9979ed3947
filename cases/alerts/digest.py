"""The daily digest: for every confirmed subscription, the public handlingar registered since
its last digest that it matches; one mail per address, each item under the subscription it
is there for, with a public snippet; what was mailed is recorded, so an address never gets
the same handling twice.

Fast for many saved searches: the day's new public search rows are copied once into a
temporary table and each distinct search runs against that small table (the same match and
filter SQL as the search page), so 10,000 searches cost 10,000 small statements, not 10,000
searches of the register (bench/follow.py).
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from ..feeds import document_link
from ..filters import parse_search
from ..models import Board, Document
from ..personal_data import mask_personal_numbers
from ..search import language, snippets
from ..search.candidates import present_variants
from ..search.criteria import resolve_dnr_query
from ..search.statements import match_condition, where_sql
from . import mails
from .models import SentItem, Subscription, SubscriptionKind

logger = logging.getLogger(__name__)

# Items listed per subscription in one mail; the rest are counted with a link to them.
ITEMS_PER_SUBSCRIPTION = 20
LEAD_CHARS = 200
DIGEST_LOCK = 7_401_337  # pg advisory lock: one digest at a time, however many workers


@dataclass
class DigestItem:
    title: str
    meta: str
    snippet: str
    link: str


@dataclass
class DigestSection:
    reason: str
    unsubscribe_url: str
    items: list[DigestItem] = field(default_factory=list)
    more: int = 0
    more_url: str = ""


@dataclass
class DigestReport:
    subscriptions: int = 0
    new_documents: int = 0
    mails: int = 0
    items: int = 0
    failed: int = 0


@dataclass
class _Search:
    parsed: language.ParsedQuery | None
    variants: dict


def send_due_digests(*, at: datetime.datetime) -> DigestReport | None:
    """The periodic task's check: digests go out in the hour PORTAL_DIGEST_HOUR
    (Europe/Stockholm); at any other hour nothing happens."""
    if timezone.localtime(at).hour != settings.PORTAL_DIGEST_HOUR:
        return None
    return send_digests()


def send_digests(*, now: datetime.datetime | None = None) -> DigestReport:
    """Mail every address its news since its last digest and record what was sent."""
    now = now or timezone.now()
    report = DigestReport()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [DIGEST_LOCK])
        if not cursor.fetchone()[0]:
            return report  # another worker is sending them
    try:
        subscriptions = list(
            Subscription.objects.filter(confirmed_at__isnull=False, stopped_at__isnull=True)
            .select_related("case", "case__board", "board")
            .order_by("email", "created_at", "pk")
        )
        report.subscriptions = len(subscriptions)
        if subscriptions:
            matched, report.new_documents = _match(subscriptions, now)
            _send_all(subscriptions, matched, now, report)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [DIGEST_LOCK])
    return report


def _match(subscriptions: list[Subscription], now) -> tuple[dict[int, list], int]:
    """Each subscription's new document ids (newest first) and how many were new at all."""
    start = min(s.covered_until for s in subscriptions)
    matched: dict[int, list] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # (dropped first too: inside an outer transaction ON COMMIT comes later)
        cursor.execute("DROP TABLE IF EXISTS digest_entries")
        cursor.execute(
            "CREATE TEMP TABLE digest_entries ON COMMIT DROP AS "
            "SELECT e.document_id, e.case_id, e.board_id, e.kind, e.status, e.date, e.public, "
            "e.clean_vector, e.ocr_vector, d.registered_at FROM cases_searchentry e "
            "JOIN cases_document d ON d.id = e.document_id "
            "WHERE e.public AND d.registered_at > %s AND d.registered_at <= %s",
            [start, now],
        )
        cursor.execute("ANALYZE digest_entries")
        cursor.execute(
            "SELECT document_id, case_id, board_id, registered_at FROM digest_entries "
            "ORDER BY registered_at DESC, document_id DESC"
        )
        new = cursor.fetchall()
        if new:
            searches = _search_matches(
                cursor, {s.search for s in subscriptions if s.kind == SubscriptionKind.SEARCH}
            )
            matched = _by_subscription(subscriptions, new, searches)
        cursor.execute("DROP TABLE digest_entries")
    return matched, len(new)


def _by_subscription(subscriptions, new: list[tuple], searches) -> dict[int, list]:
    """Each subscription's new documents, newest first, registered after its last digest."""
    by_case, by_board, by_search = defaultdict(list), defaultdict(list), defaultdict(list)
    registered = {}
    for document_id, case_id, board_id, registered_at in new:
        registered[document_id] = registered_at
        by_case[case_id].append(document_id)
        by_board[board_id].append(document_id)
    position = {pk: n for n, pk in enumerate(registered)}  # newest first
    for search, found in searches.items():
        by_search[search] = sorted(found, key=position.__getitem__)
    matched = {}
    for subscription in subscriptions:
        if subscription.kind == SubscriptionKind.CASE:
            ids = by_case.get(subscription.case_id, [])
        elif subscription.kind == SubscriptionKind.BOARD:
            ids = by_board.get(subscription.board_id, [])
        else:
            ids = by_search.get(subscription.search, [])
        since = subscription.covered_until
        matched[subscription.pk] = [pk for pk in ids if registered[pk] > since]
    return matched


def _search_matches(cursor, searches: set[str]) -> dict[str, set[int]]:
    """The new documents each saved search finds: the search page's filters and match
    condition over the temporary table of new entries."""
    found = {}
    for search in searches:
        _form, query, filters = parse_search(QueryDict(search))
        if filters is None:
            continue  # a filter that no longer exists (a board renamed): nothing matches
        words, filters = resolve_dnr_query(query, filters)
        parsed = language.parse_query(words)
        where, params = where_sql(filters)
        if parsed:
            match, match_params = match_condition(parsed, present_variants(parsed))
            where, params = f"{where} AND {match}", [*params, *match_params]
        cursor.execute(f"SELECT document_id FROM digest_entries WHERE {where}", params)
        found[search] = {row[0] for row in cursor.fetchall()}
    return found


def _send_all(subscriptions, matched: dict[int, list], now, report: DigestReport) -> None:
    by_email = defaultdict(list)
    for subscription in subscriptions:
        by_email[subscription.email].append(subscription)
    candidates = {pk for ids in matched.values() for pk in ids}
    already = set(
        SentItem.objects.filter(document_id__in=candidates).values_list("email", "document_id")
    )
    plans = {email: _plan(subs, matched, already, email) for email, subs in by_email.items()}
    wanted = {pk for plan in plans.values() for _sub, ids, _more in plan for pk in ids}
    documents = Document.objects.select_related("case", "case__board").in_bulk(list(wanted))
    boards = dict(Board.objects.values_list("slug", "name"))
    searches: dict[str, _Search] = {}
    done = []
    for email, plan in plans.items():
        if not any(ids for _sub, ids, _more in plan):
            done.extend(sub.pk for sub in by_email[email])
            continue
        sections = [
            _section(sub, ids, more, documents, boards, searches) for sub, ids, more in plan if ids
        ]
        total = sum(len(section.items) for section in sections)
        if not mails.send_digest(email=email, sections=sections, total=total):
            report.failed += 1
            continue
        SentItem.objects.bulk_create(
            [
                SentItem(email=email, document_id=pk, subscription=sub)
                for sub, ids, _ in plan
                for pk in ids
            ],
            ignore_conflicts=True,
        )
        done.extend(sub.pk for sub in by_email[email])
        report.mails += 1
        report.items += total
    Subscription.objects.filter(pk__in=done).update(covered_until=now)


def _plan(subscriptions, matched, already, email) -> list[tuple[Subscription, list[int], int]]:
    """Per subscription the documents to list (each document once per mail, under the first
    subscription that has it; never one already sent) and how many more there were."""
    seen = set()
    plan = []
    for subscription in subscriptions:
        ids = [
            pk
            for pk in matched.get(subscription.pk, [])
            if (email, pk) not in already and pk not in seen
        ]
        seen.update(ids)
        listed = ids[:ITEMS_PER_SUBSCRIPTION]
        plan.append((subscription, listed, len(ids) - len(listed)))
    return plan


def _section(subscription, ids, more, documents, boards, searches) -> DigestSection:
    section = DigestSection(
        reason=mails.describe(subscription, boards),
        unsubscribe_url=mails.unsubscribe_url(subscription_id=subscription.pk),
        more=more,
    )
    if more:
        section.more_url = mails.absolute(_more_path(subscription))
    search = None
    if subscription.kind == SubscriptionKind.SEARCH:
        search = searches.get(subscription.search) or _search(subscription.search)
        searches[subscription.search] = search
    for pk in ids:
        document = documents[pk]
        section.items.append(_item(document, search))
    return section


def _more_path(subscription: Subscription) -> str:
    if subscription.kind == SubscriptionKind.SEARCH:
        return reverse("cases:search") + f"?{subscription.search}&sortering=nyast"
    if subscription.kind == SubscriptionKind.CASE:
        return subscription.case.get_absolute_url()
    return subscription.board.get_absolute_url()


def _search(search: str) -> _Search:
    _form, query, filters = parse_search(QueryDict(search))
    words, _filters = resolve_dnr_query(query, filters)
    parsed = language.parse_query(words)
    return _Search(parsed, present_variants(parsed) if parsed else {})


def _item(document: Document, search: _Search | None) -> DigestItem:
    case = document.case
    day = document.document_date or timezone.localdate(document.registered_at)
    meta = (
        f"{document.get_kind_display()} · {case.board.short_name} · {day.isoformat()} · "
        f"Ärende: {case.dnr_key} {case.display_title}"
    )
    return DigestItem(
        title=f"{case.dnr_key}-{document.sequence} {document.display_title}",
        meta=meta,
        snippet=_snippet(document, search),
        link=mails.absolute(document_link(case, document.sequence)),
    )


def _snippet(document: Document, search: _Search | None) -> str:
    """The passage where the search's words are, or the start of the text; plain text
    without the match markers, personnummer masked."""
    text = document.full_text or ""
    if search is not None and search.parsed:
        ocr = document.text_source == Document.TextSource.OCR
        terms = snippets.term_patterns(search.parsed, search.variants, ocr=ocr)
        found = snippets.ocr_snippet(text, terms).text if ocr else snippets.snippet(text, terms)
    else:
        # a protected title's summary may name what the title hides
        lead = text if document.title_protected else (document.summary or text)
        found = " ".join(lead.split())[:LEAD_CHARS]
    found = found.replace(language.HEADLINE_START, "").replace(language.HEADLINE_STOP, "")
    return mask_personal_numbers(" ".join(found.split()))

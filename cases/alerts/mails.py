"""The alert mails: the confirmation link, 'you already follow this', the daily digest.

Every mail carries a one-click unsubscribe (RFC 8058: ``List-Unsubscribe`` with an https
link, ``List-Unsubscribe-Post``) and the same link and the link to the address's page in
its text. Absolute links start with PORTAL_BASE_URL. Mail goes through Django's backend
(SMTP, or the console in the demo).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import Board, CaseStatus, DocumentKind
from . import tokens
from .models import Subscription, SubscriptionKind

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def unsubscribe_url(*, subscription_id: int | None = None, email: str | None = None) -> str:
    token = tokens.unsubscribe_token(subscription_id=subscription_id, email=email)
    return absolute(reverse("cases:alerts-unsubscribe", args=[token]))


def address_url(email: str) -> str:
    return absolute(reverse("cases:alerts-address", args=[tokens.address_token(email)]))


def describe(subscription: Subscription, boards: dict[str, str] | None = None) -> str:
    """What a subscription follows, in words (the reason an item is in a digest)."""
    if subscription.kind == SubscriptionKind.CASE:
        case = subscription.case
        return f"ärendet {case.dnr_key} {case.display_title}"
    if subscription.kind == SubscriptionKind.BOARD:
        return f"nämnden {subscription.board.name}"
    return "sökningen " + describe_search(subscription.search, boards)


def news_of(subscription: Subscription) -> str:
    """What a digest tells of what a subscription follows: a search's new handlingar; a
    case's or a board's new handlingar, decisions and status changes (cases/alerts/events.py)."""
    if subscription.kind == SubscriptionKind.SEARCH:
        return "nya handlingar"
    return "nya handlingar, beslut och statusändringar"


def describe_search(search: str, boards: dict[str, str] | None = None) -> str:
    params = QueryDict(search)
    if boards is None:
        boards = dict(Board.objects.values_list("slug", "name"))
    parts = []
    if params.get("namnd"):
        parts.append(boards.get(params["namnd"], params["namnd"]))
    if params.get("typ") in DocumentKind.values:
        parts.append(DocumentKind(params["typ"]).label)
    if params.get("status") in CaseStatus.values:
        parts.append(f"status {CaseStatus(params['status']).label.lower()}")
    if params.get("fran"):
        parts.append(f"från {params['fran']}")
    if params.get("till"):
        parts.append(f"till {params['till']}")
    words = f"”{params['q']}”" if params.get("q") else "alla handlingar"
    return words + (f" ({', '.join(parts)})" if parts else "")


def _send(*, to: str, subject: str, body: str, unsubscribe: str) -> bool:
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    try:
        message.send()
    except OSError:
        # A digest not sent is sent next time (nothing is recorded as sent).
        logger.exception("Kunde inte skicka e-post om bevakning")
        return False
    return True


def send_confirmation(subscription: Subscription) -> bool:
    confirm = absolute(
        reverse("cases:alerts-confirm", args=[tokens.confirm_token(subscription.pk)])
    )
    unsubscribe = unsubscribe_url(subscription_id=subscription.pk)
    body = render_to_string(
        "cases/alerts/mail/confirm.txt",
        {
            "what": describe(subscription),
            "confirm_url": confirm,
            "unsubscribe_url": unsubscribe,
            "digest_hour": settings.PORTAL_DIGEST_HOUR,
        },
    )
    return _send(
        to=subscription.email,
        subject="Bekräfta din bevakning i Nämndportalen",
        body=body,
        unsubscribe=unsubscribe,
    )


def send_already_following(subscription: Subscription) -> bool:
    unsubscribe = unsubscribe_url(subscription_id=subscription.pk)
    body = render_to_string(
        "cases/alerts/mail/already.txt",
        {
            "what": describe(subscription),
            "address_url": address_url(subscription.email),
            "unsubscribe_url": unsubscribe,
        },
    )
    return _send(
        to=subscription.email,
        subject="Du bevakar redan det här i Nämndportalen",
        body=body,
        unsubscribe=unsubscribe,
    )


def send_digest(*, email: str, sections: list, counts: dict[str, int]) -> bool:
    """One address's digest: ``sections`` is a list of DigestSection (digest.py), ``counts``
    how many handlingar ("documents"), decisions ("beslut") and status changes ("status")."""
    unsubscribe = unsubscribe_url(email=email)
    body = render_to_string(
        "cases/alerts/mail/digest.txt",
        {"sections": sections, "address_url": address_url(email), "unsubscribe_url": unsubscribe},
    )
    subject = f"Nytt i dina bevakningar: {describe_counts(counts)}"
    return _send(to=email, subject=subject, body=body, unsubscribe=unsubscribe)


def describe_counts(counts: dict[str, int]) -> str:
    """ "2 handlingar, 1 beslut och 1 statusändring" (what is there, in Swedish)."""
    words = (
        ("documents", "handling", "handlingar"),
        ("beslut", "beslut", "beslut"),
        ("status", "statusändring", "statusändringar"),
    )
    parts = [
        f"{counts[key]} {one if counts[key] == 1 else many}"
        for key, one, many in words
        if counts.get(key)
    ]
    return " och ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]

"""Subscribe (double opt-in), confirm, stop. Each write is atomic; mails leave after commit.

Nothing is mailed about a subscription's items before its address confirms it: the only
mail an unconfirmed address gets is the confirmation link itself, at most RATE_LIMIT_PER_HOUR
an hour.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from ..feeds import feed_query
from ..filters import parse_search
from ..models import Board, Case
from . import mails
from .models import Subscription, SubscriptionKind, SubscriptionRequest

# Subscription requests per hour to one address or from one connection.
RATE_LIMIT_PER_HOUR = 5


class AlertError(Exception):
    """A subscription that cannot be made or changed; the message is for the person."""


class RateLimited(AlertError):
    pass


def hash_ip(ip: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def normalise_search(search: str) -> str:
    """A search's parameters as the search page reads them; AlertError when it has errors."""
    params = QueryDict(search)
    _form, query, filters = parse_search(params)
    if filters is None:
        raise AlertError("Sökningen har fel. Gör om sökningen och bevaka den sedan.")
    normalised = feed_query(params)
    if not normalised:
        raise AlertError("Skriv något att söka på eller välj en avgränsning innan du bevakar.")
    return normalised


def _check_rate(*, email: str, ip_hash: str, now: datetime.datetime) -> None:
    recent = SubscriptionRequest.objects.filter(created_at__gte=now - datetime.timedelta(hours=1))
    if recent.filter(email=email).count() >= RATE_LIMIT_PER_HOUR:
        raise RateLimited(
            "Den här e-postadressen har fått många bekräftelser den senaste timmen. "
            "Vänta en stund och försök igen."
        )
    if ip_hash and recent.filter(ip_hash=ip_hash).count() >= RATE_LIMIT_PER_HOUR:
        raise RateLimited(
            "Det har kommit många bevakningar från din uppkoppling den senaste timmen. "
            "Vänta en stund och försök igen."
        )


@transaction.atomic
def request_subscription(
    *,
    email: str,
    kind: str,
    search: str = "",
    case: Case | None = None,
    board: Board | None = None,
    ip: str = "",
    now: datetime.datetime | None = None,
) -> Subscription:
    """Record the wish and mail the address a signed confirmation link (or, when it already
    follows this, a link to its page). The same answer either way: the form never tells
    anyone what an address follows."""
    now = now or timezone.now()
    email = email.strip().lower()
    ip_hash = hash_ip(ip) if ip else ""
    _check_rate(email=email, ip_hash=ip_hash, now=now)
    SubscriptionRequest.objects.create(email=email, ip_hash=ip_hash, created_at=now)
    if kind == SubscriptionKind.SEARCH:
        search, case, board = normalise_search(search), None, None
    elif kind == SubscriptionKind.CASE and case is not None:
        search, board = "", None
    elif kind == SubscriptionKind.BOARD and board is not None:
        search, case = "", None
    else:
        raise AlertError("Välj vad du vill bevaka: en sökning, ett ärende eller en nämnd.")
    target = {"email": email, "kind": kind, "search": search, "case": case, "board": board}
    subscription = (
        Subscription.objects.select_for_update().filter(stopped_at__isnull=True, **target).first()
    )
    if subscription is None:
        subscription = Subscription.objects.create(ip_hash=ip_hash, **target)
    if subscription.is_active:
        transaction.on_commit(lambda: mails.send_already_following(subscription))
    else:
        transaction.on_commit(lambda: mails.send_confirmation(subscription))
    return subscription


@transaction.atomic
def confirm_subscription(
    *, subscription_id: int, now: datetime.datetime | None = None
) -> Subscription:
    """Start the subscription: handlingar registered from now on are news to it."""
    now = now or timezone.now()
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None:
        raise AlertError("Bevakningen finns inte. Bevaka igen för att få en ny länk.")
    if subscription.stopped_at is not None:
        raise AlertError("Bevakningen är avslutad. Bevaka igen om du vill ha den tillbaka.")
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
        subscription.covered_until = now
        subscription.save(update_fields=["confirmed_at", "covered_until"])
    return subscription


@transaction.atomic
def stop_subscription(
    *, subscription_id: int, email: str | None = None, now: datetime.datetime | None = None
) -> Subscription | None:
    """Stop one subscription (of ``email`` when given); None when there is none to stop."""
    subscriptions = Subscription.objects.select_for_update().filter(pk=subscription_id)
    if email is not None:
        subscriptions = subscriptions.filter(email=email)
    subscription = subscriptions.first()
    if subscription is not None and subscription.stopped_at is None:
        subscription.stopped_at = now or timezone.now()
        subscription.save(update_fields=["stopped_at"])
    return subscription


@transaction.atomic
def stop_all(*, email: str, now: datetime.datetime | None = None) -> int:
    """Stop every subscription of an address; how many were running."""
    return Subscription.objects.filter(email=email, stopped_at__isnull=True).update(
        stopped_at=now or timezone.now()
    )


def address_subscriptions(email: str) -> list[Subscription]:
    """What an address follows or has asked to follow, for its page."""
    return list(
        Subscription.objects.filter(email=email, stopped_at__isnull=True)
        .select_related("case", "board")
        .order_by("created_at", "pk")
    )

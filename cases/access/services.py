"""The writes of a request to see handlings. Each is atomic and records an event; the
requester (when they gave an address) is mailed the step and the status link after commit.

Nothing the requester is told names a handling that is not public by its title: a handling
that is unpublished or confidential is named by its number, kind and date only
(``item_label``), before and after the decision.
"""

import datetime
import hashlib
import hmac
import logging
import re
import secrets
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ..models import BoardMembership, Document
from .models import (
    AccessOrder,
    AccessRequest,
    AccessRequestEvent,
    AccessRequestItem,
    Delivery,
    EventKind,
    Outcome,
    RequestStatus,
)

logger = logging.getLogger(__name__)

MAX_DOCUMENTS = 50
# Orders per hour from one IP address or to one e-mail address before the form says wait.
RATE_LIMIT_PER_HOUR = 5
OSL_PATTERN = re.compile(r"^\d{1,2} kap\. \d{1,2} ?[a-z]? §")

APPEAL_NOTICE = (
    "Hur man överklagar: Beslutet kan överklagas till Kammarrätten i Stockholm "
    "(6 kap. 7 § offentlighets- och sekretesslagen). Skriv vilket beslut du överklagar och "
    "hur du vill att det ändras. Skicka överklagandet till {board}, inte till kammarrätten. "
    "Det ska ha kommit in inom tre veckor från den dag du fick del av beslutet. "
    "Som anonym sökande behöver du inte uppge ditt namn för att överklaga, men beslutet måste "
    "kunna nå dig."
)


class AccessError(Exception):
    """A request that cannot be made or taken; the message is for the person (Swedish)."""


class RateLimited(AccessError):
    """Too many orders from one address or connection within the hour."""


def item_label(document: Document) -> str:
    """How the requester sees a handling: a public one by its title, any other one only by
    number, kind and date (OSL 5 kap. 2 §: date and dnr are always public)."""
    number = f"{document.case.dnr_key}-{document.sequence}"
    if document.is_public and not document.case.is_cancelled:
        return f"{number} {document.display_title}"
    date = f", {document.document_date:%Y-%m-%d}" if document.document_date else ""
    return f"{number} ({document.get_kind_display().lower()}{date})"


def hash_ip(ip: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def _check_rate(*, email: str, ip_hash: str, now: datetime.datetime) -> None:
    since = now - datetime.timedelta(hours=1)
    recent = AccessOrder.objects.filter(created_at__gte=since)
    if ip_hash and recent.filter(ip_hash=ip_hash).count() >= RATE_LIMIT_PER_HOUR:
        raise RateLimited(
            "Det har kommit många begäranden från din uppkoppling den senaste timmen. "
            "Vänta en stund och försök igen, eller kontakta nämndens registratur."
        )
    if email and recent.filter(email__iexact=email).count() >= RATE_LIMIT_PER_HOUR:
        raise RateLimited(
            "Det har kommit många begäranden från din e-postadress den senaste timmen. "
            "Vänta en stund och försök igen, eller kontakta nämndens registratur."
        )


@transaction.atomic
def submit_order(
    *,
    document_ids: list[int],
    email: str,
    delivery: str,
    message: str = "",
    ip: str = "",
    base_url: str,
    now: datetime.datetime | None = None,
) -> AccessOrder:
    """One order, one request per owning board, routed to that board's registrators."""
    now = now or timezone.now()
    email = email.strip()
    if not document_ids:
        raise AccessError("Din beställning är tom. Lägg till handlingar med knappen Begär ut.")
    if len(set(document_ids)) > MAX_DOCUMENTS:
        raise AccessError(f"Du kan begära högst {MAX_DOCUMENTS} handlingar åt gången.")
    if delivery not in Delivery.values:
        raise AccessError("Välj hur du vill få handlingarna.")
    if delivery == Delivery.EMAIL and not email:
        raise AccessError("Skriv din e-postadress för att få handlingarna med e-post.")
    documents = list(
        Document.objects.filter(pk__in=set(document_ids), cancelled=False)
        .select_related("case", "case__board")
        .order_by("case__board__name", "case__dnr_key", "sequence")
    )
    if len(documents) != len(set(document_ids)):
        raise AccessError("En av handlingarna i beställningen finns inte längre. Ta bort den.")
    ip_hash = hash_ip(ip) if ip else ""
    _check_rate(email=email, ip_hash=ip_hash, now=now)
    order = AccessOrder.objects.create(
        token=secrets.token_urlsafe(32),
        email=email,
        delivery=delivery,
        message=message.strip(),
        ip_hash=ip_hash,
        created_at=now,
    )
    by_board = defaultdict(list)
    for document in documents:
        by_board[document.case.board].append(document)
    for board, board_documents in by_board.items():
        request = AccessRequest.objects.create(order=order, board=board, received_at=now)
        AccessRequestItem.objects.bulk_create(
            AccessRequestItem(request=request, document=d) for d in board_documents
        )
        AccessRequestEvent.objects.create(request=request, kind=EventKind.RECEIVED, at=now)
        _notify_registrars(request, board_documents, base_url=base_url)
    lines = [f"{board.name}:\n" + _item_lines(docs) for board, docs in by_board.items()]
    _mail_requester(
        order,
        subject="Vi har tagit emot din begäran om allmän handling",
        body=(
            "Vi har tagit emot din begäran att få ta del av dessa handlingar:\n\n"
            + "\n\n".join(lines)
            + "\n\nVarje nämnd prövar sin del skyndsamt, normalt inom en arbetsdag."
        ),
        base_url=base_url,
    )
    return order


def _item_lines(documents) -> str:
    return "\n".join(f"- {item_label(d)}" for d in documents)


def _status_url(order: AccessOrder, base_url: str) -> str:
    return base_url.rstrip("/") + order.get_absolute_url()


def _send(subject: str, body: str, recipients: list[str]) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except OSError:
        # The step is recorded and the status page shows it; a lost mail must not undo it.
        logger.exception("Kunde inte skicka e-post om utlämnandebegäran")


def _mail_requester(order: AccessOrder, *, subject: str, body: str, base_url: str) -> None:
    if not order.email:
        return
    text = (
        f"{body}\n\nFölj din begäran här: {_status_url(order, base_url)}\n\n"
        "Länken är personlig: den som har den kan se begärans status.\n"
    )
    email = order.email
    transaction.on_commit(lambda: _send(subject, text, [email]))


def _notify_registrars(request: AccessRequest, documents, *, base_url: str) -> None:
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(
                is_active=True,
                board_memberships__board=request.board,
                board_memberships__role=BoardMembership.Role.REGISTRAR,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    if not recipients:
        return
    url = base_url.rstrip("/") + reverse("admin:cases_accessrequest_change", args=[request.pk])
    subject = f"Ny utlämnandebegäran till {request.board.name}"
    body = f"En begäran om allmän handling har kommit in:\n\n{_item_lines(documents)}\n\n{url}\n"
    transaction.on_commit(lambda: _send(subject, body, recipients))


def _locked(request: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update().select_related("order", "board")
    return locked.get(pk=request.pk)


def _require_open(request: AccessRequest) -> None:
    if not request.is_open:
        raise AccessError(f"Begäran är redan {request.get_status_display().lower()}.")


def clean_osl_reference(value: str) -> str:
    value = " ".join(value.split())
    if not OSL_PATTERN.match(value):
        raise AccessError("Ange paragrafen i offentlighets- och sekretesslagen som ”26 kap. 1 §”.")
    return value


@transaction.atomic
def decide_request(
    *,
    request: AccessRequest,
    outcomes: dict[int, tuple[str, str]],
    decided_by: str,
    reasoning: str = "",
    base_url: str,
    now: datetime.datetime | None = None,
) -> AccessRequest:
    """Decide every handling of the request (item id → outcome, OSL paragraph) at once and
    write the decision; masking and refusal need the OSL paragraph and get besvärshänvisning."""
    now = now or timezone.now()
    request = _locked(request)
    _require_open(request)
    items = list(request.items.select_related("document", "document__case"))
    if set(outcomes) != {item.pk for item in items}:
        raise AccessError("Välj ett beslut för varje begärd handling.")
    for item in items:
        outcome, osl = outcomes[item.pk]
        if outcome not in {Outcome.RELEASED, Outcome.MASKED, Outcome.REFUSED}:
            raise AccessError("Välj ett beslut för varje begärd handling.")
        item.outcome = outcome
        item.osl_reference = (
            clean_osl_reference(osl) if outcome in {Outcome.MASKED, Outcome.REFUSED} else ""
        )
    AccessRequestItem.objects.bulk_update(items, ["outcome", "osl_reference"])
    request.decision_text = decision_text(request, items, reasoning=reasoning, decided_on=now)
    request.status = RequestStatus.ANSWERED
    request.answered_at = now
    request.decided_by = decided_by
    request.save(update_fields=["decision_text", "status", "answered_at", "decided_by"])
    AccessRequestEvent.objects.create(
        request=request, kind=EventKind.DECIDED, at=now, actor=decided_by
    )
    _mail_requester(
        request.order,
        subject=f"Beslut från {request.board.name} om din begäran",
        body=request.decision_text,
        base_url=base_url,
    )
    return request


def decision_text(request, items, *, reasoning: str, decided_on: datetime.datetime) -> str:
    """The written decision the requester gets (and can appeal when it withholds anything)."""
    day = timezone.localtime(decided_on).date().isoformat()
    lines = [f"Beslut {day}, {request.board.name}", ""]
    groups = [
        (Outcome.RELEASED, "Handlingarna lämnas ut:"),
        (Outcome.MASKED, "Handlingarna lämnas ut med maskering av uppgifter med sekretess:"),
        (Outcome.REFUSED, "Begäran avslås för dessa handlingar:"),
    ]
    for outcome, heading in groups:
        chosen = [item for item in items if item.outcome == outcome]
        if not chosen:
            continue
        lines.append(heading)
        for item in chosen:
            osl = f" – sekretess enligt OSL {item.osl_reference}" if item.osl_reference else ""
            lines.append(f"- {item_label(item.document)}{osl}")
        lines.append("")
    if reasoning.strip():
        lines += ["Motivering: " + reasoning.strip(), ""]
    delivery = request.order.get_delivery_display().lower()
    if any(item.outcome != Outcome.REFUSED for item in items):
        lines += [f"Det som lämnas ut får du som du valde: {delivery}.", ""]
    if any(item.outcome in {Outcome.MASKED, Outcome.REFUSED} for item in items):
        lines.append(APPEAL_NOTICE.format(board=request.board.name))
    return "\n".join(lines).strip()


@transaction.atomic
def request_clarification(
    *,
    request: AccessRequest,
    question: str,
    asked_by: str,
    base_url: str,
    now: datetime.datetime | None = None,
) -> AccessRequest:
    """Ask the requester what they mean (begär precisering); the answer comes on the status
    page, so an anonymous requester can give it too."""
    now = now or timezone.now()
    question = question.strip()
    if not question:
        raise AccessError("Skriv vad sökanden behöver precisera.")
    request = _locked(request)
    _require_open(request)
    request.status = RequestStatus.CLARIFICATION
    request.save(update_fields=["status"])
    AccessRequestEvent.objects.create(
        request=request, kind=EventKind.CLARIFICATION_ASKED, at=now, actor=asked_by, note=question
    )
    _mail_requester(
        request.order,
        subject=f"{request.board.name} behöver veta mer om din begäran",
        body=f"{request.board.name} ber dig precisera din begäran:\n\n{question}\n\n"
        "Svara på sidan för din begäran.",
        base_url=base_url,
    )
    return request


@transaction.atomic
def give_clarification(
    *, order: AccessOrder, answer: str, base_url: str, now: datetime.datetime | None = None
) -> list[AccessRequest]:
    """The requester's answer goes to every board that asked; each request is open again."""
    now = now or timezone.now()
    answer = answer.strip()
    if not answer:
        raise AccessError("Skriv din precisering.")
    waiting = list(
        AccessRequest.objects.select_for_update()
        .filter(order=order, status=RequestStatus.CLARIFICATION)
        .order_by("pk")
    )
    if not waiting:
        raise AccessError("Ingen nämnd väntar på en precisering av den här begäran.")
    for request in waiting:
        request.status = RequestStatus.RECEIVED
        request.save(update_fields=["status"])
        AccessRequestEvent.objects.create(
            request=request, kind=EventKind.CLARIFICATION_GIVEN, at=now, note=answer
        )
    _mail_requester(
        order,
        subject="Vi har tagit emot din precisering",
        body="Tack, din precisering är skickad till nämnden.",
        base_url=base_url,
    )
    return waiting


@transaction.atomic
def cancel_request(
    *,
    request: AccessRequest,
    reason: str,
    cancelled_by: str,
    base_url: str,
    now: datetime.datetime | None = None,
) -> AccessRequest:
    """Makulera (a duplicate, spam): the request and its history stay, marked with a reason."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise AccessError("Ange skälet till makuleringen.")
    request = _locked(request)
    if request.status == RequestStatus.CANCELLED:
        raise AccessError("Begäran är redan makulerad.")
    request.status = RequestStatus.CANCELLED
    request.cancelled_reason = reason
    request.save(update_fields=["status", "cancelled_reason"])
    AccessRequestEvent.objects.create(
        request=request, kind=EventKind.CANCELLED, at=now, actor=cancelled_by, note=reason
    )
    _mail_requester(
        request.order,
        subject=f"{request.board.name} har makulerat din begäran",
        body=f"Din begäran till {request.board.name} har makulerats. Skäl: {reason}",
        base_url=base_url,
    )
    return request

"""Requests to see handlings (utlämnande av allmän handling, TF 2 kap., OSL 6 kap.).

An ``AccessOrder`` is what a person sent in one go, a basket that may span boards; it holds
the unguessable token of the status link and the requester's address (or none: anonymous).
Each board gets its own ``AccessRequest``, decided by that board's registrators, with one
``AccessRequestItem`` per handling and an ``AccessRequestEvent`` for every step. Nothing here
is ever deleted (a trigger in migration 0016 refuses DELETE); a request is makulerad instead.
"""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ..models import Board, Document, in_choices


class Delivery(models.TextChoices):
    EMAIL = "e-post", "Med e-post"
    PAPER = "papper", "Papperskopior"
    ON_SITE = "pa-plats", "Läsa på plats hos nämnden"


class RequestStatus(models.TextChoices):
    RECEIVED = "inkommen", "Inkommen, under prövning"
    CLARIFICATION = "precisering", "Precisering begärd"
    ANSWERED = "besvarad", "Besvarad"
    CANCELLED = "makulerad", "Makulerad"


class Outcome(models.TextChoices):
    PENDING = "", "Prövas"
    RELEASED = "lamnas-ut", "Lämnas ut"
    MASKED = "maskerad", "Lämnas ut med maskering"
    REFUSED = "avslag", "Avslås"


class EventKind(models.TextChoices):
    RECEIVED = "inkommen", "Begäran kom in"
    CLARIFICATION_ASKED = "precisering-begard", "Precisering begärd"
    CLARIFICATION_GIVEN = "precisering-lamnad", "Sökanden preciserade"
    DECIDED = "beslut", "Beslut"
    CANCELLED = "makulerad", "Makulerad"


class AccessOrder(models.Model):
    """What a person sent: the status link's token and how to reach them (or not)."""

    Delivery = Delivery

    token = models.CharField("länknyckel", max_length=64, unique=True, editable=False)
    email = models.EmailField(
        "e-postadress", blank=True, help_text="Tom när sökanden valt att vara anonym."
    )
    delivery = models.CharField("leverans", max_length=16, choices=Delivery.choices)
    message = models.TextField("meddelande från sökanden", blank=True)
    # HMAC of the sender's IP address: enough to limit the rate, not a stored address.
    ip_hash = models.CharField("IP-nyckel", max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("inkom", default=timezone.now)

    class Meta:
        verbose_name = "beställning"
        verbose_name_plural = "beställningar"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("delivery", Delivery), name="access_order_delivery_valid"
            ),
            models.CheckConstraint(
                condition=~Q(delivery="e-post") | ~Q(email=""),
                name="access_order_email_delivery_needs_address",
            ),
        ]
        indexes = [
            models.Index(fields=["ip_hash", "created_at"], name="access_order_ip_idx"),
            models.Index(fields=["email", "created_at"], name="access_order_email_idx"),
        ]

    def __str__(self) -> str:
        return f"Beställning {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("cases:access-status", args=[self.token])

    @property
    def is_anonymous(self) -> bool:
        return not self.email


class AccessRequest(models.Model):
    """One board's part of an order: routed to that board's registrators, decided by them."""

    Status = RequestStatus

    order = models.ForeignKey(
        AccessOrder, verbose_name="beställning", on_delete=models.PROTECT, related_name="requests"
    )
    board = models.ForeignKey(
        Board, verbose_name="nämnd", on_delete=models.PROTECT, related_name="access_requests"
    )
    status = models.CharField(
        "status", max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(
        "inkom", help_text="Klockan går härifrån till beslutet, också under en precisering."
    )
    answered_at = models.DateTimeField("besvarad", null=True, blank=True)
    decided_by = models.CharField("beslutad av", max_length=150, blank=True)
    decision_text = models.TextField("skriftligt beslut", blank=True)
    cancelled_reason = models.TextField("skäl för makulering", blank=True)

    class Meta:
        verbose_name = "utlämnandebegäran"
        verbose_name_plural = "utlämnandebegäranden"
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "board"], name="access_request_one_per_board"),
            models.CheckConstraint(
                condition=in_choices("status", RequestStatus), name="access_request_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="besvarad")
                | (Q(answered_at__isnull=False) & ~Q(decision_text="")),
                name="access_request_answer_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status="makulerad") | ~Q(cancelled_reason=""),
                name="access_request_cancel_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["board", "received_at"], name="access_request_board_idx"),
        ]

    def __str__(self) -> str:
        return f"Begäran {self.pk} till {self.board.short_name}"

    @property
    def is_open(self) -> bool:
        return self.status in {RequestStatus.RECEIVED, RequestStatus.CLARIFICATION}


class AccessRequestItem(models.Model):
    """One handling asked for, and what the board decided about it."""

    Outcome = Outcome

    request = models.ForeignKey(
        AccessRequest, verbose_name="begäran", on_delete=models.PROTECT, related_name="items"
    )
    document = models.ForeignKey(
        Document, verbose_name="handling", on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        "beslut", max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    osl_reference = models.CharField(
        "sekretessparagraf i beslutet",
        max_length=64,
        blank=True,
        help_text="Krävs vid avslag och maskering, t.ex. 26 kap. 1 §.",
    )

    class Meta:
        verbose_name = "begärd handling"
        verbose_name_plural = "begärda handlingar"
        ordering = ["request", "document__case__dnr_key", "document__sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "document"], name="access_item_unique_document"
            ),
            models.CheckConstraint(
                condition=in_choices("outcome", Outcome), name="access_item_outcome_valid"
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["maskerad", "avslag"]) | ~Q(osl_reference=""),
                name="access_item_refusal_needs_osl",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document.case.dnr_key}-{self.document.sequence}"


class AccessRequestEvent(models.Model):
    """The history of a request: every step, who took it, and what the requester was told."""

    Kind = EventKind

    request = models.ForeignKey(
        AccessRequest, verbose_name="begäran", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("händelse", max_length=32, choices=Kind.choices)
    at = models.DateTimeField("tidpunkt", default=timezone.now)
    actor = models.CharField(
        "utförd av", max_length=150, blank=True, help_text="Tom när sökanden själv gjorde det."
    )
    note = models.TextField("text", blank=True)

    class Meta:
        verbose_name = "händelse"
        verbose_name_plural = "händelser"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("kind", EventKind), name="access_event_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

"""Subscriptions (bevakningar) and the record of what was mailed to an address."""

from django.db import models
from django.db.models import Q

from ..models.common import in_choices
from ..models.documents import Document
from ..models.meetings import Decision
from ..models.register import Board, Case, CaseStatusChange


class SubscriptionKind(models.TextChoices):
    SEARCH = "sokning", "Sökning"
    CASE = "arende", "Ärende"
    BOARD = "namnd", "Nämnd"


class Subscription(models.Model):
    """One address following one search, case or board. Nothing is sent before it is
    confirmed through the signed link mailed to the address; a stopped one is kept (the
    rate limit counts it) but never mailed again."""

    Kind = SubscriptionKind

    email = models.EmailField("e-postadress")
    kind = models.CharField("bevakar", max_length=16, choices=Kind.choices)
    search = models.CharField(
        "sökning",
        max_length=600,
        blank=True,
        help_text="Sökningens parametrar som på /sok/ (q, namnd, typ, status, fran, till).",
    )
    case = models.ForeignKey(
        Case, verbose_name="ärende", null=True, blank=True, on_delete=models.PROTECT
    )
    board = models.ForeignKey(
        Board, verbose_name="nämnd", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("begärd", auto_now_add=True)
    confirmed_at = models.DateTimeField("bekräftad", null=True, blank=True)
    stopped_at = models.DateTimeField("avslutad", null=True, blank=True)
    # Handlingar registered after this are new to the subscription (set at confirmation,
    # moved on by each digest).
    covered_until = models.DateTimeField("bevakat till", null=True, blank=True)
    ip_hash = models.CharField("IP-adress (HMAC)", max_length=64, blank=True)

    class Meta:
        verbose_name = "bevakning"
        verbose_name_plural = "bevakningar"
        constraints = [
            models.CheckConstraint(
                condition=in_choices("kind", SubscriptionKind), name="subscription_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="sokning", case__isnull=True, board__isnull=True)
                    | Q(kind="arende", case__isnull=False, board__isnull=True, search="")
                    | Q(kind="namnd", case__isnull=True, board__isnull=False, search="")
                ),
                name="subscription_target_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["email", "kind", "search", "case", "board"],
                condition=Q(stopped_at__isnull=True),
                nulls_distinct=False,
                name="subscription_unique_active",
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="subscription_email_idx"),
            models.Index(
                fields=["covered_until"],
                name="subscription_active_idx",
                condition=Q(confirmed_at__isnull=False, stopped_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()}"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.stopped_at is None


class SentItem(models.Model):
    """A handling mailed to an address: a digest never sends it to that address again."""

    email = models.EmailField("e-postadress")
    document = models.ForeignKey(Document, verbose_name="handling", on_delete=models.CASCADE)
    subscription = models.ForeignKey(
        Subscription, verbose_name="bevakning", on_delete=models.CASCADE, related_name="sent"
    )
    sent_at = models.DateTimeField("skickad", auto_now_add=True)

    class Meta:
        verbose_name = "skickad handling"
        verbose_name_plural = "skickade handlingar"
        constraints = [
            models.UniqueConstraint(fields=["email", "document"], name="sent_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.document_id}"


class SentEvent(models.Model):
    """A decision or a status change mailed to an address (the handlingar's counterpart of
    SentItem): a digest never tells that address about it again."""

    email = models.EmailField("e-postadress")
    decision = models.ForeignKey(
        Decision, verbose_name="beslut", null=True, blank=True, on_delete=models.CASCADE
    )
    status_change = models.ForeignKey(
        CaseStatusChange,
        verbose_name="statusändring",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    subscription = models.ForeignKey(
        Subscription, verbose_name="bevakning", on_delete=models.CASCADE, related_name="sent_events"
    )
    sent_at = models.DateTimeField("skickad", auto_now_add=True)

    class Meta:
        verbose_name = "skickad händelse"
        verbose_name_plural = "skickade händelser"
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__isnull=False, status_change__isnull=True)
                | Q(decision__isnull=True, status_change__isnull=False),
                name="sent_event_one_event",
            ),
            models.UniqueConstraint(
                fields=["email", "decision"],
                condition=Q(decision__isnull=False),
                name="sent_event_decision_once",
            ),
            models.UniqueConstraint(
                fields=["email", "status_change"],
                condition=Q(status_change__isnull=False),
                name="sent_event_status_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.decision_id or self.status_change_id}"


class SubscriptionRequest(models.Model):
    """One use of a Bevaka form, kept for the rate limit (address, and the IP address only
    as an HMAC)."""

    email = models.EmailField("e-postadress")
    ip_hash = models.CharField("IP-adress (HMAC)", max_length=64, blank=True)
    created_at = models.DateTimeField("tidpunkt", db_index=True)

    class Meta:
        verbose_name = "begäran om bevakning"
        verbose_name_plural = "begäranden om bevakning"

    def __str__(self) -> str:
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M}"

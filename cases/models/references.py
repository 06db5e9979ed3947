"""Diarienummer that a handling mentions, resolved to a case when the register has it."""

from django.db import models
from django.db.models import F, Q

from .common import in_choices
from .documents import Document
from .register import Board, Case


class ReferenceRelation(models.TextChoices):
    NONE = "", "Nämns"
    REFERRAL_FROM = "remiss-fran", "Remiss från"
    ANSWERS = "svar-pa", "Svar på"
    ALSO_ANSWERS = "besvarar-aven", "Besvarar även"
    FOR_INFORMATION = "for-kannedom", "För kännedom"
    FORWARDED_TO = "overlamnat-till", "Överlämnat till"


class ReferenceStatus(models.TextChoices):
    RESOLVED = "resolved", "Kopplad till ärende"
    UNRESOLVED = "unresolved", "Ärendet finns inte i registret"
    NEAR_MISS = "near_miss", "Möjligt felskrivet nummer – granskas"


class Reference(models.Model):
    """A dnr mentioned in a document, resolved to a case when the register has it."""

    Relation = ReferenceRelation

    Status = ReferenceStatus

    source = models.ForeignKey(
        Document, verbose_name="handling", on_delete=models.CASCADE, related_name="references"
    )
    raw = models.CharField("som det skrevs", max_length=120)
    dnr_key = models.CharField("normaliserat diarienummer", max_length=64, db_index=True)
    display = models.CharField("diarienummer", max_length=64)
    start = models.PositiveIntegerField(
        "position i texten",
        null=True,
        blank=True,
        help_text="Tom för en hänvisning som registratorn lagt till för hand.",
    )
    end = models.PositiveIntegerField("slutposition i texten", null=True, blank=True)
    board = models.ForeignKey(
        Board,
        verbose_name="numrets nämnd",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    relation = models.CharField(
        "relation", max_length=32, choices=Relation.choices, blank=True, default=""
    )
    status = models.CharField(
        "status", max_length=16, choices=Status.choices, default=Status.UNRESOLVED
    )
    target = models.ForeignKey(
        Case,
        verbose_name="hänvisat ärende",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_references",
    )
    suspected_target = models.ForeignKey(
        Case,
        verbose_name="troligen avsett ärende",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suspected_references",
    )

    class Meta:
        verbose_name = "hänvisning"
        verbose_name_plural = "hänvisningar"
        ordering = ["source", "start"]
        constraints = [
            models.UniqueConstraint(fields=["source", "start"], name="reference_unique_span"),
            models.CheckConstraint(
                condition=in_choices("status", ReferenceStatus), name="reference_status_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("relation", ReferenceRelation), name="reference_relation_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(target__isnull=False),
                name="reference_resolved_has_target",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True) | Q(end__gt=F("start")),
                name="reference_span_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.display

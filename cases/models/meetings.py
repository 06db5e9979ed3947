"""Sammanträden, their dagordning and the decisions (§) recorded in the minutes."""

import datetime

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone

from ..access.workdays import is_working_day, next_working_day
from .common import public_text
from .register import Board, Case


class Meeting(models.Model):
    board = models.ForeignKey(
        Board, verbose_name="nämnd", on_delete=models.PROTECT, related_name="meetings"
    )
    date = models.DateField("datum")
    location = models.CharField("plats", max_length=200, blank=True)
    minutes_approved_on = models.DateField("justerat", null=True, blank=True)
    posted_on = models.DateField(
        "anslaget", null=True, blank=True, help_text="Dag då protokollet anslogs (KL 13 kap.)."
    )
    source_file = models.CharField("källfil", max_length=500, blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    class Meta:
        verbose_name = "sammanträde"
        verbose_name_plural = "sammanträden"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["board", "date"], name="meeting_unique_per_day"),
            models.CheckConstraint(
                condition=Q(posted_on__isnull=True)
                | Q(minutes_approved_on__isnull=True)
                | Q(posted_on__gte=F("minutes_approved_on")),
                name="meeting_posted_after_approval",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board.short_name} {self.date.isoformat()}"

    def get_absolute_url(self) -> str:
        return reverse("cases:meeting-detail", args=[self.board.slug, self.date.isoformat()])

    @property
    def public_location(self) -> str:
        return public_text(self.location)

    @property
    def appeal_deadline(self) -> datetime.date | None:
        """Last day to appeal (laglighetsprövning): three weeks from the day the justerat
        protokoll was posted (KL 13 kap. 5 §); a last day on a weekend, a helgdag,
        midsommar-, jul- or nyårsafton moves to the next weekday (lag 1930:173)."""
        if self.posted_on is None:
            return None
        last_day = self.posted_on + datetime.timedelta(weeks=3)
        return last_day if is_working_day(last_day) else next_working_day(last_day)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name="sammanträde", on_delete=models.CASCADE, related_name="items"
    )
    number = models.PositiveIntegerField("punkt")
    title = models.TextField("rubrik")
    case = models.ForeignKey(
        Case,
        verbose_name="ärende",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agenda_items",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    class Meta:
        verbose_name = "dagordningspunkt"
        verbose_name_plural = "dagordningspunkter"
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_item_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.display_title[:60]}"

    @property
    def display_title(self) -> str:
        """The title the public sees: a case's current public title (protecting a title
        later changes every agenda at once), else the item's own text."""
        return self.case.display_title if self.case_id else public_text(self.title)


class Decision(models.Model):
    """A decision (beslut) recorded as a § in the minutes; § numbers run per board and year."""

    case = models.ForeignKey(
        Case, verbose_name="ärende", on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.ForeignKey(
        Meeting,
        verbose_name="sammanträde",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    board = models.ForeignKey(
        Board, verbose_name="nämnd", on_delete=models.PROTECT, related_name="decisions"
    )
    year = models.PositiveSmallIntegerField("år")
    section = models.PositiveIntegerField("paragraf (§)")
    decided_on = models.DateField("beslutsdatum")
    text = models.TextField("beslut")
    # When the decision entered the register (the alert digest's "new since"); the database
    # default covers rows written outside the ORM (a bulk load).
    registered_at = models.DateTimeField(
        "registrerat", default=timezone.now, db_default=Now(), editable=False
    )

    class Meta:
        verbose_name = "beslut"
        verbose_name_plural = "beslut"
        ordering = ["-decided_on", "-section"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "year", "section"], name="decision_unique_section"
            ),
        ]

    def __str__(self) -> str:
        return f"§ {self.section}/{self.year} {self.case.dnr}"

    @property
    def public_text(self) -> str:
        return public_text(self.text)

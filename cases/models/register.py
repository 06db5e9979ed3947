"""The register itself: boards, cases, their other numbers (aliases), the logged status
changes and each board's number series."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from .common import in_choices, public_text, public_title


class BoardKind(models.TextChoices):
    DISTRICT = "stadsdelsnamnd", "Stadsdelsnämnd"
    SECTOR = "facknamnd", "Facknämnd"
    EXECUTIVE = "kommunstyrelse", "Kommunstyrelse"
    COUNCIL = "kommunfullmaktige", "Kommunfullmäktige"
    OTHER = "annan", "Annan"
    # A body outside the city (Länsstyrelsen, JO, another municipality) whose numbers the
    # city's documents quote; kept so references to it resolve and show who owns the number.
    EXTERNAL = "extern", "Extern myndighet"


class CaseStatus(models.TextChoices):
    OPEN = "pagaende", "Pågående"
    DECIDED = "beslutat", "Beslutat"
    CLOSED = "avslutat", "Avslutat"
    ARCHIVED = "arkiverat", "Arkiverat"
    CANCELLED = "makulerat", "Makulerat"


class Board(models.Model):
    Kind = BoardKind

    name = models.CharField("namn", max_length=200, unique=True)
    short_name = models.CharField("kortnamn", max_length=100, unique=True)
    slug = models.SlugField("webbnamn", max_length=100, unique=True)
    kind = models.CharField("typ", max_length=32, choices=Kind.choices)
    dnr_prefixes = ArrayField(
        models.CharField(max_length=12),
        verbose_name="diarieprefix",
        default=list,
        blank=True,
        help_text="Prefix i nämndens diarienummer, t.ex. HV för HV 2019/272.",
    )
    valid_from = models.DateField("giltig från", null=True, blank=True)
    valid_to = models.DateField(
        "giltig till", null=True, blank=True, help_text="Sista dagen nämnden fanns."
    )
    successor = models.ForeignKey(
        "self",
        verbose_name="efterträdare",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    class Meta:
        verbose_name = "nämnd"
        verbose_name_plural = "nämnder"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("kind", BoardKind), name="board_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=F("valid_from")),
                name="board_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:board-detail", args=[self.slug])

    @property
    def is_active(self) -> bool:
        return self.valid_to is None


class CaseQuerySet(models.QuerySet):
    def not_cancelled(self):
        return self.exclude(status=CaseStatus.CANCELLED)


class Case(models.Model):
    Status = CaseStatus

    board = models.ForeignKey(
        Board, verbose_name="nämnd", on_delete=models.PROTECT, related_name="cases"
    )
    dnr = models.CharField(
        "diarienummer", max_length=64, help_text="Som det skrevs, t.ex. HV 2019/272."
    )
    dnr_key = models.CharField(
        "normaliserat diarienummer",
        max_length=64,
        help_text="Samma nyckel för alla stavningar av numret; används för uppslag.",
    )
    dnr_year = models.PositiveSmallIntegerField("diarieår")
    dnr_number = models.PositiveIntegerField("löpnummer")
    title = models.TextField("ärendemening")
    public_title = models.TextField(
        "publik ärendemening",
        blank=True,
        help_text="Visas för allmänheten när ärendemeningen är skyddad. Tom = ”[Skyddat]”.",
    )
    title_protected = models.BooleanField(
        "skyddad ärendemening",
        default=False,
        help_text="Ärendemeningen innehåller sekretessuppgifter (OSL 5 kap. 2 §).",
    )
    title_from_ocr = models.BooleanField(
        "ärendemening ur OCR-text",
        default=False,
        help_text="Ärendemeningen lästes ur inskannad text och kan ha fel i å/ä/ö; "
        "sökningen tål det.",
    )
    status = models.CharField("status", max_length=16, choices=Status.choices, default=Status.OPEN)
    registered_on = models.DateField("registrerat")
    class_code = models.CharField("klassificering", max_length=32, blank=True)
    officer = models.CharField("handläggare", max_length=200, blank=True)
    cancelled_reason = models.TextField("skäl för makulering", blank=True)
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    history = HistoricalRecords(verbose_name="historik för ärende")
    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "ärende"
        verbose_name_plural = "ärenden"
        ordering = ["-registered_on", "-dnr_year", "-dnr_number"]
        constraints = [
            models.UniqueConstraint(fields=["board", "dnr_key"], name="case_unique_dnr_per_board"),
            models.CheckConstraint(
                condition=in_choices("status", CaseStatus), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="makulerat") | ~Q(cancelled_reason=""),
                name="case_cancel_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(dnr_year__gte=1900, dnr_year__lte=2200) & Q(dnr_number__gte=1),
                name="case_dnr_parts_valid",
            ),
            models.CheckConstraint(condition=~Q(dnr_key=""), name="case_dnr_key_not_empty"),
        ]
        indexes = [
            models.Index(fields=["dnr_key"], name="case_dnr_key_idx"),
            models.Index(fields=["dnr_year", "dnr_number"], name="case_dnr_year_number_idx"),
            # the API's modified_since lists (incremental sync)
            models.Index(fields=["updated_at"], name="case_updated_at_idx"),
        ]

    def __str__(self) -> str:
        # The public title: every label drawn from str() (admin page titles, breadcrumbs,
        # lists, choices, autocomplete, the admin log) is safe for anyone who sees the row.
        return f"{self.dnr} {self.display_title[:60]}"

    def get_absolute_url(self) -> str:
        """The case's permanent address: its board and its number. A number alone can name
        cases of several boards (two boards' PREL 2025/1); board and number never do."""
        return reverse("cases:board-case-detail", args=[self.board.slug, self.dnr_key])

    @property
    def display_title(self) -> str:
        return public_title(self.title, self.public_title, self.title_protected)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def public_cancelled_reason(self) -> str:
        return public_text(self.cancelled_reason)


class CaseAlias(models.Model):
    """Another number for the same case, e.g. HV's pre-eDok 1.2.4-231-2019 for HV 2019/12."""

    case = models.ForeignKey(
        Case, verbose_name="ärende", on_delete=models.CASCADE, related_name="aliases"
    )
    dnr = models.CharField("diarienummer", max_length=64)
    dnr_key = models.CharField("normaliserat diarienummer", max_length=64, db_index=True)

    class Meta:
        verbose_name = "alias för diarienummer"
        verbose_name_plural = "alias för diarienummer"
        constraints = [
            models.UniqueConstraint(fields=["case", "dnr_key"], name="alias_unique_per_case"),
        ]

    def __str__(self) -> str:
        return self.dnr


class CaseStatusChange(models.Model):
    """The logged life cycle of a case: every status change, who made it and when."""

    case = models.ForeignKey(
        Case, verbose_name="ärende", on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(
        "från status", max_length=16, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField("till status", max_length=16, choices=CaseStatus.choices)
    changed_at = models.DateTimeField("tidpunkt", auto_now_add=True)
    changed_by = models.CharField("ändrad av", max_length=150, blank=True)
    note = models.TextField("kommentar", blank=True)

    class Meta:
        verbose_name = "statusändring"
        verbose_name_plural = "statusändringar"
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=in_choices("to_status", CaseStatus), name="status_change_valid"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.case.dnr}: {self.get_from_status_display() or '–'} → "
            f"{self.get_to_status_display()}"
        )


class DnrSeries(models.Model):
    """A board's number series for one year: the last löpnummer handed out.

    Numbers are allocated by locking this row (``registering.allocate_dnr``), so two registrators
    never get the same number, and a number once handed out is never handed out again, also
    after makulering.
    """

    board = models.ForeignKey(
        Board, verbose_name="nämnd", on_delete=models.PROTECT, related_name="dnr_series"
    )
    year = models.PositiveSmallIntegerField("år")
    last_number = models.PositiveIntegerField("senast tilldelade löpnummer", default=0)

    class Meta:
        verbose_name = "diarieserie"
        verbose_name_plural = "diarieserier"
        constraints = [
            models.UniqueConstraint(fields=["board", "year"], name="dnr_series_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.board.short_name} {self.year}: {self.last_number}"

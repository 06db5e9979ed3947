"""The tables of the register: boards, cases, documents, attachments, meetings, references.

Rules that must always hold are database constraints. Cases, documents and attachments are
never deleted (a trigger in migration 0002 refuses DELETE); a registration is cancelled
(makulerad) with a reason and keeps its row and number.
"""

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from . import kinds
from .personal_data import mask_personal_numbers

PROTECTED_TITLE = "[Skyddat]"


def public_title(title: str, protected_title: str, protected: bool) -> str:
    """The title the public may see (OSL 5 kap. 2 §: dnr and date always, title maybe;
    personnummer never)."""
    if protected:
        return mask_personal_numbers(protected_title) or PROTECTED_TITLE
    return mask_personal_numbers(title)


def in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


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


# The register's kinds of handling live in cases/kinds.py (the importers read them too).
DocumentKind = models.TextChoices(
    "DocumentKind", [(kind.name, (kind.value, kinds.LABELS[kind][0])) for kind in kinds.Kind]
)


class Direction(models.TextChoices):
    INCOMING = "in", "Inkommen"
    OUTGOING = "ut", "Utgående"
    DRAWN_UP = "upprattad", "Upprättad"


class TextSource(models.TextChoices):
    TYPED = "typed", "Inskriven text"
    TEXT_LAYER = "text_layer", "Textlager i PDF"
    OCR = "ocr", "OCR-tolkad"
    NONE = "none", "Ingen text (behöver OCR)"


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
        ]

    def __str__(self) -> str:
        return f"{self.dnr} {self.title[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("cases:case-detail", args=[self.dnr_key])

    @property
    def display_title(self) -> str:
        return public_title(self.title, self.public_title, self.title_protected)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


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


class DocumentQuerySet(models.QuerySet):
    def public(self):
        """Documents the public may see: published, not confidential, not cancelled."""
        return self.filter(published=True, confidential=False, cancelled=False)


class Document(models.Model):
    Kind = DocumentKind

    Direction = Direction

    TextSource = TextSource

    case = models.ForeignKey(
        Case, verbose_name="ärende", on_delete=models.PROTECT, related_name="documents"
    )
    sequence = models.PositiveIntegerField(
        "löpnummer i ärendet", help_text="Handlingens nummer inom ärendet: HV 2019/272-3 → 3."
    )
    kind = models.CharField("handlingstyp", max_length=32, choices=Kind.choices)
    title = models.TextField("rubrik")
    public_title = models.TextField("publik rubrik", blank=True)
    title_protected = models.BooleanField("skyddad rubrik", default=False)
    document_date = models.DateField(
        "datum",
        null=True,
        blank=True,
        help_text="Dagen handlingen kom in eller upprättades (OSL 5 kap. 2 §), "
        "inte tidpunkten för registreringen.",
    )
    registered_at = models.DateTimeField("registrerad", auto_now_add=True)
    direction = models.CharField(
        "riktning", max_length=16, choices=Direction.choices, default=Direction.DRAWN_UP
    )
    counterpart = models.CharField(
        "avsändare/mottagare",
        max_length=300,
        blank=True,
        help_text="Skriv ”saknas” när det inte finns någon.",
    )
    counterpart_protected = models.BooleanField("skyddad avsändare/mottagare", default=False)
    officer = models.CharField("handläggare", max_length=200, blank=True)
    summary = models.TextField("sammanfattning", blank=True)
    full_text = models.TextField("fulltext", blank=True, help_text="Originaltexten för visning.")
    clean_text = models.TextField(
        "text för sökning",
        blank=True,
        help_text="Texten utan sidhuvuden, brevhuvuden och OCR-skräp; det som ska indexeras.",
    )
    text_source = models.CharField(
        "textkälla", max_length=16, choices=TextSource.choices, default=TextSource.TYPED
    )
    ocr_quality = models.FloatField(
        "andel okända ord",
        null=True,
        blank=True,
        help_text="Andel ord som inte finns i svensk ordlista (0–1); högt = sämre OCR.",
    )
    confidential = models.BooleanField("sekretess", default=False)
    osl_reference = models.CharField(
        "sekretessparagraf", max_length=64, blank=True, help_text="T.ex. 26 kap. 1 §"
    )
    published = models.BooleanField(
        "publicerad på webben",
        default=True,
        help_text="Ett eget beslut, skilt från om handlingen är offentlig.",
    )
    cancelled = models.BooleanField("makulerad", default=False)
    cancelled_reason = models.TextField("skäl för makulering", blank=True)
    proposal = models.TextField("förslag till beslut", blank=True)
    meeting_date = models.DateField(
        "sammanträdesdatum", null=True, blank=True, help_text="Sammanträdet handlingen är till."
    )
    officer_phone = models.CharField("handläggarens telefon", max_length=40, blank=True)
    signatories = models.JSONField("undertecknare", default=list, blank=True)
    attachment_list = models.JSONField(
        "bilageförteckning",
        default=list,
        blank=True,
        help_text="Bilagor som handlingen räknar upp.",
    )
    attested_by = models.JSONField("attesterat av", default=list, blank=True)
    source_file = models.CharField("källfil", max_length=500, blank=True)
    source_start = models.PositiveIntegerField("position i källfil", null=True, blank=True)
    source_end = models.PositiveIntegerField("slutposition i källfil", null=True, blank=True)

    history = HistoricalRecords(verbose_name="historik för handling")
    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = "handling"
        verbose_name_plural = "handlingar"
        ordering = ["case", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="document_unique_sequence"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="document_sequence_positive"),
            models.CheckConstraint(
                condition=in_choices("kind", DocumentKind), name="document_kind_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("direction", Direction), name="document_direction_valid"
            ),
            models.CheckConstraint(
                condition=in_choices("text_source", TextSource), name="document_text_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(confidential=False) | ~Q(osl_reference=""),
                name="document_confidential_needs_osl",
            ),
            models.CheckConstraint(
                condition=Q(cancelled=False) | ~Q(cancelled_reason=""),
                name="document_cancel_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(ocr_quality__isnull=True) | Q(ocr_quality__gte=0, ocr_quality__lte=1),
                name="document_ocr_quality_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.dnr}-{self.sequence} {self.title[:60]}"

    @property
    def is_public(self) -> bool:
        return self.published and not self.confidential and not self.cancelled

    @property
    def display_title(self) -> str:
        return public_title(self.title, self.public_title, self.title_protected)

    @property
    def display_counterpart(self) -> str:
        return PROTECTED_TITLE if self.counterpart_protected else self.counterpart

    @property
    def osl_label(self) -> str:
        return f"Sekretess enligt OSL {self.osl_reference}" if self.confidential else ""


class Attachment(models.Model):
    """A bilaga kept as a file, stored outside the web root."""

    document = models.ForeignKey(
        Document, verbose_name="handling", on_delete=models.PROTECT, related_name="attachments"
    )
    number = models.PositiveIntegerField("bilaga nr")
    title = models.TextField("rubrik")
    file = models.FileField("fil", upload_to="bilagor/%Y/", blank=True)
    content_type = models.CharField("filtyp", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("storlek (byte)", default=0)
    text = models.TextField("text", blank=True, help_text="Text ur filen, för sökning.")
    confidential = models.BooleanField("sekretess", default=False)
    osl_reference = models.CharField("sekretessparagraf", max_length=64, blank=True)
    published = models.BooleanField("publicerad på webben", default=True)
    cancelled = models.BooleanField("makulerad", default=False)
    cancelled_reason = models.TextField("skäl för makulering", blank=True)

    history = HistoricalRecords(verbose_name="historik för bilaga")

    class Meta:
        verbose_name = "bilaga"
        verbose_name_plural = "bilagor"
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="attachment_unique_number"),
            models.CheckConstraint(
                condition=Q(confidential=False) | ~Q(osl_reference=""),
                name="attachment_confidential_needs_osl",
            ),
            models.CheckConstraint(
                condition=Q(cancelled=False) | ~Q(cancelled_reason=""),
                name="attachment_cancel_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Bilaga {self.number}: {self.title[:60]}"

    @property
    def is_public(self) -> bool:
        return self.published and not self.confidential and not self.cancelled


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
    def appeal_deadline(self) -> datetime.date | None:
        """Last day to appeal (laglighetsprövning): three weeks after anslag (KL 13 kap.)."""
        return self.posted_on + datetime.timedelta(weeks=3) if self.posted_on else None


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

    class Meta:
        verbose_name = "dagordningspunkt"
        verbose_name_plural = "dagordningspunkter"
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="agenda_item_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title[:60]}"


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


class PersonalDataFinding(models.Model):
    """Personal data found in imported text, listed for a registrator to review."""

    class Kind(models.TextChoices):
        PERSONAL_NUMBER = "personnummer", "Personnummer"
        EMAIL = "e-post", "Privat e-postadress"
        PHONE = "telefon", "Telefonnummer"

    document = models.ForeignKey(
        Document, verbose_name="handling", on_delete=models.CASCADE, related_name="personal_data"
    )
    kind = models.CharField("typ", max_length=16, choices=Kind.choices)
    masked_value = models.CharField("maskerat värde", max_length=80)
    start = models.PositiveIntegerField("position i texten")
    end = models.PositiveIntegerField("slutposition i texten")
    reviewed = models.BooleanField("granskad", default=False)

    class Meta:
        verbose_name = "personuppgift att granska"
        verbose_name_plural = "personuppgifter att granska"
        ordering = ["document", "start"]
        constraints = [
            models.UniqueConstraint(fields=["document", "start"], name="personal_data_unique_span"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.masked_value}"


class SearchEntry(models.Model):
    """The narrow search table: one row per document, apart from the wide text.

    Kept by ``services.index_document``. ``public`` is the visibility rule for the public
    (published, not confidential, not cancelled, case not cancelled) so counts, facets and
    lists all filter on the same column. See ``cases/search.py`` for the two vectors.
    """

    document = models.OneToOneField(
        Document,
        verbose_name="handling",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    date = models.DateField()
    public = models.BooleanField()
    clean_vector = SearchVectorField(null=True)
    ocr_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = "sökpost"
        verbose_name_plural = "sökposter"
        indexes = [
            # fastupdate off: no pending list for every search to read (migration 0014)
            GinIndex(fields=["clean_vector"], name="search_clean_vector_gin", fastupdate=False),
            GinIndex(fields=["ocr_vector"], name="search_ocr_vector_gin", fastupdate=False),
            models.Index(
                F("date").desc(),
                F("document").desc(),
                name="search_public_date_idx",
                condition=Q(public=True),
            ),
            # Newest-first walks within a board or a document kind (the facet filters).
            models.Index(
                F("board"),
                F("date").desc(),
                F("document").desc(),
                name="search_public_board_date_idx",
                condition=Q(public=True),
            ),
            models.Index(
                F("kind"),
                F("date").desc(),
                F("document").desc(),
                name="search_public_kind_date_idx",
                condition=Q(public=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Sökpost för handling {self.document_id}"


class CaseSearchEntry(models.Model):
    """A case found by its own ärendemening, also when it has no documents (most cases of a
    meeting's ärendelista are only a number and a title). One row per case, kept by
    ``services.index_case``; ``public`` is false for a cancelled case, and a protected
    title is indexed by its public form only.

    As for documents: a typed title goes into the clean vector (``har`` never matches
    ``här``); a title read from OCR'd text (``Case.title_from_ocr``: the importer restores
    what å/ä/ö it can, not all) into the OCR vector, folded, matched with the query's OCR
    spellings.
    """

    case = models.OneToOneField(
        Case,
        verbose_name="ärende",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    date = models.DateField()
    public = models.BooleanField()
    vector = SearchVectorField(null=True)
    ocr_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = "sökpost för ärende"
        verbose_name_plural = "sökposter för ärenden"
        indexes = [
            GinIndex(fields=["vector"], name="case_search_vector_gin", fastupdate=False),
            GinIndex(fields=["ocr_vector"], name="case_search_ocr_vector_gin", fastupdate=False),
            # the newest slice of a common word's matches (queries.case_hits)
            models.Index(
                F("date").desc(),
                name="case_search_public_date_idx",
                condition=Q(public=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Sökpost för ärende {self.case_id}"


class SearchWord(models.Model):
    """Every lexeme of the public search entries: which OCR spellings occur, and spelling
    suggestions. Never a word that only a confidential document has (services.index_document
    keeps it so)."""

    word = models.CharField(max_length=100, primary_key=True)
    documents = models.PositiveIntegerField()

    class Meta:
        verbose_name = "sökord"
        verbose_name_plural = "sökord"
        indexes = [
            GinIndex(
                name="search_word_trgm",
                fields=["word"],
                opclasses=["gin_trgm_ops"],
                fastupdate=False,
            ),
        ]

    def __str__(self) -> str:
        return self.word


class DnrSeries(models.Model):
    """A board's number series for one year: the last löpnummer handed out.

    Numbers are allocated by locking this row (``services.allocate_dnr``), so two registrators
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


class BoardMembership(models.Model):
    """Which boards a staff member works for, and in which role.

    A registrator registers and corrects only the series of their boards; a nämndsekreterare
    keeps meetings, agendas and decisions. Staff see confidential data only for their boards.
    Administrators (superusers) see everything.
    """

    class Role(models.TextChoices):
        REGISTRAR = "registrator", "Registrator"
        SECRETARY = "namndsekreterare", "Nämndsekreterare"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="användare",
        on_delete=models.CASCADE,
        related_name="board_memberships",
    )
    board = models.ForeignKey(
        Board, verbose_name="nämnd", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("roll", max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = "behörighet för nämnd"
        verbose_name_plural = "behörigheter för nämnder"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "board", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["registrator", "namndsekreterare"]),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} för {self.board.short_name}"


class BackgroundRun(models.Model):
    """An import or an index rebuild run by a worker (procrastinate), with its progress for the
    admin. The worker claims a queued run once; a second claim of the same run does nothing."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Inläsning av handlingar"
        REINDEX = "reindex", "Ny sökindexering"

    class State(models.TextChoices):
        QUEUED = "vantar", "Väntar"
        RUNNING = "pagar", "Pågår"
        DONE = "klar", "Klar"
        FAILED = "misslyckad", "Misslyckades"

    kind = models.CharField("slag", max_length=16, choices=Kind.choices)
    state = models.CharField("läge", max_length=16, choices=State.choices, default=State.QUEUED)
    board = models.ForeignKey(
        Board, verbose_name="nämnd", null=True, blank=True, on_delete=models.PROTECT
    )
    path = models.CharField("mapp eller fil", max_length=1000, blank=True)
    total = models.PositiveIntegerField("att göra", default=0)
    done = models.PositiveIntegerField("klara", default=0)
    failures = models.TextField("fel", blank=True)
    created_at = models.DateTimeField("beställd", auto_now_add=True)
    started_at = models.DateTimeField("startad", null=True, blank=True)
    finished_at = models.DateTimeField("avslutad", null=True, blank=True)

    class Meta:
        verbose_name = "bakgrundsjobb"
        verbose_name_plural = "bakgrundsjobb"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["import", "reindex"]), name="backgroundrun_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["vantar", "pagar", "klar", "misslyckad"]),
                name="backgroundrun_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.path}".strip()


# Requests to see handlings live in their own package; imported here so Django finds them.
from .access.models import (  # noqa: E402, F401
    AccessOrder,
    AccessRequest,
    AccessRequestEvent,
    AccessRequestItem,
)

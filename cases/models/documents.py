"""Handlingar and their bilagor, the personal data found in their text, and the
registrators' review queue."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .. import kinds
from .common import PRIVATE_PERSON, PROTECTED_TITLE, in_choices, public_text, public_title
from .register import Case

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
    updated_at = models.DateTimeField("ändrad", auto_now=True)
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
    counterpart_private = models.BooleanField(
        "avsändaren/mottagaren är en privatperson",
        default=False,
        help_text="Namnet visas som ”Privatperson” på webben. En ny handling publiceras först "
        "när en registrator har granskat den. Inte för tjänstemän och myndigheter.",
    )
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
    # A private person's handling waits for a registrator's review before it is published
    # (registering.review_for_publication); the names in it are personal data.
    review_pending = models.BooleanField("att granska före publicering", default=False)
    review_note = models.TextField(
        "skäl att inte publicera",
        blank=True,
        help_text="Varför handlingen inte publiceras på webben efter granskningen.",
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
        indexes = [
            # the API's modified_since lists (incremental sync)
            models.Index(fields=["updated_at"], name="document_updated_at_idx"),
            # the daily alert digest reads the handlingar registered since the last one
            models.Index(fields=["registered_at"], name="document_registered_at_idx"),
            # an import finds the rows an earlier import made from the same part of its file,
            # once per batch: without it every batch reads the whole table
            models.Index(fields=["source_file", "source_start"], name="document_source_idx"),
        ]

    def __str__(self) -> str:
        # The public title, as Case.__str__.
        return f"{self.case.dnr}-{self.sequence} {self.display_title[:60]}"

    @property
    def is_public(self) -> bool:
        return self.published and not self.confidential and not self.cancelled

    @property
    def display_title(self) -> str:
        return public_title(self.title, self.public_title, self.title_protected)

    @property
    def display_counterpart(self) -> str:
        """The sender or recipient the public sees: a private person's name never."""
        if self.counterpart_protected:
            return PROTECTED_TITLE
        if self.counterpart_private:
            return PRIVATE_PERSON
        return public_text(self.counterpart)

    # The texts as every public channel shows them (models.common.public_text).
    @property
    def public_summary(self) -> str:
        return public_text(self.summary)

    @property
    def public_proposal(self) -> str:
        return public_text(self.proposal)

    @property
    def public_full_text(self) -> str:
        return public_text(self.full_text)

    @property
    def public_clean_text(self) -> str:
        return public_text(self.clean_text)

    @property
    def osl_label(self) -> str:
        return f"Sekretess enligt OSL {self.osl_reference}" if self.confidential else ""


class DocumentForReview(Document):
    """The registrators' queue "Att granska före publicering": a private person's handlings
    that wait for a decision to publish them (admin: cases/admin/review.py)."""

    class Meta:
        proxy = True
        verbose_name = "handling att granska före publicering"
        verbose_name_plural = "att granska före publicering"


class AttachmentQuerySet(models.QuerySet):
    def public(self):
        """Attachments the public may see: the bilaga and its handling are both published,
        not confidential and not cancelled."""
        return self.filter(
            published=True,
            confidential=False,
            cancelled=False,
            document__in=Document.objects.public(),
        )


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
    created_at = models.DateTimeField("skapad", auto_now_add=True)
    updated_at = models.DateTimeField("ändrad", auto_now=True)

    history = HistoricalRecords(verbose_name="historik för bilaga")
    objects = AttachmentQuerySet.as_manager()

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
        return f"Bilaga {self.number}: {self.display_title[:60]}"

    @property
    def is_public(self) -> bool:
        return self.published and not self.confidential and not self.cancelled

    @property
    def display_title(self) -> str:
        """The title the public sees: personnummer masked; an empty one as ``[Skyddat]``."""
        return public_text(self.title) if self.title.strip() else PROTECTED_TITLE

    @property
    def public_text(self) -> str:
        return public_text(self.text)

    @property
    def public_file_name(self) -> str:
        """The file's name as a download offers it (a scanned "intyg 19121212-1212.pdf")."""
        return public_text(self.file.name.rsplit("/", 1)[-1]) if self.file else ""


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

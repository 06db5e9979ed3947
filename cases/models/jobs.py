"""Work that runs longer than a request: an import's progress and background runs."""

from django.db import models
from django.db.models import Q

from .register import Board


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
    failed = models.PositiveIntegerField("misslyckade", default=0)
    failures = models.TextField("fel", blank=True)
    imported = models.TextField("inlästa filer", blank=True)
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


class ImportProgress(models.Model):
    """How far the import of one text file has come. A large file is imported in batches that
    each commit with this row, so a run that was stopped resumes after the last committed
    batch, provided the file is the same (size and SHA-256)."""

    source_file = models.CharField("källfil", max_length=500, unique=True)
    size = models.BigIntegerField("storlek (byte)")
    sha256 = models.CharField("SHA-256", max_length=64)
    offset = models.BigIntegerField("inläst till (byte)", default=0)
    chars = models.BigIntegerField("inläst till (tecken)", default=0)
    batches = models.PositiveIntegerField("inlästa omgångar", default=0)
    finished_at = models.DateTimeField("klar", null=True, blank=True)
    updated_at = models.DateTimeField("senast ändrad", auto_now=True)

    class Meta:
        verbose_name = "inläsning av fil"
        verbose_name_plural = "inläsningar av filer"
        constraints = [
            models.CheckConstraint(
                condition=Q(offset__gte=0, offset__lte=models.F("size")),
                name="importprogress_offset_within_file",
            ),
        ]

    def __str__(self) -> str:
        return self.source_file

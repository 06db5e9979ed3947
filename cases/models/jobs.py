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

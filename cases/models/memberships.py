"""Which boards a staff member works for, and in which role."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .register import Board


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

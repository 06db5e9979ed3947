"""Mandatperioder of Kommunfullmäktige: four years from 15 October of an election year
(the ordinary election is held in September every fourth year; Vallagen 1 kap. 3 §,
Kommunallagen 5 kap. 5 §)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

FIRST_ELECTION = 1994


@dataclass(frozen=True)
class Term:
    start: datetime.date
    end: datetime.date

    @property
    def name(self) -> str:
        return f"Mandatperioden {self.start.year}–{self.end.year}"

    @property
    def created(self) -> datetime.datetime:
        """A term is a fact of the calendar: it exists from its first day."""
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time()))


def legislative_terms(*, today: datetime.date | None = None) -> list[Term]:
    """Every term that has begun, oldest first."""
    today = today or timezone.localdate()
    terms = []
    year = FIRST_ELECTION
    while datetime.date(year, 10, 15) <= today:
        terms.append(Term(datetime.date(year, 10, 15), datetime.date(year + 4, 10, 14)))
        year += 4
    return terms


def term_starting(year: int) -> Term | None:
    return next((term for term in legislative_terms() if term.start.year == year), None)

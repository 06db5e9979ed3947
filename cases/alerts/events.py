"""What a person following a case or a board is told besides new handlingar: a decision
(beslut) registered and a change of the case's status.

Only what the public may see: a cancelled (makulerat) case's decisions are not sent (its page
no longer shows them) and its cancellation is told without the reason or anything of its
handlingar; titles are the public titles; personnummer in a decision's text are masked.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from ..models import Case, CaseStatus, CaseStatusChange, Decision

DECISION = "beslut"
STATUS = "status"
TEXT_CHARS = 300


@dataclass(frozen=True)
class Event:
    """One decision or status change, as a digest lists it (title, meta, snippet, link are
    what the mail shows, like a handling's DigestItem)."""

    kind: str  # DECISION or STATUS
    pk: int
    case_id: int
    board_id: int
    at: datetime.datetime
    title: str
    meta: str
    snippet: str
    link: str


def new_events(*, start: datetime.datetime, now: datetime.datetime, absolute) -> list[Event]:
    """Decisions and status changes registered after ``start`` up to ``now``, newest first.
    ``absolute`` turns a path into the link a mail carries."""
    decisions = (
        Decision.objects.filter(registered_at__gt=start, registered_at__lte=now)
        .exclude(case__status=CaseStatus.CANCELLED)
        .select_related("case", "case__board", "board")
    )
    changes = (
        CaseStatusChange.objects.filter(changed_at__gt=start, changed_at__lte=now)
        # a case's first status is its registration (its handlingar say that), not a change
        .exclude(from_status="")
        .exclude(from_status=F("to_status"))
        .select_related("case", "case__board")
    )
    events = [_decision_event(decision, absolute) for decision in decisions]
    events += [_status_event(change, absolute) for change in changes]
    events.sort(key=lambda event: (event.at, event.kind, event.pk), reverse=True)
    return events


def _about(case: Case) -> str:
    return f"Ärende: {case.dnr_key} {case.display_title}"


def _decision_event(decision: Decision, absolute) -> Event:
    case = decision.case
    text = " ".join(decision.public_text.split())
    if len(text) > TEXT_CHARS:
        text = text[:TEXT_CHARS].rsplit(" ", 1)[0] + " …"
    return Event(
        kind=DECISION,
        pk=decision.pk,
        case_id=case.pk,
        board_id=decision.board_id,
        at=decision.registered_at,
        title=f"Nytt beslut: § {decision.section}/{decision.year} i ärendet {case.dnr_key}",
        meta=(
            f"Beslut · {decision.board.short_name} · {decision.decided_on.isoformat()} · "
            f"{_about(case)}"
        ),
        snippet=text,
        link=absolute(case.get_absolute_url()),
    )


def _status_event(change: CaseStatusChange, absolute) -> Event:
    case = change.case
    before = CaseStatus(change.from_status).label.lower()
    after = CaseStatus(change.to_status).label.lower()
    said = f"Ärendets status ändrades från {before} till {after}."
    if change.to_status == CaseStatus.CANCELLED:
        said = (
            "Ärendet har makulerats. Dess handlingar och beslut visas inte längre i Nämndportalen."
        )
    day = timezone.localdate(change.changed_at)
    return Event(
        kind=STATUS,
        pk=change.pk,
        case_id=case.pk,
        board_id=case.board_id,
        at=change.changed_at,
        title=f"Ny status i ärendet {case.dnr_key}: {CaseStatus(change.to_status).label}",
        meta=f"Statusändring · {case.board.short_name} · {day.isoformat()} · {_about(case)}",
        snippet=said,
        link=absolute(case.get_absolute_url()),
    )

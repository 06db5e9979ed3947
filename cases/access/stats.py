"""A board's numbers on requests to see handlings, for the board page (public).

Per month of arrival (Europe/Stockholm): how many came in, the median and 90th percentile of
the time to the decision (hours, interpolated as PostgreSQL's percentile_cont does), and the
share answered within one working day: decided before the end of the first working day after
the day it came in. A request still open counts against the share once that day has passed,
and not at all before. Makulerade requests are left out. The clock runs from arrival to the
decision, also while a precisering is awaited.
"""

import datetime
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from .models import AccessRequest, RequestStatus
from .workdays import next_working_day

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTHS_SHOWN = 12
MONTH_NAMES = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]  # fmt: skip


@dataclass(frozen=True)
class MonthStats:
    month: datetime.date
    received: int
    answered: int
    median_hours: float | None
    p90_hours: float | None
    within_working_day: int
    judged: int

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.month.month - 1]} {self.month.year}"

    @property
    def short_label(self) -> str:
        return f"{MONTH_NAMES[self.month.month - 1][:3]} {self.month.year % 100:02d}"

    @property
    def share_within_working_day(self) -> float | None:
        return self.within_working_day / self.judged if self.judged else None


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def answer_deadline(received_at: datetime.datetime) -> datetime.datetime:
    """The end of the first working day after the day the request came in."""
    day = timezone.localtime(received_at, STOCKHOLM).date()
    after = next_working_day(day) + datetime.timedelta(days=1)
    return datetime.datetime.combine(after, datetime.time(), tzinfo=STOCKHOLM)


def _month_start(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, STOCKHOLM).date().replace(day=1)


def _shift_months(month: datetime.date, delta: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + delta
    return datetime.date(index // 12, index % 12 + 1, 1)


def board_statistics(board, *, now: datetime.datetime | None = None) -> list[MonthStats]:
    """The last twelve months, oldest first, months without requests included."""
    now = now or timezone.now()
    last = _month_start(now)
    first = _shift_months(last, -(MONTHS_SHOWN - 1))
    since = datetime.datetime.combine(first, datetime.time(), tzinfo=STOCKHOLM)
    rows = (
        AccessRequest.objects.filter(board=board, received_at__gte=since)
        .exclude(status=RequestStatus.CANCELLED)
        .values_list("received_at", "answered_at")
    )
    by_month: dict[datetime.date, list] = {}
    for received_at, answered_at in rows:
        by_month.setdefault(_month_start(received_at), []).append((received_at, answered_at))
    months = []
    for offset in range(MONTHS_SHOWN):
        month = _shift_months(first, offset)
        requests = by_month.get(month, [])
        hours = [(a - r).total_seconds() / 3600 for r, a in requests if a is not None]
        within = judged = 0
        for received_at, answered_at in requests:
            deadline = answer_deadline(received_at)
            if answered_at is not None and answered_at <= deadline:
                within += 1
                judged += 1
            elif answered_at is not None or now > deadline:
                judged += 1
        months.append(
            MonthStats(
                month=month,
                received=len(requests),
                answered=len(hours),
                median_hours=percentile(hours, 0.5),
                p90_hours=percentile(hours, 0.9),
                within_working_day=within,
                judged=judged,
            )
        )
    return months


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    label_x: int
    stats: MonthStats


CHART_WIDTH = 480
CHART_HEIGHT = 160
CHART_TOP = 20
CHART_BASE = 130
BAR_STEP = 40
BAR_WIDTH = 28


def chart_bars(months: list[MonthStats]) -> list[Bar]:
    """Geometry of the server-rendered SVG: one bar per month, height by requests received."""
    peak = max((m.received for m in months), default=0) or 1
    bars = []
    for index, month in enumerate(months):
        height = round((CHART_BASE - CHART_TOP) * month.received / peak)
        x = index * BAR_STEP + (BAR_STEP - BAR_WIDTH) // 2
        bars.append(
            Bar(x=x, y=CHART_BASE - height, height=height, label_x=x + BAR_WIDTH // 2, stats=month)
        )
    return bars

"""iCalendar (RFC 5545) files of the boards' meetings, for a calendar program to subscribe to.

A meeting is a whole-day event (the register keeps its date, not its hour) with its place,
a link to the meeting page and a UID that stays the same however often it is fetched. Whole
years in one query: no window of a few months around today.
"""

import datetime
import re
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

from .models import Board, Meeting

# A calendar covers at most this many years per request (ar=2015-2024).
MAX_YEARS = 10
FIRST_YEAR, LAST_YEAR = 1900, 2200
YEARS = re.compile(r"(?P<first>[0-9]{4})(?:-(?P<last>[0-9]{4}))?")


class BadYears(ValueError):
    """The ``ar`` parameter is not a year or a range of years the calendar can give."""


def parse_years(value: str | None, *, today: datetime.date) -> tuple[int, int]:
    """``ar=2025`` or ``ar=2024-2026`` as (first, last); none: this year and the next."""
    if not value:
        return today.year, today.year + 1
    match = YEARS.fullmatch(value.strip())
    if match is None:
        raise BadYears("Året ska skrivas ÅÅÅÅ eller ÅÅÅÅ-ÅÅÅÅ, t.ex. ar=2025.")
    years = int(match["first"]), int(match["last"] or match["first"])
    if not all(FIRST_YEAR <= year <= LAST_YEAR for year in years) or years[0] > years[1]:
        raise BadYears(f"Året ska vara mellan {FIRST_YEAR} och {LAST_YEAR}, det första först.")
    if years[1] - years[0] >= MAX_YEARS:
        raise BadYears(f"En kalender omfattar högst {MAX_YEARS} år.")
    return years


def calendar_meetings(*, board: Board | None, first: int, last: int) -> list[Meeting]:
    meetings = Meeting.objects.select_related("board").filter(
        date__gte=datetime.date(first, 1, 1), date__lt=datetime.date(last + 1, 1, 1)
    )
    if board is not None:
        meetings = meetings.filter(board=board)
    return list(meetings.order_by("date", "board__name"))


def meetings_calendar(*, meetings: list[Meeting], name: str, base_url: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Stockholms stad//Nämndportalen//SV")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    domain = urlsplit(base_url).hostname or "localhost"
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for meeting in meetings:
        calendar.add_component(_event(meeting, base_url=base_url, domain=domain, stamp=stamp))
    return calendar.to_ical()


def _event(meeting: Meeting, *, base_url: str, domain: str, stamp) -> icalendar.Event:
    url = base_url + meeting.get_absolute_url()
    event = icalendar.Event()
    # The row's id: the same event whatever its date or place becomes.
    event.add("uid", f"sammantrade-{meeting.pk}@{domain}")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.date)
    event.add("dtend", meeting.date + datetime.timedelta(days=1))
    event.add("summary", f"{meeting.board.name}: sammanträde")
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", url)
    event.add("description", f"Dagordning och handlingar: {url}")
    event.add("transp", "TRANSPARENT")
    return event

"""iCalendar (RFC 5545) files of the boards' meetings, for a calendar program to subscribe to.

A meeting is a whole-day event (the register keeps its date, not its hour) with its place,
a link to the meeting page and a UID that stays the same however often it is fetched. Whole
years in one query: no window of a few months around today.

The text is written here rather than built as icalendar objects: a year of all boards is
some 2,000 events, and the library's object building and serialisation took over a second
for them (bench/follow.py). The tests parse what is written with icalendar.
"""

import datetime
import hashlib
import re
from typing import NamedTuple
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Board, Meeting, public_text

# A calendar covers at most this many years per request (ar=2015-2024).
MAX_YEARS = 10
FIRST_YEAR, LAST_YEAR = 1900, 2200
YEARS = re.compile(r"(?P<first>[0-9]{4})(?:-(?P<last>[0-9]{4}))?")

# RFC 5545 3.1: a content line is at most 75 octets; longer ones continue on lines that
# begin with a space.
LINE_OCTETS = 75
# RFC 5545 3.3.11: TEXT holds no control characters but the tab.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# A date no meeting has, replaced by each meeting's date in its board's meeting address.
DATE_PLACEHOLDER = "0000-00-00"


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


class CalendarMeeting(NamedTuple):
    """What an event shows of a meeting: no agenda text, only the board, date and place."""

    pk: int
    date: datetime.date
    location: str
    board_name: str
    board_slug: str


def calendar_meetings(*, board: Board | None, first: int, last: int) -> list[CalendarMeeting]:
    """The meetings of the years in calendar order, reading only the columns an event shows."""
    meetings = Meeting.objects.filter(
        date__gte=datetime.date(first, 1, 1), date__lt=datetime.date(last + 1, 1, 1)
    )
    if board is not None:
        meetings = meetings.filter(board=board)
    rows = meetings.order_by("date", "board__name").values_list(
        "pk", "date", "location", "board__name", "board__slug"
    )
    return [CalendarMeeting(*row) for row in rows]


def calendar_etag(*, meetings: list[CalendarMeeting], name: str, base_url: str) -> str:
    """A weak validator of everything the events show (DTSTAMP aside), so a subscriber that
    polls gets 304 until a meeting is added, moved, changed or removed. There is no
    Last-Modified: the newest ``updated_at`` does not change when a meeting is deleted or
    moved out of the years asked for."""
    shown = (name, base_url, [tuple(meeting) for meeting in meetings])
    digest = hashlib.sha256(repr(shown).encode())
    return f'W/"{digest.hexdigest()[:32]}"'


def meetings_calendar(*, meetings: list[CalendarMeeting], name: str, base_url: str) -> bytes:
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    domain = escape_text(urlsplit(base_url).hostname or "localhost")
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Stockholms stad//Nämndportalen//SV",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + escape_text(name),
        "X-WR-TIMEZONE:" + escape_text(settings.TIME_ZONE),
    ]
    parts = [fold_line(line) + "\r\n" for line in header]
    # What is the same for many events is reversed, escaped and folded once: a year of all
    # boards is some 8,000 events at a million handlingar.
    boards: dict[str, tuple[str, str]] = {}
    locations: dict[str, str] = {"": ""}
    for meeting in meetings:
        if meeting.board_slug not in boards:
            address = reverse("cases:meeting-detail", args=[meeting.board_slug, DATE_PLACEHOLDER])
            summary = "SUMMARY:" + escape_text(f"{meeting.board_name}: sammanträde")
            boards[meeting.board_slug] = base_url + address, fold_line(summary) + "\r\n"
        if meeting.location not in locations:
            place = public_text(meeting.location)  # as Meeting.public_location
            location = fold_line("LOCATION:" + escape_text(place)) + "\r\n"
            locations[meeting.location] = location
        address, summary = boards[meeting.board_slug]
        parts.append(
            _event(
                meeting,
                url=address.replace(DATE_PLACEHOLDER, meeting.date.isoformat()),
                summary=summary,
                location=locations[meeting.location],
                domain=domain,
                stamp=stamp,
            )
        )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode()


def _event(
    meeting: CalendarMeeting, *, url: str, summary: str, location: str, domain: str, stamp: str
) -> str:
    """One VEVENT's content lines; ``summary`` and ``location`` come folded, and the
    lines of dates and constants are always shorter than 75 octets."""
    day_after = meeting.date + datetime.timedelta(days=1)
    # The row's id: the same event whatever its date or place becomes.
    uid = fold_line(f"UID:sammantrade-{meeting.pk}@{domain}")
    description = fold_line("DESCRIPTION:" + escape_text(f"Dagordning och handlingar: {url}"))
    return (
        f"BEGIN:VEVENT\r\n{uid}\r\nDTSTAMP:{stamp}\r\n"
        f"DTSTART;VALUE=DATE:{meeting.date.isoformat().replace('-', '')}\r\n"
        f"DTEND;VALUE=DATE:{day_after.isoformat().replace('-', '')}\r\n"
        f"{summary}{location}{fold_line('URL:' + url)}\r\n{description}\r\n"
        "TRANSP:TRANSPARENT\r\nEND:VEVENT\r\n"
    )


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newline escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return CONTROL_CHARACTERS.sub("", value.replace("\n", "\\n"))


def fold_line(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character."""
    if len(line) <= LINE_OCTETS and line.isascii():
        return line
    encoded = line.encode()
    if len(encoded) <= LINE_OCTETS:
        return line
    parts = []
    start, limit = 0, LINE_OCTETS
    while len(encoded) - start > limit:
        end = start + limit
        while encoded[end] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            end -= 1
        parts.append(encoded[start:end])
        # each continuation line begins with a space, one of its 75 octets
        start, limit = end, LINE_OCTETS - 1
    parts.append(encoded[start:])
    return b"\r\n ".join(parts).decode()

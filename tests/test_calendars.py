"""iCalendar files of the meetings, parsed with icalendar as a calendar program would."""

import datetime

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Meeting


def _events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0"
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def meetings(hv, ks):
    return [
        Meeting.objects.create(board=hv, date=datetime.date(2024, 1, 25), location="Vällingby"),
        Meeting.objects.create(board=hv, date=datetime.date(2024, 12, 12)),
        Meeting.objects.create(board=hv, date=datetime.date(2025, 2, 20)),
        Meeting.objects.create(board=ks, date=datetime.date(2024, 6, 5), location="Stadshuset"),
    ]


def test_board_calendar_has_the_whole_year_with_place_link_and_uid(client, meetings):
    events = _events(client.get("/namnd/hasselby-vallingby/kalender.ics?ar=2024"))

    assert [e.decoded("dtstart") for e in events] == [
        datetime.date(2024, 1, 25),
        datetime.date(2024, 12, 12),
    ]
    first = events[0]
    assert str(first["summary"]) == "Hässelby-Vällingby stadsdelsnämnd: sammanträde"
    assert str(first["location"]) == "Vällingby"
    assert first.decoded("dtend") == datetime.date(2024, 1, 26)
    assert str(first["url"]) == "http://testserver/namnd/hasselby-vallingby/sammantrade/2024-01-25/"
    assert str(first["description"]) == (
        "Dagordning och handlingar: "
        "http://testserver/namnd/hasselby-vallingby/sammantrade/2024-01-25/"
    )
    assert str(first["uid"]) == f"sammantrade-{meetings[0].pk}@testserver"
    assert "location" not in events[1]


def test_calendar_uids_are_stable_between_fetches(client, meetings):
    url = "/kalender.ics?ar=2024-2025"

    first = [str(e["uid"]) for e in _events(client.get(url))]
    again = [str(e["uid"]) for e in _events(client.get(url))]

    assert first == again
    assert len(set(first)) == 4


def test_calendar_for_all_boards_and_a_range_of_years(client, meetings):
    events = _events(client.get("/kalender.ics?ar=2024-2025"))

    assert [(str(e["summary"]), e.decoded("dtstart")) for e in events] == [
        ("Hässelby-Vällingby stadsdelsnämnd: sammanträde", datetime.date(2024, 1, 25)),
        ("Kommunstyrelsen: sammanträde", datetime.date(2024, 6, 5)),
        ("Hässelby-Vällingby stadsdelsnämnd: sammanträde", datetime.date(2024, 12, 12)),
        ("Hässelby-Vällingby stadsdelsnämnd: sammanträde", datetime.date(2025, 2, 20)),
    ]


def test_calendar_defaults_to_this_year_and_the_next(client, hv):
    this_year = timezone.localdate().year
    for year in (this_year - 1, this_year, this_year + 1, this_year + 2):
        Meeting.objects.create(board=hv, date=datetime.date(year, 3, 1))

    events = _events(client.get("/namnd/hasselby-vallingby/kalender.ics"))

    assert [e.decoded("dtstart").year for e in events] == [this_year, this_year + 1]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("tjugo", "Året ska skrivas ÅÅÅÅ eller ÅÅÅÅ-ÅÅÅÅ, t.ex. ar=2025."),
        ("2025-2024", "Året ska vara mellan 1900 och 2200, det första först."),
        ("99999", "Året ska skrivas ÅÅÅÅ eller ÅÅÅÅ-ÅÅÅÅ, t.ex. ar=2025."),
        ("1800", "Året ska vara mellan 1900 och 2200, det första först."),
        ("2000-2020", "En kalender omfattar högst 10 år."),
        ("2024-", "Året ska skrivas ÅÅÅÅ eller ÅÅÅÅ-ÅÅÅÅ, t.ex. ar=2025."),
    ],
)
def test_calendar_bad_year_is_a_clear_400(client, boards, value, message):
    response = client.get("/kalender.ics", {"ar": value})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_calendar_unknown_board_is_404(client, boards):
    assert client.get("/namnd/finns-inte/kalender.ics").status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_calendar_reads_one_query(client, hv, count):
    for n in range(count):
        Meeting.objects.create(board=hv, date=datetime.date(2024, 2, n + 1))

    with CaptureQueriesContext(connection) as all_boards:
        events = _events(client.get("/kalender.ics?ar=2024"))
    with CaptureQueriesContext(connection) as one_board:
        _events(client.get("/namnd/hasselby-vallingby/kalender.ics?ar=2024"))

    assert len(events) == count
    assert (len(all_boards), len(one_board)) == (1, 2)


def test_board_and_home_pages_link_the_calendars(client, hv):
    board_page = client.get("/namnd/hasselby-vallingby/").content.decode()
    home = client.get("/").content.decode()

    assert '<a href="/namnd/hasselby-vallingby/kalender.ics" type="text/calendar">' in board_page
    assert '<a href="/kalender.ics" type="text/calendar">' in home

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


NASTY_LOCATION = (
    'Stadshuset, Ragnar Östbergs plan 1; sal "Bröllopsalen" \\ ingång C\n'
    "Hiss till plan 2,\r\nvid Blå hallen – följ skyltarna mot Gyllene salen och Tornet 😀 åäöÅÄÖ"
)


def _raw_lines(content: bytes) -> list[bytes]:
    assert content.endswith(b"\r\n")
    lines = content[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    return lines


def test_calendar_escapes_and_folds_nasty_text_without_splitting_a_character(client, hv):
    from cases.models import Board

    name = "Hässelby-Vällingby stadsdelsnämnd, Västerort; förvaltning \\ avdelning östra"
    Board.objects.filter(pk=hv.pk).update(name=name)
    Meeting.objects.create(board=hv, date=datetime.date(2024, 3, 14), location=NASTY_LOCATION)

    response = client.get("/namnd/hasselby-vallingby/kalender.ics?ar=2024")
    events = _events(response)

    lines = _raw_lines(response.content)
    assert max(len(line) for line in lines) == 75
    # each physical line is whole UTF-8 (decode raises on a split character)
    assert "".join(line.decode() + "\r\n" for line in lines) == response.content.decode()
    unfolded = response.content.decode().replace("\r\n ", "").replace("\r\n", "\n")
    assert sum(line.startswith(b" ") for line in lines) == 5
    assert str(events[0]["location"]) == NASTY_LOCATION.replace("\r\n", "\n")
    assert str(events[0]["summary"]) == f"{name}: sammanträde"
    assert (
        '\nLOCATION:Stadshuset\\, Ragnar Östbergs plan 1\\; sal "Bröllopsalen" \\\\ '
        "ingång C\\nHiss till plan 2\\,\\nvid Blå hallen – följ skyltarna mot Gyllene "
        "salen och Tornet 😀 åäöÅÄÖ\n"
    ) in unfolded


@pytest.mark.parametrize("ascii_before", range(60, 76))
def test_fold_line_cuts_at_75_octets_between_characters(ascii_before):
    from cases.calendars import fold_line

    line = "LOCATION:" + "x" * ascii_before + "å€😀ä" * 30

    folded = fold_line(line).encode()

    physical = folded.split(b"\r\n")
    assert [len(part) <= 75 for part in physical] == [True] * len(physical)
    assert all(part.startswith(b" ") for part in physical[1:])
    assert "".join(part.decode()[1:] for part in physical[1:]) == line[len(physical[0].decode()) :]
    assert len(physical[0]) >= 72  # cut at most a 4-octet character early


def test_fold_line_leaves_short_lines_alone():
    from cases.calendars import fold_line

    assert fold_line("SUMMARY:" + "ö" * 33) == "SUMMARY:" + "ö" * 33  # 74 octets
    assert fold_line("SUMMARY:" + "a" * 67) == "SUMMARY:" + "a" * 67  # 75 octets
    assert fold_line("SUMMARY:" + "a" * 68) == "SUMMARY:" + "a" * 67 + "\r\n a"


def test_calendar_text_lines_end_with_crlf_and_stamp_is_utc(client, meetings):
    response = client.get("/kalender.ics?ar=2024")

    lines = _raw_lines(response.content)
    stamps = [line for line in lines if line.startswith(b"DTSTAMP:")]
    assert len(stamps) == 3
    assert all(len(stamp) == len(b"DTSTAMP:20240101T000000Z") for stamp in stamps)
    assert all(stamp.endswith(b"Z") for stamp in stamps)
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"


def test_calendar_answers_304_to_a_subscriber_until_the_meetings_change(client, meetings):
    url = "/namnd/hasselby-vallingby/kalender.ics?ar=2024"
    first = client.get(url)
    etag = first["ETag"]

    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", etag)

    Meeting.objects.filter(pk=meetings[0].pk).update(location="Spånga")
    moved = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert moved.status_code == 200
    assert [str(e.get("location")) for e in _events(moved)] == ["Spånga", "None"]

    Meeting.objects.filter(pk=meetings[1].pk).delete()
    removed = client.get(url, HTTP_IF_NONE_MATCH=moved["ETag"])
    assert [e.decoded("dtstart") for e in _events(removed)] == [datetime.date(2024, 1, 25)]
    assert len({etag, moved["ETag"], removed["ETag"]}) == 3


def test_calendar_etag_differs_between_boards_years_and_hosts(client, meetings):
    etags = {
        client.get("/namnd/hasselby-vallingby/kalender.ics?ar=2024")["ETag"],
        client.get("/namnd/hasselby-vallingby/kalender.ics?ar=2025")["ETag"],
        client.get("/kalender.ics?ar=2024")["ETag"],
        client.get("/kalender.ics?ar=2024", HTTP_HOST="localhost")["ETag"],
    }

    assert len(etags) == 4
    assert all(etag.startswith('W/"') for etag in etags)

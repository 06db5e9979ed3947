"""Board pages list every case of the board, a page at a time; meeting pages show the whole
agenda, the decisions (§) and the dates that decide the last day to appeal."""

import datetime
import re

import pytest

from cases.filters import PAGE_ERROR
from cases.models import AgendaItem, Case, Meeting
from cases.queries import BOARD_PAGE_SIZE
from cases.services import registering
from tests.factories import CaseFactory

HV_PAGE = "/namnd/hasselby-vallingby/"
SEED_MEETING = "/namnd/hasselby-vallingby/sammantrade/2019-08-29/"


def case_links(html: str) -> list[str]:
    return re.findall(r'<td class="dnr"><a href="([^"]+)">', html)


def test_board_page_reaches_every_case_page_by_page(client, hv):
    cases = CaseFactory.create_batch(BOARD_PAGE_SIZE + 3, board=hv)

    first = client.get(HV_PAGE)
    second = client.get(HV_PAGE, {"sida": "2"})

    listed = case_links(first.content.decode()) + case_links(second.content.decode())
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(case_links(first.content.decode())) == BOARD_PAGE_SIZE
    assert sorted(listed) == sorted(case.get_absolute_url() for case in cases)
    assert '<a href="?sida=2" rel="next">Nästa</a>' in first.content.decode()
    assert '<a href="?sida=1" rel="prev">Föregående</a>' in second.content.decode()
    assert "Sida 2 av 2" in second.content.decode()


def test_board_page_lists_cancelled_cases_as_such(client, hv):
    kept = CaseFactory(board=hv, dnr_number=501)
    cancelled = CaseFactory(
        board=hv, dnr_number=502, status=Case.Status.CANCELLED, cancelled_reason="Felregistrerat"
    )

    html = client.get(HV_PAGE).content.decode()

    assert case_links(html) == [cancelled.get_absolute_url(), kept.get_absolute_url()]
    assert "<td>Makulerat</td>" in html


def test_board_page_past_the_last_page_shows_the_last_page(client, hv):
    CaseFactory.create_batch(3, board=hv)

    response = client.get(HV_PAGE, {"sida": "7"})

    assert response.status_code == 200
    assert len(case_links(response.content.decode())) == 3


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "10001"])
def test_board_page_bad_page_number_is_400_in_swedish(client, hv, value):
    CaseFactory(board=hv)

    response = client.get(HV_PAGE, {"sida": value})

    assert response.status_code == 400
    assert PAGE_ERROR in response.content.decode()


def test_board_page_links_a_search_of_the_board(client, hv):
    html = client.get(HV_PAGE).content.decode()

    assert '<a href="/sok/?namnd=hasselby-vallingby">' in html
    assert client.get("/sok/?namnd=hasselby-vallingby").status_code == 200


def meeting_links(html: str) -> list[str]:
    return re.findall(r'href="(/namnd/hasselby-vallingby/sammantrade/[^"]+)"', html)


def test_board_page_lists_the_newest_years_meetings_and_names_every_year(client, hv):
    for day in range(0, 60, 2):
        Meeting.objects.create(board=hv, date=datetime.date(2019, 3, 1) + datetime.timedelta(day))
    Meeting.objects.create(board=hv, date=datetime.date(2020, 2, 1))
    Meeting.objects.create(board=hv, date=datetime.date(2020, 9, 1))

    html = client.get(HV_PAGE).content.decode()

    assert meeting_links(html) == [
        "/namnd/hasselby-vallingby/sammantrade/2020-09-01/",
        "/namnd/hasselby-vallingby/sammantrade/2020-02-01/",
    ]
    assert '<a href="?ar=2020#board-meetings" aria-current="page">2020</a> (2)' in html
    assert '<a href="?ar=2019#board-meetings">2019</a> (30)' in html


def test_board_page_reaches_every_meeting_through_its_year(client, hv):
    days = [datetime.date(2017, 5, 4), datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)]
    days += [datetime.date(2019, 3, 1) + datetime.timedelta(n) for n in range(40)]
    for day in days:
        Meeting.objects.create(board=hv, date=day)
    html = client.get(HV_PAGE).content.decode()

    years = re.findall(r'href="\?ar=(\d{4})#board-meetings"', html)
    reached = set()
    for year in years:
        reached |= set(meeting_links(client.get(HV_PAGE, {"ar": year}).content.decode()))

    assert years == ["2019", "2017"]
    assert reached == {f"/namnd/hasselby-vallingby/sammantrade/{day.isoformat()}/" for day in days}


def test_board_page_year_without_meetings_says_so(client, hv):
    Meeting.objects.create(board=hv, date=datetime.date(2019, 8, 29))

    response = client.get(HV_PAGE, {"ar": "2005"})

    assert response.status_code == 200
    assert "Inga sammanträden år 2005 finns i registret." in response.content.decode()
    assert meeting_links(response.content.decode()) == []


@pytest.mark.parametrize("value", ["19", "tjugo", "2019-08", "99999", "1899"])
def test_board_page_bad_year_is_400_in_swedish(client, hv, value):
    response = client.get(HV_PAGE, {"ar": value})

    assert response.status_code == 400
    assert "Året ska skrivas med fyra siffror, till exempel 2019." in response.content.decode()


def test_board_page_keeps_the_year_when_paging_the_cases(client, hv):
    for _ in range(BOARD_PAGE_SIZE + 1):
        CaseFactory(board=hv)
    Meeting.objects.create(board=hv, date=datetime.date(2019, 8, 29))

    html = client.get(HV_PAGE, {"ar": "2019", "sida": "2"}).content.decode()

    assert '<a href="?sida=1&amp;ar=2019" rel="prev">' in html
    assert '<a href="?ar=2019&amp;sida=2#board-meetings" aria-current="page">2019</a>' in html


@pytest.mark.parametrize("count", [1, 3])
def test_board_page_query_count(client, hv, django_assert_num_queries, count):
    for n in range(count):
        CaseFactory(board=hv)
        Meeting.objects.create(board=hv, date=datetime.date(2019, 8, 1 + n))

    # board, case count, page of cases, meeting years, the year's meetings, access statistics
    with django_assert_num_queries(6):
        response = client.get(HV_PAGE)

    assert len(case_links(response.content.decode())) == count
    assert len(meeting_links(response.content.decode())) == count


def meeting(board, **dates):
    return Meeting.objects.create(board=board, date=datetime.date(2019, 8, 29), **dates)


def test_meeting_page_shows_decisions_dates_and_last_day_to_appeal(client, hv):
    held = meeting(
        hv, minutes_approved_on=datetime.date(2019, 9, 3), posted_on=datetime.date(2019, 9, 4)
    )
    case = CaseFactory(board=hv, dnr_number=272, title="Medborgarförslag om ängsmark")
    AgendaItem.objects.create(meeting=held, number=1, title=case.title, case=case)
    registering.record_decision(
        case=case, meeting=held, decided_on=held.date, text="Förslaget besvaras."
    )

    html = client.get(SEED_MEETING).content.decode()

    assert '<dt>Justerat</dt><dd><time datetime="2019-09-03">2019-09-03</time></dd>' in html
    assert (
        '<dt>Anslaget på anslagstavlan</dt><dd><time datetime="2019-09-04">2019-09-04</time></dd>'
        in html
    )
    assert (
        "<dt>Sista dag för överklagande</dt>"
        '<dd><strong><time datetime="2019-09-25">2019-09-25</time></strong></dd>' in html
    )
    assert "<td>§ 1</td>" in html
    assert (
        f'<td><a href="{case.get_absolute_url()}" class="dnr">HV 2019/272</a> '
        "Medborgarförslag om ängsmark</td>" in html
    )
    assert "<td>Förslaget besvaras.</td>" in html


def test_meeting_page_without_dates_says_they_are_missing(client, hv):
    meeting(hv)

    html = client.get(SEED_MEETING).content.decode()

    assert "<dt>Justerat</dt><dd>uppgift saknas</dd>" in html
    assert "<dt>Anslaget på anslagstavlan</dt><dd>uppgift saknas</dd>" in html
    assert "<dt>Sista dag för överklagande</dt><dd>uppgift saknas</dd>" in html
    assert "Inga beslut (§) från sammanträdet finns i registret." in html


@pytest.mark.parametrize(
    ("posted", "last_day"),
    [
        (datetime.date(2019, 9, 4), datetime.date(2019, 9, 25)),  # a Wednesday: three weeks
        (datetime.date(2019, 9, 7), datetime.date(2019, 9, 30)),  # a Saturday → Monday
        (datetime.date(2025, 12, 3), datetime.date(2025, 12, 29)),  # julafton → after the jul days
    ],
)
def test_appeal_deadline_is_three_weeks_after_posting_on_a_weekday(posted, last_day):
    held = Meeting(date=posted, minutes_approved_on=posted, posted_on=posted)

    assert held.appeal_deadline == last_day


def test_meeting_page_shows_a_protected_case_by_its_public_title(client, hv):
    held = meeting(hv)
    case = CaseFactory(board=hv, title="Orosanmälan om namngiven person", title_protected=True)
    AgendaItem.objects.create(meeting=held, number=1, title=case.title, case=case)

    html = client.get(SEED_MEETING).content.decode()

    assert "Orosanmälan" not in html
    assert "[Skyddat]" in html


@pytest.mark.parametrize("count", [1, 3])
def test_meeting_page_query_count(client, hv, django_assert_num_queries, count):
    held = meeting(hv)
    for n in range(count):
        case = CaseFactory(board=hv)
        AgendaItem.objects.create(meeting=held, number=n + 1, title=case.title, case=case)
        registering.record_decision(case=case, meeting=held, decided_on=held.date, text="Ja.")

    # meeting, agenda items, decisions
    with django_assert_num_queries(3):
        response = client.get(SEED_MEETING)

    assert len(response.context["page"].decisions) == count


@pytest.mark.usefixtures("seeds")
def test_seed_meeting_agenda_runs_from_item_1(client, imported):
    page = client.get(SEED_MEETING).context["page"]

    rows = [(row.number, row.item.case.dnr_key if row.item else None) for row in page.agenda]
    assert rows[:6] == [
        (1, None),
        (2, None),
        (3, "HV 2019/272"),
        (4, "HV 2019/12"),
        (5, "HV 2019/16"),
        (6, "HV 2019/376"),
    ]
    assert [number for number, _ in rows] == list(range(1, 19))
    assert page.missing_items == [1, 2]


@pytest.mark.usefixtures("seeds")
def test_seed_meeting_page_says_which_items_are_missing(client, imported):
    html = client.get(SEED_MEETING).content.decode()

    assert "Punkt 1, 2 finns inte i registret" in html
    assert '<li value="1"><span class="missing">Uppgift saknas</span></li>' in html
    assert "<dt>Sista dag för överklagande</dt><dd>uppgift saknas</dd>" in html

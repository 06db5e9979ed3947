"""Statistics of requests to see handlings, on a seeded set with known times."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from cases.access import services, stats
from cases.access.models import AccessRequest, RequestStatus
from cases.access.workdays import easter_sunday, is_working_day, next_working_day

STHLM = ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2026, 5, 20, 12, 0, tzinfo=STHLM)


def at(month, day, hour):
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=STHLM)


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, datetime.date(2024, 3, 31)), (2025, datetime.date(2025, 4, 20)),
     (2026, datetime.date(2026, 4, 5)), (2038, datetime.date(2038, 4, 25))],
)  # fmt: skip
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_working_days_skip_weekends_holidays_and_eves():
    assert next_working_day(datetime.date(2026, 4, 2)) == datetime.date(2026, 4, 7)  # påsk
    assert next_working_day(datetime.date(2026, 6, 18)) == datetime.date(2026, 6, 22)  # midsommar
    assert next_working_day(datetime.date(2026, 5, 13)) == datetime.date(
        2026, 5, 15
    )  # Kr. himmelsf.
    assert next_working_day(datetime.date(2026, 12, 23)) == datetime.date(2026, 12, 28)
    assert is_working_day(datetime.date(2026, 5, 20)) is True
    assert is_working_day(datetime.date(2026, 6, 6)) is False


def test_percentile_interpolates_like_percentile_cont():
    assert stats.percentile([119, 3, 48, 1], 0.5) == 25.5
    assert stats.percentile([119, 3, 48, 1], 0.9) == pytest.approx(97.7)
    assert stats.percentile([5], 0.9) == 5
    assert stats.percentile([], 0.5) is None


def seed(register, received_at, answered_at=None, *, board="hv", cancelled=False):
    document = register.hv_secret if board == "hv" else register.ks_public
    order = services.submit_order(
        document_ids=[document.pk], email="", delivery="papper", base_url="/", now=received_at
    )
    request = order.requests.get()
    if answered_at:
        services.decide_request(
            request=request,
            outcomes={request.items.get().pk: ("lamnas-ut", "")},
            decided_by="r",
            base_url="/",
            now=answered_at,
        )
    if cancelled:
        services.cancel_request(request=request, reason="Dubblett", cancelled_by="r", base_url="/")
    return request


@pytest.fixture
def seeded(register, hv):
    seed(register, at(4, 2, 10), at(4, 2, 13))  # 3 h, same day
    seed(register, at(4, 2, 16), at(4, 7, 15))  # 119 h, over Easter: still within a working day
    seed(register, at(4, 15, 9), at(4, 17, 9))  # 48 h, one working day late
    seed(register, at(4, 20, 8), at(4, 20, 9))  # 1 h
    seed(register, at(4, 22, 10))  # open, its day has passed: counts against
    seed(register, at(4, 23, 10), cancelled=True)  # makulerad: left out
    seed(register, at(4, 24, 10), at(4, 24, 11), board="ks")  # another board
    seed(register, at(5, 19, 10))  # open, still within its day: not judged yet
    seed(register, datetime.datetime(2025, 5, 5, 10, tzinfo=STHLM), at(4, 1, 10))  # too old
    return hv


def test_board_statistics_on_known_times(seeded):
    months = stats.board_statistics(seeded, now=NOW)

    assert len(months) == 12
    assert (months[0].month, months[-1].month) == (
        datetime.date(2025, 6, 1),
        datetime.date(2026, 5, 1),
    )
    april, may = months[-2], months[-1]
    assert (april.received, april.answered) == (5, 4)
    assert april.median_hours == 25.5
    assert april.p90_hours == pytest.approx(97.7)
    assert (april.within_working_day, april.judged, april.share_within_working_day) == (3, 5, 0.6)
    assert (may.received, may.answered, may.median_hours, may.p90_hours) == (1, 0, None, None)
    assert (may.judged, may.share_within_working_day) == (0, None)
    assert [m.received for m in months[:-2]] == [0] * 10


def test_median_and_percentile_agree_with_postgresql(seeded):
    april = stats.board_statistics(seeded, now=NOW)[-2]

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY h),
                      percentile_cont(0.9) WITHIN GROUP (ORDER BY h)
               FROM (SELECT extract(epoch FROM answered_at - received_at) / 3600 AS h
                     FROM cases_accessrequest
                     WHERE board_id = %s AND status = %s AND received_at >= %s) answered""",
            [seeded.pk, RequestStatus.ANSWERED, at(4, 1, 0)],
        )
        median, p90 = cursor.fetchone()

    assert (april.median_hours, april.p90_hours) == pytest.approx((median, p90))


def test_chart_bars_scale_to_the_busiest_month(seeded):
    bars = stats.chart_bars(stats.board_statistics(seeded, now=NOW))

    assert [(b.height, b.y) for b in bars[-2:]] == [(110, 20), (22, 108)]
    assert [b.x for b in bars[:3]] == [6, 46, 86]


def test_board_page_shows_the_numbers_as_a_table(client, seeded):
    html = client.get("/namnd/hasselby-vallingby/").content.decode()

    row = (
        '<th scope="row">april 2026</th>\n        <td>5</td>\n        <td>4</td>\n'
        "        <td>25,5 h</td>\n        <td>97,7 h</td>\n        <td>60 %</td>"
    )
    assert row in html
    assert '<svg viewBox="0 0 480 160"' in html
    assert AccessRequest.objects.filter(board=seeded).count() == 8

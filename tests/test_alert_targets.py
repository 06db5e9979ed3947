"""The Bevaka form on a case page names the case by board and number: a number two boards
share (two boards' PREL 2025/1) never subscribes to the other board's case."""

import datetime

import pytest

from cases.models import Board, Subscription
from cases.services import registering

DAY = datetime.date(2025, 3, 4)


@pytest.fixture
def twins(boards):
    """Two boards that each gave a handling without a number the provisional PREL 2025/1."""
    return [
        registering.register_case(
            board=Board.objects.get(slug=slug), dnr="PREL 2025/1", title=title, registered_on=DAY
        )
        for slug, title in (
            ("jarva", "Skrivelse om socialtjänsten i Järva"),
            ("socialnamnden", "Skrivelse angående arbetsmiljö"),
        )
    ]


def _subscribe(client, **data):
    return client.post("/bevaka/", {"epost": "a@example.se", "bevaka": "arende", **data})


def test_case_page_bevaka_form_carries_its_board(client, twins):
    pages = [client.get(case.get_absolute_url()).content.decode() for case in twins]

    assert [
        '<input type="hidden" name="namnd" value="jarva">' in pages[0],
        '<input type="hidden" name="namnd" value="socialnamnden">' in pages[1],
        '<input type="hidden" name="namnd" value="socialnamnden">' in pages[0],
    ] == [True, True, False]


@pytest.mark.parametrize("index", [0, 1])
def test_bevaka_on_a_shared_number_follows_the_case_of_the_page_board(
    client, twins, smtp_inbox, django_capture_on_commit_callbacks, index
):
    case = twins[index]

    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(client, mal="PREL 2025/1", namnd=case.board.slug)

    assert response.status_code == 200
    assert list(Subscription.objects.values_list("case_id", flat=True)) == [case.pk]
    assert f"ärendet PREL 2025/1 {case.title}" in smtp_inbox.messages[0]["body"]


def test_bevaka_on_a_shared_number_without_a_board_is_a_clear_400(client, twins):
    response = _subscribe(client, mal="PREL 2025/1")

    assert response.status_code == 400
    assert "Flera nämnder har ett ärende med numret PREL 2025/1." in response.content.decode()
    assert Subscription.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"mal": "HV 2099/1"},
        {"mal": "PREL 2025/1", "namnd": "hasselby-vallingby"},
        {"mal": "PREL 2025/1", "namnd": "finns-inte"},
        {"mal": "", "namnd": "jarva"},
    ],
)
def test_bevaka_on_an_unknown_case_is_a_clear_404(client, twins, data):
    response = _subscribe(client, **data)

    assert response.status_code == 404
    assert "Ärendet finns inte." in response.content.decode()
    assert Subscription.objects.count() == 0


def test_bevaka_on_a_case_with_a_number_only_one_board_has_still_works(client, boards):
    hv = Board.objects.get(slug="hasselby-vallingby")
    case = registering.register_case(board=hv, dnr="HV 2024/10", title="Park", registered_on=DAY)

    response = _subscribe(client, mal="HV 2024/10")

    assert response.status_code == 200
    assert list(Subscription.objects.values_list("case_id", flat=True)) == [case.pk]

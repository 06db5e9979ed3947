"""Every case has one permanent address, /namnd/<board>/arende/<dnr>/; the short form
/arende/<dnr>/ and every other spelling lead there."""

import datetime
import re

import pytest

from cases.models import Board, Document
from cases.services import registering
from tests.factories import DocumentFactory

DAY = datetime.date(2025, 3, 4)
HV_272 = "/namnd/hasselby-vallingby/arende/HV%202019/272/"


def case(board, dnr, title):
    return registering.register_case(board=board, dnr=dnr, title=title, registered_on=DAY)


@pytest.fixture
def twins(boards):
    """Two boards that each gave a handling without a number the provisional PREL 2025/1."""
    jarva = Board.objects.get(slug="jarva")
    social = Board.objects.get(slug="socialnamnden")
    return (
        case(jarva, "PREL 2025/1", "Skrivelse om socialtjänsten i Järva"),
        case(social, "PREL 2025/1", "Skrivelse angående arbetsmiljö"),
    )


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def test_case_url_names_board_and_number(twins):
    jarva, social = twins

    assert jarva.get_absolute_url() == "/namnd/jarva/arende/PREL%202025/1/"
    assert social.get_absolute_url() == "/namnd/socialnamnden/arende/PREL%202025/1/"


def test_ambiguous_short_url_offers_links_to_each_case_page(client, twins):
    jarva, social = twins

    response = client.get("/arende/PREL%202025/1/")

    links = [h for h in hrefs(response.content.decode()) if "/arende/" in h]
    assert response.status_code == 200
    assert links == [jarva.get_absolute_url(), social.get_absolute_url()]
    pages = [client.get(link) for link in links]
    assert [(p.status_code, p.context["case"]) for p in pages] == [(200, jarva), (200, social)]


def test_short_url_of_a_unique_number_redirects_to_the_case_page(client, hv):
    case(hv, "HV 2019/272", "Ängsmark")

    response = client.get("/arende/HV%202019/272/")

    assert response.status_code == 302
    assert response["Location"] == HV_272


@pytest.mark.parametrize("spelling", ["hv2019-272", "HV%202019/0272", "2019/272", "1.2.4-231-2019"])
def test_board_url_in_another_spelling_or_alias_redirects(client, hv, spelling):
    registering.register_case(
        board=hv,
        dnr="HV 2019/272",
        title="Ängsmark",
        registered_on=DAY,
        aliases=("1.2.4-231-2019",),
    )

    response = client.get(f"/namnd/hasselby-vallingby/arende/{spelling}/")

    assert response.status_code == 302
    assert response["Location"] == HV_272


def test_board_url_with_a_document_number_redirects_to_its_anchor(client, hv):
    found = case(hv, "HV 2019/272", "Ängsmark")
    DocumentFactory(case=found, sequence=1)
    DocumentFactory(case=found, sequence=2, kind=Document.Kind.DECISION)

    response = client.get("/namnd/hasselby-vallingby/arende/HV%202019/272-2/")

    assert response.status_code == 302
    assert response["Location"] == HV_272 + "?handling=2#handling-2"


def test_board_url_of_another_boards_number_is_404_linking_the_case(client, hv, ks):
    found = case(ks, "KS 2019/656", "Budget")

    response = client.get("/namnd/hasselby-vallingby/arende/KS%202019/656/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Hässelby-Vällingby stadsdelsnämnd har inget ärende med diarienummer KS 2019/656" in html
    assert f'href="{found.get_absolute_url()}"' in html


def test_board_url_of_an_unknown_board_is_404(client, hv):
    case(hv, "HV 2019/272", "Ängsmark")

    response = client.get("/namnd/ingen-namnd/arende/HV%202019/272/")

    assert response.status_code == 404


def test_search_for_an_ambiguous_number_links_each_case_page(client, twins):
    jarva, social = twins

    response = client.get("/sok/", {"q": "PREL 2025/1"})

    links = hrefs(response.content.decode())
    assert response.status_code == 200
    assert jarva.get_absolute_url() in links
    assert social.get_absolute_url() in links
    assert "/arende/PREL%202025/1/" not in links


def test_each_case_of_an_ambiguous_number_has_its_own_feed(client, twins):
    jarva, social = twins

    pages = [client.get(twin.get_absolute_url()).content.decode() for twin in twins]
    feeds = [client.get(twin.get_absolute_url() + "feed/") for twin in twins]

    assert [
        f'<a href="{twin.get_absolute_url()}feed/"' in page
        for twin, page in zip(twins, pages, strict=True)
    ] == [True, True]
    assert [feed.status_code for feed in feeds] == [200, 200]
    assert "Skrivelse om socialtjänsten i Järva" in feeds[0].content.decode()
    assert "Skrivelse angående arbetsmiljö" in feeds[1].content.decode()


def test_board_feed_address_in_another_spelling_redirects(client, hv):
    case(hv, "HV 2019/272", "Ängsmark")

    response = client.get("/namnd/hasselby-vallingby/arende/hv2019-272/feed/")

    assert response.status_code == 302
    assert response["Location"] == HV_272 + "feed/"

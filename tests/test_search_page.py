"""The search page's own defects (issue 20.8): hit numbering on later pages, bad page
numbers, the ids aria-describedby points at, the zero-hit page, the Swedish date fields."""

import re

import pytest

from cases.filters import DATE_ERROR, PAGE_ERROR
from cases.search.document_search import PAGE_SIZE
from cases.services import indexing
from tests.factories import CaseFactory, DocumentFactory


@pytest.fixture
def benches(hv):
    """More documents about parkbänkar than two pages hold."""
    for n in range(PAGE_SIZE + 5):
        document = DocumentFactory(
            case=CaseFactory(board=hv), title=f"Parkbänkar {n}", full_text="Nya parkbänkar."
        )
        indexing.index_document(document=document)


def test_page_two_numbers_its_hits_after_page_one(client, benches):
    response = client.get("/sok/", {"q": "parkbänkar", "sida": "2"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<ol class="hits" start="{PAGE_SIZE + 1}">' in html
    assert html.count('<li class="hit">') == 5


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1.5", "10001", "99999999999999999999"])
def test_bad_page_number_is_400_with_a_swedish_message(client, benches, value):
    response = client.get("/sok/", {"q": "parkbänkar", "sida": value})

    html = response.content.decode()
    assert response.status_code == 400
    assert (
        f'<div class="error" role="alert" id="parameter-errors"><p>{PAGE_ERROR}</p></div>' in html
    )


def test_bad_tab_is_400_with_a_message(client, benches):
    response = client.get("/sok/", {"q": "parkbänkar", "visa": "allt"})

    assert response.status_code == 400
    assert "<p>Visa: " in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"fran": "2020-01-01", "till": "2019-01-01"}, "till"),
        ({"till": "igår"}, "till"),
        ({"fran": "29/08/2019"}, "fran"),
        ({"namnd": "ingen-namnd"}, "namnd"),
        ({"typ": "okand"}, "typ"),
        ({"status": "okand"}, "status"),
        ({"sortering": "okand"}, "sortering"),
    ],
)
def test_described_by_points_at_the_error_of_each_field(client, db, params, field):
    response = client.get("/sok/", {"q": "skola", **params})

    html = response.content.decode()
    control = re.search(rf'<(?:input|select)[^>]* name="{field}"[^>]*>', html).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', control).group(1).split()
    assert response.status_code == 400
    assert f"id_{field}_error" in described
    assert all(f'id="{element}"' in html for element in described)
    assert f'<p class="error" id="id_{field}_error">' in html


@pytest.mark.parametrize("field", ["fran", "till"])
def test_date_fields_ask_for_the_swedish_form(client, db, field):
    html = client.get("/sok/").content.decode()

    control = re.search(rf'<input[^>]* name="{field}"[^>]*>', html).group(0)
    assert 'type="text"' in control
    assert 'placeholder="ÅÅÅÅ-MM-DD"' in control
    assert f'aria-describedby="id_{field}_helptext"' in control
    assert (
        f'<p class="hint" id="id_{field}_helptext">Skriv ÅÅÅÅ-MM-DD, till exempel 2019-08-29.</p>'
        in html
    )


def test_date_in_another_form_is_400_with_the_swedish_format(client, db):
    response = client.get("/sok/", {"q": "skola", "fran": "08/29/2019"})

    assert response.status_code == 400
    assert f'<p class="error" id="id_fran_error">{DATE_ERROR}</p>' in response.content.decode()


def test_date_filter_reads_the_swedish_form(client, benches):
    response = client.get("/sok/", {"q": "parkbänkar", "fran": "2019-08-01"})

    assert response.status_code == 200
    assert response.context["filters"].date_from.isoformat() == "2019-08-01"
    assert 'value="2019-08-01"' in response.content.decode()


def test_zero_hits_show_no_empty_facet_block(client, benches):
    response = client.get("/sok/", {"q": "zqxnyord"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sökningen gav inga träffar" in html
    assert "Avgränsa träffarna" not in html


def test_zero_case_hits_show_no_empty_facet_block(client, benches):
    response = client.get("/sok/", {"q": "zqxnyord", "visa": "arenden"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Avgränsa ärendena" not in html


def test_hits_keep_their_facet_block(client, benches):
    html = client.get("/sok/", {"q": "parkbänkar"}).content.decode()

    assert '<h2 id="facets-heading">Avgränsa träffarna</h2>' in html

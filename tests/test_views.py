import datetime

import pytest

from cases.models import Document, Meeting
from cases.services import registering
from tests.factories import CaseFactory, DocumentFactory


@pytest.fixture
def case_272(hv):
    return registering.register_case(
        board=hv,
        dnr="HV 2019/272",
        title="Medborgarförslag om ängsmark i Grimstaskogen",
        registered_on=datetime.date(2019, 5, 2),
    )


def test_home_lists_boards_and_latest_cases(client, case_272):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="sv"' in html
    assert "Hässelby-Vällingby stadsdelsnämnd" in html
    assert "Medborgarförslag om ängsmark i Grimstaskogen" in html
    assert 'href="/namnd/hasselby-vallingby/arende/HV%202019/272/"' in html
    assert 'href="/tillganglighet/"' in html


@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count_does_not_grow_with_cases(client, hv, django_assert_num_queries, count):
    CaseFactory.create_batch(count, board=hv)

    with django_assert_num_queries(2):
        client.get("/")


def test_case_page_for_dnr_with_slash(client, case_272):
    response = client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/")

    assert response.status_code == 200
    assert response.context["case"] == case_272
    assert "Medborgarförslag om ängsmark i Grimstaskogen" in response.content.decode()


def test_case_url_round_trips_the_dnr(case_272):
    assert case_272.get_absolute_url() == "/namnd/hasselby-vallingby/arende/HV%202019/272/"


@pytest.mark.parametrize(
    "spelling", ["hv%202019/272", "HV2019/272", "HV-2019-272", "HV%202019/0272"]
)
def test_case_page_redirects_other_spellings(client, case_272, spelling):
    response = client.get(f"/arende/{spelling}/")

    assert response.status_code == 302
    assert response["Location"] == "/namnd/hasselby-vallingby/arende/HV%202019/272/"


def test_case_page_unknown_dnr_is_404_in_swedish(client, hv):
    response = client.get("/arende/HV%202019/999/")

    assert response.status_code == 404
    assert "Inget ärende med diarienummer HV 2019/999" in response.content.decode()


def test_case_page_hides_confidential_and_unpublished_documents(client, case_272):
    DocumentFactory(case=case_272, sequence=1, title="Offentligt tjänsteutlåtande")
    DocumentFactory(
        case=case_272,
        sequence=2,
        title="Hemlig utredning",
        full_text="Uppgifter om enskilds hälsa",
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    DocumentFactory(case=case_272, sequence=3, title="Opublicerat brev", published=False)

    html = client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/").content.decode()

    assert "Offentligt tjänsteutlåtande" in html
    assert "Hemlig utredning" not in html
    assert "enskilds hälsa" not in html
    assert "Opublicerat brev" not in html


def test_protected_case_shows_dnr_and_neutral_title(client, hv):
    case = CaseFactory(
        board=hv, title="Orosanmälan gällande namngiven person", title_protected=True
    )

    html = client.get(case.get_absolute_url()).content.decode()

    assert case.dnr_key in html
    assert "[Skyddat]" in html
    assert "Orosanmälan" not in html


def test_case_page_highlights_handling_number(client, case_272):
    DocumentFactory(case=case_272, sequence=1)
    DocumentFactory(case=case_272, sequence=2, kind=Document.Kind.DECISION)

    response = client.get("/arende/HV%202019/272-2/")

    assert response.status_code == 302
    assert (
        response["Location"]
        == "/namnd/hasselby-vallingby/arende/HV%202019/272/?handling=2#handling-2"
    )
    page = client.get(response["Location"]).content.decode()
    assert 'id="handling-2" class="document highlighted"' in page


def test_meeting_page_bad_date_is_400(client, hv):
    response = client.get("/namnd/hasselby-vallingby/sammantrade/29-08-2019/")

    assert response.status_code == 400
    assert "ÅÅÅÅ-MM-DD" in response.content.decode()


def test_board_page_lists_cases(client, case_272):
    response = client.get("/namnd/hasselby-vallingby/")

    assert response.status_code == 200
    assert "HV 2019/272" in response.content.decode()


def test_accessibility_statement_page(client, db):
    response = client.get("/tillganglighet/")

    assert response.status_code == 200
    assert "Tillgänglighetsredogörelse" in response.content.decode()


def test_case_page_shows_last_day_for_appeal(client, case_272, hv):
    meeting = Meeting.objects.create(
        board=hv,
        date=datetime.date(2019, 8, 29),
        minutes_approved_on=datetime.date(2019, 9, 3),
        posted_on=datetime.date(2019, 9, 4),
    )
    registering.record_decision(
        case=case_272, meeting=meeting, decided_on=meeting.date, text="Förslaget besvaras."
    )

    html = client.get(case_272.get_absolute_url()).content.decode()

    assert "Sista dag för överklagande (laglighetsprövning): <strong>2019-09-25</strong>" in html

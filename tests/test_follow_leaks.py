"""What must never reach a feed or a calendar (and, in test_alerts.py, a mail): confidential,
protected, unpublished and cancelled material and private senders. Each secret carries a
marker word; every channel is fetched in full and must not contain any marker."""

import datetime

import pytest

from cases.models import Meeting
from cases.services import indexing, registering

MARKERS = (
    "Hemligvarg",  # a confidential document's title and text
    "Skyddsuggla",  # a protected case title
    "Skyddslodjur",  # a protected document title
    "Opubliceradbäver",  # an unpublished document
    "Privatpersonsson",  # a private sender
    "Makuleradräv",  # a cancelled document
    "Makuleratärendeälg",  # a cancelled case's document
)


def assert_no_markers(text: str, where: str) -> None:
    found = [marker for marker in MARKERS if marker.lower() in text.lower()]
    assert found == [], where


def _add(case, title, **fields):
    document = registering.add_document(
        case=case,
        title=title,
        kind="tjansteutlatande",
        document_date=datetime.date(2024, 5, 2),
        **fields,
    )
    indexing.index_document(document=document)
    return document


@pytest.fixture
def secrets(hv):
    """One public case full of secrets, a protected case and a cancelled case, all about
    'skolgården' so every search for it would find them."""
    case = registering.register_case(
        board=hv, dnr="HV 2024/40", title="Ny skolgård", registered_on=datetime.date(2024, 4, 1)
    )
    _add(case, "Tjänsteutlåtande om skolgården", full_text="Skolgården byggs om.")
    _add(
        case,
        "Hemligvarg om skolgården",
        full_text="Skolgården. Hemligvarg.",
        summary="Hemligvarg",
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    _add(
        case,
        "Skyddslodjur skolgården",
        public_title="Skrivelse om skolgården",
        title_protected=True,
        summary="Skyddslodjur",
        full_text="Skolgården.",
    )
    _add(case, "Opubliceradbäver skolgården", full_text="Opubliceradbäver.", published=False)
    _add(
        case,
        "Skrivelse från en förälder om skolgården",
        full_text="Skolgården.",
        counterpart="Anna Privatpersonsson",
        counterpart_protected=True,
        direction="in",
    )
    _add(
        case,
        "Makuleradräv skolgården",
        full_text="Makuleradräv.",
        cancelled=True,
        cancelled_reason="Fel ärende",
    )
    protected = registering.register_case(
        board=hv,
        dnr="HV 2024/41",
        title="Skyddsuggla skolgården",
        registered_on=datetime.date(2024, 4, 2),
    )
    protected.title_protected = True
    protected.save()
    indexing.index_case(case=protected)
    _add(protected, "Beslut om skolgården", full_text="Skolgården.")
    cancelled = registering.register_case(
        board=hv, dnr="HV 2024/42", title="Skolgården igen", registered_on=datetime.date(2024, 4, 3)
    )
    _add(cancelled, "Makuleratärendeälg skolgården", full_text="Makuleratärendeälg skolgården.")
    registering.change_case_status(case=cancelled, status="makulerat", note="Dubblett")
    Meeting.objects.create(board=hv, date=datetime.date(2024, 6, 1), location="Vällingby")
    return case, protected, cancelled


def _channels(secrets):
    case, protected, cancelled = secrets
    return [
        "/sok/feed/?q=skolgården",
        "/sok/feed/?namnd=hasselby-vallingby",
        "/sok/feed/",
        "/namnd/hasselby-vallingby/feed/",
        case.get_absolute_url() + "feed/",
        protected.get_absolute_url() + "feed/",
        cancelled.get_absolute_url() + "feed/",
        "/sammantraden/feed/",
        "/namnd/hasselby-vallingby/sammantraden/feed/",
        "/kalender.ics?ar=2024",
        "/namnd/hasselby-vallingby/kalender.ics?ar=2024",
    ]


def test_feeds_and_calendars_leak_no_secret(client, secrets):
    for url in _channels(secrets):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_markers(response.content.decode(), url)


def test_feeds_still_show_the_public_parts(client, secrets):
    case, protected, _cancelled = secrets
    search = client.get("/sok/feed/?q=skolgården").content.decode()
    protected_feed = client.get(protected.get_absolute_url() + "feed/").content.decode()

    assert "HV 2024/40-1 Tjänsteutlåtande om skolgården" in search
    assert "HV 2024/40-3 Skrivelse om skolgården" in search
    assert "HV 2024/40-5 Skrivelse från en förälder om skolgården" in search
    assert "<title>HV 2024/41 [Skyddat]</title>" in protected_feed

"""Atom feeds: a search's newest hits, a board's, a case's and the meetings, parsed with
feedparser as a feed reader would; links on the pages; never a 500; pinned query counts."""

import datetime
import re

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Meeting
from cases.services import indexing, registering


def _case(board, dnr, title, *, registered_on=datetime.date(2024, 3, 1)):
    return registering.register_case(board=board, dnr=dnr, title=title, registered_on=registered_on)


def _document(case, title, *, day, text="", **fields):
    document = registering.add_document(
        case=case,
        title=title,
        kind="tjansteutlatande",
        document_date=day,
        full_text=text,
        **fields,
    )
    indexing.index_document(document=document)
    return document


def _parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


@pytest.fixture
def park(hv):
    case = _case(hv, "HV 2024/10", "Medborgarförslag om en ny park i Vällingby")
    _document(
        case,
        "Tjänsteutlåtande om parken",
        day=datetime.date(2024, 5, 2),
        text="Förvaltningen föreslår att parken anläggs <b>vid torget</b> i Vällingby.",
    )
    _document(
        case,
        "Remissvar om parken",
        day=datetime.date(2024, 6, 3),
        text="Trafikkontoret tillstyrker parken.",
    )
    return case


def test_search_feed_lists_the_newest_hits_as_atom(client, park):
    parsed = _parse(client.get("/sok/feed/?q=parken&sortering=aldst&sida=3&visa=arenden"))

    assert parsed.feed.title == "Nämndportalen: ”parken”"
    assert [e.title for e in parsed.entries] == [
        "HV 2024/10-2 Remissvar om parken",
        "HV 2024/10-1 Tjänsteutlåtande om parken",
    ]
    assert [e.link for e in parsed.entries] == [
        "http://testserver/namnd/hasselby-vallingby/arende/HV%202024/10/?handling=2#handling-2",
        "http://testserver/namnd/hasselby-vallingby/arende/HV%202024/10/?handling=1#handling-1",
    ]
    assert parsed.entries[1].updated == "2024-05-02T00:00:00+02:00"
    assert parsed.entries[1].id.startswith("urn:namndportalen:handling:")


def test_search_feed_summary_escapes_the_text_and_marks_the_words(client, park):
    response = client.get("/sok/feed/?q=parken")

    body = response.content.decode()
    assert "&lt;b&gt;vid torget&lt;/b&gt;" not in body  # escaped twice would show tags
    assert "&amp;lt;b&amp;gt;vid torget" in body  # the text's own <b>, escaped in the HTML
    assert "&lt;mark&gt;parken&lt;/mark&gt;" in body
    summary = _parse(response).entries[1].summary
    assert "<b>" not in summary
    assert "Ärende: HV 2024/10 Medborgarförslag om en ny park i Vällingby" in summary


def test_search_feed_keeps_the_search_filters(client, park, ks):
    other = _case(ks, "KS 2024/5", "Parken vid stadshuset")
    _document(other, "Skrivelse om parken", day=datetime.date(2024, 7, 1), text="Parken.")

    everywhere = _parse(client.get("/sok/feed/?q=parken"))
    at_hv = _parse(client.get("/sok/feed/?q=parken&namnd=hasselby-vallingby"))

    assert [e.title for e in everywhere.entries][0] == "KS 2024/5-1 Skrivelse om parken"
    assert [e.title for e in at_hv.entries] == [
        "HV 2024/10-2 Remissvar om parken",
        "HV 2024/10-1 Tjänsteutlåtande om parken",
    ]


def test_search_feed_with_a_dnr_lists_the_case_documents(client, park):
    parsed = _parse(client.get("/sok/feed/?q=HV+2024/10"))

    assert len(parsed.entries) == 2


@pytest.mark.parametrize(
    "params",
    [
        "namnd=finns-inte",
        "fran=2024-13-01",
        "typ=okand",
        "status=x",
        "fran=2024-05-01&till=2024-01-01",
        "sida=0",
        "sortering=baklanges",
        "q=" + "a" * 201,
    ],
)
def test_search_feed_bad_parameters_get_the_search_page_400(client, boards, params):
    response = client.get(f"/sok/feed/?{params}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Sök ärenden och handlingar" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ['"', "-", "or", "eller", '"förslag till', "a & b | !c", ":*", "HV 2019/", "(", "2019/1"],
)
def test_search_feed_odd_queries_give_a_feed(client, park, query):
    parsed = _parse(client.get("/sok/feed/", {"q": query}))

    assert parsed.feed.title.startswith("Nämndportalen")


def test_search_feed_caps_at_fifty(client, hv):
    case = _case(hv, "HV 2024/11", "Många handlingar")
    for n in range(52):
        _document(case, f"Protokoll {n}", day=datetime.date(2024, 1, 1) + datetime.timedelta(n))

    parsed = _parse(client.get("/sok/feed/?namnd=hasselby-vallingby"))

    assert len(parsed.entries) == 50
    assert parsed.entries[0].title == "HV 2024/11-52 Protokoll 51"


def test_board_feed_lists_the_board_documents(client, park, ks):
    other = _case(ks, "KS 2024/5", "Annat ärende")
    _document(other, "Skrivelse", day=datetime.date(2024, 7, 1))

    parsed = _parse(client.get("/namnd/hasselby-vallingby/feed/"))

    assert parsed.feed.title == "Nya handlingar: Hässelby-Vällingby stadsdelsnämnd"
    assert [e.title for e in parsed.entries] == [
        "HV 2024/10-2 Remissvar om parken",
        "HV 2024/10-1 Tjänsteutlåtande om parken",
    ]


def test_case_feed_lists_documents_decisions_and_status(client, park, hv):
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2024, 9, 12))
    registering.record_decision(
        case=park, meeting=meeting, decided_on=meeting.date, text="Nämnden bifaller förslaget."
    )
    registering.change_case_status(case=park, status="beslutat")

    parsed = _parse(client.get("/arende/HV%202024/10/feed/"))

    assert parsed.feed.title == "HV 2024/10 Medborgarförslag om en ny park i Vällingby"
    assert sorted(e.title for e in parsed.entries) == [
        "Beslut § 1/2024",
        "Ny handling: Remissvar om parken",
        "Ny handling: Tjänsteutlåtande om parken",
        "Status: Beslutat",
        "Status: Pågående",
    ]
    decision = next(e for e in parsed.entries if e.title == "Beslut § 1/2024")
    assert "Nämnden bifaller förslaget." in decision.summary
    assert decision.link == "http://testserver/namnd/hasselby-vallingby/arende/HV%202024/10/"


def test_case_feed_redirects_another_spelling_and_404s_an_unknown_number(client, park):
    assert client.get("/arende/hv2024-10/feed/").url == "/arende/HV%202024/10/feed/"
    assert client.get("/arende/HV%202024/99/feed/").status_code == 404


def test_meetings_feed_lists_meetings_with_place(client, hv, ks):
    Meeting.objects.create(board=hv, date=datetime.date(2024, 9, 12), location="Vällingby torg")
    Meeting.objects.create(board=ks, date=datetime.date(2024, 9, 18))

    everywhere = _parse(client.get("/sammantraden/feed/"))
    at_hv = _parse(client.get("/namnd/hasselby-vallingby/sammantraden/feed/"))

    assert [e.title for e in everywhere.entries] == [
        "Kommunstyrelsen, sammanträde 2024-09-18",
        "Hässelby-Vällingby stadsdelsnämnd, sammanträde 2024-09-12",
    ]
    assert [e.link for e in at_hv.entries] == [
        "http://testserver/namnd/hasselby-vallingby/sammantrade/2024-09-12/"
    ]
    assert "Plats: Vällingby torg" in at_hv.entries[0].summary


def test_pages_link_their_feeds(client, park):
    pages = {
        "/sok/?q=parken": "/sok/feed/?q=parken",
        "/namnd/hasselby-vallingby/arende/HV%202024/10/": "/namnd/hasselby-vallingby/arende/HV%202024/10/feed/",
        "/namnd/hasselby-vallingby/": "/namnd/hasselby-vallingby/feed/",
        "/": "/sammantraden/feed/",
    }
    for url, feed_url in pages.items():
        body = client.get(url).content.decode()
        alternates = re.findall(r'<link rel="alternate" type="application/atom\+xml"[^>]*>', body)
        assert [re.search(r'href="([^"]*)"', link)[1] for link in alternates][:1] == [feed_url]
        assert f'<a href="{feed_url}" type="application/atom+xml">Följ i flödesläsare</a>' in body


def test_search_page_feed_link_keeps_only_the_search_parameters(client, park):
    body = client.get("/sok/?q=parken&sortering=nyast&sida=1&namnd=hasselby-vallingby").content

    assert b'href="/sok/feed/?q=parken&amp;namnd=hasselby-vallingby"' in body


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _case_with(board, count, number):
    case = _case(board, f"HV 2024/{number}", "Upprustning av Vinsta torg")
    for n in range(count):
        _document(case, f"Handling {n}", day=datetime.date(2024, 2, n + 1), text="Vinsta torg.")
        Meeting.objects.create(board=board, date=datetime.date(2024, 2, n + 1))
        registering.record_decision(
            case=case, meeting=None, decided_on=datetime.date(2024, 3, n + 1), text="Bifall."
        )
    return case


@pytest.mark.parametrize("count", [1, 3])
def test_feed_query_counts_do_not_grow_with_entries(client, hv, count):
    case = _case_with(hv, count, 20 + count)
    urls = {
        "/sok/feed/?q=vinsta": 3,
        "/sok/feed/?namnd=hasselby-vallingby": 3,
        "/namnd/hasselby-vallingby/feed/": 3,
        case.get_absolute_url() + "feed/": 5,  # the board, then the case as on its page
        "/sammantraden/feed/": 1,
        "/namnd/hasselby-vallingby/sammantraden/feed/": 2,
    }

    counts = {url: _queries(client, url) for url in urls}

    assert counts == urls

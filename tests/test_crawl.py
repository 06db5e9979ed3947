"""Every link of the demo site answers 200 (or redirects on purpose to a 200), none loops, and
every case of the seed import is reached from the home page: through board pages, meeting
pages, search and references."""

import datetime

import pytest
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path

from cases.models import Board, Case
from cases.services import registering
from tests.crawler import crawl, page_links


@pytest.mark.usefixtures("seeds")
def test_every_link_of_the_demo_site_answers_and_every_case_is_reached(client, imported):
    cases = list(Case.objects.select_related("board"))

    result = crawl(client, "/")

    assert result.problems == []
    assert len(cases) == 231
    twins = [c.get_absolute_url() for c in cases if c.dnr_key == "PREL 2025/1"]
    assert sorted(twins) == [
        "/namnd/jarva/arende/PREL%202025/1/",
        "/namnd/socialnamnden/arende/PREL%202025/1/",
    ]
    missing = sorted(
        c.get_absolute_url() for c in cases if result.pages.get(c.get_absolute_url()) != 200
    )
    assert missing == []


def test_both_cases_of_an_ambiguous_number_are_reached(client, boards):
    jarva = Board.objects.get(slug="jarva")
    social = Board.objects.get(slug="socialnamnden")
    twins = [
        registering.register_case(
            board=board, dnr="PREL 2025/1", title=title, registered_on=datetime.date(2025, 3, 4)
        )
        for board, title in ((jarva, "Skrivelse om Järva"), (social, "Skrivelse om arbetsmiljö"))
    ]

    result = crawl(
        client, "/", within=("/arende/", "/namnd/jarva/", "/namnd/socialnamnden/", "/dnr/")
    )
    short = crawl(client, "/arende/PREL%202025/1/", within=("/arende/", "/namnd/jarva/arende/"))

    assert (result.problems, short.problems) == ([], [])
    assert [result.pages.get(twin.get_absolute_url()) for twin in twins] == [200, 200]
    assert [short.pages.get(twin.get_absolute_url()) for twin in twins] == [200, 200]


# A site of its own for the crawler's own test: a page with a broken link and a loop.
def _start(request):
    return HttpResponse(
        '<a href="ok/">ok</a> <a href="/prov/saknas/">saknas</a> <a href="/prov/runt/">runt</a>'
        ' <a href="https://example.org/">annan</a> <a href="/prov/ok/#del">del</a>'
        '<form action="/prov/ok/"><input name="q" value="ord"><select name="s">'
        '<option value="a">A</option><option value="b" selected>B</option></select></form>'
        '<form method="post" action="/prov/post/"><input name="x"></form>'
    )


def _ok(request):
    return HttpResponse("<p>ok</p>")


urlpatterns = [
    path("prov/", _start),
    path("prov/ok/", _ok),
    path("prov/runt/", lambda request: HttpResponseRedirect("/prov/runt-igen/")),
    path("prov/runt-igen/", lambda request: HttpResponseRedirect("/prov/runt/")),
    path("", include("portal.urls")),  # the site's own 404 page
]


@pytest.mark.urls(__name__)
def test_crawler_reports_broken_links_and_loops(client, db):
    result = crawl(client, "/prov/")

    loop = "omdirigeringsslinga: /prov/runt/ → /prov/runt-igen/ → /prov/runt/"
    assert sorted((p.url, p.found_on, p.reason) for p in result.problems) == [
        ("/prov/runt/", "/prov/", loop),
        ("/prov/saknas/", "/prov/", "svarar 404"),
    ]
    assert sorted(result.pages) == [
        "/prov/",
        "/prov/ok/",
        "/prov/ok/?q=ord&s=b",
        "/prov/runt-igen/",
        "/prov/runt/",
        "/prov/saknas/",
    ]


def test_page_links_reads_anchors_and_get_forms():
    html = (
        '<a href="/a/">A</a><a>no href</a>'
        '<form action="/sok/"><input type="search" name="q"><input type="checkbox" name="c" value="1">'
        '<input type="checkbox" name="d" value="1" checked><button type="submit">Sök</button></form>'
    )

    assert page_links(html) == ["/a/", "/sok/?q=&d=1"]

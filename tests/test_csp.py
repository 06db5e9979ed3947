"""Content-Security-Policy (issue 19.7): one strict policy on every kind of response."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path

from cases.models import Attachment, Meeting
from cases.services import indexing, registering

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    # Exactly the four fixed style attributes of procrastinate's and simple-history's admin.
    "style-src-attr": [
        "'unsafe-hashes'",
        "'sha256-PgdpkSB/wzYeO4BWQSd2ZSgYWC91IrO0TS2KFfa3vDU='",
        "'sha256-WCeWTXnA0h6xhb67xMpFQOjmEZQ0NEotrS48chtYSa0='",
        "'sha256-3lLjvpn0hfmuulQYNSUWKiNpmIiMg70GweVDtUWv7zA='",
        "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
    ],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def policy_of(response) -> dict[str, list[str]] | None:
    """The response's policy as directive -> sources (django-csp orders directives freely)."""
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, which closes the file
    header = response.get("Content-Security-Policy")
    if header is None:
        return None
    directives = [part.split() for part in header.split(";")]
    return {name: sources for name, *sources in directives}


def failing_view(request):
    raise RuntimeError("ett oväntat fel")


# The portal's own URLs plus one view that fails, for the 500 page (used through
# pytest.mark.urls below).
urlpatterns = [
    path("test-fel/", failing_view),
    path("", include("portal.urls")),
]


@pytest.fixture
def register(hv, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = registering.register_case(
        board=hv,
        dnr="HV 2019/272",
        title="Medborgarförslag om ängsmark i Grimstaskogen",
        registered_on=datetime.date(2019, 5, 2),
    )
    document = registering.add_document(
        case=case,
        title="Tjänsteutlåtande om ängsmark",
        kind="tjansteutlatande",
        document_date=datetime.date(2019, 8, 7),
        full_text="Förvaltningens förslag till beslut: ängsmarken bevaras.",
    )
    indexing.index_document(document=document)
    attachment = Attachment.objects.create(
        document=document,
        number=1,
        title="Karta",
        file=SimpleUploadedFile("karta.txt", b"Karta over parken"),
    )
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2019, 8, 29))
    meeting.items.create(number=6, title=case.title, case=case)
    return case, document, attachment


@pytest.mark.urls("tests.test_csp")
def test_every_kind_of_public_response_carries_the_policy(client, register, settings):
    case, document, attachment = register
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client.raise_request_exception = False
    paths = {
        "/": 200,
        "/sok/?q=ängsmark": 200,
        "/sok/export.csv?q=ängsmark": 200,
        "/sok/export.xlsx?q=ängsmark": 200,
        "/dnr/?q=HV 2019/272": 302,
        "/namnd/hasselby-vallingby/arende/HV%202019/272/": 200,
        "/namnd/hasselby-vallingby/": 200,
        "/namnd/hasselby-vallingby/sammantrade/2019-08-29/": 200,
        "/namnd/hasselby-vallingby/sammantrade/29-08-2019/": 400,
        f"/bilaga/{attachment.pk}/": 200,
        "/tillganglighet/": 200,
        "/begar/": 200,
        "/finns-inte/": 404,
        "/test-fel/": 500,
        "/static/css/portal.css": 200,
        "/admin/login/": 200,
    }

    found = {}
    for url in paths:
        response = client.get(url)
        found[url] = (response.status_code, policy_of(response))

    assert found == {url: (status, POLICY) for url, status in paths.items()}


def test_admin_pages_carry_the_policy(client, register):
    case, document, attachment = register
    client.force_login(User.objects.create_superuser("admin", password="x"))
    paths = [
        "/admin/",
        "/admin/cases/case/",
        f"/admin/cases/case/{case.pk}/change/",
        f"/admin/cases/case/{case.pk}/history/",
        f"/admin/cases/document/{document.pk}/change/",
        "/admin/procrastinate/procrastinatejob/",
    ]

    found = {url: client.get(url) for url in paths}

    assert {url: (r.status_code, policy_of(r)) for url, r in found.items()} == {
        url: (200, POLICY) for url in paths
    }


def test_failed_login_lockout_page_carries_the_policy(client, db, settings):
    settings.AXES_FAILURE_LIMIT = 1
    User.objects.create_user("registrator", password="Ett-långt-lösenord-2026", is_staff=True)

    client.post("/admin/login/", {"username": "registrator", "password": "fel"})
    response = client.post("/admin/login/", {"username": "registrator", "password": "fel"})

    assert (response.status_code, policy_of(response)) == (429, POLICY)

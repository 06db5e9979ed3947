"""The adversarial leak suite: marker words in confidential, protected, unpublished and
cancelled material must never reach an anonymous user, through any channel.

Every marker starts with ``zqx`` (a letter sequence no Swedish text has), so a page that
shows any ``zqx`` word shows a marker or a near spelling of one (an OCR variant, a stem, a
suggestion one edit away). ``assert_no_marker`` is the one check: other channels (feeds,
the API, mail) call it with their responses.
"""

import dataclasses
import datetime
import html
import io
import re
import threading
import zipfile
from urllib.parse import quote, quote_plus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client

from cases.models import AgendaItem, Attachment, Case, Document, Meeting, SearchWord
from cases.services import indexing, registering
from tests.test_admin import change_form, staff

MARKER_PREFIX = "zqx"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
# a signed link's token (django.core.signing: base64 payload, timestamp, base64 signature) in
# a mail: its payload is a subscription's id or an address, the rest is random letters
SIGNED_TOKEN = re.compile(r"[A-Za-z0-9_-]+:[A-Za-z0-9]+:[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")


def response_text(response) -> str:
    """The text of a response as a reader gets it: HTML unescaped, a streamed CSV joined,
    an XLSX unzipped (its sheets and shared strings)."""
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    if body[:2] == b"PK":  # an XLSX workbook
        with zipfile.ZipFile(io.BytesIO(body)) as workbook:
            parts = [workbook.read(name).decode("utf-8") for name in workbook.namelist()]
        return html.unescape("\n".join(parts))
    return html.unescape(body.decode("utf-8", errors="replace"))


def assert_no_marker(content, *, typed: tuple[str, ...] = ()) -> None:
    """No marker word, nor any near spelling of one, in ``content`` (a response, bytes or
    text). ``typed`` are the words the visitor typed: a page may repeat those (in the search
    box, in "Inga träffar för …"), exactly as typed and URL-encoded, and nothing else.
    Type a marker in mixed case (``ZqXcOnFm``) to prove its lower-case form is not found."""
    if isinstance(content, bytes):
        text = html.unescape(content.decode("utf-8", errors="replace"))
    elif isinstance(content, str):
        text = html.unescape(content)
    else:
        text = response_text(content)
    # a CSRF token and a signed link's token are random letters: they may hold "zqx" by chance
    text = CSRF_TOKEN.sub("", text)
    text = SIGNED_TOKEN.sub("", text)
    for word in typed:
        for form in (word, quote(word), quote_plus(word)):
            text = text.replace(form, "")
    lowered = text.lower()
    at = lowered.find(MARKER_PREFIX)
    assert at == -1, f"marker leaked: …{text[max(0, at - 80) : at + 80]}…"


def anonymous_get(path: str, params: dict | None = None):
    response = Client().get(path, params or {})
    assert response.status_code in (200, 302, 400, 404), (path, response.status_code)
    return response


# --- 19.1: the suggestion vocabulary ------------------------------------------------------


def vocabulary() -> set[str]:
    return set(SearchWord.objects.values_list("word", flat=True))


def marker_words() -> set[str]:
    return {word for word in vocabulary() if MARKER_PREFIX in word}


def register_protected_case(board, title="Bistånd zqxcasetitlm enskild"):
    """The 19.1 case: a protected title and a confidential handling (OSL 26 kap. 1 §)."""
    return registering.register_new_case(
        board=board,
        title=title,
        document_kind="skrivelse",
        document_title="",
        document_date=datetime.date(2026, 3, 2),
        direction="in",
        counterpart="Socialförvaltningen",
        registered_on=datetime.date(2026, 3, 2),
        confidential=True,
        osl_reference="26 kap. 1 §",
        title_protected=True,
        public_title="Ärende om bistånd",
    )


def test_protected_title_never_suggested(hv):
    register_protected_case(hv)

    response = anonymous_get("/sok/", {"q": "zqxcasetitlx"})

    assert response.context["results"].suggestion is None
    assert marker_words() == set()
    assert_no_marker(response, typed=("zqxcasetitlx",))


def test_registering_a_protected_title_never_indexes_its_words(hv):
    case = register_protected_case(hv, title="Orosanmälan Zqxgatanm 12")

    entry_words = set(case.search_entry.vector.split() if case.search_entry.vector else [])
    assert marker_words() == set()
    assert not [word for word in entry_words if MARKER_PREFIX in word]
    assert case.documents.get().display_title == "Ärende om bistånd"


def test_handling_titled_after_a_protected_case_title_is_protected(hv):
    case = register_protected_case(hv)

    document = case.documents.get()

    assert (document.title_protected, document.display_title) == (True, "Ärende om bistånd")


def test_vocabulary_forgets_a_title_protected_later_in_the_admin(client, hv):
    case = registering.register_case(
        board=hv,
        dnr="HV 2026/5",
        title="Bistånd zqxlaterm enskild",
        registered_on=datetime.date(2026, 3, 2),
    )
    assert marker_words() == {"zqxlaterm"}
    client.force_login(staff("reg", hv))

    response = client.post(
        f"/admin/cases/case/{case.pk}/change/",
        change_form(case, title_protected="on", public_title="Ärende om bistånd"),
    )

    assert response.status_code == 302
    assert marker_words() == set()
    search = anonymous_get("/sok/", {"q": "zqxlatrm"})
    assert (search.context["results"].total, search.context["results"].suggestion) == (0, None)
    assert_no_marker(search, typed=("zqxlatrm",))
    assert_no_marker(anonymous_get(case.get_absolute_url()))


def test_any_service_protecting_a_title_reindexes_its_handlings(hv):
    case = registering.register_case(
        board=hv, dnr="HV 2026/11", title="Gungor zqxgonem", registered_on=datetime.date(2026, 3, 2)
    )
    document = registering.add_document(
        case=case, title="Beslut om gungor", kind="beslut", document_date=datetime.date(2026, 3, 3)
    )
    indexing.index_document(document=document)
    assert anonymous_get("/sok/", {"q": "zqxgonem"}).context["results"].total == 1

    # as the importer does: the case row changes, then only the case is indexed
    Case.objects.filter(pk=case.pk).update(title_protected=True, public_title="Gungor")
    indexing.index_case(case=case)

    search = anonymous_get("/sok/", {"q": "ZqXgOnEm"})
    assert (search.context["results"].total, search.context["results"].case_total) == (0, 0)
    assert marker_words() == set()
    assert anonymous_get("/sok/", {"q": "gungor"}).context["results"].total == 1


def test_vocabulary_keeps_a_word_another_public_title_still_has(hv):
    kept = registering.register_case(
        board=hv, dnr="HV 2026/6", title="Gungor zqxsharem", registered_on=datetime.date(2026, 3, 2)
    )
    hidden = registering.register_case(
        board=hv, dnr="HV 2026/7", title="Bänkar zqxsharem", registered_on=datetime.date(2026, 3, 2)
    )

    hidden.title_protected = True
    hidden.save()
    indexing.index_case(case=hidden)

    assert marker_words() == {"zqxsharem"}
    assert kept.pk


def test_vocabulary_forgets_words_of_a_cancelled_case_and_its_handlings(hv):
    case = registering.register_new_case(
        board=hv,
        title="Medborgarförslag om zqxcancm",
        document_kind="medborgarforslag",
        document_title="Förslag om zqxcancm",
        document_date=datetime.date(2026, 3, 2),
        direction="in",
        counterpart="Socialförvaltningen",
        registered_on=datetime.date(2026, 3, 2),
    )
    assert marker_words() == {"zqxcancm"}

    registering.change_case_status(case=case, status=Case.Status.CANCELLED, note="Fel nämnd")

    assert marker_words() == set()
    assert Case.objects.get(pk=case.pk).documents.get().search_entry.public is False


def _hide_in_thread(document_id: int, barrier: threading.Barrier, errors: list) -> None:
    """Make a handling confidential and index it in a transaction that waits (a little) for
    the other thread before it commits, so two indexings overlap when nothing serialises them."""
    try:
        with transaction.atomic():
            Document.objects.filter(pk=document_id).update(
                confidential=True, osl_reference="26 kap. 1 §"
            )
            indexing.index_document(document=Document.objects.get(pk=document_id))
            try:
                barrier.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass  # the other thread waits for this one's commit: serialised
    except Exception as error:  # noqa: BLE001 - reported to the test thread
        errors.append(error)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_indexing_never_keeps_a_word_no_public_entry_has(hv):
    first = registering.register_case(
        board=hv, dnr="HV 2026/8", title="Gungor", registered_on=datetime.date(2026, 3, 2)
    )
    second = registering.register_case(
        board=hv, dnr="HV 2026/9", title="Bänkar", registered_on=datetime.date(2026, 3, 2)
    )
    documents = []
    for case in (first, second):
        document = registering.add_document(
            case=case,
            title="Skrivelse",
            kind="skrivelse",
            full_text="Uppgifter om zqxconcm i Grimsta.",
            document_date=datetime.date(2026, 3, 2),
        )
        indexing.index_document(document=document)
        documents.append(document)
    assert marker_words() == {"zqxconcm"}
    barrier, errors = threading.Barrier(2), []

    threads = [
        threading.Thread(target=_hide_in_thread, args=(document.pk, barrier, errors))
        for document in documents
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert marker_words() == set()
    assert "grimst" not in vocabulary()


# --- 19.2: meeting pages --------------------------------------------------------------------


def test_agenda_added_from_open_cases_shows_public_title(hv):
    case = register_protected_case(hv, title="Bistånd zqxagendam enskild")
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2026, 4, 1))

    added = registering.add_open_cases_to_agenda(meeting=meeting)

    page = anonymous_get(meeting.get_absolute_url())
    assert added == 1
    assert AgendaItem.objects.get(case=case).title == "Ärende om bistånd"
    assert "Ärende om bistånd" in page.content.decode()
    assert_no_marker(page)


def test_meeting_page_shows_a_title_protected_later_at_once(hv):
    case = registering.register_case(
        board=hv,
        dnr="HV 2026/10",
        title="Bistånd zqxlaterm",
        registered_on=datetime.date(2026, 3, 2),
    )
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2026, 4, 1))
    AgendaItem.objects.create(meeting=meeting, number=1, title=case.title, case=case)

    Case.objects.filter(pk=case.pk).update(title_protected=True, public_title="")

    page = anonymous_get(meeting.get_absolute_url())
    assert "[Skyddat]" in page.content.decode()
    assert_no_marker(page)


def test_agenda_item_saved_in_the_admin_takes_the_public_title(client, hv):
    case = register_protected_case(hv, title="Bistånd zqxadminm enskild")
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2026, 4, 1))
    client.force_login(staff("sekr", hv, role="namndsekreterare"))

    response = client.post(
        "/admin/cases/agendaitem/add/",
        {"meeting": meeting.pk, "number": 1, "title": "", "case": case.pk},
    )

    assert response.status_code == 302
    assert AgendaItem.objects.get(meeting=meeting).title == "Ärende om bistånd"
    assert_no_marker(anonymous_get(meeting.get_absolute_url()))


def test_agenda_item_without_a_case_needs_a_title(client, hv):
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2026, 4, 1))
    client.force_login(staff("sekr", hv, role="namndsekreterare"))

    response = client.post(
        "/admin/cases/agendaitem/add/", {"meeting": meeting.pk, "number": 1, "title": ""}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["title"] == [
        "Ange en rubrik eller välj ett ärende."
    ]
    assert not AgendaItem.objects.exists()


# --- The register under attack: marker words in everything the public must not see ---------


@dataclasses.dataclass
class Material:
    """The cases of the attack. Every hidden piece also holds "parkbänkar" and "Grimsta", so
    a public search for those words meets them all; the public pieces hold no marker."""

    public_case: Case
    protected_case: Case  # the 19.1 case: protected title, confidential handling
    street_case: Case  # a protected title with a public handling, referred to from public_case
    meeting: Meeting
    public_documents: list[Document]
    hidden_documents: list[Document]
    public_attachments: list[Attachment]
    hidden_attachments: list[Attachment]


def _document(case, title, **fields) -> Document:
    document = registering.add_document(
        case=case,
        title=title,
        kind=fields.pop("kind", "skrivelse"),
        document_date=datetime.date(2026, 3, 10),
        **fields,
    )
    indexing.index_document(document=document)
    return document


def _attachment(document, number, title, text, **fields) -> Attachment:
    attachment = Attachment.objects.create(
        document=document,
        number=number,
        title=title,
        text=text,
        file=SimpleUploadedFile(f"bilaga-{document.pk}-{number}.txt", text.encode()),
        content_type="text/plain",
        size=len(text.encode()),
        **fields,
    )
    indexing.index_document(document=document)
    return attachment


SECRET = {"confidential": True, "osl_reference": "26 kap. 1 §"}


@pytest.fixture
def material(hv, settings, tmp_path) -> Material:
    settings.MEDIA_ROOT = tmp_path / "media"
    street = registering.register_case(
        board=hv,
        dnr="HV 2026/31",
        title="Orosanmälan Zqxprotm gatan 12",
        registered_on=datetime.date(2026, 3, 9),
        title_protected=True,
        public_title="Orosanmälan",
    )
    street_public = _document(
        street, "Beslut om parkbänkar", kind="beslut", full_text="Beslut om parkbänkar i Grimsta."
    )
    protected = register_protected_case(hv)
    protected_public = _document(
        protected,
        "Tjänsteutlåtande om bistånd",
        kind="tjansteutlatande",
        full_text="Rutiner för bistånd och parkbänkar i Grimsta.",
    )
    case = registering.register_case(
        board=hv,
        dnr="HV 2026/30",
        title="Parkbänkar i Grimsta",
        registered_on=datetime.date(2026, 3, 9),
    )
    report = _document(
        case,
        "Tjänsteutlåtande om parkbänkar",
        kind="tjansteutlatande",
        full_text="Förslag om parkbänkar i Grimsta, se även HV 2026/31.",
        summary="Nya parkbänkar i Grimsta.",
    )
    karta = _attachment(report, 1, "Karta", "Karta över parkbänkar i Grimsta.")
    hidden_attachment = _attachment(
        report, 2, "Bilaga zqxconfm", "Uppgifter om zqxconfm och parkbänkar i Grimsta.", **SECRET
    )
    unpublished_attachment = _attachment(
        report, 3, "Zqxunpubm", "Parkbänkar i Grimsta zqxunpubm.", published=False
    )
    confidential = _document(
        case,
        "Utredning om zqxconfm",
        counterpart="Zqxconfm Svensson",
        summary="Sammanfattning zqxconfm om parkbänkar.",
        full_text="Parkbänkar i Grimsta och zqxconfm, zqxconfms och zqxconfmen.",
        **SECRET,
    )
    confidential_attachment = _attachment(
        confidential, 1, "Zqxconfm bilaga", "Zqxconfm parkbänkar Grimsta.", **SECRET
    )
    ocr = _document(
        case,
        "Inskannad skrivelse",
        text_source=Document.TextSource.OCR,
        full_text="Forvaltningens zqxkarnm om parkbankar i Grimsta, zqxk4rnm.",
        **SECRET,
    )
    unpublished = _document(
        case,
        "Skrivelse om zqxunpubm",
        counterpart="Zqxunpubm AB",
        full_text="Parkbänkar i Grimsta zqxunpubm.",
        published=False,
    )
    cancelled = _document(
        case,
        "Makulerad zqxcancm",
        full_text="Parkbänkar i Grimsta zqxcancm.",
        cancelled=True,
        cancelled_reason="Fel ärende",
    )
    private = _document(
        case,
        "Medborgarförslag om parkbänkar",
        kind="medborgarforslag",
        direction="in",
        counterpart="Anna Zqxprivm",
        counterpart_private=True,
        full_text="Från Anna Zqxprivm: fler parkbänkar i Grimsta.",
    )
    private_attachment = _attachment(private, 1, "Förslag", "Anna Zqxprivm, parkbänkar.")
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2026, 4, 1))
    registering.add_open_cases_to_agenda(meeting=meeting)
    return Material(
        public_case=case,
        protected_case=protected,
        street_case=street,
        meeting=meeting,
        public_documents=[street_public, protected_public, report],
        hidden_documents=[confidential, ocr, unpublished, cancelled, private]
        + list(protected.documents.filter(confidential=True)),
        public_attachments=[karta],
        hidden_attachments=[
            hidden_attachment,
            unpublished_attachment,
            confidential_attachment,
            private_attachment,
        ],
    )


# What an attacker types: the markers in mixed case (so a page that repeats the query cannot
# hide a marker found in the material), near spellings, OCR spellings and bare prefixes.
MARKER_QUERIES = [
    "ZqXcOnFm",
    "zqxconfx",
    "zqxconfms",
    "ZqXpRoTm",
    "zqxprotx",
    "ZqXuNpUbM",
    "zqxunpubx",
    "ZqXcAnCm",
    "ZqXpRiVm",
    "zqxprivx",
    "zqxkärnm",
    "ZqXkArNm",
    "zqxcasetitlx",
    "ZqXcAsEtItLm",
    "Zqx",
    "zqxc",
    '"Anna ZqXpRiVm"',
]
PUBLIC_QUERIES = ["parkbänkar", "Grimsta", "bistånd", "orosanmälan", "parkbänkar Grimsta"]


def search_responses(query: str):
    for params in (
        {"q": query},
        {"q": query, "visa": "arenden"},
        {"q": query, "sortering": "nyast"},
        {"q": query, "namnd": "hasselby-vallingby", "typ": "skrivelse"},
    ):
        yield anonymous_get("/sok/", params)


@pytest.mark.parametrize("query", MARKER_QUERIES)
def test_search_never_finds_suggests_or_counts_a_marker(material, query):
    for response in search_responses(query):
        results = response.context["results"]
        assert (results.total, results.case_total, results.suggestion) == (0, 0, None), query
        assert_no_marker(response, typed=(query,))


def test_search_for_public_words_shows_only_public_hits_counts_and_facets(material):
    response = anonymous_get("/sok/", {"q": "parkbänkar"})

    results = response.context["results"]
    assert sorted(hit.document.pk for hit in results.hits) == sorted(
        d.pk for d in material.public_documents
    )
    assert results.total == 3
    assert_no_marker(response)
    # excluding a hidden word changes nothing: the count is no oracle for hidden material
    excluded = anonymous_get("/sok/", {"q": "parkbänkar -ZqXcOnFm"})
    assert excluded.context["results"].total == 3
    assert_no_marker(excluded, typed=("-ZqXcOnFm",))
    for query in PUBLIC_QUERIES:
        for page in search_responses(query):
            assert_no_marker(page, typed=(query,))


def test_exports_never_hold_a_marker(material):
    for query in ["", *PUBLIC_QUERIES, *MARKER_QUERIES]:
        for path in ("/sok/export.csv", "/sok/export.xlsx"):
            for selection in ("handlingar", "arenden"):
                response = anonymous_get(path, {"q": query, "urval": selection})
                assert response.status_code == 200, (path, query, selection)
                assert_no_marker(response, typed=(query,))


def test_pages_never_show_a_marker(material):
    cases = [material.public_case, material.protected_case, material.street_case]
    pages = [
        "/",
        material.public_case.board.get_absolute_url(),
        material.meeting.get_absolute_url(),
        *(case.get_absolute_url() for case in cases),
    ]
    for path in pages:
        response = anonymous_get(path)
        assert response.status_code == 200, path
        assert_no_marker(response)
    for case in cases:
        for typed in (case.dnr, case.dnr_key.lower().replace(" ", "")):
            response = Client().get("/dnr/", {"q": typed}, follow=True)
            assert response.status_code == 200
            assert_no_marker(response, typed=(typed,))
    assert_no_marker(anonymous_get("/dnr/", {"q": "HV 2026"}), typed=("HV 2026",))


def test_case_pages_name_protected_cases_by_their_public_titles(material):
    page = anonymous_get(material.public_case.get_absolute_url()).content.decode()
    protected = anonymous_get(material.protected_case.get_absolute_url()).content.decode()

    assert "HV 2026/31</a> Orosanmälan" in page  # the reference shows the public title
    assert "Handlingar som inte är publicerade" in page
    dnr = material.protected_case.dnr_key
    assert f'<h1><span class="dnr">{dnr}</span> Ärende om bistånd</h1>' in protected


def test_feeds_and_calendars_never_hold_a_marker(material):
    board = material.public_case.board
    paths = [
        f"/namnd/{board.slug}/feed/",
        f"/namnd/{board.slug}/sammantraden/feed/",
        "/sammantraden/feed/",
        f"/namnd/{board.slug}/kalender.ics",
        "/kalender.ics",
        *(
            f"{case.get_absolute_url()}feed/"
            for case in (material.public_case, material.protected_case, material.street_case)
        ),
    ]
    for path in paths:
        response = anonymous_get(path)
        assert response.status_code == 200, path
        assert_no_marker(response)
    for query in ["", *PUBLIC_QUERIES, *MARKER_QUERIES]:
        assert_no_marker(anonymous_get("/sok/feed/", {"q": query}), typed=(query,))


def _api_links(value) -> list[str]:
    """Every API address in an OParl answer (ids, lists, next pages, files)."""
    if isinstance(value, dict):
        return [link for item in value.values() for link in _api_links(item)]
    if isinstance(value, list):
        return [link for item in value for link in _api_links(item)]
    if isinstance(value, str) and "/oparl/v1.1/" in value:
        return [value[value.index("/oparl/v1.1/") :]]
    return []


def test_api_never_answers_with_a_marker(material):
    """Walk the OParl API from its System object through every link it gives (bodies,
    papers, meetings, agenda items, files and their texts), and ask it for changes too."""
    seen, queue = set(), ["/oparl/v1.1/", "/oparl/v1.1/body/"]
    while queue and len(seen) < 400:
        path = queue.pop(0)
        if path in seen or path.endswith("openapi.json"):
            continue
        seen.add(path)
        response = anonymous_get(path)
        assert_no_marker(response)
        if response.status_code == 200 and response["Content-Type"].startswith("application/"):
            if "json" in response["Content-Type"]:
                queue.extend(_api_links(response.json()))
    changes = anonymous_get("/oparl/v1.1/body/", {"modified_since": "2000-01-01T00:00:00Z"})
    assert_no_marker(changes)
    karta = material.public_attachments[0]
    assert {
        f"/oparl/v1.1/meeting/{material.meeting.pk}/",
        f"/oparl/v1.1/file/bilaga-{karta.pk}/",
    } <= seen
    # and asked directly for what it does not list
    for document in material.hidden_documents:
        for path in (f"file/handling-{document.pk}/", f"file/handling-{document.pk}/text/"):
            assert_no_marker(anonymous_get(f"/oparl/v1.1/{path}"))
    for attachment in material.hidden_attachments:
        for path in (f"file/bilaga-{attachment.pk}/", f"file/bilaga-{attachment.pk}/text/"):
            assert_no_marker(anonymous_get(f"/oparl/v1.1/{path}"))


def test_alert_mails_never_hold_a_marker(material, smtp_inbox):
    from django.utils import timezone

    from cases.alerts import digest, services
    from cases.models import Subscription

    board = material.public_case.board
    cases = (material.public_case, material.protected_case, material.street_case)
    wanted = [  # two addresses: a few subscriptions an hour each
        ("l@example.se", {"kind": "sokning", "search": "q=parkbänkar"}),
        ("l@example.se", {"kind": "sokning", "search": "q=Grimsta"}),
        ("l@example.se", {"kind": "namnd", "board": board}),
        *(("m@example.se", {"kind": "arende", "case": case}) for case in cases),
    ]
    for email, fields in wanted:
        subscription = services.request_subscription(email=email, **fields)
        services.confirm_subscription(subscription_id=subscription.pk)
    Subscription.objects.update(covered_until=timezone.now() - datetime.timedelta(hours=1))

    report = digest.send_digests()

    assert report.mails == 2
    assert "parkbänkar" in smtp_inbox.to("l@example.se")[-1]["body"]
    for mail in smtp_inbox.messages:
        assert_no_marker(mail["subject"] + mail["body"])


def test_attachments_of_hidden_material_are_not_served(material):
    for attachment in material.hidden_attachments:
        assert Client().get(f"/bilaga/{attachment.pk}/").status_code == 404
    for attachment in material.public_attachments:
        response = anonymous_get(f"/bilaga/{attachment.pk}/")
        assert response.status_code == 200
        assert_no_marker(response)


def test_request_pages_name_hidden_handlings_by_number_only(material):
    client = Client()
    for document in material.hidden_documents:
        client.post("/begar/lagg-till/", {"handling": document.pk})

    basket = client.get("/begar/")

    assert basket.status_code == 200
    assert len(basket.context["documents"]) == len(material.hidden_documents) - 1  # cancelled
    assert_no_marker(basket)


def test_protecting_a_title_later_hides_it_from_every_channel(client, material):
    case = registering.register_case(
        board=material.public_case.board,
        dnr="HV 2026/40",
        title="Lekplats zqxlaterm i Grimsta",
        registered_on=datetime.date(2026, 3, 11),
    )
    _document(case, "Tjänsteutlåtande om lekplats", kind="tjansteutlatande", full_text="Lekplats.")
    registering.add_open_cases_to_agenda(meeting=material.meeting)
    assert "zqxlaterm" in anonymous_get(material.meeting.get_absolute_url()).content.decode()
    client.force_login(staff("reg", case.board))

    client.post(
        f"/admin/cases/case/{case.pk}/change/",
        change_form(case, title_protected="on", public_title="Lekplats"),
    )

    for query in ("ZqXlAtErM", "zqxlatrm", "lekplats"):
        for response in search_responses(query):
            assert_no_marker(response, typed=(query,))
        for path in ("/sok/export.csv", "/sok/export.xlsx"):
            for selection in ("handlingar", "arenden"):
                export = anonymous_get(path, {"q": query, "urval": selection})
                assert_no_marker(export, typed=(query,))
    for path in ("/", case.board.get_absolute_url(), material.meeting.get_absolute_url()):
        assert_no_marker(anonymous_get(path))
    assert_no_marker(anonymous_get(case.get_absolute_url()))
    assert marker_words() == set()


# --- The OParl API (/oparl/v1.1/) ----------------------------------------------------------


def api_responses(extra_urls: tuple[str, ...] = ()):
    """Every response of the API an anonymous client can reach from System: every list page
    (also with modified_since, which adds deleted objects), every object and text it links,
    and ``extra_urls`` (object and text URLs of hidden material, typed by hand)."""
    client, todo, seen = Client(), ["/oparl/v1.1/", *extra_urls], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        yield response
        if not response["Content-Type"].startswith("application/json"):
            continue
        body = response.content.decode()
        for url in re.findall(r'"(http://testserver/oparl/v1\.1/[^"]*)"', body):
            todo.append(url.removeprefix("http://testserver"))
        if path.startswith("/oparl/v1.1/body/stockholm/") and path.endswith("/"):
            todo.append(path + "?modified_since=2000-01-01")


def test_api_never_shows_a_marker(material):
    hidden = [
        *(f"/oparl/v1.1/file/handling-{d.pk}/" for d in material.hidden_documents),
        *(f"/oparl/v1.1/file/handling-{d.pk}/text/" for d in material.hidden_documents),
        *(f"/oparl/v1.1/file/bilaga-{a.pk}/" for a in material.hidden_attachments),
        *(f"/oparl/v1.1/file/bilaga-{a.pk}/text/" for a in material.hidden_attachments),
    ]
    responses = list(api_responses(tuple(hidden)))
    for response in responses:
        assert_no_marker(response)
    reached = "".join(r.content.decode() for r in responses)
    for document in material.public_documents:
        assert f"/oparl/v1.1/file/handling-{document.pk}/" in reached
    assert "Orosanmälan" in reached  # the protected case by its public title

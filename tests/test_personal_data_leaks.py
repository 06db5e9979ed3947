"""The adversarial personnummer suite: no personnummer reaches the public, through any
channel (Datainspektionen/IMY: no personnummer on municipal web pages).

Every free-text field of the register carries its own personnummer, written three ways
(``YYYYMMDD-NNNN``, ``YYMMDD-NNNN`` and ``YYMMDD+NNNN``), each field with its own birth
date. Every channel is requested as the public requests it; none may hold the last four
digits of any of them, nor a birth date followed by a digit (a part of a number a cut left),
and each channel shows the masked form (``19YYMMDD-XXXX``) of the fields it shows.
"""

import dataclasses
import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.utils import timezone

from cases.models import AgendaItem, Attachment, BoardMembership, Case, Document, Meeting
from cases.services import indexing, registering
from tests.test_admin_boards import ks_case, staff
from tests.test_leaks import api_responses, response_text

# Each field's birth date (1980, day by field); its three numbers differ in the serial.
BIRTH_DATES = {
    "case_title": "800101",
    "document_title": "800102",
    "summary": "800103",
    "proposal": "800104",
    "full_text": "800105",
    "counterpart": "800106",
    "attachment_title": "800107",
    "attachment_text": "800108",
    "file_name": "800109",
    "decision": "800110",
    "agenda_item": "800111",
    "location": "800112",
    "cancelled_reason": "800113",
    "before_reference": "800114",
    "near_reference": "800115",
    "after_reference": "800116",
}
SEPARATORS = ("-", "-", "+")  # with "19" before the first


def _check_digit(nine: str) -> str:
    total = 0
    for index, char in enumerate(nine):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


def last_fours(field: str) -> list[str]:
    """The last four digits of the field's three numbers (serials 960, 961, 962: no date or
    id in these responses holds "96" followed by a digit; a feed's timestamps, whose
    microseconds may, are left out of the search)."""
    date = BIRTH_DATES[field]
    return [f"96{n}{_check_digit(date + f'96{n}')}" for n in range(3)]


def numbers(field: str) -> str:
    date = BIRTH_DATES[field]
    first, second, third = last_fours(field)
    return f"19{date}-{first}, {date}-{second} och {date}+{third}"


def masked(field: str) -> str:
    return f"19{BIRTH_DATES[field]}-XXXX"


def carrying(field: str, words: str) -> str:
    return f"{words} {numbers(field)}"


# A birth date, a separator and a digit: a personnummer, or a part of one a cut left.
UNMASKED = re.compile(r"(?<![\d.,:])\d{6}(?:\s?[-+]\s?|\s)\d")


# A feed's <published>/<updated>: its microseconds are any digits ("…00:51:12.996116+00:00")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")


def assert_no_personal_numbers(text: str, *, channel: str) -> None:
    searched = TIMESTAMP.sub("", text)
    for field in BIRTH_DATES:
        for last in last_fours(field):
            at = searched.find(last)
            assert at == -1, f"{channel}: {field} leaked: …{searched[max(0, at - 60) : at + 20]}…"
    found = UNMASKED.search(text)
    assert found is None, f"{channel}: …{text[max(0, found.start() - 60) : found.end() + 20]}…"


# A mail's lead is the summary's first 200 characters: here they end inside the third
# number ("…800103+96"), which the mask cannot recognise once it is cut.
_LEAD = 196 - numbers("summary").index("+")
SUMMARY = carrying("summary", "Nya parkbänkar.\nSökande" + "." * (_LEAD - 24) + ":")


@dataclasses.dataclass
class Material:
    case: Case
    cancelled_case: Case
    document: Document
    referring: Document
    attachment: Attachment
    meeting: Meeting


@pytest.fixture
def material(hv, settings, tmp_path) -> Material:
    settings.MEDIA_ROOT = tmp_path / "media"
    case = registering.register_case(
        board=hv,
        dnr="HV 2026/30",
        title=carrying("case_title", "Parkbänkar i Grimsta, ansökan från"),
        registered_on=datetime.date(2026, 3, 9),
    )
    document = registering.add_document(
        case=case,
        title=carrying("document_title", "Tjänsteutlåtande om parkbänkar för"),
        kind="tjansteutlatande",
        document_date=datetime.date(2026, 3, 10),
        counterpart=carrying("counterpart", "Grimsta bostadsrättsförening genom"),
        summary=SUMMARY,
        proposal=carrying("proposal", "Nämnden beviljar parkbänkar för"),
        full_text=(
            f"Förvaltningens förslag.\nSökande {numbers('full_text')} vill ha parkbänkar "
            f"i Grimsta.\nDen sökande, 19{BIRTH_DATES['full_text']}-\n{last_fours('full_text')[0]}"
            ", bor nära."
        ),
    )
    attachment = Attachment.objects.create(
        document=document,
        number=1,
        title=carrying("attachment_title", "Karta, underlag från"),
        text=carrying("attachment_text", "Karta över parkbänkar i Grimsta, ritad av"),
        file=SimpleUploadedFile(f"intyg {numbers('file_name')}.txt", b"Karta."),
        content_type="text/plain",
        size=6,
    )
    indexing.index_document(document=document)
    meeting = Meeting.objects.create(
        board=hv,
        date=datetime.date(2026, 4, 1),
        location=carrying("location", "Hemma hos"),
    )
    AgendaItem.objects.create(
        meeting=meeting, number=1, title=carrying("agenda_item", "Information om")
    )
    AgendaItem.objects.create(meeting=meeting, number=2, title="Parkbänkar", case=case)
    registering.record_decision(
        case=case,
        meeting=meeting,
        decided_on=datetime.date(2026, 4, 1),
        text=carrying("decision", "Nämnden beviljar parkbänkar.\nSökande:"),
    )
    cancelled_case = registering.register_case(
        board=hv, dnr="HV 2026/31", title="Gungor", registered_on=datetime.date(2026, 3, 9)
    )
    registering.change_case_status(
        case=cancelled_case,
        status=Case.Status.CANCELLED,
        note=carrying("cancelled_reason", "Registrerat i fel ärende, gäller"),
    )
    # A number cut by the context of a dnr mention: 120 characters before the number start
    # inside the first personnummer's tail, 120 after it end inside the last one's serial.
    before = f"19{BIRTH_DATES['before_reference']}-{last_fours('before_reference')[0]}"
    near = f"19{BIRTH_DATES['near_reference']}-{last_fours('near_reference')[1]}"
    after = f"19{BIRTH_DATES['after_reference']}-{last_fours('after_reference')[0]}"
    lead = f"{before} Remiss om parkbänkar från sökande {near}"
    lead += " " * (8 + 120 - len(lead))  # the context starts at the number's dash
    referring_case = registering.register_case(
        board=hv, dnr="HV 2026/32", title="Remiss", registered_on=datetime.date(2026, 3, 9)
    )
    referring = registering.add_document(
        case=referring_case,
        title="Remiss",
        kind="remiss",
        document_date=datetime.date(2026, 3, 11),
        full_text=f"{lead}KS 2026/99 {' ' * 108}{after} har ansökt.",
    )
    indexing.index_document(document=referring)
    return Material(case, cancelled_case, document, referring, attachment, meeting)


def _get(client, path, params=None) -> str:
    response = client.get(path, params or {})
    assert response.status_code == 200, (path, params, response.status_code)
    return response_text(response)


def _page(path_of, params=None):
    return lambda material, client: _get(client, path_of(material), params)


def _search(params):
    return lambda material, client: _get(client, "/sok/", params)


def _oparl(material, client) -> str:
    responses = list(api_responses())
    assert {r.status_code for r in responses} == {200}
    return "\n".join(response_text(r) for r in responses)


def _download(material, client) -> str:
    response = client.get(f"/bilaga/{material.attachment.pk}/")
    response.close()
    assert response.status_code == 200
    return response["Content-Disposition"]


def _digest(material, client) -> str:
    from cases.alerts import digest, services
    from cases.models import Subscription

    wanted = [  # the board's follower gets the summary's lead, the others a passage
        ("l@example.se", {"kind": "sokning", "search": "q=parkbänkar"}),
        ("l@example.se", {"kind": "arende", "case": material.case}),
        ("m@example.se", {"kind": "namnd", "board": material.case.board}),
    ]
    for email, fields in wanted:
        subscription = services.request_subscription(email=email, **fields)
        services.confirm_subscription(subscription_id=subscription.pk)
    Subscription.objects.update(covered_until=timezone.now() - datetime.timedelta(hours=1))
    from django.core import mail

    mail.outbox = []
    report = digest.send_digests()
    assert report.mails == 2
    return "\n".join(message.subject + "\n" + message.body for message in mail.outbox)


def _access_request(material, client) -> str:
    from django.core import mail

    client.post("/begar/lagg-till/", {"handling": material.document.pk})
    mail.outbox = []
    fields = {"email": "medborgare@example.se", "delivery": "e-post", "message": ""}
    with TestCase.captureOnCommitCallbacks(execute=True):  # the mail goes after commit
        response = client.post("/begar/", {**fields, "website": ""}, follow=True)
    assert response.status_code == 200
    mails = [m.subject + "\n" + m.body for m in mail.outbox if m.to == ["medborgare@example.se"]]
    assert len(mails) == 1
    return response_text(response) + "\n".join(mails)


TITLES = ["case_title", "document_title"]
# channel -> (how the public reads it, the fields it shows)
CHANNELS = {
    "case page": (
        _page(lambda m: m.case.get_absolute_url()),
        [*TITLES, "summary", "full_text", "counterpart", "attachment_title", "decision"],
    ),
    "cancelled case page": (
        _page(lambda m: m.cancelled_case.get_absolute_url()),
        ["cancelled_reason"],
    ),
    "meeting page": (
        _page(lambda m: m.meeting.get_absolute_url()),
        ["agenda_item", "case_title", "decision", "location"],
    ),
    "board page": (_page(lambda m: m.case.board.get_absolute_url()), ["case_title"]),
    "home page": (_page(lambda m: "/"), ["case_title"]),
    "search": (_search({"q": "parkbänkar"}), [*TITLES, "full_text"]),
    # the birth date typed: marked inside the number unless the text is masked first
    "search by birth date": (
        _search({"q": f"parkbänkar or {BIRTH_DATES['full_text']}"}),
        [*TITLES, "full_text"],
    ),
    "search, cases tab": (_search({"q": "parkbänkar", "visa": "arenden"}), ["case_title"]),
    "search by a mentioned dnr": (_search({"q": "KS 2026/99"}), ["near_reference"]),
    "CSV export": (_page(lambda m: "/sok/export.csv", {"q": "parkbänkar"}), ["document_title"]),
    "CSV export of cases": (
        _page(lambda m: "/sok/export.csv", {"q": "parkbänkar", "urval": "arenden"}),
        ["case_title"],
    ),
    "XLSX export": (
        _page(lambda m: "/sok/export.xlsx", {"q": "parkbänkar"}),
        ["document_title"],
    ),
    "XLSX export of cases": (
        _page(lambda m: "/sok/export.xlsx", {"q": "parkbänkar", "urval": "arenden"}),
        ["case_title"],
    ),
    "search feed": (_page(lambda m: "/sok/feed/", {"q": "parkbänkar"}), [*TITLES, "full_text"]),
    "board feed": (_page(lambda m: f"{m.case.board.get_absolute_url()}feed/"), TITLES),
    "case feed": (
        _page(lambda m: f"{m.case.get_absolute_url()}feed/"),
        [*TITLES, "summary", "decision"],
    ),
    "meetings feed": (_page(lambda m: "/sammantraden/feed/"), ["location"]),
    "iCalendar": (_page(lambda m: "/kalender.ics", {"ar": "2026"}), ["location"]),
    "OParl API": (
        _oparl,
        [*TITLES, "full_text", "attachment_title", "attachment_text", "file_name", "agenda_item"],
    ),
    "bilaga download": (_download, ["file_name"]),
    "alert digest mail": (_digest, [*TITLES, "full_text", "decision", "summary"]),
    "begär ut: receipt page and mail": (_access_request, ["document_title"]),
}


@pytest.mark.parametrize("channel", CHANNELS)
def test_no_personnummer_reaches_the_public(material, channel):
    read, shown = CHANNELS[channel]

    text = read(material, Client())

    assert_no_personal_numbers(text, channel=channel)
    assert [field for field in shown if masked(field) not in text] == []


def test_a_number_wrapped_at_the_dash_is_masked_and_keeps_its_line_break(material):
    page = _get(Client(), material.case.get_absolute_url())

    assert f"Den sökande, 19{BIRTH_DATES['full_text']}-<br>XXXX, bor nära." in page


@pytest.mark.parametrize("field", ["case_title", "full_text", "summary", "proposal"])
def test_search_for_a_personnummer_finds_and_suggests_nothing(material, field):
    date, last = BIRTH_DATES[field], last_fours(field)
    for query in (f"19{date}-{last[0]}", f"{date}-{last[1]}", f"{date}+{last[2]}", last[0]):
        results = Client().get("/sok/", {"q": query}).context["results"]
        assert (results.total, results.case_total, results.suggestion) == (0, 0, None), query


def test_other_boards_staff_see_masked_texts_with_their_line_breaks(client, hv, ks):
    # the public form of another board's handling in the admin; the own board's as written
    case = ks_case(board=ks, title="Bygglov för förråd")
    wrapped = "Sökande: Anna Andersson\n19121212-\n1212\nStorgatan 1"
    document = Document.objects.create(
        case=case, sequence=1, kind="skrivelse", title="Ansökan", full_text=wrapped
    )
    attachment = Attachment.objects.create(
        document=document, number=1, title="Intyg 19121212-1212", text="Rad ett\nRad två"
    )
    client.force_login(staff("hv", (hv, BoardMembership.Role.REGISTRAR)))
    other = client.get(f"/admin/cases/document/{document.pk}/change/").content.decode()
    other_attachment = client.get(f"/admin/cases/attachment/{attachment.pk}/change/")
    client.force_login(staff("ks", (ks, BoardMembership.Role.REGISTRAR)))
    own = client.get(f"/admin/cases/document/{document.pk}/change/").content.decode()

    shown = "Sökande: Anna Andersson<br>19121212-<br>XXXX<br>Storgatan 1"
    assert (other.count(shown), other.count("1212-1212"), other.count("-\n1212")) == (1, 0, 0)
    attachment_page = other_attachment.content.decode()
    assert ("Intyg 19121212-XXXX" in attachment_page, attachment_page.count("-1212")) == (True, 0)
    assert "Rad ett<br>Rad två" in attachment_page
    assert own.count(wrapped) == 1

"""The OParl 1.1 API (/oparl/v1.1/): objects, lists and paging, parameters, errors, the public
rules, incremental sync with modified_since, and pinned query counts."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import AgendaItem, Attachment, Board, Case, Meeting, Reference
from cases.oparl import paging
from tests.factories import CaseFactory, DocumentFactory

API = "http://testserver/oparl/v1.1/"
BODY = f"{API}body/stockholm/"
TYPE = "https://schema.oparl.org/1.1/"


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    return response.json()


def ids(page: dict) -> list[str]:
    return [obj["id"] for obj in page["data"]]


def test_oparl_system_leads_to_the_body(client, boards):
    system = get(client, API)
    assert system["type"] == f"{TYPE}System"
    assert system["oparlVersion"] == TYPE
    assert system["body"] == f"{API}body/"
    bodies = get(client, system["body"])
    assert ids(bodies) == [BODY]
    body = bodies["data"][0]
    assert body["name"] == "Stockholms stad"
    assert body["paper"] == f"{BODY}paper/"
    assert body["legislativeTerm"][0]["name"] == "Mandatperioden 1994–1998"
    assert get(client, BODY) == body


def test_oparl_paper_is_the_case_with_its_public_title(client, hv):
    case = CaseFactory(
        board=hv, title="Bistånd till Anna Svensson", title_protected=True, dnr="HV 2019/900"
    )
    paper = get(client, f"{API}paper/{case.pk}/")
    assert paper["name"] == "[Skyddat]"
    assert paper["reference"] == "HV 2019/900"
    assert paper["date"] == "2019-05-02"
    assert paper["underDirectionOf"] == [f"{API}organization/{hv.pk}/"]
    assert paper["web"] == f"http://testserver{case.get_absolute_url()}"
    assert "Anna" not in json.dumps(paper)


def test_oparl_organization_is_a_board_and_lists_its_meetings(client, hv):
    meeting = Meeting.objects.create(
        board=hv, date=datetime.date(2019, 8, 29), location="Vällingby"
    )
    organization = get(client, f"{API}organization/{hv.pk}/")
    assert organization["name"] == "Hässelby-Vällingby stadsdelsnämnd"
    assert organization["classification"] == "Stadsdelsnämnd"
    assert ids(get(client, organization["meeting"])) == [f"{API}meeting/{meeting.pk}/"]


def test_oparl_meeting_embeds_its_agenda_and_consultations_link_the_paper(client, hv):
    case = CaseFactory(board=hv, title="Parkbänkar i Råcksta")
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2019, 8, 29))
    item = AgendaItem.objects.create(meeting=meeting, number=4, title=case.title, case=case)
    found = get(client, f"{API}meeting/{meeting.pk}/")
    assert found["start"] == "2019-08-29T00:00:00+02:00"
    assert [(i["number"], i["name"]) for i in found["agendaItem"]] == [
        ("4", "Parkbänkar i Råcksta")
    ]
    consultation = get(client, found["agendaItem"][0]["consultation"])
    assert consultation["paper"] == f"{API}paper/{case.pk}/"
    assert consultation["agendaItem"] == f"{API}agendaitem/{item.pk}/"
    assert consultation["meeting"] == f"{API}meeting/{meeting.pk}/"
    paper = get(client, consultation["paper"])
    assert [c["id"] for c in paper["consultation"]] == [consultation["id"]]


def test_oparl_cross_board_reference_is_a_consultation_of_the_cited_paper(client, hv, ks):
    remiss = CaseFactory(board=ks, dnr="KS 2019/729", dnr_key="KS 2019/729", title="Remiss")
    answer = DocumentFactory(case=CaseFactory(board=hv), title="Svar på remiss")
    for start in (10, 40):  # two mentions in one handling: one consultation
        Reference.objects.create(
            source=answer,
            raw="KS 2019/729",
            dnr_key="KS 2019/729",
            display="KS 2019/729",
            start=start,
            end=start + 11,
            target=remiss,
            relation=Reference.Relation.ANSWERS,
            status=Reference.Status.RESOLVED,
        )
    paper = get(client, f"{API}paper/{remiss.pk}/")
    [consultation] = paper["consultation"]
    assert consultation["organization"] == [f"{API}organization/{hv.pk}/"]
    assert consultation["role"] == "Svar på"
    assert consultation["authoritative"] is False
    assert get(client, consultation["id"]) == consultation


def test_oparl_handling_is_a_file_with_its_text(client, hv):
    document = DocumentFactory(
        case=CaseFactory(board=hv),
        title="Tjänsteutlåtande om parkbänkar",
        full_text="Sökande 19121212-1212 föreslår bänkar.",
    )
    file = get(client, f"{API}file/handling-{document.pk}/")
    assert file["name"] == "Tjänsteutlåtande om parkbänkar"
    assert file["mimeType"] == "text/plain"
    assert file["text"] == "Sökande 19121212-XXXX föreslår bänkar."
    assert file["size"] == len(file["text"].encode())
    assert file["paper"] == [f"{API}paper/{document.case_id}/"]
    text = client.get(file["accessUrl"])
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode() == file["text"]


def test_oparl_bilaga_is_a_file_with_its_download_url(client, hv):
    document = DocumentFactory(case=CaseFactory(board=hv))
    attachment = Attachment.objects.create(
        document=document,
        number=1,
        title="Karta",
        content_type="application/pdf",
        size=1234,
        file="bilagor/2019/karta.pdf",
        text="Karta över Råcksta",
    )
    file = get(client, f"{API}file/bilaga-{attachment.pk}/")
    assert file["accessUrl"] == f"http://testserver/bilaga/{attachment.pk}/"
    assert (file["mimeType"], file["size"], file["fileName"]) == (
        "application/pdf",
        1234,
        "karta.pdf",
    )
    assert file["text"] == "Karta över Råcksta"


def test_oparl_paper_embeds_its_public_files_without_text(client, hv):
    case = CaseFactory(board=hv)
    first = DocumentFactory(case=case, sequence=1, full_text="Lång text")
    DocumentFactory(case=case, sequence=2, published=False)
    third = DocumentFactory(case=case, sequence=3)
    bilaga = Attachment.objects.create(document=first, number=1, title="Karta", text="Karta")
    Attachment.objects.create(
        document=first, number=2, title="Hemlig", confidential=True, osl_reference="26:1"
    )
    files = get(client, f"{API}paper/{case.pk}/")["auxiliaryFile"]
    assert [f["id"] for f in files] == [
        f"{API}file/handling-{first.pk}/",
        f"{API}file/bilaga-{bilaga.pk}/",
        f"{API}file/handling-{third.pk}/",
    ]
    assert [("text" in f, "size" in f) for f in files] == [(False, False)] * 3
    own = get(client, files[0]["id"])
    assert {k: v for k, v in own.items() if k not in ("text", "size")} == files[0]


# --- Paging and parameters -----------------------------------------------------------------


def test_oparl_list_pages_in_id_order_with_next_prev_and_carried_filters(client, hv):
    cases = [CaseFactory(board=hv) for _ in range(5)]
    url = f"{BODY}paper/?limit=2&created_since=2000-01-01T00:00:00%2B01:00"
    first = get(client, url)
    assert ids(first) == [f"{API}paper/{c.pk}/" for c in cases[:2]]
    assert "prev" not in first["links"]
    assert first["pagination"] == {"elementsPerPage": 2}
    second = get(client, first["links"]["next"])
    assert "created_since=2000-01-01T00%3A00%3A00%2B01%3A00" in first["links"]["next"]
    assert ids(second) == [f"{API}paper/{c.pk}/" for c in cases[2:4]]
    assert second["links"]["prev"] == first["links"]["self"]
    third = get(client, second["links"]["next"])
    assert ids(third) == [f"{API}paper/{cases[4].pk}/"]
    assert "next" not in third["links"]
    assert ids(get(client, third["links"]["prev"])) == ids(second)


def test_oparl_file_list_runs_from_handlings_into_bilagor(client, hv):
    documents = [DocumentFactory(case=CaseFactory(board=hv)) for _ in range(2)]
    attachments = [
        Attachment.objects.create(document=documents[0], number=n, title=f"Bilaga {n}")
        for n in (1, 2)
    ]
    expected = [f"{API}file/handling-{d.pk}/" for d in documents] + [
        f"{API}file/bilaga-{a.pk}/" for a in attachments
    ]
    seen, url = [], f"{BODY}file/?limit=3"
    while url:
        page = get(client, url)
        seen += ids(page)
        url = page["links"].get("next")
    assert seen == expected
    last = get(client, f"{BODY}file/?limit=2&after=b{attachments[0].pk}")
    assert ids(last) == expected[3:]
    assert ids(get(client, last["links"]["prev"])) == expected[1:3]


def test_oparl_date_filters_narrow_the_list(client, hv):
    old = CaseFactory(board=hv)
    Case.objects.filter(pk=old.pk).update(
        created_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC),
    )
    new = CaseFactory(board=hv)
    since = get(client, f"{BODY}paper/?created_since=2020-01-01")
    until = get(client, f"{BODY}paper/?modified_until=2020-01-01T00:00:00Z")
    assert ids(since) == [f"{API}paper/{new.pk}/"]
    assert ids(until) == [f"{API}paper/{old.pk}/"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=101",
        "limit=abc",
        "elementsPerPage=-1",
        "created_since=igår",
        "modified_since=2019-13-45",
        "modified_until=99999-01-01",
        "after=x",
        "after=z12",
        "after=" + "9" * 30,
    ],
)
def test_oparl_bad_parameter_is_a_400_error_object(client, boards, query):
    error = get(client, f"{BODY}file/?{query}", status=400)
    assert error["type"] == f"{TYPE}Error"
    assert error["message"]


@pytest.mark.parametrize(
    "path",
    [
        "paper/999999/",
        "file/handling-999999/",
        "body/goteborg/",
        "finns-inte/",
        "organization/%0A1/",
        "paper/99999999999999999999/",
        "legislativeterm/1995/",
        "agendaitem/1/",
    ],
)
def test_oparl_unknown_address_is_a_404_error_object(client, boards, path):
    error = get(client, f"{API}{path}", status=404)
    assert error["type"] == f"{TYPE}Error"


def test_oparl_is_read_only(client, boards):
    response = client.post(API)
    assert response.status_code == 405
    assert response.json()["type"] == f"{TYPE}Error"
    assert client.options(API)["Access-Control-Allow-Origin"] == "*"


def test_oparl_plus_in_an_unencoded_offset_is_read_as_plus(client, hv):
    CaseFactory(board=hv)
    assert len(get(client, f"{BODY}paper/?created_since=2000-01-01T00:00:00+01:00")["data"]) == 1


# --- The public rules ------------------------------------------------------------------------


MARKER = "Hemligtord"


def _hidden_material(hv):
    """A case with one public handling and every kind of hidden material, all marked."""
    case = CaseFactory(board=hv, title="Ombyggnad av Vällingby torg")
    public = DocumentFactory(case=case, title="Offentlig handling", full_text="Allt är offentligt.")
    hidden = [
        DocumentFactory(
            case=case,
            title=f"{MARKER} sekretess",
            confidential=True,
            osl_reference="26 kap. 1 §",
            full_text=f"{MARKER} i texten",
        ),
        DocumentFactory(case=case, title=f"{MARKER} opublicerad", published=False),
        DocumentFactory(
            case=case, title=f"{MARKER} makulerad", cancelled=True, cancelled_reason="Fel ärende"
        ),
    ]
    Attachment.objects.create(
        document=public,
        number=1,
        title=f"{MARKER} bilaga",
        text=MARKER,
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    Attachment.objects.create(document=public, number=2, title=f"{MARKER} opubl", published=False)
    Attachment.objects.create(document=hidden[0], number=1, title=f"{MARKER} under sekretess")
    protected = CaseFactory(
        board=hv, title=f"{MARKER} i ärendemeningen", title_protected=True, public_title=""
    )
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2019, 9, 1))
    AgendaItem.objects.create(meeting=meeting, number=1, title=f"{MARKER} punkt", case=protected)
    cancelled = CaseFactory(
        board=hv,
        title=f"{MARKER} makulerat ärende",
        status=Case.Status.CANCELLED,
        cancelled_reason="Dubblett",
    )
    return case, public, hidden, protected, cancelled


def _every_response(client) -> list[str]:
    """Every list page (also with modified_since) and every object and text it links."""
    bodies, seen, todo = [], set(), [API]
    while todo:
        url = todo.pop()
        if url in seen or not url.startswith(API):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.content.decode())
        if response["Content-Type"].startswith("application/json"):
            todo += _urls(response.json())
            if "/body/stockholm/" in url and url.endswith("/") and "?" not in url:
                todo.append(url + "?modified_since=2000-01-01")
    return bodies


def _urls(value) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(API) else []
    if isinstance(value, list):
        return [u for item in value for u in _urls(item)]
    if isinstance(value, dict):
        return [u for item in value.values() for u in _urls(item)]
    return []


def test_oparl_never_shows_hidden_material(client, hv):
    case, public, hidden, protected, cancelled = _hidden_material(hv)
    bodies = _every_response(client)
    assert [body for body in bodies if MARKER in body] == []
    assert any("Offentlig handling" in body for body in bodies)


def test_oparl_hidden_objects_are_deleted_stubs_on_their_own_url(client, hv):
    case, public, hidden, protected, cancelled = _hidden_material(hv)
    for url in [f"{API}file/handling-{hidden[0].pk}/", f"{API}paper/{cancelled.pk}/"]:
        stub = get(client, url)
        assert sorted(stub) == ["created", "deleted", "id", "modified", "type"]
        assert stub["deleted"] is True
    assert get(client, f"{API}file/handling-{hidden[0].pk}/text/", status=404)


def test_oparl_deleted_objects_only_with_modified_since(client, hv):
    case, public, hidden, protected, cancelled = _hidden_material(hv)
    plain = ids(get(client, f"{BODY}file/"))
    assert plain == [f"{API}file/handling-{public.pk}/"]
    changes = get(client, f"{BODY}file/?modified_since=2000-01-01")["data"]
    assert [(f["id"], f.get("deleted", False)) for f in changes] == [
        (f"{API}file/handling-{public.pk}/", False),
        *[(f"{API}file/handling-{d.pk}/", True) for d in hidden],
        *[(f"{API}file/bilaga-{a.pk}/", True) for a in Attachment.objects.order_by("pk")],
    ]


# --- Incremental sync --------------------------------------------------------------------------


def test_oparl_modified_since_returns_exactly_the_changed_and_deleted(client, hv):
    changed_case = CaseFactory(board=hv, title="Lekplats i Hässelby gård")
    CaseFactory(board=hv, title="Orörd")
    document = DocumentFactory(case=CaseFactory(board=hv), title="Handling som makuleras")
    DocumentFactory(case=changed_case, title="Orörd handling")
    Meeting.objects.create(board=hv, date=datetime.date(2019, 6, 1))
    mark = timezone.now()

    changed_case.title = "Lekplats i Hässelby gård, ny utformning"
    changed_case.save()
    document.cancelled, document.cancelled_reason = True, "Registrerad i fel ärende"
    document.save()
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2019, 10, 3))

    since = "modified_since=" + mark.isoformat().replace("+", "%2B")
    papers = get(client, f"{BODY}paper/?{since}")["data"]
    files = get(client, f"{BODY}file/?{since}")["data"]
    meetings = get(client, f"{BODY}meeting/?{since}")["data"]
    assert [(p["id"], p["name"]) for p in papers] == [
        (f"{API}paper/{changed_case.pk}/", "Lekplats i Hässelby gård, ny utformning")
    ]
    assert files == [get(client, f"{API}file/handling-{document.pk}/")]
    assert files[0]["deleted"] is True
    assert ids({"data": meetings}) == [f"{API}meeting/{meeting.pk}/"]


@pytest.mark.parametrize("candidates", [0, 2000])
def test_oparl_sync_is_the_same_from_candidates_or_walking_the_ids(
    client, hv, monkeypatch, candidates
):
    """Few changes are read through the updated_at indexes, many by walking the ids."""
    monkeypatch.setattr(paging, "SYNC_CANDIDATES", candidates)
    old, changed = CaseFactory(board=hv), CaseFactory(board=hv)
    hidden = DocumentFactory(case=old)
    kept = DocumentFactory(case=changed)
    mark = timezone.now()
    changed.title = "Ny ärendemening"
    changed.save()
    old.status, old.cancelled_reason = Case.Status.CANCELLED, "Dubblett"
    old.save()
    since = "modified_since=" + mark.isoformat().replace("+", "%2B")
    papers = get(client, f"{BODY}paper/?{since}")["data"]
    files = get(client, f"{BODY}file/?{since}")["data"]
    assert [(p["id"], p.get("deleted", False)) for p in papers] == [
        (f"{API}paper/{old.pk}/", True),
        (f"{API}paper/{changed.pk}/", False),
    ]
    assert [(f["id"], f.get("deleted", False)) for f in files] == [
        (f"{API}file/handling-{hidden.pk}/", True)
    ]
    assert kept.pk != hidden.pk


def test_oparl_makulerat_case_deletes_its_files_for_a_sync(client, hv):
    case = CaseFactory(board=hv)
    document = DocumentFactory(case=case)
    mark = timezone.now()
    case.status, case.cancelled_reason = Case.Status.CANCELLED, "Dubblett"
    case.save()
    since = "modified_since=" + mark.isoformat().replace("+", "%2B")
    files = get(client, f"{BODY}file/?{since}")["data"]
    assert [(f["id"], f["deleted"]) for f in files] == [
        (f"{API}file/handling-{document.pk}/", True)
    ]
    assert get(client, f"{BODY}file/")["data"] == []


# --- Query counts ----------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _populate(hv, n):
    meeting = Meeting.objects.create(
        board=hv, date=datetime.date(2019, 8, 1) + datetime.timedelta(n)
    )
    for i in range(n):
        case = CaseFactory(board=hv)
        document = DocumentFactory(case=case)
        Attachment.objects.create(document=document, number=1, title="Bilaga")
        AgendaItem.objects.create(meeting=meeting, number=i + 1, title="Punkt", case=case)
        Reference.objects.create(
            source=DocumentFactory(
                case=CaseFactory(
                    board=Board.objects.get(short_name="Kommunstyrelsen"),
                    dnr=f"KS 2019/{i + 1}",
                    dnr_key=f"KS 2019/{i + 1}",
                )
            ),
            raw=case.dnr,
            dnr_key=case.dnr_key,
            display=case.dnr,
            target=case,
            status=Reference.Status.RESOLVED,
        )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("paper/", 5),
        ("paper/?modified_since=2000-01-01", 6),
        ("file/?modified_since=2000-01-01", 4),
        ("file/", 2),
        ("meeting/", 2),
        ("agendaitem/", 1),
        ("consultation/", 2),
        ("organization/", 1),
    ],
)
@pytest.mark.parametrize("size", [1, 3])
def test_oparl_list_query_count_does_not_grow(client, hv, path, expected, size):
    _populate(hv, size)
    assert _count(client, f"{BODY}{path}") == expected


@pytest.mark.parametrize(
    "dnr_key",
    [
        "HV 2019/272",
        "1.2.4-231-2019",
        "SDN-ÅÄÖ 2024/7",
        "KS 2024/1 %20 #x ?y=1 &z;a,b+c'd(e)!*~:@",
        'a//b\\c"<>{}|^`é€😀',
    ],
)
def test_oparl_case_page_is_the_case_pages_own_address(rf, hv, dnr_key):
    from cases.oparl.serializers import Urls

    urls = Urls(rf.get("/oparl/v1.1/"))
    case = Case(pk=7, board=hv, dnr_key=dnr_key)
    other = Case(pk=8, board=hv, dnr_key=dnr_key + "9")

    assert urls.case_page(case) == "http://testserver" + case.get_absolute_url()
    assert urls.case_page(other) == "http://testserver" + other.get_absolute_url()


def test_oparl_paper_web_links_quote_the_number_as_the_site_does(client, hv):
    case = CaseFactory(board=hv, dnr="HV 2024/5", dnr_key="HV 2024/5 ÅÄÖ #?")
    n = DocumentFactory(case=case).sequence

    paper = get(client, f"{BODY}paper/")["data"][0]

    page = "http://testserver" + case.get_absolute_url()
    assert paper["web"] == page
    assert paper["auxiliaryFile"][0]["web"] == f"{page}?handling={n}#handling-{n}"

"""Staff of one board cannot change another board's records through any admin page
(issue 19.4, 19.5): the history (revert) form, a change that moves an object to or from
another board, agenda items and decisions on another board's meetings and cases."""

import datetime

import pytest
from django.contrib.auth.models import User

from cases.models import (
    AgendaItem,
    Attachment,
    BoardMembership,
    Case,
    CaseStatusChange,
    Decision,
    Document,
    Meeting,
    PersonalDataFinding,
)
from cases.services import indexing, registering, roles
from tests.factories import CaseFactory, DocumentFactory

REGISTRAR = BoardMembership.Role.REGISTRAR
SECRETARY = BoardMembership.Role.SECRETARY


def staff(username, *memberships):
    user = User.objects.create_user(username, password="Ett-långt-lösenord-2026", is_staff=True)
    for board, role in memberships:
        BoardMembership.objects.create(user=user, board=board, role=role)
    roles.ensure_role_permissions(user=user)
    return user


def ks_case(number=1, **fields):
    dnr = f"KS 2019/{number}"
    return CaseFactory(board=fields.pop("board"), dnr=dnr, dnr_key=dnr, dnr_number=number, **fields)


def revert_form(case, **fields):
    return {
        "title": case.title,
        "status": case.status,
        "registered_on": case.registered_on.isoformat(),
        "public_title": case.public_title,
        "cancelled_reason": case.cancelled_reason,
        "class_code": "",
        "officer": "",
        **fields,
    }


# --- 19.4 History form and board moves ---------------------------------------------------


def test_history_form_refuses_other_boards_case_and_changes_nothing(client, hv, ks):
    case = ks_case(board=ks, title="Budget för Kommunstyrelsen")
    version = case.history.get()
    client.force_login(staff("reg", (hv, REGISTRAR)))
    url = f"/admin/cases/case/{case.pk}/history/{version.history_id}/"

    shown = client.get(url)
    posted = client.post(
        url, revert_form(case, status="makulerat", cancelled_reason="Felregistrerat")
    )

    assert (shown.status_code, posted.status_code) == (403, 403)
    case.refresh_from_db()
    assert (case.status, case.history.count(), case.status_changes.count()) == (
        "pagaende",
        1,
        0,
    )


def test_history_form_refuses_revert_by_role_without_change_right(client, hv):
    case = CaseFactory(board=hv, title="Skrivelse om belysning")
    version = case.history.get()
    client.force_login(staff("sekr", (hv, SECRETARY)))
    url = f"/admin/cases/case/{case.pk}/history/{version.history_id}/"

    shown = client.get(url)
    posted = client.post(url, revert_form(case, title="Ändrad av sekreteraren"))

    assert (shown.status_code, posted.status_code) == (200, 403)
    assert Case.objects.get(pk=case.pk).title == "Skrivelse om belysning"


def test_revert_of_own_case_logs_the_status_change_and_reindexes(client, hv):
    case = registering.register_new_case(
        board=hv,
        title="Skrivelse om belysning",
        document_kind="skrivelse",
        document_title="",
        document_date=datetime.date(2026, 11, 2),
        direction="in",
        counterpart="Liberalerna",
    )
    first = case.history.earliest("history_date")
    registering.change_case_status(case=case, status="makulerat", note="Dubblett")
    client.force_login(staff("reg", (hv, REGISTRAR)))
    url = f"/admin/cases/case/{case.pk}/history/{first.history_id}/"

    response = client.post(url, revert_form(first, title="Skrivelse om zqxgatljus"))

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.title) == ("pagaende", "Skrivelse om zqxgatljus")
    assert list(case.status_changes.values_list("from_status", "to_status")) == [
        ("", "pagaende"),
        ("pagaende", "makulerat"),
        ("makulerat", "pagaende"),
    ]
    assert "zqxgatljus" in str(case.documents.get().search_entry.clean_vector)


def test_save_as_new_is_refused_and_registers_nothing(client, hv, ks):
    own = CaseFactory(board=hv, title="Skrivelse om belysning")
    other = ks_case(board=ks, title="Budget för Kommunstyrelsen")
    client.force_login(staff("reg", (hv, REGISTRAR)))

    statuses = [
        client.post(
            f"/admin/cases/case/{case.pk}/change/", {**revert_form(case), "_saveasnew": "1"}
        ).status_code
        for case in (own, other)
    ]

    assert statuses == [403, 403]
    assert Case.objects.count() == 2


def test_document_cannot_be_moved_to_another_boards_case(client, hv, ks):
    document = DocumentFactory(case=CaseFactory(board=hv), title="Tjänsteutlåtande")
    other = ks_case(board=ks)
    client.force_login(staff("reg", (hv, REGISTRAR)))
    url = f"/admin/cases/document/{document.pk}/change/"

    response = client.post(
        url,
        {
            "case": other.pk,
            "kind": document.kind,
            "title": "Flyttad",
            "direction": document.direction,
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "manual_references-TOTAL_FORMS": "0",
            "manual_references-INITIAL_FORMS": "0",
            "references-TOTAL_FORMS": "0",
            "references-INITIAL_FORMS": "0",
            "personal_data-TOTAL_FORMS": "0",
            "personal_data-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 403
    assert Document.objects.filter(pk=document.pk).values_list("case", "title").get() == (
        document.case.pk,
        "Tjänsteutlåtande",
    )


def test_attachment_cannot_be_moved_to_another_boards_document(client, hv, ks, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    own = Attachment.objects.create(
        document=DocumentFactory(case=CaseFactory(board=hv)), number=1, title="Karta"
    )
    other = DocumentFactory(case=ks_case(board=ks))
    client.force_login(staff("reg", (hv, REGISTRAR)))

    response = client.post(
        f"/admin/cases/attachment/{own.pk}/change/",
        {"document": other.pk, "number": "1", "title": "Flyttad", "published": "on"},
    )

    assert response.status_code == 403
    assert Attachment.objects.filter(pk=own.pk).values_list("document", "title").get() == (
        own.document.pk,
        "Karta",
    )


def test_personal_data_finding_of_another_board_cannot_be_marked_reviewed(client, hv, ks):
    document = DocumentFactory(case=ks_case(board=ks))
    finding = PersonalDataFinding.objects.create(
        document=document, kind="personnummer", masked_value="19121212-XXXX", start=0, end=13
    )
    client.force_login(staff("reg", (hv, REGISTRAR)))

    response = client.post(
        f"/admin/cases/personaldatafinding/{finding.pk}/change/", {"reviewed": "on"}
    )

    assert response.status_code == 403
    assert PersonalDataFinding.objects.get(pk=finding.pk).reviewed is False


# --- 19.5 Meetings, agenda items, decisions ----------------------------------------------


@pytest.fixture
def meetings(hv, ks):
    day = datetime.date(2026, 11, 26)
    return Meeting.objects.create(board=hv, date=day), Meeting.objects.create(board=ks, date=day)


def errors_of(response) -> dict:
    return {
        name: list(errors) for name, errors in response.context["adminform"].form.errors.items()
    }


def test_secretary_cannot_add_agenda_item_to_another_boards_meeting(client, hv, ks, meetings):
    _hv_meeting, ks_meeting = meetings
    client.force_login(staff("sekr", (hv, SECRETARY)))

    response = client.post(
        "/admin/cases/agendaitem/add/",
        {"meeting": ks_meeting.pk, "number": "1", "title": "Budget"},
    )

    assert response.status_code == 200
    assert errors_of(response) == {
        "meeting": ["Välj ett sammanträde hos en nämnd där du är nämndsekreterare."]
    }
    assert AgendaItem.objects.count() == 0


def test_secretary_of_two_boards_cannot_put_one_boards_case_on_the_others_agenda(
    client, hv, ks, meetings
):
    hv_meeting, _ks_meeting = meetings
    other = ks_case(board=ks)
    client.force_login(staff("sekr", (hv, SECRETARY), (ks, SECRETARY)))

    single = client.post(
        "/admin/cases/agendaitem/add/",
        {"meeting": hv_meeting.pk, "number": "1", "title": "Remiss", "case": other.pk},
    )
    inline = client.post(
        f"/admin/cases/meeting/{hv_meeting.pk}/change/",
        {
            "board": hv.pk,
            "date": "2026-11-26",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-number": "1",
            "items-0-title": "Remiss",
            "items-0-case": other.pk,
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        },
    )

    message = (
        "Ärendet KS 2019/1 hör till Kommunstyrelsen, inte till Hässelby-Vällingby "
        "stadsdelsnämnd. Registrera det hos nämnden och hänvisa till det andra numret."
    )
    assert errors_of(single) == {"case": [message]}
    assert inline.context["inline_admin_formsets"][0].formset.errors == [{"case": [message]}]
    assert AgendaItem.objects.count() == 0


def test_secretary_cannot_choose_another_boards_case_for_own_agenda(client, hv, ks, meetings):
    hv_meeting, _ks_meeting = meetings
    other = ks_case(board=ks)
    client.force_login(staff("sekr", (hv, SECRETARY)))

    response = client.post(
        "/admin/cases/agendaitem/add/",
        {"meeting": hv_meeting.pk, "number": "1", "title": "Remiss", "case": other.pk},
    )

    assert errors_of(response) == {
        "case": ["Välj ett ärende hos en nämnd där du är nämndsekreterare."]
    }
    assert AgendaItem.objects.count() == 0


def test_decision_on_another_boards_case_through_own_meeting_is_refused(client, hv, ks, meetings):
    hv_meeting, _ks_meeting = meetings
    other = ks_case(board=ks)
    client.force_login(staff("sekr", (hv, SECRETARY), (ks, SECRETARY)))

    response = client.post(
        "/admin/cases/decision/add/",
        {"meeting": hv_meeting.pk, "case": other.pk, "decided_on": "2026-11-26", "text": "Bifall"},
    )

    assert response.status_code == 200
    assert list(errors_of(response)) == ["case"]
    assert Decision.objects.count() == 0


def test_decision_cannot_be_moved_to_another_boards_meeting(client, hv, ks, meetings):
    hv_meeting, ks_meeting = meetings
    case = CaseFactory(board=hv)
    decision = registering.record_decision(
        case=case, meeting=hv_meeting, decided_on=datetime.date(2026, 11, 26), text="Bifall"
    )
    client.force_login(staff("sekr", (hv, SECRETARY), (ks, SECRETARY)))

    response = client.post(
        f"/admin/cases/decision/{decision.pk}/change/",
        {
            "meeting": ks_meeting.pk,
            "case": ks_case(board=ks).pk,
            "decided_on": "2026-11-26",
            "text": "Avslag",
        },
    )

    assert errors_of(response) == {
        "meeting": [
            "Beslutet är § 1/2026 i Hässelby-Vällingby stadsdelsnämnds protokoll och kan inte "
            "flyttas till en annan nämnd."
        ]
    }
    assert Decision.objects.filter(pk=decision.pk).values_list("meeting", "text").get() == (
        hv_meeting.pk,
        "Bifall",
    )


def test_services_refuse_other_boards_meeting_case_and_secretary(hv, ks, meetings):
    hv_meeting, ks_meeting = meetings
    CaseFactory(board=ks, dnr="KS 2019/2", dnr_key="KS 2019/2", dnr_number=2)
    other = ks_case(board=ks)
    hv_secretary = staff("sekr", (hv, SECRETARY))
    day = datetime.date(2026, 11, 26)

    with pytest.raises(registering.RegisterError, match="hör till Kommunstyrelsen"):
        registering.record_decision(case=other, meeting=hv_meeting, decided_on=day, text="X")
    with pytest.raises(registering.RegisterError, match="behörighet att göra det för Kommun"):
        registering.record_decision(
            case=other, meeting=ks_meeting, decided_on=day, text="X", by=hv_secretary
        )
    with pytest.raises(registering.RegisterError, match="behörighet att göra det för Kommun"):
        registering.add_open_cases_to_agenda(meeting=ks_meeting, by=hv_secretary)

    assert (Decision.objects.count(), AgendaItem.objects.count()) == (0, 0)


def test_agenda_action_with_another_boards_meeting_changes_no_meeting(client, hv, ks, meetings):
    # The own board's meeting comes first in the admin's order (newest first).
    Meeting.objects.filter(board=hv).update(date=datetime.date(2026, 12, 3))
    CaseFactory(board=hv)
    ks_case(board=ks)
    client.force_login(staff("sekr", (hv, SECRETARY)))

    response = client.post(
        "/admin/cases/meeting/",
        {
            "action": "add_open_cases_to_agenda",
            "_selected_action": [meeting.pk for meeting in meetings],
        },
    )

    assert response.status_code == 403
    assert AgendaItem.objects.count() == 0
    assert CaseStatusChange.objects.count() == 0


# --- 19.6 Another board's records as the public sees them --------------------------------


@pytest.fixture
def ks_records(ks, settings, tmp_path):
    """Kommunstyrelsen's protected, confidential and unpublished material, each with a
    marker word of its own."""
    settings.MEDIA_ROOT = tmp_path
    case = ks_case(
        board=ks,
        title="Bistånd zqxcasetitle enskild",
        title_protected=True,
        public_title="Ärende om bistånd",
    )
    public = DocumentFactory(
        case=case,
        title="Utredning zqxdoctitle",
        title_protected=True,
        public_title="Utredning",
        counterpart="Anna zqxsender",
        counterpart_protected=True,
        full_text="Nämnden beslutar om parkbänkar.",
    )
    unpublished = DocumentFactory(
        case=case, title="Utkast zqxunpublished", published=False, full_text="zqxunpubtext"
    )
    attachment = Attachment.objects.create(
        document=unpublished, number=1, title="Bilaga zqxattachment", text="zqxattachtext"
    )
    for document in (public, unpublished):
        indexing.index_document(document=document)
    indexing.reindex_case(case=case)
    return case, public, unpublished, attachment


def test_other_boards_protected_title_shows_only_in_public_form(client, hv, ks_records):
    case, public, _unpublished, _attachment = ks_records
    client.force_login(staff("reg", (hv, REGISTRAR)))
    autocomplete = {"app_label": "cases", "model_name": "reference", "field_name": "target"}

    pages = {
        "case": client.get(f"/admin/cases/case/{case.pk}/change/"),
        "document": client.get(f"/admin/cases/document/{public.pk}/change/"),
        "documents": client.get("/admin/cases/document/"),
        "by number": client.get("/admin/autocomplete/", {**autocomplete, "term": "KS 2019/1"}),
    }
    searches = {
        "cases": client.get("/admin/cases/case/", {"q": "zqxcasetitle"}),
        "documents": client.get("/admin/cases/document/", {"q": "zqxdoctitle"}),
        "autocomplete": client.get(
            "/admin/autocomplete/", {**autocomplete, "term": "zqxcasetitle"}
        ),
    }

    assert {name: "zqx" in r.content.decode() for name, r in pages.items()} == dict.fromkeys(
        pages, False
    )
    assert pages["by number"].json()["results"] == [
        {"id": str(case.pk), "text": "KS 2019/1 Ärende om bistånd"}
    ]
    assert "<title>KS 2019/1 Ärende om bistånd | Visa ärende | " in pages["case"].content.decode()
    assert [
        searches["cases"].context["cl"].result_count,
        searches["documents"].context["cl"].result_count,
        searches["autocomplete"].json()["results"],
    ] == [0, 0, []]


def test_own_board_staff_find_and_see_their_protected_title(client, ks, ks_records):
    case, public, _unpublished, _attachment = ks_records
    client.force_login(staff("ks", (ks, REGISTRAR)))

    found = client.get("/admin/cases/case/", {"q": "zqxcasetitle"})
    document = client.get(f"/admin/cases/document/{public.pk}/change/").content.decode()

    assert list(found.context["cl"].result_list) == [case]
    assert ("zqxdoctitle" in document, "zqxsender" in document) == (True, True)


def test_other_boards_unpublished_documents_and_attachments_stay_hidden(client, hv, ks_records):
    case, public, unpublished, attachment = ks_records
    client.force_login(staff("reg", (hv, REGISTRAR)))

    documents = client.get("/admin/cases/document/")
    by_text = client.get("/admin/cases/document/", {"q": "zqxunpubtext"})
    change = client.get(f"/admin/cases/document/{unpublished.pk}/change/")
    attachment_change = client.get(f"/admin/cases/attachment/{attachment.pk}/change/")
    download = client.get(f"/admin/cases/attachment/{attachment.pk}/fil/")
    case_page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()

    assert list(documents.context["cl"].result_list) == [public]
    assert by_text.context["cl"].result_count == 0
    assert (change.status_code, attachment_change.status_code, download.status_code) == (
        302,
        302,
        404,
    )
    assert "zqx" not in case_page


def test_other_boards_document_texts_show_personnummer_masked(client, hv, ks):
    # the case page masks personnummer (personal_data); another board's staff see the same
    case = ks_case(board=ks, title="Bygglov för förråd")
    document = DocumentFactory(
        case=case,
        title="Tjänsteutlåtande",
        summary="Sökande 19121212-1212.",
        proposal="Bevilja 19121212-1212 bygglov.",
        full_text="Sökande: 19121212-1212, Storgatan 1.",
        clean_text="Sökande: 19121212-1212",
    )
    attachment = Attachment.objects.create(
        document=document, number=1, title="Ritning", text="Ritning för 19121212-1212"
    )
    urls = [
        f"/admin/cases/document/{document.pk}/change/",
        f"/admin/cases/attachment/{attachment.pk}/change/",
    ]
    client.force_login(staff("reg", (hv, REGISTRAR)))
    other = [client.get(url) for url in urls]
    client.force_login(staff("ks", (ks, REGISTRAR)))
    own = [client.get(url).content.decode() for url in urls]

    assert [r.status_code for r in other] == [200, 200]
    shown = [r.content.decode() for r in other]
    assert [page.count("1212-1212") for page in shown] == [0, 0]
    assert [page.count("19121212-XXXX") for page in shown] == [4, 1]
    assert [page.count("19121212-1212") for page in own] == [4, 1]


def test_history_of_other_boards_records_is_refused(client, hv, ks_records):
    case, public, _unpublished, _attachment = ks_records
    version = public.history.get()
    client.force_login(staff("reg", (hv, REGISTRAR)))

    statuses = [
        client.get(url).status_code
        for url in (
            f"/admin/cases/case/{case.pk}/history/",
            f"/admin/cases/document/{public.pk}/history/",
            f"/admin/cases/document/{public.pk}/history/{version.history_id}/",
        )
    ]

    assert statuses == [403, 403, 403]

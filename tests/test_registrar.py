"""A registrator's and a nämndsekreterare's work in the admin, as those roles (issue 20):
references to other boards' cases, registration on one screen with an attachment, aliases,
uploads through one service, downloads, the polish of the forms, and creating accounts."""

import datetime
import html as htmllib
import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from cases import queries
from cases.forms import DocumentAdminForm
from cases.models import Attachment, BoardMembership, Case, Reference
from cases.search import criteria, document_search
from cases.services import cross_references, registering, roles
from tests.factories import CaseFactory, DocumentFactory

PASSWORD = "Ett-långt-lösenord-2026"
SECRETARY = BoardMembership.Role.SECRETARY


def staff(username, board, role=BoardMembership.Role.REGISTRAR):
    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    BoardMembership.objects.create(user=user, board=board, role=role)
    roles.ensure_role_permissions(user=user)
    return user


def admin_form_data(response) -> dict:
    """What a browser posts back from an admin change page when nothing is changed."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False or hasattr(value, "url"):
                continue
            data[form[name].html_name] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[formset.management_form[name].html_name] = formset.management_form[name].value()
        for form in formset.forms:
            add(form)
    return data


def register_post(board, **fields):
    return {
        "hanvisning-TOTAL_FORMS": "2",
        "hanvisning-INITIAL_FORMS": "0",
        "board": board.pk,
        "title": "Medborgarförslag om en hundrastgård i Grimsta",
        "document_kind": "medborgarforslag",
        "direction": "in",
        "document_date": "2026-11-02",
        "counterpart": "Anna Andersson",
        **fields,
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def remiss(ks):
    return CaseFactory(
        board=ks,
        dnr="KS 2019/656",
        dnr_key="KS 2019/656",
        dnr_number=656,
        title="Remiss om stadens hundpolicy",
    )


def search(words: str) -> list:
    results = document_search.search_documents(query=words, filters=criteria.SearchFilters())
    return [hit.document for hit in results.hits]


# --- 3. Each role has what its work needs ------------------------------------------------


def test_registrar_adds_reference_to_another_boards_case_on_document_page(client, hv, remiss):
    document = DocumentFactory(case=CaseFactory(board=hv), title="Svar på remiss")
    client.force_login(staff("reg", hv))
    url = f"/admin/cases/document/{document.pk}/change/"
    data = admin_form_data(client.get(url))

    response = client.post(
        url,
        {
            **data,
            "manual_references-TOTAL_FORMS": "1",
            "manual_references-0-target": str(remiss.pk),
            "manual_references-0-relation": "remiss-fran",
        },
    )

    assert response.status_code == 302
    reference = Reference.objects.get(source=document)
    assert (reference.target, reference.relation, reference.status, reference.display) == (
        remiss,
        "remiss-fran",
        "resolved",
        "KS 2019/656",
    )


def test_each_role_reaches_the_pages_its_work_needs(client, hv):
    case = registering.register_new_case(
        board=hv,
        title="Skrivelse om belysning",
        document_kind="skrivelse",
        document_title="",
        document_date=datetime.date(2026, 11, 2),
        direction="in",
        counterpart="Liberalerna",
    )
    document = case.documents.get()
    pages = [
        "/admin/cases/case/registrera/",
        f"/admin/cases/case/{case.pk}/change/",
        f"/admin/cases/document/{document.pk}/change/",
        "/admin/cases/attachment/",
        "/admin/cases/attachment/add/",
        "/admin/cases/reference/",
        "/admin/cases/reference/add/",
        "/admin/cases/meeting/",
        "/admin/cases/meeting/add/",
        "/admin/cases/decision/add/",
        "/admin/cases/agendaitem/add/",
        "/admin/cases/boardmembership/",
    ]
    reached = {}
    for user in [staff("reg", hv), staff("sekr", hv, SECRETARY)]:
        client.force_login(user)
        reached[user.username] = {page: client.get(page).status_code for page in pages}

    reg = [200, 200, 200, 200, 200, 200, 403, 200, 403, 403, 403, 403]
    sekr = [403, 200, 200, 200, 403, 200, 403, 200, 200, 200, 200, 403]
    assert reached == {
        "reg": dict(zip(pages, reg, strict=True)),
        "sekr": dict(zip(pages, sekr, strict=True)),
    }


def test_secretary_keeps_meeting_agenda_and_decision_as_that_role(client, hv):
    case = CaseFactory(board=hv)
    client.force_login(staff("sekr", hv, SECRETARY))

    meeting_added = client.post(
        "/admin/cases/meeting/add/",
        {
            "board": hv.pk,
            "date": "2026-11-26",
            "location": "Vällingby",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-number": "4",
            "items-0-title": case.title,
            "items-0-case": case.pk,
            "decisions-TOTAL_FORMS": "0",
            "decisions-INITIAL_FORMS": "0",
        },
    )
    meeting = hv.meetings.get()
    decision_added = client.post(
        "/admin/cases/decision/add/",
        {"meeting": meeting.pk, "case": case.pk, "decided_on": "2026-11-26", "text": "Bifall"},
    )

    assert (meeting_added.status_code, decision_added.status_code) == (302, 302)
    assert [(i.number, i.case) for i in meeting.items.all()] == [(4, case)]
    assert [(d.section, d.case, d.meeting) for d in case.decisions.all()] == [(1, case, meeting)]


def test_status_history_shows_readable_statuses(client, hv):
    case = registering.register_new_case(
        board=hv,
        title="Skrivelse om belysning",
        document_kind="skrivelse",
        document_title="",
        document_date=datetime.date(2026, 11, 2),
        direction="in",
        counterpart="Liberalerna",
    )
    client.force_login(staff("sekr", hv, SECRETARY))

    html = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()

    assert f"{case.dnr}: – → Pågående" in html
    assert "pagaende</p>" not in html


# --- 4. Search entry of the first handling, aliases, downloads ---------------------------


def test_first_handling_of_registered_case_is_found_in_search(client, hv):
    client.force_login(staff("reg", hv))

    response = client.post(
        "/admin/cases/case/registrera/",
        register_post(hv, document_title="Zqxnyhandling om hundrastgård"),
    )

    document = Case.objects.get(board=hv).documents.get()
    assert response.status_code == 302
    assert search("zqxnyhandling") == [document]


def test_alias_added_in_case_inline_gets_its_key_and_resolves(client, hv):
    case = CaseFactory(board=hv, dnr="HV 2019/12", dnr_key="HV 2019/12", dnr_number=12)
    waiting = DocumentFactory(
        case=CaseFactory(board=hv), full_text="Se ärende 1.2.4-231-2019 om parken."
    )
    cross_references.record_references(document=waiting)
    client.force_login(staff("reg", hv))
    url = f"/admin/cases/case/{case.pk}/change/"
    data = admin_form_data(client.get(url))

    response = client.post(
        url, {**data, "aliases-TOTAL_FORMS": "1", "aliases-0-dnr": " 1.2.4-231-2019 "}
    )

    alias = case.aliases.get()
    assert response.status_code == 302
    assert (alias.dnr, alias.dnr_key) == ("1.2.4-231-2019", "1.2.4-231-2019")
    assert queries.lookup_dnr("1.2.4 - 231 - 2019").cases == [case]
    assert waiting.references.get().target == case


def test_alias_inline_refuses_unreadable_or_other_boards_number_in_swedish(client, hv):
    case = CaseFactory(board=hv)
    client.force_login(staff("reg", hv))
    url = f"/admin/cases/case/{case.pk}/change/"
    data = admin_form_data(client.get(url))

    unreadable = client.post(url, {**data, "aliases-TOTAL_FORMS": "1", "aliases-0-dnr": "abc"})
    other = client.post(url, {**data, "aliases-TOTAL_FORMS": "1", "aliases-0-dnr": "KS 2019/656"})

    assert unreadable.status_code == 200
    assert other.status_code == 200
    [[unreadable_error]] = unreadable.context["inline_admin_formsets"][0].formset.errors[0].values()
    [[other_error]] = other.context["inline_admin_formsets"][0].formset.errors[0].values()
    assert unreadable_error == "Känner inte igen diarienumret ”abc”."
    assert other_error == (
        "Diarienumret KS 2019/656 hör inte till Hässelby-Vällingby stadsdelsnämnds serie (HV)."
    )
    assert case.aliases.count() == 0


def test_registrar_downloads_own_boards_attachments_also_confidential(client, hv, ks, media):
    own = DocumentFactory(case=CaseFactory(board=hv))
    public = Attachment.objects.create(
        document=own, number=1, title="Karta", file=SimpleUploadedFile("karta.txt", b"Karta")
    )
    secret = Attachment.objects.create(
        document=own,
        number=2,
        title="Utredning",
        file=SimpleUploadedFile("utredning.txt", b"Hemlig utredning"),
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    other_board = Attachment.objects.create(
        document=DocumentFactory(
            case=CaseFactory(board=ks, dnr="KS 2019/1", dnr_key="KS 2019/1", dnr_number=1)
        ),
        number=1,
        title="KS utredning",
        file=SimpleUploadedFile("ks.txt", b"KS hemligt"),
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    client.force_login(staff("reg", hv))

    change_page = client.get(f"/admin/cases/attachment/{secret.pk}/change/").content.decode()
    downloads = {
        a.title: client.get(f"/admin/cases/attachment/{a.pk}/fil/")
        for a in (public, secret, other_board)
    }

    assert f'href="/admin/cases/attachment/{secret.pk}/fil/"' in change_page
    assert "/media/" not in change_page
    assert 'name="file-clear"' not in change_page
    contents = {
        title: (r.status_code, b"".join(r.streaming_content) if r.status_code == 200 else b"")
        for title, r in downloads.items()
    }
    assert contents == {
        "Karta": (200, b"Karta"),
        "Utredning": (200, b"Hemlig utredning"),
        "KS utredning": (404, b""),
    }


# --- 5. Every upload path through one service --------------------------------------------


def test_upload_in_document_pages_bilagor_inline_extracts_text_size_and_type(client, hv, media):
    document = DocumentFactory(case=CaseFactory(board=hv))
    client.force_login(staff("reg", hv))
    url = f"/admin/cases/document/{document.pk}/change/"
    data = admin_form_data(client.get(url))
    body = "Hundrastgården ska ha staket och belysning.".encode()

    response = client.post(
        url,
        {
            **data,
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "Skiss",
            "attachments-0-file": SimpleUploadedFile("skiss.txt", body),
            "attachments-0-published": "on",
        },
    )

    attachment = document.attachments.get()
    assert response.status_code == 302
    assert (attachment.number, attachment.text, attachment.size, attachment.content_type) == (
        1,
        "Hundrastgården ska ha staket och belysning.",
        len(body),
        "text/plain",
    )
    assert search("staket") == [document]


def test_upload_on_attachment_page_replaces_text_size_and_type(client, hv, media):
    document = DocumentFactory(case=CaseFactory(board=hv))
    client.force_login(staff("reg", hv))

    response = client.post(
        "/admin/cases/attachment/add/",
        {
            "document": document.pk,
            "title": "Skiss",
            "published": "on",
            "file": SimpleUploadedFile("skiss.txt", "Grusgången vid dammen".encode()),
        },
    )

    attachment = document.attachments.get()
    assert response.status_code == 302
    assert (attachment.number, attachment.text, attachment.content_type) == (
        1,
        "Grusgången vid dammen",
        "text/plain",
    )
    assert search("grusgången") == [document]


# --- 6. Registration on one screen, and the polish ---------------------------------------


def test_register_with_attachment_and_reference_on_one_screen(client, hv, remiss, media):
    client.force_login(staff("reg", hv))
    body = "Förslaget: en inhägnad hundrastgård vid Grimstaskogens parkering.".encode()

    response = client.post(
        "/admin/cases/case/registrera/",
        register_post(
            hv,
            attachment=SimpleUploadedFile("forslag.txt", body),
            **{"hanvisning-0-dnr": "ks 2019-656", "hanvisning-0-relation": "svar-pa"},
        ),
    )

    case = Case.objects.get(board=hv)
    document = case.documents.get()
    attachment = document.attachments.get()
    assert response.status_code == 302
    assert (attachment.number, attachment.title, attachment.size, attachment.content_type) == (
        1,
        "forslag",  # the file name without its extension, when no title is typed
        len(body),
        "text/plain",
    )
    assert [(r.target, r.relation) for r in document.references.all()] == [(remiss, "svar-pa")]
    assert search("inhägnad") == [document]


def test_register_refuses_unknown_reference_and_writes_nothing(client, hv, remiss, media):
    client.force_login(staff("reg", hv))

    response = client.post(
        "/admin/cases/case/registrera/",
        register_post(
            hv,
            attachment=SimpleUploadedFile("forslag.txt", b"Text"),
            **{"hanvisning-0-dnr": "KS 2019/999", "hanvisning-1-dnr": "SK 2019/656"},
        ),
    )

    assert response.status_code == 200
    assert [form.errors.get("dnr") for form in response.context["references"]] == [
        ["”KS 2019/999” finns inte i registret."],
        ["”SK 2019/656” finns inte i registret. Menade du KS 2019/656?"],
    ]
    assert (Case.objects.filter(board=hv).count(), Attachment.objects.count()) == (0, 0)


def test_breadcrumb_names_the_register_and_the_model(client, hv):
    client.force_login(staff("reg", hv))

    changelist = client.get("/admin/cases/case/").content.decode()
    register = client.get("/admin/cases/case/registrera/").content.decode()

    def crumbs(html):
        start = html.index('<div class="breadcrumbs">')
        text = html[start : html.index("</div>", start)]
        while "<" in text:
            text = text[: text.index("<")] + text[text.index(">") + 1 :]
        return " ".join(htmllib.unescape(text).split())

    assert crumbs(changelist) == "Hem › Diarium › Ärenden"
    assert crumbs(register) == "Hem › Diarium › Ärenden › Registrera ärende"


def test_document_form_shows_no_raw_json_or_source_positions(client, hv):
    document = DocumentFactory(
        case=CaseFactory(board=hv),
        signatories=[{"name": "Anna Svensson", "role": "ordförande"}],
        attested_by=[{"name": "Per Olsson", "role": "stadsdelsdirektör", "date": "2019-08-07"}],
        attachment_list=["Karta", "Skiss"],
        source_file="hv-2019-08-29.txt",
        source_start=120,
        source_end=4000,
    )
    client.force_login(staff("reg", hv))

    html = client.get(f"/admin/cases/document/{document.pk}/change/").content.decode()

    for raw in ['name="signatories"', 'name="attachment_list"', 'name="attested_by"', ">[]<"]:
        assert raw not in html
    assert "osition i källfil" not in html
    assert "Anna Svensson (ordförande)" in html
    assert "Per Olsson (stadsdelsdirektör, 2019-08-07)" in html
    assert "Karta; Skiss" in html


def test_membership_form_chooses_user_by_name(client, hv):
    registrar = staff("anna.registrator", hv)
    admin_user = User.objects.create_superuser("admin", password=PASSWORD)
    client.force_login(admin_user)

    html = client.get("/admin/cases/boardmembership/add/").content.decode()

    assert f'<option value="{registrar.pk}">anna.registrator</option>' in html
    assert "vForeignKeyRawIdAdminField" not in html


def test_empty_osl_paragraph_gets_a_clear_message(hv):
    document = DocumentFactory(case=CaseFactory(board=hv))
    data = {
        "case": document.case.pk,
        "sequence": 1,
        "kind": "skrivelse",
        "title": "Utredning",
        "direction": "in",
        "text_source": "typed",
        "confidential": "on",
        "osl_reference": "",
    }

    form = DocumentAdminForm(data, instance=document)

    assert form.errors["osl_reference"] == ["Ange sekretessparagrafen i OSL, t.ex. ”26 kap. 1 §”."]


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("26:1 OSL", "26 kap. 1 §"),
        ("26 kap. 1 § OSL", "26 kap. 1 §"),
        ("OSL 26 kap. 1 §", "26 kap. 1 §"),
        ("26 kap. 1 § första stycket OSL", "26 kap. 1 § första stycket"),
    ],
)
def test_osl_reference_written_with_law_last_is_normalised(typed, normalised):
    assert registering.normalise_osl_reference(typed) == normalised


def test_axes_models_are_swedish(client, db):
    client.force_login(User.objects.create_superuser("admin", password=PASSWORD))

    html = client.get("/admin/axes/").content.decode()

    assert str(AccessAttempt._meta.verbose_name_plural) == "inloggningsförsök"
    assert "Access attempts" not in html
    assert "Inloggningsloggar" in html


# --- 7. Accounts --------------------------------------------------------------------------


def test_create_user_command_makes_registrar_for_given_boards(client, hv, ks):
    out = io.StringIO()

    call_command(
        "create_user",
        "anna",
        role="registrator",
        board=["HV", "Kommunstyrelsen"],
        password_stdin=True,
        stdin=io.StringIO(PASSWORD + "\n"),
        stdout=out,
    )

    user = User.objects.get(username="anna")
    assert out.getvalue() == "Skapade anna: registrator för Hässelby-Vällingby, Kommunstyrelsen.\n"
    assert (user.is_staff, user.is_superuser) == (True, False)
    assert sorted(user.board_memberships.values_list("board__short_name", "role")) == [
        ("Hässelby-Vällingby", "registrator"),
        ("Kommunstyrelsen", "registrator"),
    ]
    assert [g.name for g in user.groups.all()] == ["Registrator"]
    login = client.post("/admin/login/", {"username": "anna", "password": PASSWORD})
    assert login.status_code == 302
    assert client.get("/admin/cases/case/registrera/").status_code == 200


def test_create_user_command_makes_first_administrator(db):
    call_command(
        "create_user",
        "admin",
        role="administrator",
        password_stdin=True,
        stdin=io.StringIO(PASSWORD + "\n"),
        stdout=io.StringIO(),
    )

    user = User.objects.get(username="admin")
    assert (user.is_staff, user.is_superuser, user.check_password(PASSWORD)) == (True, True, True)


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        ({"role": "registrator", "board": ["Atlantis"]}, PASSWORD, "Okänd nämnd ”Atlantis”."),
        ({"role": "registrator"}, PASSWORD, "Ange minst en nämnd som användaren arbetar för."),
        ({"role": "registrator", "board": ["HV"]}, "", "Ange ett lösenord för den nya användaren."),
        (
            {"role": "registrator", "board": ["HV"]},
            "12345678",
            "Det här lösenordet är för kort. Det måste innehålla minst 12 tecken. "
            "Detta lösenord är alldeles för vanligt. Detta lösenord är enbart numeriskt.",
        ),
    ],
)
def test_create_user_command_refuses_bad_input_in_swedish(hv, options, password, message):
    with pytest.raises(CommandError) as error:
        call_command(
            "create_user",
            "anna",
            password_stdin=bool(password),
            stdin=io.StringIO(password + "\n"),
            stdout=io.StringIO(),
            **options,
        )

    assert str(error.value) == message
    assert User.objects.filter(username="anna").exists() is False

"""The registrators' admin: number allocation, roles, sekretess, history, no deletion."""

import datetime
import threading

import pytest
from django.contrib.auth.models import User
from django.db import connection

from cases.models import BoardMembership, Case, Document
from cases.services import cross_references, indexing, registering, roles
from tests.factories import CaseFactory, DocumentFactory

# The register form's empty reference rows (the formset's management form).
NO_REFERENCES = {"hanvisning-TOTAL_FORMS": "0", "hanvisning-INITIAL_FORMS": "0"}


def staff(username, board, role=BoardMembership.Role.REGISTRAR, *, superuser=False):
    user = User.objects.create_user(
        username, password="Ett-långt-lösenord-2026", is_staff=True, is_superuser=superuser
    )
    if board is not None:
        BoardMembership.objects.create(user=user, board=board, role=role)
    roles.ensure_role_permissions(user=user)
    return user


def change_form(case, **fields):
    """The POST data of the case change form, with its inline formsets unchanged."""
    data = {
        "title": case.title,
        "status": case.status,
        "registered_on": case.registered_on.isoformat(),
        "public_title": "",
        "cancelled_reason": "",
        "class_code": "",
        "officer": "",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
    }
    for prefix, rows in [
        ("documents", case.documents.all()),
        ("status_changes", case.status_changes.all()),
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = str(row.pk)
            data[f"{prefix}-{index}-case"] = str(case.pk)
    return {**data, **fields}


def register(board, title="Medborgarförslag om gungor", **kw):
    return registering.register_new_case(
        board=board,
        title=title,
        document_kind="medborgarforslag",
        document_title="",
        document_date=datetime.date(2026, 11, 2),
        direction="in",
        counterpart=kw.pop("counterpart", "Privatperson"),
        registered_on=datetime.date(2026, 11, 3),
        **kw,
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_dnr_allocation_never_duplicates(hv):
    numbers: list[str] = []
    lock = threading.Lock()

    def allocate_many():
        try:
            for _ in range(25):
                dnr = registering.allocate_dnr(board=hv, year=2026)
                with lock:
                    numbers.append(dnr)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(numbers) == 200
    assert sorted(numbers, key=lambda d: int(d.rsplit("/", 1)[1])) == [
        f"HV 2026/{n}" for n in range(1, 201)
    ]


def test_dnr_never_reused_after_makulering(hv):
    first = register(hv)
    registering.change_case_status(case=first, status="makulerat", note="Felregistrerat")

    second = register(hv, title="Skrivelse om belysning")

    assert (first.dnr, second.dnr) == ("HV 2026/1", "HV 2026/2")
    assert Case.objects.get(pk=first.pk).status == "makulerat"


def test_allocation_skips_numbers_already_imported(hv):
    CaseFactory(board=hv, dnr="HV 2026/41", dnr_key="HV 2026/41", dnr_year=2026, dnr_number=41)

    assert registering.allocate_dnr(board=hv, year=2026) == "HV 2026/42"


def test_register_requires_osl_fields(hv):
    with pytest.raises(registering.RegisterError, match="avsändare eller mottagare"):
        register(hv, counterpart="  ")
    with pytest.raises(registering.RegisterError, match="26 kap. 1 §"):
        register(hv, confidential=True, osl_reference="hemligt")

    assert Case.objects.filter(board=hv).count() == 0


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [("26 kap. 1 §", "26 kap. 1 §"), ("26 kap 1§", "26 kap. 1 §"), ("OSL 23:2", "23 kap. 2 §")],
)
def test_osl_reference_normalised(typed, normalised):
    assert registering.normalise_osl_reference(typed) == normalised


def test_confidential_document_shows_osl_label(hv):
    case = register(hv, confidential=True, osl_reference="26 kap 1§")

    document = case.documents.get()

    assert document.osl_label == "Sekretess enligt OSL 26 kap. 1 §"


def test_registrar_registers_case_through_admin(client, hv):
    client.force_login(staff("reg", hv))

    response = client.post(
        "/admin/cases/case/registrera/",
        {
            **NO_REFERENCES,
            "board": hv.pk,
            "title": "Medborgarförslag om ängsmark",
            "document_kind": "medborgarforslag",
            "direction": "in",
            "document_date": "2026-11-02",
            "counterpart": "",
            "counterpart_missing": "on",
        },
    )

    case = Case.objects.get(board=hv)
    assert response.status_code == 302
    assert case.dnr == f"HV {datetime.date.today().year}/1"
    assert case.documents.get().counterpart == "saknas"


def test_register_form_refuses_missing_counterpart_in_swedish(client, hv):
    client.force_login(staff("reg", hv))

    response = client.post(
        "/admin/cases/case/registrera/",
        {
            **NO_REFERENCES,
            "board": hv.pk,
            "title": "X",
            "document_kind": "skrivelse",
            "direction": "in",
            "document_date": "2026-11-02",
        },
    )

    assert response.status_code == 200
    assert "Ange avsändare eller mottagare" in response.content.decode()
    assert Case.objects.count() == 0


def test_registrar_cannot_see_other_boards_confidential_documents(client, hv, ks):
    secret = DocumentFactory(
        case=CaseFactory(board=ks, dnr="KS 2019/1", dnr_key="KS 2019/1", dnr_number=1),
        title="Hemlig utredning",
        confidential=True,
        osl_reference="26 kap. 1 §",
    )
    client.force_login(staff("reg", hv))

    listing = client.get("/admin/cases/document/")
    tampered = client.get(f"/admin/cases/document/{secret.pk}/change/")

    assert "Hemlig utredning" not in listing.content.decode()
    assert tampered.status_code == 302
    assert "Hemlig utredning" not in client.get(tampered["Location"]).content.decode()


def test_registrar_cannot_change_other_boards_case(client, hv, ks):
    other = CaseFactory(board=ks, dnr="KS 2019/2", dnr_key="KS 2019/2", dnr_number=2)
    client.force_login(staff("reg", hv))

    response = client.post(
        f"/admin/cases/case/{other.pk}/change/", {"title": "Ändrad", "status": "pagaende"}
    )

    assert response.status_code == 403
    assert Case.objects.get(pk=other.pk).title == other.title


def test_no_delete_path_in_admin(client, hv):
    case = register(hv)
    document = case.documents.get()
    client.force_login(staff("admin", None, superuser=True))

    case_delete = client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"})
    document_delete = client.post(f"/admin/cases/document/{document.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/cases/case/", {"action": "delete_selected", "_selected_action": [case.pk]}
    )

    assert case_delete.status_code == 403
    assert document_delete.status_code == 403
    assert bulk.status_code == 302
    assert Case.objects.filter(pk=case.pk).exists()
    assert Document.objects.filter(pk=document.pk).exists()


def test_correction_keeps_history(client, hv):
    case = register(hv)
    user = staff("reg", hv)
    client.force_login(user)

    response = client.post(
        f"/admin/cases/case/{case.pk}/change/",
        change_form(case, title="Medborgarförslag om gungor i Grimsta"),
    )

    assert response.status_code == 302
    latest, previous = case.history.order_by("-history_date")[:2]
    assert previous.title == "Medborgarförslag om gungor"
    assert latest.title == "Medborgarförslag om gungor i Grimsta"
    assert latest.history_user == user


def test_makulering_through_admin_requires_reason(client, hv):
    case = register(hv)
    client.force_login(staff("reg", hv))
    form = change_form(case, status="makulerat")

    refused = client.post(f"/admin/cases/case/{case.pk}/change/", form)
    accepted = client.post(
        f"/admin/cases/case/{case.pk}/change/", {**form, "cancelled_reason": "Dubblett"}
    )

    assert "Makulering kräver ett skäl." in refused.content.decode()
    assert accepted.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.dnr) == ("makulerat", "HV 2026/1")
    assert list(case.status_changes.values_list("to_status", flat=True)) == [
        "pagaende",
        "makulerat",
    ]


def test_decision_sections_run_per_board_and_year(hv, ks):
    case = register(hv)
    other = CaseFactory(board=ks, dnr="KS 2026/3", dnr_key="KS 2026/3", dnr_number=3)
    day = datetime.date(2026, 11, 20)

    first = registering.record_decision(case=case, meeting=None, decided_on=day, text="Bifall")
    second = registering.record_decision(case=case, meeting=None, decided_on=day, text="Avslag")
    at_ks = registering.record_decision(case=other, meeting=None, decided_on=day, text="Bifall")

    assert [first.section, second.section, at_ks.section] == [1, 2, 1]


def test_register_warns_about_personnummer_in_title(client, hv):
    client.force_login(staff("reg", hv))

    response = client.post(
        "/admin/cases/case/registrera/",
        {
            **NO_REFERENCES,
            "board": hv.pk,
            "title": "Ansökan från 19121212-1212",
            "document_kind": "skrivelse",
            "direction": "in",
            "document_date": "2026-11-02",
            "counterpart": "Privatperson",
        },
        follow=True,
    )

    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        "Texten innehåller ett personnummer (19121212-XXXX). Personnummer får inte publiceras."
    ]


def test_duplicate_registration_needs_confirmation(client, hv):
    register(hv, title="Skrivelse om belysning", counterpart="Liberalerna")
    client.force_login(staff("reg", hv))
    form = {
        **NO_REFERENCES,
        "board": hv.pk,
        "title": "Skrivelse om belysning",
        "document_kind": "skrivelse",
        "direction": "in",
        "document_date": "2026-11-04",
        "counterpart": "Liberalerna",
    }

    first = client.post("/admin/cases/case/registrera/", form)
    confirmed = client.post("/admin/cases/case/registrera/", {**form, "confirm_duplicate": "1"})

    assert "Kontrollera att det inte är en dubblett" in first.content.decode()
    assert confirmed.status_code == 302
    assert Case.objects.filter(board=hv).count() == 2


def test_admin_bulk_export_of_selection(client, hv):
    case = register(hv, title="Skrivelse om belysning")
    client.force_login(staff("reg", hv))

    response = client.post(
        "/admin/cases/case/",
        {"action": "export_selected_csv", "_selected_action": [case.pk]},
    )

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[1].startswith("HV 2026/1;Hässelby-Vällingby stadsdelsnämnd;")


def test_admin_search_uses_dnr_and_full_text(client, hv):
    case = register(hv, title="Skrivelse om belysning")
    document = case.documents.get()
    document.full_text = "Gatlyktorna längs Vinstavägen är trasiga."
    document.save()
    indexing.index_document(document=document)
    client.force_login(staff("reg", hv))

    by_dnr = client.get("/admin/cases/case/", {"q": "hv2026-1"})
    by_text = client.get("/admin/cases/case/", {"q": "gatlyktor"})

    assert list(by_dnr.context["cl"].result_list) == [case]
    assert list(by_text.context["cl"].result_list) == [case]


def test_login_is_throttled_after_repeated_failures(client, hv):
    staff("reg", hv)

    for _ in range(5):
        client.post("/admin/login/", {"username": "reg", "password": "fel"})
    locked = client.post(
        "/admin/login/", {"username": "reg", "password": "Ett-långt-lösenord-2026"}
    )

    assert locked.status_code == 429
    assert "För många misslyckade inloggningsförsök" in locked.content.decode()


def test_register_refuses_number_of_another_boards_series(hv):
    with pytest.raises(registering.RegisterError, match="hör inte till"):
        registering.register_case(
            board=hv, dnr="KS 2019/656", title="Remiss", registered_on=datetime.date(2019, 6, 1)
        )

    assert Case.objects.filter(board=hv).count() == 0


def test_manual_reference_links_case_at_another_board(hv, ks):
    answer = register(hv)
    remiss = CaseFactory(board=ks, dnr="KS 2019/656", dnr_key="KS 2019/656", dnr_number=656)

    cross_references.add_manual_reference(
        document=answer.documents.get(), target=remiss, relation="remiss-fran"
    )
    cross_references.record_references(document=answer.documents.get())

    from cases import queries

    [group] = queries.case_page(remiss).referred_from
    assert [r.source.case for r in group.references] == [answer]
    assert remiss.incoming_references.get().relation == "remiss-fran"


def test_reference_autocomplete_finds_any_spelling_and_near_misses(client, hv, ks):
    intended = CaseFactory(board=hv, dnr="HV 2019/254", dnr_key="HV 2019/254", dnr_number=254)
    remiss = CaseFactory(board=ks, dnr="KS 2019/656", dnr_key="KS 2019/656", dnr_number=656)
    client.force_login(staff("reg", hv))
    url = "/admin/autocomplete/"
    params = {"app_label": "cases", "model_name": "reference", "field_name": "target"}

    spelled = client.get(url, {**params, "term": "ks2019-656"}).json()
    mistyped = client.get(url, {**params, "term": "VH 2019/254"}).json()

    assert [r["id"] for r in spelled["results"]] == [str(remiss.pk)]
    assert [r["id"] for r in mistyped["results"]] == [str(intended.pk)]


def test_document_change_page_renders_for_registrar(client, hv):
    case = register(hv)
    client.force_login(staff("reg", hv))

    response = client.get(f"/admin/cases/document/{case.documents.get().pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "hänvisningar tillagda av registrator" in html.lower()
    assert 'name="manual_references-TOTAL_FORMS"' in html

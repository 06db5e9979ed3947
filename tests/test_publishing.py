"""A private person's handlings (19.3): the name is shown as "Privatperson", the handling and
its bilagor wait unpublished in "Att granska före publicering" until a registrator reviews
them; officials' and bodies' names and handlings are published as before."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from cases.models import Case, Document
from cases.search import criteria, document_search
from cases.services import publishing, registering
from tests.test_admin import staff
from tests.test_registrar import register_post


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def register_letter(board, *, private: bool, counterpart="Anna Andersson", **fields):
    return registering.register_new_case(
        board=board,
        title="Medborgarförslag om en hundrastgård i Grimsta",
        document_kind="medborgarforslag",
        document_title="",
        document_date=datetime.date(2026, 11, 2),
        direction="in",
        counterpart=counterpart,
        counterpart_private=private,
        registered_on=datetime.date(2026, 11, 3),
        **fields,
    ).documents.get()


def found(words: str) -> list[Document]:
    results = document_search.search_documents(query=words, filters=criteria.SearchFilters())
    return [hit.document for hit in results.hits]


def test_private_persons_handling_waits_unpublished_for_review(hv):
    document = register_letter(hv, private=True)

    page = Client().get(document.case.get_absolute_url()).content.decode()

    assert (document.published, document.review_pending) == (False, True)
    assert found("hundrastgård") == []
    assert "Anna Andersson" not in page
    label = f"{document.case.dnr_key}-1 (medborgarförslag, 2026-11-02)"
    assert f"{label}</span> – granskas före publicering" in page
    assert 'action="/begar/lagg-till/"' in page


def test_officials_handling_is_published_with_the_name(hv):
    document = register_letter(hv, private=False, counterpart="Trafikkontoret")

    page = Client().get(document.case.get_absolute_url()).content.decode()

    assert (document.published, document.review_pending) == (True, False)
    assert "Medborgarförslag · Trafikkontoret" not in page  # kind and name are apart
    assert "Inkommen · Trafikkontoret" in page
    assert found("hundrastgård") == [document]


def test_review_publishes_handling_and_bilagor_and_records_it(hv, media):
    document = register_letter(hv, private=True)
    attachment = document.attachments.create(
        number=1, title="Karta", text="Karta över Grimstaskogen", published=False
    )

    publishing.review_for_publication(document=document, publish=True)

    document.refresh_from_db()
    attachment.refresh_from_db()
    page = Client().get(document.case.get_absolute_url()).content.decode()
    assert (document.published, document.review_pending, attachment.published) == (
        True,
        False,
        True,
    )
    assert document.history.first().history_change_reason == "Granskad: publicerad på webben"
    assert "Inkommen · Privatperson" in page
    assert "Anna Andersson" not in page
    assert found("Grimstaskogen") == [document]


def test_review_keeps_handling_unpublished_only_with_a_reason(hv):
    document = register_letter(hv, private=True)

    with pytest.raises(registering.RegisterError, match="Ange varför handlingen inte ska"):
        publishing.review_for_publication(document=document, publish=False, reason=" ")
    publishing.review_for_publication(document=document, publish=False, reason="Uppgifter om hälsa")

    document.refresh_from_db()
    assert (document.published, document.review_pending, document.review_note) == (
        False,
        False,
        "Uppgifter om hälsa",
    )
    assert document.history.first().history_change_reason == "Granskad: publiceras inte på webben"


def test_review_never_publishes_a_confidential_handling(hv):
    document = register_letter(hv, private=True, confidential=True, osl_reference="26 kap. 1 §")

    with pytest.raises(registering.RegisterError, match="sekretess publiceras inte"):
        publishing.review_for_publication(document=document, publish=True)

    document.refresh_from_db()
    assert (document.published, document.review_pending) == (False, True)


def test_registration_form_offers_private_person_and_unpublishes_the_attachment(client, hv, media):
    client.force_login(staff("reg", hv))

    response = client.post(
        "/admin/cases/case/registrera/",
        register_post(
            hv,
            counterpart_private="on",
            attachment=SimpleUploadedFile("Karta över parken.txt", b"Karta"),
        ),
    )

    document = Case.objects.get(board=hv).documents.get()
    attachment = document.attachments.get()
    assert response.status_code == 302
    assert (document.counterpart_private, document.published, document.review_pending) == (
        True,
        False,
        True,
    )
    assert (attachment.title, attachment.published) == ("Karta över parken", False)
    assert Client().get(f"/bilaga/{attachment.pk}/").status_code == 404


def test_review_queue_lists_own_boards_waiting_handlings(client, hv, ks):
    own = register_letter(hv, private=True)
    register_letter(ks, private=True)
    register_letter(hv, private=False, counterpart="Trafikkontoret")
    client.force_login(staff("reg", hv))

    response = client.get("/admin/cases/documentforreview/")

    assert response.status_code == 200
    assert [d.pk for d in response.context["cl"].result_list] == [own.pk]
    assert "Att granska före publicering" in response.content.decode()


def test_review_in_the_admin_publishes_or_asks_for_a_reason(client, hv):
    document = register_letter(hv, private=True)
    client.force_login(staff("reg", hv))
    url = f"/admin/cases/documentforreview/{document.pk}/change/"

    refused = client.post(url, {"decision": "publicera-inte", "reason": ""})
    published = client.post(url, {"decision": "publicera", "reason": ""})

    document.refresh_from_db()
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["reason"] == [
        "Ange varför handlingen inte ska publiceras."
    ]
    assert (published.status_code, published.url) == (302, "/admin/cases/documentforreview/")
    assert (document.published, document.review_pending) == (True, False)
    assert client.get(url).status_code == 302  # no longer in the queue


def test_other_boards_registrar_cannot_review(client, hv, ks):
    document = register_letter(hv, private=True)
    client.force_login(staff("ksreg", ks))

    response = client.post(
        f"/admin/cases/documentforreview/{document.pk}/change/", {"decision": "publicera"}
    )

    document.refresh_from_db()
    assert response.status_code == 302  # redirected: not in this registrar's queue
    assert (document.published, document.review_pending) == (False, True)


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_existing_handlings_published_and_grants_the_queue(hv):
    executor = MigrationExecutor(connection)
    before, after = ("cases", "0019_background_runs"), ("cases", "0020_private_senders")
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([before])
    old = MigrationExecutor(connection).loader.project_state([before]).apps
    case = old.get_model("cases", "Case").objects.create(
        board_id=hv.pk,
        dnr="HV 2019/1",
        dnr_key="HV 2019/1",
        dnr_year=2019,
        dnr_number=1,
        title="Förslag",
        registered_on=datetime.date(2019, 1, 2),
    )
    old.get_model("cases", "Document").objects.create(
        case_id=case.pk, sequence=1, kind="skrivelse", title="Skrivelse", counterpart="Anna"
    )
    old.get_model("auth", "Group").objects.create(name="Registrator")

    executor = MigrationExecutor(connection)
    executor.migrate([after])
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)

    document = Document.objects.get(case_id=case.pk)
    group = Group.objects.get(name="Registrator")
    assert sorted(group.permissions.values_list("codename", flat=True)) == [
        "change_documentforreview",
        "view_documentforreview",
    ]
    assert (document.published, document.counterpart_private, document.review_pending) == (
        True,
        False,
        False,
    )

"""Begär ut handling: the basket, the order, the status link, the registrators' queue."""

import datetime
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cases.access import services
from cases.access.models import AccessOrder, AccessRequest, AccessRequestEvent, RequestStatus

from .access_fixtures import SECRET_TEXT, SECRET_TITLE

BASE = "http://testserver/"


def add(client, document):
    return client.post("/begar/lagg-till/", {"handling": document.pk})


def send(client, **data):
    fields = {"email": "", "delivery": "papper", "message": "", "website": ""}
    fields.update(data)
    return client.post("/begar/", fields)


def order_for(register, *, email="medborgare@example.se", delivery="papper", now=None):
    return services.submit_order(
        document_ids=[register.hv_secret.pk, register.ks_public.pk],
        email=email,
        delivery=delivery,
        base_url=BASE,
        now=now,
    )


def test_case_page_offers_every_handling_with_unpublished_by_number_only(client, register):
    response = client.get(register.hv_case.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert SECRET_TITLE not in html
    assert SECRET_TEXT not in html
    assert "Ansökan om ekonomiskt bistånd" not in html
    assert re.findall(r'name="handling" value="(\d+)"', html) == [
        str(register.hv_case.documents.get(sequence=1).pk),
        str(register.hv_secret.pk),
    ]
    assert "HV 2026/40-2 (skrivelse, 2026-03-04)" in html
    assert "också de som inte är publicerade här och de som kan omfattas av sekretess" in html


def test_basket_spans_boards_and_order_goes_to_each_board(
    client, register, smtp_inbox, django_capture_on_commit_callbacks
):
    assert add(client, register.hv_secret).status_code == 302
    assert add(client, register.ks_public).status_code == 302
    basket = client.get("/begar/").content.decode()
    assert "HV 2026/40-2 (skrivelse, 2026-03-04)" in basket
    assert "KS 2026/12-1 Remiss om parkeringsnormer" in basket

    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, email="medborgare@example.se", delivery="e-post")

    order = AccessOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/begaran/{order.token}/?skickad=1"
    assert sorted(r.board.short_name for r in order.requests.all()) == [
        "Hässelby-Vällingby",
        "Kommunstyrelsen",
    ]
    assert [
        list(r.items.values_list("document_id", flat=True))
        for r in order.requests.order_by("board__name")
    ] == [[register.hv_secret.pk], [register.ks_public.pk]]
    assert client.session["access_basket"] == []
    receipt = smtp_inbox.to("medborgare@example.se")
    assert [m["subject"] for m in receipt] == ["Vi har tagit emot din begäran om allmän handling"]
    assert f"http://testserver/begaran/{order.token}/" in receipt[0]["body"]
    assert SECRET_TITLE not in receipt[0]["body"]
    hv_mail = smtp_inbox.to("registrator@hv.example")
    assert [m["subject"] for m in hv_mail] == [
        "Ny utlämnandebegäran till Hässelby-Vällingby stadsdelsnämnd"
    ]
    assert "KS 2026/12" not in hv_mail[0]["body"]
    assert [m["subject"] for m in smtp_inbox.to("registrator@ks.example")] == [
        "Ny utlämnandebegäran till Kommunstyrelsen"
    ]


def test_anonymous_order_gets_receipt_link_and_no_mail(
    client, register, smtp_inbox, django_capture_on_commit_callbacks
):
    add(client, register.ks_public)

    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, anonymous="on", delivery="pa-plats")
    page = client.get(response["Location"]).content.decode()

    order = AccessOrder.objects.get()
    assert order.email == ""
    assert len(order.token) == 43
    assert "Din begäran är skickad." in page
    assert f"http://testserver/begaran/{order.token}/" in page
    assert "Anonym: följ begäran på den här sidan" in page
    assert [m["to"] for m in smtp_inbox.messages] == [["registrator@ks.example"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Skriv din e-postadress, eller kryssa i att du vill vara anonym."),
        ({"email": "inte en adress"}, "Skriv en giltig e-postadress, t.ex. namn@exempel.se."),
        (
            {"email": "a@example.se", "anonymous": "on"},
            "Du har både skrivit en e-postadress och valt att vara anonym. "
            "Töm fältet eller ta bort krysset.",
        ),
        (
            {"anonymous": "on", "delivery": "e-post"},
            "Som anonym kan du inte få handlingarna med e-post. "
            "Välj papperskopior eller att läsa på plats, eller skriv din e-postadress.",
        ),
        ({"anonymous": "on", "delivery": ""}, "Välj hur du vill få handlingarna."),
        ({"anonymous": "on", "delivery": "brevduva"}, "Välj hur du vill få handlingarna."),
        (
            {"anonymous": "on", "message": "x" * 2001},
            "Meddelandet får vara högst 2 000 tecken.",
        ),
    ],
)
def test_order_form_says_what_is_wrong(client, register, data, message):
    add(client, register.ks_public)

    response = send(client, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert AccessOrder.objects.count() == 0


def test_empty_basket_cannot_be_sent(client, register):
    response = send(client, anonymous="on")

    assert response.status_code == 400
    assert "Din beställning är tom." in response.content.decode()


def test_honeypot_refuses_the_order(client, register):
    add(client, register.ks_public)

    response = send(client, anonymous="on", website="http://spam.example")

    assert response.status_code == 400
    assert "Begäran kunde inte tas emot." in response.content.decode()
    assert AccessOrder.objects.count() == 0


@pytest.mark.parametrize("same", ["email", "ip"])
def test_rate_limit_per_address_and_ip(client, register, same):
    for n in range(services.RATE_LIMIT_PER_HOUR):
        services.submit_order(
            document_ids=[register.ks_public.pk],
            email="flitig@example.se" if same == "email" else f"person{n}@example.se",
            delivery="papper",
            ip="10.0.0.9" if same == "email" else "127.0.0.1",
            base_url=BASE,
        )
    add(client, register.ks_public)

    response = send(client, email="flitig@example.se" if same == "email" else "ny@example.se")

    assert response.status_code == 429
    which = "din e-postadress" if same == "email" else "din uppkoppling"
    assert f"Det har kommit många begäranden från {which} den senaste timmen." in (
        response.content.decode()
    )
    assert AccessOrder.objects.count() == services.RATE_LIMIT_PER_HOUR


def test_rate_limit_forgets_after_an_hour(register):
    earlier = timezone.now() - datetime.timedelta(minutes=61)
    for _ in range(services.RATE_LIMIT_PER_HOUR):
        services.submit_order(
            document_ids=[register.ks_public.pk],
            email="flitig@example.se",
            delivery="papper",
            base_url=BASE,
            now=earlier,
        )

    order = services.submit_order(
        document_ids=[register.ks_public.pk],
        email="flitig@example.se",
        delivery="papper",
        base_url=BASE,
    )

    assert order.pk is not None


@pytest.mark.parametrize(
    ("value", "status", "message"),
    [
        ("", 400, "Ange vilken handling du vill begära ut."),
        ("abc", 400, "Ange vilken handling du vill begära ut."),
        ("999999", 404, "Handlingen finns inte, eller är makulerad."),
    ],
)
def test_add_to_basket_rejects_unknown_handlings(client, register, value, status, message):
    response = client.post("/begar/lagg-till/", {"handling": value})

    assert response.status_code == status
    assert message in response.content.decode()


def test_status_link_shows_only_its_own_order(client, register):
    mine = order_for(register, email="jag@example.se")
    other = services.submit_order(
        document_ids=[register.hv_case.documents.get(sequence=1).pk],
        email="",
        delivery="pa-plats",
        base_url=BASE,
    )

    page = client.get(mine.get_absolute_url()).content.decode()

    assert mine.token != other.token
    assert "KS 2026/12-1 Remiss om parkeringsnormer" in page
    assert "HV 2026/40-1" not in page
    assert "jag@example.se" not in page
    assert client.get(f"/begaran/{mine.token[:-1]}/").status_code == 404
    assert client.get(f"/begaran/{mine.token[:-1]}x/").status_code == 404
    assert "Det finns ingen begäran med den länken." in (
        client.get("/begaran/gissning/").content.decode()
    )


def test_nothing_confidential_reaches_the_requester_before_or_after_the_decision(
    client, register, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_for(register)
    before = client.get(order.get_absolute_url()).content.decode()
    hv_request = order.requests.get(board__short_name="Hässelby-Vällingby")
    item = hv_request.items.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.request_clarification(
            request=hv_request, question="Vilken period?", asked_by="hv-registrator", base_url=BASE
        )
        services.give_clarification(order=order, answer="Hela 2026.", base_url=BASE)
        services.decide_request(
            request=hv_request,
            outcomes={item.pk: ("avslag", "26 kap. 1 §")},
            decided_by="hv-registrator",
            base_url=BASE,
        )
    after = client.get(order.get_absolute_url()).content.decode()

    requester_mail = " ".join(
        m["subject"] + m["body"] for m in smtp_inbox.to("medborgare@example.se")
    )
    for text in (before, after, requester_mail):
        assert SECRET_TITLE not in text
        assert SECRET_TEXT not in text
        assert "Ansökan om ekonomiskt bistånd" not in text
        assert "hv-registrator" not in text
    assert "HV 2026/40-2 (skrivelse, 2026-03-04)" in before
    assert "Avslås (OSL 26 kap. 1 §)" in after
    assert len(smtp_inbox.to("medborgare@example.se")) == 4


def test_refusal_writes_a_decision_with_appeal_to_the_kammarratt(
    register, smtp_inbox, django_capture_on_commit_callbacks
):
    order = order_for(register, now=datetime.datetime(2026, 3, 9, 9, 0, tzinfo=datetime.UTC))
    hv_request = order.requests.get(board__short_name="Hässelby-Vällingby")
    item = hv_request.items.get()
    decided_at = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=datetime.UTC)

    with django_capture_on_commit_callbacks(execute=True):
        services.decide_request(
            request=hv_request,
            outcomes={item.pk: ("avslag", "26  kap. 1 §")},
            reasoning="Uppgifterna rör en enskilds ekonomiska förhållanden.",
            decided_by="hv-registrator",
            base_url=BASE,
            now=decided_at,
        )

    hv_request.refresh_from_db()
    item.refresh_from_db()
    assert (hv_request.status, hv_request.answered_at) == (RequestStatus.ANSWERED, decided_at)
    assert (item.outcome, item.osl_reference) == ("avslag", "26 kap. 1 §")
    assert hv_request.decision_text == (
        "Beslut 2026-03-10, Hässelby-Vällingby stadsdelsnämnd\n\n"
        "Begäran avslås för dessa handlingar:\n"
        "- HV 2026/40-2 (skrivelse, 2026-03-04) – sekretess enligt OSL 26 kap. 1 §\n\n"
        "Motivering: Uppgifterna rör en enskilds ekonomiska förhållanden.\n\n"
        + services.APPEAL_NOTICE.format(board="Hässelby-Vällingby stadsdelsnämnd")
    )
    assert "Kammarrätten i Stockholm" in services.APPEAL_NOTICE
    mail = smtp_inbox.to("medborgare@example.se")[-1]
    assert mail["subject"] == "Beslut från Hässelby-Vällingby stadsdelsnämnd om din begäran"
    assert hv_request.decision_text in mail["body"].replace("\r\n", "\n")
    assert list(hv_request.events.values_list("kind", "actor")) == [
        ("inkommen", ""),
        ("beslut", "hv-registrator"),
    ]


@pytest.mark.parametrize("osl", ["", "paragraf 3", "OSL"])
def test_refusal_needs_the_osl_paragraph(register, osl):
    order = order_for(register)
    hv_request = order.requests.get(board__short_name="Hässelby-Vällingby")
    item = hv_request.items.get()

    with pytest.raises(services.AccessError) as error:
        services.decide_request(
            request=hv_request,
            outcomes={item.pk: ("avslag", osl)},
            decided_by="hv-registrator",
            base_url=BASE,
        )

    assert str(error.value) == (
        "Ange paragrafen i offentlighets- och sekretesslagen som ”26 kap. 1 §”."
    )
    hv_request.refresh_from_db()
    assert hv_request.status == RequestStatus.RECEIVED
    assert hv_request.events.count() == 1


def test_requests_are_never_deleted(register):
    order = order_for(register)
    request = order.requests.first()

    with pytest.raises(IntegrityError, match="Registreringar raderas aldrig"):
        with transaction.atomic():
            AccessRequestEvent.objects.filter(request=request).delete()
    for table, pk in [
        ("cases_accessrequestitem", request.items.get().pk),
        ("cases_accessrequest", request.pk),
        ("cases_accessorder", order.pk),
    ]:
        with pytest.raises(IntegrityError, match="Registreringar raderas aldrig"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])


def test_cancel_keeps_the_request_with_its_reason(register):
    order = order_for(register)
    request = order.requests.get(board__short_name="Kommunstyrelsen")

    services.cancel_request(
        request=request, reason="Dubblett av tidigare begäran", cancelled_by="ks", base_url=BASE
    )

    request.refresh_from_db()
    assert (request.status, request.cancelled_reason) == (
        "makulerad",
        "Dubblett av tidigare begäran",
    )
    assert list(request.events.values_list("kind", flat=True)) == ["inkommen", "makulerad"]
    assert AccessRequest.objects.count() == 2


def test_clarification_answered_on_the_status_page(client, register):
    order = order_for(register, email="")
    hv_request = order.requests.get(board__short_name="Hässelby-Vällingby")
    services.request_clarification(
        request=hv_request, question="Vilken period avser du?", asked_by="hv", base_url=BASE
    )
    page = client.get(order.get_absolute_url()).content.decode()
    assert "Precisering begärd: Vilken period avser du?" in page

    empty = client.post(order.get_absolute_url(), {"answer": "  "})
    response = client.post(order.get_absolute_url(), {"answer": "Januari till mars 2026."})

    assert empty.status_code == 400
    assert "Skriv din precisering." in empty.content.decode()
    assert response.status_code == 302
    hv_request.refresh_from_db()
    assert hv_request.status == RequestStatus.RECEIVED
    assert list(hv_request.events.values_list("kind", "note")) == [
        ("inkommen", ""),
        ("precisering-begard", "Vilken period avser du?"),
        ("precisering-lamnad", "Januari till mars 2026."),
    ]


def test_status_page_query_count_does_not_grow_with_handlings(
    client, register, django_assert_num_queries
):
    small = order_for(register)
    ids = list(register.hv_case.documents.values_list("pk", flat=True))
    large = services.submit_order(
        document_ids=[*ids, register.ks_public.pk], email="", delivery="papper", base_url=BASE
    )

    with django_assert_num_queries(4) as small_queries:
        client.get(small.get_absolute_url())
    with django_assert_num_queries(len(small_queries.captured_queries)):
        client.get(large.get_absolute_url())


def test_basket_query_count_does_not_grow_with_handlings(
    client, register, django_assert_num_queries
):
    add(client, register.ks_public)
    with django_assert_num_queries(5):
        client.get("/begar/")
    for document in register.hv_case.documents.all():
        add(client, document)

    with django_assert_num_queries(5):
        client.get("/begar/")

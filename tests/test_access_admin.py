"""The registrators' queue "Utlämnandebegäranden": each board's registrators see and act on
their own board's part of a request only."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from cases.access import services
from cases.access.models import AccessRequest, RequestStatus

BASE = "http://testserver/"
CHANGELIST = "/admin/cases/accessrequest/"


def change_url(request) -> str:
    return f"/admin/cases/accessrequest/{request.pk}/change/"


@pytest.fixture
def order(register):
    return services.submit_order(
        document_ids=[register.hv_secret.pk, register.ks_public.pk],
        email="medborgare@example.se",
        delivery="papper",
        base_url=BASE,
        now=timezone.now() - datetime.timedelta(hours=3, minutes=5),
    )


def part(order, short_name) -> AccessRequest:
    return order.requests.get(board__short_name=short_name)


def listed(client) -> list[str]:
    html = client.get(CHANGELIST).content.decode()
    return re.findall(r"Begäran \d+ till ([^<]+)</a>", html)


def test_each_registrar_sees_only_their_boards_part(client, register, order):
    client.force_login(register.hv_registrar)
    assert listed(client) == ["Hässelby-Vällingby"]
    client.force_login(register.ks_registrar)
    assert listed(client) == ["Kommunstyrelsen"]


def test_queue_shows_clock_handlings_with_secrecy_and_requester(client, register, order):
    client.force_login(register.hv_registrar)

    changelist = client.get(CHANGELIST).content.decode()
    page = client.get(change_url(part(order, "Hässelby-Vällingby"))).content.decode()

    assert "inkom för 3\xa0timmar sedan" in changelist
    assert "Inkom för 3\xa0timmar sedan" in page
    assert '<span id="requester">medborgare@example.se</span>' in page
    assert '<td class="secrecy">Sekretess, OSL 26 kap. 1 §</td>' in page
    assert "Utredning om Kalle Karlssons ekonomiska bistånd" in page
    assert "Remiss om parkeringsnormer" not in page


def test_queue_sorts_by_age(client, register, order):
    newer = services.submit_order(
        document_ids=[register.hv_case.documents.get(sequence=1).pk],
        email="",
        delivery="pa-plats",
        base_url=BASE,
    )
    client.force_login(register.hv_registrar)

    oldest_first = client.get(CHANGELIST + "?o=3").content.decode()
    newest_first = client.get(CHANGELIST + "?o=-3").content.decode()

    ids = [part(order, "Hässelby-Vällingby").pk, newer.requests.get().pk]
    assert [int(i) for i in re.findall(r"Begäran (\d+) till", oldest_first)] == ids
    assert [int(i) for i in re.findall(r"Begäran (\d+) till", newest_first)] == ids[::-1]


def test_other_boards_registrar_can_neither_see_nor_act(client, register, order):
    hv_part = part(order, "Hässelby-Vällingby")
    item = hv_part.items.get()
    client.force_login(register.ks_registrar)

    seen = client.get(change_url(hv_part))
    acted = client.post(
        change_url(hv_part),
        {"action": "decide", f"outcome_{item.pk}": "lamnas-ut", f"osl_{item.pk}": ""},
    )
    history = client.get(f"/admin/cases/accessrequest/{hv_part.pk}/history/")

    assert seen.status_code == 404
    assert acted.status_code == 404
    assert history.status_code == 302
    assert "medborgare@example.se" not in seen.content.decode() + history.content.decode()
    hv_part.refresh_from_db()
    assert hv_part.status == RequestStatus.RECEIVED
    assert hv_part.events.count() == 1


def test_staff_without_registrar_role_has_no_queue(client, register, order, hv):
    secretary = User.objects.create_user("sekreterare", is_staff=True)
    secretary.board_memberships.create(board=hv, role="namndsekreterare")
    client.force_login(secretary)

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(part(order, "Hässelby-Vällingby"))).status_code == 404


def test_registrar_releases_through_the_queue(client, register, order):
    ks_part = part(order, "Kommunstyrelsen")
    item = ks_part.items.get()
    client.force_login(register.ks_registrar)

    response = client.post(
        change_url(ks_part),
        {"action": "decide", f"outcome_{item.pk}": "lamnas-ut", f"osl_{item.pk}": ""},
    )

    assert response.status_code == 302
    ks_part.refresh_from_db()
    assert (ks_part.status, ks_part.decided_by) == (RequestStatus.ANSWERED, "ks-registrator")
    assert ks_part.items.get().outcome == "lamnas-ut"
    assert "Handlingarna lämnas ut:\n- KS 2026/12-1 Remiss om parkeringsnormer" in (
        ks_part.decision_text
    )
    assert "Kammarrätten" not in ks_part.decision_text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "avslag", "osl": ""}, "Ange paragrafen i offentlighets- och sekretesslagen"),
        ({"outcome": "maskerad", "osl": "sekretess"}, "Ange paragrafen i offentlighets-"),
        ({"outcome": "", "osl": ""}, "Välj ett beslut för handlingen."),
        ({"outcome": "radera", "osl": ""}, "Välj ett giltigt alternativ."),
    ],
)
def test_decision_form_says_what_is_wrong(client, register, order, data, message):
    hv_part = part(order, "Hässelby-Vällingby")
    item = hv_part.items.get()
    client.force_login(register.hv_registrar)

    response = client.post(
        change_url(hv_part),
        {"action": "decide", f"outcome_{item.pk}": data["outcome"], f"osl_{item.pk}": data["osl"]},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    hv_part.refresh_from_db()
    assert hv_part.status == RequestStatus.RECEIVED


def test_registrar_asks_for_precisering_and_makulerar(client, register, order):
    hv_part = part(order, "Hässelby-Vällingby")
    client.force_login(register.hv_registrar)

    empty = client.post(change_url(hv_part), {"action": "clarify", "question": ""})
    asked = client.post(change_url(hv_part), {"action": "clarify", "question": "Vilket år?"})
    no_reason = client.post(change_url(hv_part), {"action": "cancel", "reason": ""})
    cancelled = client.post(change_url(hv_part), {"action": "cancel", "reason": "Dubblett"})
    page = client.get(change_url(hv_part)).content.decode()

    assert (empty.status_code, asked.status_code) == (400, 302)
    assert "Skriv vad sökanden behöver precisera." in empty.content.decode()
    assert (no_reason.status_code, cancelled.status_code) == (400, 302)
    assert "Ange skälet till makuleringen." in no_reason.content.decode()
    hv_part.refresh_from_db()
    assert (hv_part.status, hv_part.cancelled_reason) == ("makulerad", "Dubblett")
    assert list(hv_part.events.values_list("kind", "actor", "note")) == [
        ("inkommen", "", ""),
        ("precisering-begard", "hv-registrator", "Vilket år?"),
        ("makulerad", "hv-registrator", "Dubblett"),
    ]
    assert "Makulerad: Dubblett" in page
    assert 'id="decide-form"' not in page


def test_queue_has_no_add_or_delete(client, register, order):
    client.force_login(register.hv_registrar)
    hv_part = part(order, "Hässelby-Vällingby")

    assert client.get("/admin/cases/accessrequest/add/").status_code == 403
    assert client.post(f"/admin/cases/accessrequest/{hv_part.pk}/delete/").status_code == 403


@pytest.mark.parametrize("count", [1, 3])
def test_queue_query_count_does_not_grow_with_requests(
    client, register, django_assert_num_queries, count
):
    for _ in range(count):
        services.submit_order(
            document_ids=[register.hv_secret.pk], email="", delivery="papper", base_url=BASE
        )
    client.force_login(register.hv_registrar)

    with django_assert_num_queries(15):
        response = client.get(CHANGELIST)

    assert len(re.findall(r"Begäran \d+ till", response.content.decode())) == count

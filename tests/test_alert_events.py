"""A case's and a board's followers are told of decisions and status changes too, once, with
a reason line, and a cancelled case's secrets never reach them. Mail goes through Django's
SMTP backend to a real local SMTP server (tests/smtp.py)."""

import datetime

import pytest
from django.db.models import F

from cases.alerts import digest, services
from cases.models import Board, Subscription
from cases.services import indexing, registering

from .test_follow_leaks import assert_no_markers

TODAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = "http://testserver"


@pytest.fixture
def park(hv):
    return registering.register_case(
        board=hv, dnr="HV 2024/10", title="Ny park i Vällingby", registered_on=TODAY
    )


def _follow(email, **target):
    kind = "arende" if "case" in target else "namnd"
    subscription = services.request_subscription(email=email, kind=kind, **target)
    return services.confirm_subscription(subscription_id=subscription.pk)


def _body(inbox, email):
    mails = inbox.to(email)
    assert [m["subject"].startswith("Nytt i dina bevakningar") for m in mails[-1:]] == [True]
    return mails[-1]["body"]


def test_case_follower_is_told_of_a_new_decision(park, smtp_inbox):
    _follow("a@example.se", case=park)
    registering.record_decision(
        case=park, meeting=None, decided_on=TODAY, text="Nämnden beslutar att anlägga parken."
    )

    report = digest.send_digests()

    assert (report.mails, report.items) == (1, 1)
    mail = smtp_inbox.to("a@example.se")[-1]
    assert mail["subject"] == "Nytt i dina bevakningar: 1 beslut"
    body = mail["body"]
    assert "== Eftersom du bevakar ärendet HV 2024/10 Ny park i Vällingby ==" in body
    assert "Nytt beslut: § 1/2026 i ärendet HV 2024/10" in body
    assert "Beslut · Hässelby-Vällingby · 2026-03-02 · Ärende: HV 2024/10 Ny park" in body
    assert "”Nämnden beslutar att anlägga parken.”" in body
    assert "http://testserver/namnd/hasselby-vallingby/arende/HV%202024/10/" in body


def test_case_follower_is_told_of_a_status_change(park, smtp_inbox):
    _follow("a@example.se", case=park)
    registering.change_case_status(case=park, status="avslutat")

    digest.send_digests()

    mail = smtp_inbox.to("a@example.se")[-1]
    assert mail["subject"] == "Nytt i dina bevakningar: 1 statusändring"
    assert "Ny status i ärendet HV 2024/10: Avslutat" in mail["body"]
    assert "”Ärendets status ändrades från pågående till avslutat.”" in mail["body"]


def test_board_follower_is_told_of_its_cases_decisions_and_status_changes_only(
    park, hv, smtp_inbox
):
    other_board = Board.objects.get(slug="jarva")
    elsewhere = registering.register_case(
        board=other_board, dnr="JÄ 2024/3", title="Annat", registered_on=TODAY
    )
    _follow("b@example.se", board=hv)
    registering.record_decision(case=park, meeting=None, decided_on=TODAY, text="Bifall.")
    registering.change_case_status(case=park, status="beslutat")
    registering.record_decision(case=elsewhere, meeting=None, decided_on=TODAY, text="Avslag.")
    registering.change_case_status(case=elsewhere, status="beslutat")

    digest.send_digests()

    body = _body(smtp_inbox, "b@example.se")
    assert smtp_inbox.to("b@example.se")[-1]["subject"] == (
        "Nytt i dina bevakningar: 1 beslut och 1 statusändring"
    )
    assert "== Eftersom du bevakar nämnden Hässelby-Vällingby stadsdelsnämnd ==" in body
    assert body.count("i ärendet HV 2024/10") == 2
    assert "JÄ 2024/3" not in body and "Avslag" not in body


def test_an_event_is_never_sent_twice_nor_before_confirmation(park, hv, smtp_inbox):
    registering.change_case_status(case=park, status="beslutat")  # before anyone follows
    _follow("a@example.se", case=park)
    _follow("a@example.se", board=hv)
    registering.record_decision(case=park, meeting=None, decided_on=TODAY, text="Bifall.")

    first = digest.send_digests()
    # a digest that covers the same hours again (a worker that ran late) sends nothing
    Subscription.objects.update(covered_until=F("confirmed_at"))
    second = digest.send_digests()

    assert (first.mails, first.items, second.mails) == (1, 1, 0)
    body = _body(smtp_inbox, "a@example.se")
    assert body.count("Nytt beslut: § 1/2026") == 1
    assert "Ny status" not in body


def test_a_cancelled_case_says_only_that_it_is_cancelled(park, smtp_inbox):
    _follow("a@example.se", case=park)
    document = registering.add_document(
        case=park, title="Makuleratärendeälg", kind="skrivelse", full_text="Makuleratärendeälg."
    )
    indexing.index_document(document=document)
    registering.record_decision(
        case=park, meeting=None, decided_on=TODAY, text="Makuleradräv beslutas."
    )
    registering.change_case_status(case=park, status="makulerat", note="Hemligvarg dubblett")

    digest.send_digests()

    mail = smtp_inbox.to("a@example.se")[-1]
    assert mail["subject"] == "Nytt i dina bevakningar: 1 statusändring"
    assert "Ny status i ärendet HV 2024/10: Makulerat" in mail["body"]
    assert "”Ärendet har makulerats. Dess handlingar och beslut visas inte längre" in mail["body"]
    assert_no_markers(mail["subject"] + mail["body"], "makulerat ärende")


def test_saved_searches_with_filters_each_find_their_own_new_handlingar(park, hv, smtp_inbox):
    other = registering.register_case(
        board=Board.objects.get(slug="jarva"), dnr="JÄ 2024/3", title="Park", registered_on=TODAY
    )
    for email, search in (
        ("hv@example.se", "q=parken&namnd=hasselby-vallingby"),
        ("ja@example.se", "q=parken&namnd=jarva"),
        ("typ@example.se", "q=parken&typ=skrivelse"),
        ("alla@example.se", "q=parken"),
    ):
        subscription = services.request_subscription(email=email, kind="sokning", search=search)
        services.confirm_subscription(subscription_id=subscription.pk)
    for case, kind in ((park, "tjansteutlatande"), (other, "skrivelse")):
        document = registering.add_document(
            case=case, title="Om parken", kind=kind, full_text="Parken anläggs."
        )
        indexing.index_document(document=document)

    digest.send_digests()

    def listed(email):
        body = _body(smtp_inbox, email)
        return [dnr for dnr in ("HV 2024/10-1", "JÄ 2024/3-1") if dnr in body]

    assert [listed(f"{n}@example.se") for n in ("hv", "ja", "typ", "alla")] == [
        ["HV 2024/10-1"],
        ["JÄ 2024/3-1"],
        ["JÄ 2024/3-1"],
        ["HV 2024/10-1", "JÄ 2024/3-1"],
    ]

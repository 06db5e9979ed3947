"""E-mail alerts: double opt-in, the daily digest (why, snippet, never twice), one-click
unsubscribe, an address's page, rate limits. Mail goes through Django's SMTP backend to a
real local SMTP server (tests/smtp.py) and is read from what it received."""

import datetime
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from cases.alerts import digest, mails, services, tokens
from cases.models import Subscription
from cases.services import indexing, registering

from .test_follow_leaks import assert_no_markers
from .test_follow_leaks import secrets as secrets  # noqa: F401  (the fixture)

BASE = "http://testserver"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.PORTAL_BASE_URL = BASE


def _post_subscribe(client, capture, **data):
    with capture(execute=True):
        return client.post("/bevaka/", data)


def _link(body: str, kind: str) -> str:
    return re.search(rf"{BASE}(/bevaka/{kind}/[^\s]+/)", body)[1]


def _confirm(client, inbox, email):
    path = _link(inbox.to(email)[-1]["body"], "bekrafta")
    page = client.get(path)
    assert "Vill du få e-post när det kommer nya handlingar" in page.content.decode()
    response = client.post(path)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("kind", "news"),
    [
        ("sokning", "nya handlingar"),
        ("arende", "nya handlingar, beslut och statusändringar"),
        ("namnd", "nya handlingar, beslut och statusändringar"),
    ],
)
def test_the_confirmation_pages_say_what_the_mail_will_tell(client, park, kind, news):
    target = {
        "sokning": {"search": "q=park"},
        "arende": {"case": park},
        "namnd": {"board": park.board},
    }
    subscription = services.request_subscription(email="k@example.se", kind=kind, **target[kind])
    path = f"/bevaka/bekrafta/{tokens.confirm_token(subscription.pk)}/"

    question = client.get(path).content.decode()
    done = client.post(path).content.decode()

    assert f"Vill du få e-post när det kommer {news} för " in question
    assert f"Du får högst ett e-postmeddelande om dagen, bara när det finns {news}." in done


def _document(case, title, text="", **fields):
    document = registering.add_document(
        case=case, title=title, kind="tjansteutlatande", full_text=text, **fields
    )
    indexing.index_document(document=document)
    return document


@pytest.fixture
def park(hv):
    return registering.register_case(
        board=hv, dnr="HV 2024/10", title="Ny park i Vällingby", registered_on=datetime.date.today()
    )


def test_subscribing_mails_a_confirmation_and_nothing_else_before_it(
    client, park, smtp_inbox, django_capture_on_commit_callbacks
):
    response = _post_subscribe(
        client,
        django_capture_on_commit_callbacks,
        epost="Anna@Example.se",
        bevaka="sokning",
        mal="q=parken&sida=2",
    )
    _document(park, "Tjänsteutlåtande om parken", "Parken anläggs.")
    report = digest.send_digests()

    assert response.status_code == 200
    assert "Vi har skickat ett e-postmeddelande till" in response.content.decode()
    assert [m["subject"] for m in smtp_inbox.messages] == ["Bekräfta din bevakning i Nämndportalen"]
    mail = smtp_inbox.messages[0]
    assert mail["to"] == ["anna@example.se"]
    assert "sökningen ”parken”" in mail["body"]
    assert (report.subscriptions, report.mails) == (0, 0)
    assert Subscription.objects.get().search == "q=parken"


def test_confirmed_search_gets_a_digest_saying_why_with_a_snippet(
    client, park, smtp_inbox, django_capture_on_commit_callbacks
):
    _post_subscribe(
        client,
        django_capture_on_commit_callbacks,
        epost="anna@example.se",
        bevaka="sokning",
        mal="q=parken",
    )
    confirmed = _confirm(client, smtp_inbox, "anna@example.se")
    _document(park, "Tjänsteutlåtande om parken", "Förvaltningen föreslår att parken anläggs.")
    other = registering.register_case(
        board=park.board, dnr="HV 2024/11", title="Bänkar", registered_on=datetime.date.today()
    )
    _document(other, "Protokollsutdrag", "Inget om det.")

    report = digest.send_digests()

    assert "Du bevakar nu sökningen ”parken”." in confirmed.content.decode()
    assert (report.subscriptions, report.mails, report.items) == (1, 1, 1)
    mail = smtp_inbox.messages[-1]
    assert mail["subject"] == "Nytt i dina bevakningar: 1 handling"
    body = mail["body"]
    assert "== Eftersom du bevakar sökningen ”parken” ==" in body
    assert "HV 2024/10-1 Tjänsteutlåtande om parken" in body
    assert "”Förvaltningen föreslår att parken anläggs.”" in body
    assert f"{BASE}/namnd/hasselby-vallingby/arende/HV%202024/10/?handling=1#handling-1" in body
    assert "Protokollsutdrag" not in body
    unsubscribe = re.search(r"Sluta få e-post om alla dina bevakningar: (\S+)", body)[1]
    assert mail["headers"]["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_every_mail_has_one_click_unsubscribe(
    client, park, smtp_inbox, django_capture_on_commit_callbacks
):
    _post_subscribe(
        client,
        django_capture_on_commit_callbacks,
        epost="a@example.se",
        bevaka="arende",
        mal="HV 2024/10",
    )
    _confirm(client, smtp_inbox, "a@example.se")
    _post_subscribe(
        client,
        django_capture_on_commit_callbacks,
        epost="a@example.se",
        bevaka="arende",
        mal="HV 2024/10",
    )

    subjects = [m["subject"] for m in smtp_inbox.messages]
    assert subjects == [
        "Bekräfta din bevakning i Nämndportalen",
        "Du bevakar redan det här i Nämndportalen",
    ]
    for mail in smtp_inbox.messages:
        link = re.search(r"<(\S+)>", mail["headers"]["List-Unsubscribe"])[1]
        assert link in mail["body"]
        assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_one_click_post_unsubscribes_without_login_or_csrf(
    client, park, smtp_inbox, django_capture_on_commit_callbacks
):
    _post_subscribe(
        client,
        django_capture_on_commit_callbacks,
        epost="a@example.se",
        bevaka="namnd",
        mal="hasselby-vallingby",
    )
    _confirm(client, smtp_inbox, "a@example.se")
    _document(park, "Skrivelse", "Text.")
    digest.send_digests()
    header = smtp_inbox.messages[-1]["headers"]["List-Unsubscribe"]
    path = header.strip().strip("<>").removeprefix(BASE)

    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    _document(park, "Ännu en skrivelse", "Text.")
    report = digest.send_digests()

    assert response.status_code == 200
    assert "Du får inte längre e-post om några bevakningar" in response.content.decode()
    assert Subscription.objects.get().stopped_at is not None
    assert (report.subscriptions, report.mails) == (0, 0)


def test_a_subscription_stop_link_stops_only_that_one(
    client, park, smtp_inbox, django_capture_on_commit_callbacks
):
    for kind, target in (("namnd", "hasselby-vallingby"), ("arende", "HV 2024/10")):
        _post_subscribe(
            client,
            django_capture_on_commit_callbacks,
            epost="a@example.se",
            bevaka=kind,
            mal=target,
        )
        _confirm(client, smtp_inbox, "a@example.se")
    board_mail = smtp_inbox.messages[0]
    path = _link(board_mail["body"], "avsluta")

    page = client.get(path)
    response = client.post(path)

    assert "Vill du sluta bevaka det här?" in page.content.decode()
    assert "Du bevakar inte längre nämnden Hässelby-Vällingby stadsdelsnämnd." in (
        response.content.decode()
    )
    assert [s.kind for s in Subscription.objects.filter(stopped_at__isnull=True)] == ["arende"]


def test_digest_lists_an_item_once_and_never_sends_it_again(
    client, park, smtp_inbox, django_capture_on_commit_callbacks
):
    for kind, target in (("sokning", "q=parken"), ("namnd", "hasselby-vallingby")):
        _post_subscribe(
            client,
            django_capture_on_commit_callbacks,
            epost="a@example.se",
            bevaka=kind,
            mal=target,
        )
        _confirm(client, smtp_inbox, "a@example.se")
    benches = registering.register_case(
        board=park.board, dnr="HV 2024/11", title="Bänkar", registered_on=datetime.date.today()
    )
    _document(park, "Tjänsteutlåtande om parken", "Parken.")
    _document(benches, "Skrivelse om bänkar", "Bänkar.")

    first = digest.send_digests()
    # a digest that covers the same hours again (a worker that ran late) sends nothing
    Subscription.objects.update(covered_until=timezone.now() - datetime.timedelta(days=1))
    second = digest.send_digests()

    assert (first.mails, first.items, second.mails) == (1, 2, 0)
    body = smtp_inbox.messages[-1]["body"]
    assert body.count("HV 2024/10-1 Tjänsteutlåtande om parken") == 1
    assert (
        body.index("sökningen ”parken”")
        < body.index("HV 2024/10-1")
        < body.index("nämnden Hässelby-Vällingby")
        < body.index("HV 2024/11-1 Skrivelse om bänkar")
    )


def test_case_subscription_gets_only_its_case(
    client, park, hv, smtp_inbox, django_capture_on_commit_callbacks
):
    other = registering.register_case(
        board=hv, dnr="HV 2024/11", title="Annat", registered_on=datetime.date.today()
    )
    _post_subscribe(
        client,
        django_capture_on_commit_callbacks,
        epost="a@example.se",
        bevaka="arende",
        mal="HV 2024/10",
    )
    _confirm(client, smtp_inbox, "a@example.se")
    _document(other, "Annan handling", "Text.")
    _document(park, "Beslut om parken", "Nämnden beslutar att anlägga parken.")

    digest.send_digests()

    body = smtp_inbox.messages[-1]["body"]
    assert "== Eftersom du bevakar ärendet HV 2024/10 Ny park i Vällingby ==" in body
    assert "HV 2024/10-1 Beslut om parken" in body
    assert "Annan handling" not in body


def test_address_page_lists_subscriptions_and_stops_one(
    client, park, smtp_inbox, django_capture_on_commit_callbacks
):
    for kind, target in (("sokning", "q=parken"), ("arende", "HV 2024/10")):
        _post_subscribe(
            client,
            django_capture_on_commit_callbacks,
            epost="a@example.se",
            bevaka=kind,
            mal=target,
        )
    confirmed = _confirm(client, smtp_inbox, "a@example.se")
    path = re.search(r'href="(/bevaka/mina/[^"]+/)"', confirmed.content.decode())[1]
    search = Subscription.objects.get(kind="sokning")

    page = client.get(path).content.decode()
    after = client.post(path, {"bevakning": search.pk}).content.decode()

    assert "Sökningen ”parken”" in page
    assert "Ärendet HV 2024/10 Ny park i Vällingby" in page
    assert "Väntar på bekräftelse" in page and "Bekräftad" in page
    assert "Du bevakar inte längre sökningen ”parken”." in after
    assert "Sökningen ”parken”" not in after


def test_address_page_does_not_stop_another_address(client, park):
    other = services.request_subscription(email="b@example.se", kind="arende", case=park)
    path = f"/bevaka/mina/{tokens.address_token('a@example.se')}/"

    response = client.post(path, {"bevakning": other.pk})

    assert response.status_code == 404
    assert Subscription.objects.get().stopped_at is None


@pytest.mark.parametrize("path", ["/bevaka/bekrafta/x/", "/bevaka/avsluta/x/", "/bevaka/mina/x/"])
def test_an_altered_link_is_a_clear_400(client, boards, path):
    response = client.get(path)

    assert response.status_code == 400
    assert "Länken är inte giltig." in response.content.decode()


def test_a_link_of_one_kind_does_not_work_as_another(client, park):
    subscription = services.request_subscription(email="a@example.se", kind="arende", case=park)

    response = client.post(
        f"/bevaka/bekrafta/{tokens.unsubscribe_token(subscription_id=subscription.pk)}/"
    )

    assert response.status_code == 400
    assert Subscription.objects.get().confirmed_at is None


def test_subscription_requests_are_rate_limited(
    client, park, smtp_inbox, django_capture_on_commit_callbacks
):
    statuses = [
        _post_subscribe(
            client,
            django_capture_on_commit_callbacks,
            epost=f"n{n}@example.se",
            bevaka="arende",
            mal="HV 2024/10",
        ).status_code
        for n in range(6)
    ]
    same_address = [
        services.request_subscription(
            email="x@example.se", kind="arende", case=park, ip=f"10.0.0.{n}"
        )
        for n in range(5)
    ]

    assert statuses == [200, 200, 200, 200, 200, 429]
    assert len(smtp_inbox.messages) == 5
    assert len(same_address) == 5
    with pytest.raises(services.RateLimited):
        services.request_subscription(email="x@example.se", kind="arende", case=park, ip="10.0.1.1")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"epost": "inte-en-adress", "bevaka": "arende", "mal": "HV 2024/10"},
            "Skriv en e-postadress som namn@exempel.se.",
        ),
        (
            {"epost": "a@example.se", "bevaka": "sokning", "mal": "namnd=finns-inte"},
            "Sökningen har fel.",
        ),
        (
            {"epost": "a@example.se", "bevaka": "sokning", "mal": "sida=2"},
            "Skriv något att söka på",
        ),
        ({"epost": "a@example.se", "bevaka": "okant", "mal": ""}, "Välj vad du vill bevaka"),
        (
            {"epost": "a@example.se", "bevaka": "arende", "mal": "HV 2024/10", "website": "x"},
            "Lämna det dolda fältet tomt.",
        ),
    ],
)
def test_bad_subscription_requests_get_a_clear_400(client, park, data, message):
    response = client.post("/bevaka/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Subscription.objects.count() == 0


def test_pages_offer_the_bevaka_forms(client, park):
    pages = {
        "/sok/?q=parken&sida=1": ("sokning", "q=parken"),
        park.get_absolute_url(): ("arende", "HV 2024/10"),
        "/namnd/hasselby-vallingby/": ("namnd", "hasselby-vallingby"),
    }
    for url, (kind, target) in pages.items():
        body = client.get(url).content.decode()
        assert f'<input type="hidden" name="bevaka" value="{kind}">' in body, url
        assert f'<input type="hidden" name="mal" value="{target}">' in body, url
        board_field = '<input type="hidden" name="namnd" value="hasselby-vallingby">'
        assert (board_field in body) == (kind == "arende"), url
        assert '<label for="follow-epost">Din e-postadress</label>' in body, url


def test_digest_is_sent_only_in_the_configured_stockholm_hour(settings, park):
    settings.PORTAL_DIGEST_HOUR = 7
    # 06:30 UTC on a winter day is 07:30 in Stockholm; 07:30 UTC is 08:30
    at_seven = datetime.datetime(2026, 1, 15, 6, 30, tzinfo=datetime.UTC)
    at_eight = datetime.datetime(2026, 1, 15, 7, 30, tzinfo=datetime.UTC)

    assert digest.send_due_digests(at=at_eight) is None
    assert digest.send_due_digests(at=at_seven) == digest.DigestReport()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_job_queue")
def test_the_periodic_task_sends_the_digest_in_a_real_worker(smtp_inbox, hv, settings):
    from procrastinate.contrib.django import app

    from cases import tasks

    case = registering.register_case(
        board=hv, dnr="HV 2024/12", title="Lekplats", registered_on=datetime.date.today()
    )
    subscription = services.request_subscription(email="w@example.se", kind="arende", case=case)
    services.confirm_subscription(subscription_id=subscription.pk)
    _document(case, "Tjänsteutlåtande om lekplatsen", "Lekplatsen byggs.")
    now = timezone.localtime()
    settings.PORTAL_DIGEST_HOUR = now.hour
    tasks.send_alert_digests.defer(timestamp=int(now.timestamp()))

    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["alerts"], wait=False, install_signal_handlers=False, listen_notify=False
        )

    assert [m["subject"] for m in smtp_inbox.to("w@example.se")] == [
        "Bekräfta din bevakning i Nämndportalen",
        "Nytt i dina bevakningar: 1 handling",
    ]


def test_mails_leak_no_secret(client, secrets, hv, smtp_inbox):  # noqa: F811
    case, protected, cancelled = secrets
    subscriptions = [
        services.request_subscription(email="l@example.se", kind="sokning", search="q=skolgården"),
        services.request_subscription(email="l@example.se", kind="namnd", board=hv),
        services.request_subscription(email="l@example.se", kind="arende", case=case),
        services.request_subscription(email="l@example.se", kind="arende", case=protected),
        services.request_subscription(email="m@example.se", kind="sokning", search="q=Hemligvarg"),
        services.request_subscription(
            email="m@example.se", kind="sokning", search="q=Makuleradräv"
        ),
    ]
    for subscription in subscriptions:
        services.confirm_subscription(subscription_id=subscription.pk)
    # the secrets were registered before: let the subscriptions cover them
    Subscription.objects.update(covered_until=timezone.now() - datetime.timedelta(hours=1))

    report = digest.send_digests()
    # (a search for a marker word names it in its own confirmation: only l@'s are checked)
    confirmations = [
        mails.send_confirmation(s)
        for s in Subscription.objects.filter(email="l@example.se").select_related("case", "board")
    ]

    assert (report.mails, confirmations) == (1, [True] * 4)
    body = smtp_inbox.to("l@example.se")[0]["body"]
    assert "HV 2024/40-1 Tjänsteutlåtande om skolgården" in body
    assert "HV 2024/40-3 Skrivelse om skolgården" in body
    assert "Ärende: HV 2024/41 [Skyddat]" in body
    for mail in smtp_inbox.messages:
        assert_no_markers(mail["subject"] + mail["body"], mail["subject"])


def _settings_in_a_fresh_process(env: dict) -> str:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; "
        "from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return result.stdout.strip()


def test_demo_writes_mail_to_the_console_unless_smtp_is_configured():
    assert _settings_in_a_fresh_process({}) == (
        "django.core.mail.backends.console.EmailBackend localhost 25 False False"
    )
    assert _settings_in_a_fresh_process({"EMAIL_URL": "smtp+tls://u:p@mail.example:587"}) == (
        "django.core.mail.backends.smtp.EmailBackend mail.example 587 True False"
    )
    assert _settings_in_a_fresh_process({"EMAIL_HOST": "smtp.example"}) == (
        "django.core.mail.backends.smtp.EmailBackend smtp.example 25 False False"
    )

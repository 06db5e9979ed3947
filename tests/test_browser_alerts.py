"""The whole alert flow as a person meets it: Bevaka on a search in Chromium, the confirmation
link from the mail the SMTP server received, a matching case registered, the digest task run
by a real worker, and the case in the next mail."""

import datetime
import re
import threading

import pytest
from django.db import connections
from django.utils import timezone
from procrastinate.contrib.django import app

from cases import tasks
from cases.services import indexing, registering

from .test_browser import axe_violations, browser, page  # noqa: F401  (fixtures)
from .test_browser import pytestmark as browser_marks

pytestmark = [
    *browser_marks,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("empty_job_queue"),
]


def _digest_in_a_worker(timestamp: int) -> None:
    """Defer the periodic task and run a worker until the queue is empty, in a thread of its
    own (Playwright runs an event loop in this one); its connections are closed after."""

    def work():
        try:
            tasks.send_alert_digests.defer(timestamp=timestamp)
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(
                    queues=["alerts"],
                    wait=False,
                    install_signal_handlers=False,
                    listen_notify=False,
                )
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()


def test_follow_a_search_by_mail_from_subscribing_to_the_digest(
    page,  # noqa: F811
    live_server,
    hv,
    smtp_inbox,
    settings,
):
    settings.PORTAL_BASE_URL = live_server.url
    address = "medborgare@example.se"

    page.goto(live_server.url + "/sok/?q=lekplats")
    assert axe_violations(page) == []
    page.fill("#follow-epost", address)
    page.get_by_role("button", name="Bevaka", exact=True).click()
    page.wait_for_url("**/bevaka/")
    assert page.locator("h1").inner_text() == "Bekräfta i din e-post"

    (confirmation,) = smtp_inbox.to(address)
    link = re.search(r"(http://\S+/bevaka/bekrafta/\S+/)", confirmation["body"])[1]
    page.goto(link)
    page.get_by_role("button", name="Bekräfta bevakningen").click()
    assert page.locator("h1").inner_text() == "Bevakningen är bekräftad"
    assert axe_violations(page) == []

    case = registering.register_case(
        board=hv,
        dnr="HV 2026/31",
        title="Medborgarförslag om en lekplats i Råcksta",
        registered_on=datetime.date(2026, 3, 2),
    )
    document = registering.add_document(
        case=case,
        title="Medborgarförslag om en lekplats",
        kind="medborgarforslag",
        document_date=datetime.date(2026, 3, 2),
        full_text="Jag föreslår att en lekplats byggs vid Råcksta träsk.",
    )
    indexing.index_document(document=document)
    now = timezone.localtime()
    settings.PORTAL_DIGEST_HOUR = now.hour
    _digest_in_a_worker(int(now.timestamp()))

    digest_mail = smtp_inbox.to(address)[-1]
    assert digest_mail["subject"] == "Nytt i dina bevakningar: 1 handling"
    assert "== Eftersom du bevakar sökningen ”lekplats” ==" in digest_mail["body"]
    assert "HV 2026/31-1 Medborgarförslag om en lekplats" in digest_mail["body"]
    case_link = re.search(r"(http://\S+/arende/\S+)", digest_mail["body"])[1]
    page.goto(case_link)
    assert page.locator("h1").inner_text() == (
        "HV 2026/31 Medborgarförslag om en lekplats i Råcksta"
    )

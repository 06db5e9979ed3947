"""What only a browser shows: keyboard use, axe-core accessibility checks, the admin flow.

Real Chromium (Debian's /usr/bin/chromium) driven by Playwright, against the live server.
"""

import datetime
import io
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command

from cases.models import Board, BoardMembership, Case, Meeting
from cases.services import indexing, registering, roles

CHROMIUM = "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [
    pytest.mark.browser,
    # CI sets PORTAL_REQUIRE_TEST_TOOLS=1: there a missing browser fails instead of skipping.
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("PORTAL_REQUIRE_TEST_TOOLS"),
        reason="Debian chromium saknas",
    ),
]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls in these tests
    # are ordinary synchronous setup, so Django's async-safety guard is relaxed here only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(transactional_db, hv):
    case = registering.register_case(
        board=hv,
        dnr="HV 2019/272",
        title="Medborgarförslag om ängsmark i Grimstaskogen",
        registered_on=datetime.date(2019, 5, 2),
    )
    document = registering.add_document(
        case=case,
        title="Tjänsteutlåtande om ängsmark",
        kind="tjansteutlatande",
        document_date=datetime.date(2019, 8, 7),
        full_text="Förvaltningens förslag till beslut: ängsmarken bevaras. Se även HV 2019/259.",
    )
    indexing.index_document(document=document)
    meeting = Meeting.objects.create(board=hv, date=datetime.date(2019, 8, 29))
    meeting.items.create(number=6, title=case.title, case=case)
    return case


def axe_violations(page) -> list[dict]:
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does
    # not govern (a <script> tag with the text would be refused, as it should be).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in result["violations"]
    ]


def test_search_by_keyboard_only(page, live_server, demo):
    page.goto(live_server.url + "/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "header-q"
    page.keyboard.type("ängsmark")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sok/?q=*")
    assert page.locator("#results-heading").inner_text() == "1 träff för ”ängsmark”"
    page.locator(".hit h3 a").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/arende/**")

    assert (
        page.locator("h1").inner_text()
        == "HV 2019/272 Medborgarförslag om ängsmark i Grimstaskogen"
    )
    assert page.locator("#handling-1").get_attribute("class") == "document highlighted"


def test_public_pages_have_no_wcag_violations(page, live_server, demo):
    paths = [
        "/",
        "/sok/?q=ängsmark",
        "/sok/?q=zzzyx&namnd=hasselby-vallingby",
        "/sok/?q=skola&fran=igår",
        "/arende/HV%202019/272/",
        "/namnd/hasselby-vallingby/",
        "/namnd/hasselby-vallingby/sammantrade/2019-08-29/",
        "/dnr/?q=2019/999",
        "/tillganglighet/",
    ]
    found = {}
    for path in paths:
        page.goto(live_server.url + path)
        assert page.locator("html").get_attribute("lang") == "sv"
        violations = axe_violations(page)
        if violations:
            found[path] = violations

    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


def test_page_reflows_at_320_px(page, live_server, demo):
    page.set_viewport_size({"width": 320, "height": 640})

    for path in ["/", "/sok/?q=ängsmark", "/arende/HV%202019/272/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert overflow is False, path


def test_registrar_registers_case_end_to_end(page, live_server, transactional_db, hv):
    user = User.objects.create_user(
        "registrator", password="Ett-långt-lösenord-2026", is_staff=True
    )
    BoardMembership.objects.create(user=user, board=hv, role="registrator")
    roles.ensure_role_permissions(user=user)

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "registrator")
    page.fill("#id_password", "Ett-långt-lösenord-2026")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/cases/case/add/")
    page.wait_for_url("**/registrera/")
    page.fill("#id_title", "Medborgarförslag om fler parkbänkar i Vällingby centrum")
    page.select_option("#id_document_kind", "medborgarforslag")
    page.select_option("#id_direction", "in")
    page.fill("#id_document_date", "2026-11-02")
    page.fill("#id_counterpart", "Privatperson")
    page.click("input[type=submit]")

    year = datetime.date.today().year
    assert page.locator(".messagelist .success").inner_text() == (
        f"Ärendet registrerades som HV {year}/1."
    )
    case = Case.objects.get(board=hv)
    assert case.title == "Medborgarförslag om fler parkbänkar i Vällingby centrum"
    assert case.documents.get().kind == "medborgarforslag"


def test_registrar_does_the_whole_job_as_that_role(
    browser, page, live_server, transactional_db, hv, ks, settings, tmp_path
):
    """Issue 20: as a registrator (not a superuser) register an incoming medborgarförslag
    from a private person with an attachment (its title left to the file name) and a
    reference to a KS case on one screen; the handling waits unpublished; download the
    attachment in the admin, review the handling for publication in "Att granska före
    publicering", then find the handling and the attachment's words in the public search,
    the sender shown as "Privatperson"."""
    settings.MEDIA_ROOT = tmp_path / "media"
    remiss = registering.register_case(
        board=ks,
        dnr="KS 2019/656",
        title="Remiss om stadens hundpolicy",
        registered_on=datetime.date(2019, 6, 1),
    )
    call_command(
        "create_user",
        "registrator",
        role="registrator",
        board=["HV"],
        password_stdin=True,
        stdin=io.StringIO("Ett-långt-lösenord-2026\n"),
        stdout=io.StringIO(),
    )
    attachment_text = "Skiss: agilityhinder och en inhägnad rastyta vid Grimstaskogen."

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "registrator")
    page.fill("#id_password", "Ett-långt-lösenord-2026")
    page.click("input[type=submit]")
    page.goto(live_server.url + "/admin/cases/case/add/")
    page.wait_for_url("**/registrera/")
    page.fill("#id_title", "Medborgarförslag om en hundrastgård i Grimsta")
    page.select_option("#id_document_kind", "medborgarforslag")
    page.select_option("#id_direction", "in")
    page.fill("#id_document_date", "2026-11-02")
    page.fill("#id_counterpart", "Anna Andersson")
    page.get_by_label("Avsändaren/mottagaren är en privatperson").check()
    page.set_input_files(
        "#id_attachment",
        {"name": "skiss.txt", "mimeType": "text/plain", "buffer": attachment_text.encode()},
    )
    page.fill("#id_hanvisning-0-dnr", "KS 2019/656")
    page.select_option("#id_hanvisning-0-relation", "for-kannedom")
    page.click("input[type=submit]")

    year = datetime.date.today().year
    assert page.locator(".messagelist .success").inner_text() == (
        f"Ärendet registrerades som HV {year}/1."
    )
    document = Case.objects.get(board=hv).documents.get()
    assert [(r.target, r.relation) for r in document.references.all()] == [(remiss, "for-kannedom")]

    assert document.attachments.get().title == "skiss"

    # Unpublished until reviewed: the public finds nothing and sees no name.
    public = browser.new_page(locale="sv-SE")
    public.goto(f"{live_server.url}/sok/?q=agilityhinder")
    assert public.locator(".hit").count() == 0
    public.goto(f"{live_server.url}/arende/HV%20{year}/1/")
    assert public.locator(".unpublished li .dnr").all_inner_texts() == [
        f"HV {year}/1-1 (medborgarförslag, 2026-11-02)"
    ]
    assert "granskas före publicering" in public.locator(".unpublished").inner_text()
    assert "Anna Andersson" not in public.content()

    page.goto(f"{live_server.url}/admin/cases/document/{document.pk}/change/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"skiss.*\.txt")).click()
    download = download_info.value
    assert Path(download.path()).read_text(encoding="utf-8") == attachment_text

    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="Att granska före publicering").first.click()
    page.locator("#result_list tbody tr th a").click()
    page.get_by_label("Publicera på webben", exact=True).check()
    page.click("input[name=_save]")
    assert page.locator(".messagelist .success").inner_text() == (
        f"HV {year}/1-1 publicerades på webben."
    )
    assert page.locator("#result_list").count() == 0  # the queue is empty

    for words in ["hundrastgård", "agilityhinder"]:
        public.goto(f"{live_server.url}/sok/?q={words}")
        assert public.locator("#results-heading").inner_text() == f"1 träff för ”{words}”"
        assert public.locator(".hit .meta .dnr").all_inner_texts() == [f"HV {year}/1"]
    public.goto(f"{live_server.url}/arende/HV%20{year}/1/")
    assert "Inkommen · Privatperson" in " ".join(
        public.locator(".document .meta").inner_text().split()
    )
    assert "Bilaga 1: skiss" in public.locator(".attachments").inner_text()
    assert "Anna Andersson" not in public.content()
    public.close()


def logged_in(browser, live_server, user):
    """A browser context with the user's session (force_login: no password hashing)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="sv-SE")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context, context.new_page()


def decide(staff_page, live_server, *, choice: str, osl: str = ""):
    staff_page.goto(live_server.url + "/admin/cases/accessrequest/")
    rows = staff_page.locator("#result_list tbody tr")
    assert rows.count() == 1
    rows.first.locator("th a").click()
    staff_page.locator("#decide-form").get_by_label(choice, exact=True).check()
    staff_page.locator("#decide-form input[name^=osl_]").fill(osl)
    staff_page.click("#decide-form input[type=submit]")
    assert staff_page.locator(".messagelist .success").inner_text() == (
        "Beslutet är fattat och skickat till sökanden."
    )


def test_citizen_requests_two_boards_handlings_and_both_registrars_answer(
    page, browser, live_server, transactional_db, register, smtp_inbox
):
    page.goto(live_server.url + register.hv_case.get_absolute_url())
    page.get_by_role("button", name="Begär ut HV 2026/40-2").click()
    page.wait_for_url("**/begar/#bestallning")
    page.goto(live_server.url + register.ks_case.get_absolute_url())
    page.get_by_role("button", name="Begär ut KS 2026/12-1").click()
    page.wait_for_url("**/begar/#bestallning")
    assert page.locator(".basket li .dnr").all_inner_texts() == [
        "HV 2026/40-2 (skrivelse, 2026-03-04)",
        "KS 2026/12-1 Remiss om parkeringsnormer",
    ]
    page.fill("#id_email", "medborgare@example.se")
    page.get_by_label("Med e-post").check()
    page.get_by_role("button", name="Skicka begäran").click()
    page.wait_for_url("**/begaran/*/?skickad=1")
    status_url = page.locator(".receipt-link a").inner_text()
    assert page.locator("h2").all_inner_texts() == [
        "Hässelby-Vällingby stadsdelsnämnd: Inkommen, under prövning",
        "Kommunstyrelsen: Inkommen, under prövning",
    ]

    hv_context, hv_page = logged_in(browser, live_server, register.hv_registrar)
    ks_context, ks_page = logged_in(browser, live_server, register.ks_registrar)
    decide(hv_page, live_server, choice="Avslå", osl="26 kap. 1 §")
    decide(ks_page, live_server, choice="Lämna ut")
    assert "KS 2026/12-1" not in hv_page.content()
    assert "HV 2026/40-2" not in ks_page.content()
    hv_context.close()
    ks_context.close()

    page.goto(status_url)
    assert page.locator("h2").all_inner_texts() == [
        "Hässelby-Vällingby stadsdelsnämnd: Besvarad",
        "Kommunstyrelsen: Besvarad",
    ]
    assert page.locator("table td").all_inner_texts() == [
        "HV 2026/40-2 (skrivelse, 2026-03-04)",
        "Avslås (OSL 26 kap. 1 §)",
        "KS 2026/12-1 Remiss om parkeringsnormer",
        "Lämnas ut",
    ]
    assert "Kammarrätten i Stockholm" in page.locator(".decision").first.inner_text()
    mails = smtp_inbox.to("medborgare@example.se")
    assert sorted(m["subject"] for m in mails) == [
        "Beslut från Hässelby-Vällingby stadsdelsnämnd om din begäran",
        "Beslut från Kommunstyrelsen om din begäran",
        "Vi har tagit emot din begäran om allmän handling",
    ]
    assert all(status_url in m["body"] for m in mails)
    assert "Utredning om Kalle Karlssons" not in " ".join(m["body"] for m in mails)
    assert axe_violations(page) == []


def test_request_pages_and_statistics_have_no_wcag_violations(
    page, live_server, transactional_db, register
):
    from cases.access import services as access_services

    order = access_services.submit_order(
        document_ids=[register.hv_secret.pk],
        email="",
        delivery="papper",
        base_url=live_server.url,
    )
    page.goto(live_server.url + register.hv_case.get_absolute_url())
    page.get_by_role("button", name="Begär ut HV 2026/40-2").click()
    page.wait_for_url("**/begar/#bestallning")
    found = {}
    for path in [
        register.hv_case.get_absolute_url(),
        "/begar/",
        order.get_absolute_url() + "?skickad=1",
        "/namnd/hasselby-vallingby/",
    ]:
        page.goto(live_server.url + path)
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    page.goto(live_server.url + "/begar/")
    page.get_by_role("button", name="Skicka begäran").click()
    assert page.locator(".error").first.inner_text() == (
        "Skriv din e-postadress, eller kryssa i att du vill vara anonym."
    )
    violations = axe_violations(page)
    if violations:
        found["/begar/ (fel)"] = violations

    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)


# Records every Content-Security-Policy violation the page reports (the DOM event fires for
# each refused script, style, image, frame or form target); runs before the page's own code.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.cspViolations.push(
        event.effectiveDirective + ' ' + (event.blockedURI || 'inline') + ' ' + event.sample
    );
});
"""


def csp_violations(browser, live_server, paths, *, user=None) -> dict[str, list[str]]:
    """Each path with the violations the browser reported there, also on the console."""
    if user is None:
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
    else:
        context, page = logged_in(browser, live_server, user)
    context.add_init_script(RECORD_CSP_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    found = {}
    for path in paths:
        console.clear()
        response = page.goto(live_server.url + path)
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        reported = page.evaluate("window.cspViolations") + console
        if reported:
            found[path] = reported
    context.close()
    return found


def test_public_pages_report_no_csp_violation(browser, live_server, demo):
    paths = [
        "/",
        "/sok/?q=ängsmark",
        "/arende/HV%202019/272/",
        "/namnd/hasselby-vallingby/",
        "/namnd/hasselby-vallingby/sammantrade/2019-08-29/",
        "/begar/",
        "/admin/login/",
    ]

    assert csp_violations(browser, live_server, paths) == {}


def test_admin_pages_report_no_csp_violation(browser, live_server, demo):
    document = demo.documents.get()
    user = User.objects.create_superuser("admin", password="Ett-långt-lösenord-2026")
    paths = [
        "/admin/",
        "/admin/cases/case/",
        "/admin/cases/case/registrera/",
        f"/admin/cases/case/{demo.pk}/change/",
        f"/admin/cases/case/{demo.pk}/history/",
        f"/admin/cases/document/{document.pk}/change/",
        f"/admin/cases/document/{document.pk}/history/",
        "/admin/cases/meeting/",
        "/admin/procrastinate/procrastinatejob/",
    ]

    assert csp_violations(browser, live_server, paths, user=user) == {}


def test_csp_violations_are_reported_by_the_check(browser, live_server, demo, settings):
    """The check above can fail: the admin's own changelist style block (rendered when a
    changelist has no action bar) is refused and reported."""
    from django.contrib import admin

    from cases.models import Meeting as MeetingModel

    model_admin = admin.site._registry[MeetingModel]
    user = User.objects.create_superuser("admin", password="Ett-långt-lösenord-2026")
    model_admin.actions_on_top = False
    try:
        found = csp_violations(browser, live_server, ["/admin/cases/meeting/"], user=user)
    finally:
        del model_admin.actions_on_top

    assert list(found) == ["/admin/cases/meeting/"]
    assert found["/admin/cases/meeting/"][0].startswith("style-src-elem inline")


# Words a narrow column must never split (issue 20.8: "Pågåend/e", "Socialnämnde/n");
# "Hässelby-Vällingby" may wrap after its hyphen, not inside either name.
UNBROKEN_WORDS = ["Socialnämnden", "Pågående", "Hässelby", "Vällingby"]
_BROKEN_WORDS_JS = """(words) => {
  const found = {}, broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const word of words) {
      for (let at = node.data.indexOf(word); at >= 0; at = node.data.indexOf(word, at + 1)) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        found[word] = (found[word] || 0) + 1;
        if (lines.size > 1) broken.push(word + ' i ' + node.parentElement.tagName);
      }
    }
  }
  return {found, broken};
}"""


def test_search_results_break_no_word_at_1280_px(page, live_server, boards):
    social = Board.objects.get(slug="socialnamnden")
    hv = Board.objects.get(slug="hasselby-vallingby")
    long_title = (
        "Skrivelse om arbetsmiljön för socialsekreterare och biståndshandläggare inom "
        "socialtjänstens myndighetsutövning, med frågor om hot, våld och otillåten påverkan"
    )
    for number, board in enumerate([social, social, hv, social], start=1):
        case = registering.register_case(
            board=board,
            dnr=f"{board.dnr_prefixes[0] if board.dnr_prefixes else 'SN'} 2025/{number}",
            title=f"{long_title} {number}",
            registered_on=datetime.date(2025, 2, number),
        )
        document = registering.add_document(
            case=case,
            title=f"{long_title} {number}",
            kind="tjansteutlatande",
            document_date=datetime.date(2025, 2, 18),
            full_text="Förvaltningen besvarar skrivelsen om arbetsmiljö.",
        )
        indexing.index_document(document=document)
        indexing.index_case(case=case)
    page.set_viewport_size({"width": 1280, "height": 900})

    seen = {}
    for path in ["/sok/?q=arbetsmiljö", "/sok/?q=arbetsmiljö&visa=arenden"]:
        page.goto(live_server.url + path)
        words = page.evaluate(_BROKEN_WORDS_JS, UNBROKEN_WORDS)
        seen[path] = (sorted(words["found"]), words["broken"])

    assert seen == {
        "/sok/?q=arbetsmiljö": (sorted(UNBROKEN_WORDS), []),
        "/sok/?q=arbetsmiljö&visa=arenden": (sorted(UNBROKEN_WORDS), []),
    }

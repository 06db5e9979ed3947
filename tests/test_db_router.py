"""Read replicas: which database each request reads (portal/db_router.py).

The "replica" here is a second connection wrapper (alias ``replica1``) over the test's own
database connection, so it sees the rows the test wrote inside its transaction: routing is the
subject, not replication (that is tests/test_replication.py). Queries are counted per wrapper.
"""

import copy
import datetime
import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from cases.models import Board, Case, Document
from cases.services import indexing, registering
from portal import db_router

PASSWORD = "Ett-långt-lösenord-2026"


REPLICA = "replica1"


def _wrapper(alias: str, **overrides):
    """A connection wrapper under ``alias``, known to the router but not to the test database
    setup (it is not in DATABASES, so the test case neither opens nor flushes it)."""
    default = connections[DEFAULT_DB_ALIAS]
    settings_dict = {**copy.deepcopy(default.settings_dict), **overrides}
    wrapper = default.__class__(settings_dict, alias)
    connections[alias] = wrapper
    return wrapper


def _dead(alias: str):
    """A server that is not there: nothing listens on port 9 of the loopback."""
    return _wrapper(alias, HOST="127.0.0.1", PORT="9", OPTIONS={"connect_timeout": 2})


def _discard(alias: str) -> None:
    wrapper = connections[alias]
    if wrapper.connection is connections[DEFAULT_DB_ALIAS].connection:
        wrapper.connection = None  # the test's own connection: not ours to close
    wrapper.close()
    del connections[alias]


@pytest.fixture
def replica(settings, hv):
    """``replica1``, the only replica: the test's own database connection under another alias."""
    default = connections[DEFAULT_DB_ALIAS]
    default.ensure_connection()
    _wrapper(REPLICA).connection = default.connection
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.REPLICA_HEALTH_SECONDS = 60
    db_router.forget_health()
    yield REPLICA
    db_router.forget_health()
    _discard(REPLICA)


@pytest.fixture
def dead_replica(settings, hv):
    """``replica9``, a replica that is down, is the only replica."""
    _dead("replica9")
    settings.DATABASE_REPLICAS = ["replica9"]
    settings.REPLICA_HEALTH_SECONDS = 60
    db_router.forget_health()
    yield "replica9"
    db_router.forget_health()
    _discard("replica9")


@pytest.fixture
def case_272(hv):
    case = registering.register_case(
        board=hv,
        dnr="HV 2019/272",
        title="Medborgarförslag om ängsmark i Grimstaskogen",
        registered_on=datetime.date(2019, 5, 2),
    )
    document = registering.add_document(
        case=case,
        title="Tjänsteutlåtande om ängsmark",
        kind=Document.Kind.REPORT_TU,
        document_date=datetime.date(2019, 8, 7),
        full_text="Förvaltningen föreslår att ängsmarken slås en gång om året.",
    )
    indexing.index_document(document=document)
    return case


class _Reads:
    """Which aliases ran queries inside the block."""

    def __init__(self, *aliases):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in aliases}

    def __enter__(self):
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    @property
    def used(self) -> set[str]:
        return {alias for alias, context in self.contexts.items() if len(context)}


PUBLIC_PAGES = [
    "/",
    "/sok/?q=ängsmark",
    "/sok/?q=ängsmark&namnd=hasselby-vallingby",
    "/sok/export.csv?q=ängsmark",
    "/sok/export.xlsx?q=ängsmark",
    "/dnr/?q=HV+2019/272",
    "/namnd/hasselby-vallingby/arende/HV%202019/272/",
    "/namnd/hasselby-vallingby/",
    "/tillganglighet/",
]


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_pages_read_only_from_the_replica(client, replica, case_272, url):
    with _Reads(DEFAULT_DB_ALIAS, replica) as reads:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)

    assert response.status_code in (200, 302)
    assert reads.used == {replica}


def test_public_page_on_the_replica_shows_the_case(client, replica, case_272):
    response = client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/")

    assert response.status_code == 200
    assert "Medborgarförslag om ängsmark i Grimstaskogen" in response.content.decode()
    assert db_router.WROTE_COOKIE not in response.cookies


def test_search_on_the_replica_finds_the_document(client, replica, case_272):
    with _Reads(DEFAULT_DB_ALIAS, replica) as reads:
        response = client.get("/sok/?q=ängsmarken")

    assert [hit.document.title for hit in response.context["results"].hits] == [
        "Tjänsteutlåtande om ängsmark"
    ]
    assert reads.used == {replica}


def test_admin_reads_the_primary(client, replica, case_272):
    client.force_login(get_user_model().objects.create_superuser("admin", password=PASSWORD))

    with _Reads(DEFAULT_DB_ALIAS, replica) as reads:
        response = client.get("/admin/cases/case/")

    assert response.status_code == 200
    assert reads.used == {DEFAULT_DB_ALIAS}


def test_without_replicas_everything_reads_the_primary(client, replica, case_272, settings):
    settings.DATABASE_REPLICAS = []

    with _Reads(DEFAULT_DB_ALIAS, replica) as reads:
        response = client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/")

    assert response.status_code == 200
    assert reads.used == {DEFAULT_DB_ALIAS}


def test_a_post_marks_the_browser_and_its_next_pages_read_the_primary(
    client, replica, case_272, settings
):
    get_user_model().objects.create_user("registrator", password=PASSWORD, is_staff=True)

    login = client.post("/admin/login/", {"username": "registrator", "password": PASSWORD})
    with _Reads(DEFAULT_DB_ALIAS, replica) as reads:
        page = client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/")

    assert login.status_code == 302
    cookie = login.cookies[db_router.WROTE_COOKIE]
    assert cookie["max-age"] == settings.READ_YOUR_WRITES_SECONDS
    assert cookie["httponly"] is True
    assert page.status_code == 200
    assert reads.used == {DEFAULT_DB_ALIAS}


def test_after_the_window_the_browser_reads_the_replica_again(client, replica, case_272):
    client.cookies[db_router.WROTE_COOKIE] = "1"
    with _Reads(DEFAULT_DB_ALIAS, replica) as marked:
        client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/")
    # The browser drops the cookie when its max-age has passed.
    del client.cookies[db_router.WROTE_COOKIE]
    with _Reads(DEFAULT_DB_ALIAS, replica) as unmarked:
        client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/")

    assert marked.used == {DEFAULT_DB_ALIAS}
    assert unmarked.used == {replica}


def test_a_get_that_writes_reads_the_primary_afterwards_and_marks_the_browser(replica, hv):
    seen = []

    def view(request):
        seen.append(Board.objects.filter(pk=hv.pk).values_list("short_name", flat=True).db)
        Case.objects.filter(pk__lt=0).update(title="x")
        seen.append(Board.objects.filter(pk=hv.pk).values_list("short_name", flat=True).db)
        return HttpResponse("ok")

    middleware = db_router.ReplicaReadsMiddleware(view)
    response = middleware(RequestFactory().get("/namnd/x/"))

    assert seen == [replica, DEFAULT_DB_ALIAS]
    assert response.cookies[db_router.WROTE_COOKIE].value == "1"


def test_sessions_and_logins_are_read_from_the_primary_on_public_pages(replica):
    def view(request):
        return HttpResponse(
            " ".join(
                db_router.ReplicaRouter().db_for_read(model) for model in (Case, get_user_model())
            )
        )

    response = db_router.ReplicaReadsMiddleware(view)(RequestFactory().get("/"))

    assert response.content.decode() == f"{replica} {DEFAULT_DB_ALIAS}"


def test_outside_a_request_everything_uses_the_primary(replica):
    router = db_router.ReplicaRouter()

    assert router.db_for_read(Case) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Case) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(replica, "cases") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "cases") is True


def test_a_replica_that_is_down_is_skipped_without_an_error(client, dead_replica, case_272):
    with _Reads(DEFAULT_DB_ALIAS) as reads:
        response = client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/")

    assert response.status_code == 200
    assert "Medborgarförslag om ängsmark i Grimstaskogen" in response.content.decode()
    assert reads.used == {DEFAULT_DB_ALIAS}
    assert db_router.is_healthy(dead_replica) is False


def test_replica_health_is_cached_for_the_configured_time(replica, settings):
    assert db_router.is_healthy(replica) is True
    _discard(replica)
    _dead(replica)

    cached = db_router.is_healthy(replica)
    settings.REPLICA_HEALTH_SECONDS = 0
    checked = db_router.is_healthy(replica)

    assert (cached, checked) == (True, False)


def test_a_replica_failing_mid_request_is_retried_on_the_primary(client, replica, case_272):
    assert db_router.is_healthy(replica) is True  # cached as healthy for a minute
    # The replica goes away between the health check and the request.
    _discard(replica)
    _dead(replica)

    with _Reads(DEFAULT_DB_ALIAS) as reads:
        response = client.get("/namnd/hasselby-vallingby/arende/HV%202019/272/")

    assert response.status_code == 200
    assert "Medborgarförslag om ängsmark i Grimstaskogen" in response.content.decode()
    assert reads.used == {DEFAULT_DB_ALIAS}
    assert db_router.is_healthy(replica) is False


def test_replica_urls_become_replica_aliases():
    script = (
        "import json; from django.conf import settings; print(json.dumps({a: ["
        "*(settings.DATABASES[a][k] for k in ('HOST', 'PORT', 'OPTIONS')),"
        " settings.DATABASES[a]['TEST']['MIRROR']]"
        " for a in settings.DATABASE_REPLICAS}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": "postgres://portal@primary.example:5432/np",
        "DATABASE_REPLICA_URLS": "postgres://portal@r1.example:5432/np, "
        "postgres://portal@r2.example:6432/np?sslmode=require",
    }

    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert json.loads(result.stdout) == {
        "replica1": ["r1.example", 5432, {"connect_timeout": 2}, "default"],
        "replica2": ["r2.example", 6432, {"sslmode": "require", "connect_timeout": 2}, "default"],
    }


def test_the_replica_lag_of_a_server_not_in_recovery_is_none(replica):
    assert db_router.replica_lag(replica) is None

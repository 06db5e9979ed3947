"""Real streaming replication: a primary and a ``pg_basebackup -R`` replica on loopback ports.

Django's ``default`` connection is pointed at the new primary and ``replica1`` at its replica for
the test; the pages are requested through the test client, so the router and its middleware
decide where each page reads. Both servers and their data are removed afterwards, also on failure.
"""

import copy
import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test.utils import CaptureQueriesContext

from cases.models import Board
from cases.search import candidates
from cases.services import registering
from portal import db_router
from tests.pg_cluster import Cluster

pytestmark = pytest.mark.replication

REPLICA = "replica1"


@pytest.fixture
def cluster():
    cluster = Cluster()
    try:
        cluster.start_primary()
        cluster.start_replica()
        yield cluster
    finally:
        cluster.close()


def _wrapper(alias: str, port: int, **options) -> DatabaseWrapper:
    settings_dict = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict.update(
        ENGINE="django.db.backends.postgresql",
        NAME="postgres",
        USER="postgres",
        PASSWORD="",
        HOST="127.0.0.1",
        PORT=str(port),
        OPTIONS=options,
        CONN_MAX_AGE=0,
    )
    return DatabaseWrapper(settings_dict, alias)


@pytest.fixture
def on_cluster(cluster, django_db_blocker, settings):
    """The cluster's primary as ``default`` (migrated), its replica as the only replica."""
    test_default = connections[DEFAULT_DB_ALIAS]
    primary = _wrapper(DEFAULT_DB_ALIAS, cluster.ports["primary"])
    replica = _wrapper(REPLICA, cluster.ports["replica"], connect_timeout=2)
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.REPLICA_MAX_LAG_SECONDS = 60
    settings.REPLICA_HEALTH_SECONDS = 0
    with django_db_blocker.unblock():
        connections[DEFAULT_DB_ALIAS] = primary
        connections[REPLICA] = replica
        _forget_caches()
        try:
            call_command("migrate", verbosity=0, interactive=False)
            yield cluster
        finally:
            for wrapper in (primary, replica):
                wrapper.close()
            del connections[REPLICA]
            connections[DEFAULT_DB_ALIAS] = test_default
            _forget_caches()


def _forget_caches():
    db_router.forget_health()
    ContentType.objects.clear_cache()
    candidates._cutoff_cache.clear()


def _on_replica(sql: str, params=()):
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _replica_has(dnr: str) -> bool:
    return _on_replica("SELECT count(*) FROM cases_case WHERE dnr = %s", [dnr]) == 1


def _register(dnr: str, title: str):
    return registering.register_case(
        board=Board.objects.get(short_name="Hässelby-Vällingby"),
        dnr=dnr,
        title=title,
        registered_on=datetime.date(2019, 5, 2),
    )


def _get(client, url: str, aliases=(DEFAULT_DB_ALIAS, REPLICA)):
    """The response and which of ``aliases`` ran the page's queries."""
    contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in aliases}
    for context in contexts.values():
        context.__enter__()
    try:
        response = client.get(url)
    finally:
        for context in contexts.values():
            context.__exit__(None, None, None)
    # The router's own health check runs on the replica too; count the page's queries only.
    return response, {
        alias
        for alias, context in contexts.items()
        if any(db_router.LAG_SQL not in query["sql"] for query in context.captured_queries)
    }


def test_pages_read_the_streaming_replica_and_survive_its_loss(on_cluster, client, settings):
    cluster = on_cluster
    _register("HV 2019/272", "Medborgarförslag om ängsmark i Grimstaskogen")
    cluster.wait_for(lambda: _replica_has("HV 2019/272"))

    # Registered on the primary, read from the replica.
    page, used = _get(client, "/namnd/hasselby-vallingby/arende/HV%202019/272/")
    assert page.status_code == 200
    assert "Medborgarförslag om ängsmark i Grimstaskogen" in page.content.decode()
    assert used == {REPLICA}
    assert _on_replica("SELECT pg_is_in_recovery()") is True

    # The replica stops replaying: within the lag limit a visitor reads the replica (the new case
    # is not there yet); the registrar who just wrote reads the primary.
    _on_replica("SELECT pg_wal_replay_pause()::text")
    _register("HV 2019/273", "Skrivelse om belysning i Vällingby centrum")
    page, used = _get(client, "/namnd/hasselby-vallingby/arende/HV%202019/273/")
    assert (page.status_code, used) == (404, {REPLICA})
    client.cookies[db_router.WROTE_COOKIE] = "1"
    page, used = _get(client, "/namnd/hasselby-vallingby/arende/HV%202019/273/")
    assert (page.status_code, used) == (200, {DEFAULT_DB_ALIAS})
    del client.cookies[db_router.WROTE_COOKIE]

    # Lagging beyond the limit: skipped, the primary serves the page.
    settings.REPLICA_MAX_LAG_SECONDS = 1
    cluster.wait_for(lambda: db_router.replica_lag(REPLICA) > 1)
    page, used = _get(client, "/namnd/hasselby-vallingby/arende/HV%202019/273/")
    assert (page.status_code, used) == (200, {DEFAULT_DB_ALIAS})

    # Replaying again, caught up: back on the replica.
    _on_replica("SELECT pg_wal_replay_resume()::text")
    cluster.wait_for(lambda: _replica_has("HV 2019/273"))
    cluster.wait_for(lambda: db_router.replica_lag(REPLICA) == 0)
    page, used = _get(client, "/namnd/hasselby-vallingby/arende/HV%202019/273/")
    assert (page.status_code, used) == (200, {REPLICA})

    # The replica goes down while the router still holds it healthy: the page is read again
    # from the primary; afterwards the replica is skipped.
    settings.REPLICA_HEALTH_SECONDS = 60
    assert db_router.is_healthy(REPLICA) is True
    cluster.stop("replica")
    page, used = _get(
        client, "/namnd/hasselby-vallingby/arende/HV%202019/272/", aliases=[DEFAULT_DB_ALIAS]
    )
    assert page.status_code == 200
    assert "Medborgarförslag om ängsmark i Grimstaskogen" in page.content.decode()
    assert used == {DEFAULT_DB_ALIAS}
    assert db_router.is_healthy(REPLICA) is False
    for url in (
        "/",
        "/sok/?q=belysning",
        "/namnd/hasselby-vallingby/",
        "/namnd/hasselby-vallingby/arende/HV%202019/273/",
    ):
        page, used = _get(client, url, aliases=[DEFAULT_DB_ALIAS])
        assert (url, page.status_code, used) == (url, 200, {DEFAULT_DB_ALIAS})

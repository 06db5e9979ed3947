import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from hypothesis import settings

from cases.models import Board
from cases.search import candidates, estimates

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"

# Property tests check results, not speed: a per-example deadline fails them on a busy CI
# machine (a 336 ms parse under load). Speed is measured in bench/dnr_speed.py.
settings.register_profile("portal", deadline=None)
settings.load_profile("portal")

_board_migration = importlib.import_module("cases.migrations.0003_stockholm_boards")


@pytest.fixture(autouse=True)
def _fresh_search_statistics():
    """Each test reads the planner's statistics anew (queries.recent_cutoff keeps them a
    minute; tests analyse tables of their own)."""
    candidates._cutoff_cache.clear()
    estimates._statistics_cache.clear()


@pytest.fixture
def empty_job_queue(transactional_db):
    """An empty procrastinate queue before and after the test. Its tables are not flushed
    between transactional tests, and a worker's periodic deferrer leaves the next digest job
    queued under the lock "alert-digest": a later test's defer of the digest would then be
    refused as already queued."""
    from django.db import connection

    def empty():
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs"
            )

    empty()
    yield
    empty()


@pytest.fixture
def boards(db):
    """Stockholm's boards. Transactional tests truncate the tables a data migration filled,
    so the fixture puts them back (idempotently) when they are missing."""
    if not Board.objects.exists():
        _board_migration.add_boards(apps, None)
    return Board.objects.all()


@pytest.fixture
def hv(boards) -> Board:
    return Board.objects.get(short_name="Hässelby-Vällingby")


@pytest.fixture
def ks(boards) -> Board:
    return Board.objects.get(short_name="Kommunstyrelsen")


@pytest.fixture(scope="module")
def seeds(django_db_setup, django_db_blocker):
    """The four seeds imported once for the module, rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("import_documents", str(SEEDS), board="Hässelby-Vällingby", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def imported(seeds, db):
    """The seeds in the register, for one test (use with ``seeds``)."""
    return None


# Fixtures of the request-to-see-handlings tests, and a real SMTP server (aiosmtpd).
from .access_fixtures import register  # noqa: E402, F401
from .smtp import smtp_inbox  # noqa: E402, F401

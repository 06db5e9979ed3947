"""Imports and index rebuilds as procrastinate jobs, run by a real worker (cases/background.py)."""

import io
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob

from cases import background
from cases.models import BackgroundRun, Case, Document, SearchEntry

SEEDS = Path(__file__).resolve().parent.parent / "demo" / "seeds"


def _run_worker() -> None:
    """A worker that runs what is queued and stops (as ``manage.py procrastinate worker``)."""
    with app.replace_connector(app.connector.get_worker_connector()):
        app.run_worker(
            queues=["imports"], wait=False, install_signal_handlers=False, listen_notify=False
        )


@pytest.fixture
def folder(tmp_path):
    """Three seeds (the long 002 would only make the tests slow)."""
    target = tmp_path / "handlingar"
    target.mkdir()
    for name in (
        "000_c565dac7b2e20d9e.txt",
        "003_9a413c8b3096659a.txt",
        "004_d89b0ecc961349f8.txt",
    ):
        shutil.copy(SEEDS / name, target / name)
    return target


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_job_queue")
def test_background_import_runs_in_the_worker_not_the_command(hv, folder):
    out = io.StringIO()

    call_command("import_documents", str(folder), board="HV", background=True, stdout=out)
    run = BackgroundRun.objects.get()
    queued = (run.state, Document.objects.count())
    _run_worker()
    run.refresh_from_db()

    assert out.getvalue() == f"Köad: {folder} (bakgrundsjobb {run.pk}).\n"
    assert queued == (BackgroundRun.State.QUEUED, 0)
    assert (run.kind, run.board, run.state, run.done, run.total, run.failures) == (
        BackgroundRun.Kind.IMPORT,
        hv,
        BackgroundRun.State.DONE,
        3,
        3,
        "",
    )
    assert Document.objects.count() > 0
    # (a worker also defers the periodic alert digest when it starts: not this test's job)
    jobs = ProcrastinateJob.objects.exclude(task_name="cases.send_alert_digests")
    assert list(jobs.values_list("task_name", "status", "lock")) == [
        ("cases.import_folder", "succeeded", f"import:{hv.pk}:{folder}")
    ]


@pytest.mark.django_db
def test_a_folder_is_queued_once_at_a_time(hv, folder):
    call_command("import_documents", str(folder), board="HV", background=True, stdout=io.StringIO())

    with pytest.raises(CommandError) as error:
        call_command("import_documents", str(folder), board="HV", background=True)

    assert str(error.value) == f"”{folder}” väntar redan på att läsas in."
    assert BackgroundRun.objects.count() == 1


@pytest.mark.django_db
def test_a_run_is_claimed_once(hv, folder):
    run = background.start_import(board=hv, path=str(folder))

    first = background.run_import(run.pk)
    documents = Document.objects.count()
    second = background.run_import(run.pk)

    assert (first.state, second) == (BackgroundRun.State.DONE, None)
    assert Document.objects.count() == documents


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_job_queue")
def test_two_workers_importing_the_same_folder_never_double_import(hv, folder):
    alone = background.run_import(background.start_import(board=hv, path=str(folder)).pk)
    expected = sorted(Document.objects.values_list("case__dnr", "sequence", "title"))
    Document.objects.update(title="ändrad")  # the next imports must write the files again
    runs = []
    for _ in range(2):
        run = BackgroundRun.objects.create(
            kind=BackgroundRun.Kind.IMPORT, board=hv, path=str(folder)
        )
        runs.append(run.pk)
    errors = []

    def work(run_id):
        try:
            background.run_import(run_id)
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(run_id,)) for run_id in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert alone.state == BackgroundRun.State.DONE
    assert sorted(Document.objects.values_list("case__dnr", "sequence", "title")) == expected
    assert list(BackgroundRun.objects.filter(pk__in=runs).values_list("state", "done")) == [
        (BackgroundRun.State.DONE, 3),
        (BackgroundRun.State.DONE, 3),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_job_queue")
def test_background_index_rebuild_restores_the_search_rows(hv, folder):
    background.run_import(background.start_import(board=hv, path=str(folder)).pk)
    expected = SearchEntry.objects.count()
    SearchEntry.objects.all().delete()

    call_command("rebuild_search_index", background=True, stdout=io.StringIO())
    _run_worker()

    run = BackgroundRun.objects.get(kind=BackgroundRun.Kind.REINDEX)
    assert (run.state, run.done, run.total) == (
        BackgroundRun.State.DONE,
        Document.objects.count(),
        Document.objects.count(),
    )
    assert SearchEntry.objects.count() == expected
    assert Case.objects.count() > 0


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_admin_lists_runs_with_their_progress(client, hv, count, django_assert_num_queries):
    for number in range(count):
        BackgroundRun.objects.create(
            kind=BackgroundRun.Kind.IMPORT,
            board=hv,
            path=f"/srv/import/{number}",
            state=BackgroundRun.State.RUNNING,
            total=40,
            done=10,
        )
    client.force_login(
        get_user_model().objects.create_superuser("admin", password="Ett-långt-lösenord-2026")
    )

    with django_assert_num_queries(15):
        response = client.get("/admin/cases/backgroundrun/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("10 av 40 (25 %)") == count
    assert html.count("Pågår") == count + 1  # and once in the state filter


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("empty_job_queue")
def test_a_file_being_imported_elsewhere_is_waited_for(hv, folder):
    first = sorted(folder.iterdir())[0]
    run = BackgroundRun.objects.create(kind=BackgroundRun.Kind.IMPORT, board=hv, path=str(folder))
    key = f"import-file:{first}"
    with connection.cursor() as cursor:
        # Another worker is importing the first file (holds its lock).
        cursor.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [key])
    worker = threading.Thread(target=lambda: (background.run_import(run.pk), connection.close()))
    worker.start()
    try:
        waited = _wait_until(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )
        run.refresh_from_db()
        done_while_waiting = run.done
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
        worker.join()
    run.refresh_from_db()

    assert (waited, done_while_waiting) == (True, 0)
    assert (run.state, run.done) == (BackgroundRun.State.DONE, 3)


def _wait_until(sql: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False

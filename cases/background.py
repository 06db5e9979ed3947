"""Imports and index rebuilds as background runs: queued by a command, run by a worker.

The web process never runs them: ``start_*`` records a ``BackgroundRun`` and defers a
procrastinate job in the same transaction; a worker (``manage.py procrastinate worker``, on any
machine that reaches the database) calls ``run_*``. No double import, however many workers:

- a folder can be queued once at a time (procrastinate's ``queueing_lock``) and its jobs run one
  at a time (``lock``);
- a run is claimed once (queued -> running in one UPDATE);
- each file (each batch of a large text file) is imported under a transaction-level advisory
  lock on its name, so two runs of overlapping folders take turns, and the second updates in
  place what the first imported (``importing.import_file`` is idempotent per file).
"""

from __future__ import annotations

import traceback
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from procrastinate.exceptions import AlreadyEnqueued

from .importers import files
from .models import BackgroundRun, Board, Case, Document
from .services import importing, indexing

REINDEX_BATCH = 500


class AlreadyQueued(Exception):
    """The same folder, or an index rebuild, is already waiting for a worker."""


@transaction.atomic
def start_import(*, board: Board, path: str) -> BackgroundRun:
    from . import tasks

    path = str(Path(path).resolve())
    run = BackgroundRun.objects.create(kind=BackgroundRun.Kind.IMPORT, board=board, path=path)
    lock = f"import:{board.pk}:{path}"
    try:
        tasks.import_folder.configure(lock=lock, queueing_lock=lock).defer(run_id=run.pk)
    except AlreadyEnqueued as error:
        transaction.set_rollback(True)
        raise AlreadyQueued(path) from error
    return run


@transaction.atomic
def start_reindex(*, queue: bool = True) -> BackgroundRun:
    """A rebuild run, deferred to a worker (or, ``queue=False``, for the caller to run)."""
    from . import tasks

    run = BackgroundRun.objects.create(kind=BackgroundRun.Kind.REINDEX)
    if not queue:
        return run
    try:
        tasks.rebuild_search_index.configure(lock="reindex", queueing_lock="reindex").defer(
            run_id=run.pk
        )
    except AlreadyEnqueued as error:
        transaction.set_rollback(True)
        raise AlreadyQueued("reindex") from error
    return run


def _claim(run_id: int) -> BackgroundRun | None:
    claimed = BackgroundRun.objects.filter(pk=run_id, state=BackgroundRun.State.QUEUED).update(
        state=BackgroundRun.State.RUNNING, started_at=timezone.now()
    )
    return BackgroundRun.objects.get(pk=run_id) if claimed else None


def _finish(run: BackgroundRun, failures: list[str]) -> None:
    BackgroundRun.objects.filter(pk=run.pk).update(
        state=BackgroundRun.State.FAILED if failures else BackgroundRun.State.DONE,
        failures="\n".join(failures),
        finished_at=timezone.now(),
    )


def _step(run: BackgroundRun, count: int = 1) -> None:
    # Outside the file's transaction, so the admin sees the progress as it is made.
    BackgroundRun.objects.filter(pk=run.pk).update(done=F("done") + count)


def _step_file(run: BackgroundRun, failures: list[str], imported: list[str]) -> None:
    BackgroundRun.objects.filter(pk=run.pk).update(
        done=F("done") + 1,
        failed=len(failures),
        failures="\n".join(failures),
        imported="\n".join(imported),
    )


def run_import(run_id: int) -> BackgroundRun | None:
    """Import every file of the run's folder, one transaction per file (as the command). A
    file that cannot be read is listed with its Swedish reason and the others are imported;
    the run then ends as failed, with both lists in the admin."""
    run = _claim(run_id)
    if run is None:
        return None
    paths, refused = files.collect_files([run.path])
    failures = [f"{item.path}: {item.reason}" for item in refused]
    imported: list[str] = []
    BackgroundRun.objects.filter(pk=run.pk).update(
        total=len(paths) + len(refused),
        done=len(refused),
        failed=len(refused),
        failures="\n".join(failures),
    )
    if not paths and not refused:
        failures.append(f"Hittade inga .txt-, .pdf- eller .docx-filer i {run.path}.")
    try:
        for path in paths:
            try:
                result = _import_one(run, path)
                imported.append(
                    f"{path}: {result.documents_created} nya och "
                    f"{result.documents_updated} uppdaterade handlingar"
                )
            except importing.FILE_ERRORS as error:
                failures.append(f"{path}: {error}")
            _step_file(run, failures, imported)
    except Exception:
        failures.append(traceback.format_exc(limit=3))
        _finish(run, failures)
        raise
    _finish(run, failures)
    run.refresh_from_db()
    return run


def _import_one(run: BackgroundRun, path: Path) -> importing.ImportResult:
    # Not in a transaction of its own: a large text file commits batch by batch (each under
    # the file's advisory lock), so a stopped worker's next run resumes it.
    return importing.import_file(path=path, board=run.board, source_file=str(path))


def run_reindex(run_id: int) -> BackgroundRun | None:
    """Rebuild every document's search row and every case's title row, then the vocabulary."""
    run = _claim(run_id)
    if run is None:
        return None
    document_ids = list(Document.objects.order_by("pk").values_list("pk", flat=True))
    case_ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
    BackgroundRun.objects.filter(pk=run.pk).update(total=len(document_ids))
    failures: list[str] = []
    try:
        for start in range(0, len(document_ids), REINDEX_BATCH):
            batch = document_ids[start : start + REINDEX_BATCH]
            with transaction.atomic():
                for document in Document.objects.filter(pk__in=batch):
                    indexing.index_document(document=document)
            _step(run, len(batch))
        for start in range(0, len(case_ids), REINDEX_BATCH):
            indexing.index_cases(case_ids[start : start + REINDEX_BATCH])
        indexing.rebuild_search_vocabulary()
    except Exception:
        failures.append(traceback.format_exc(limit=3))
        _finish(run, failures)
        raise
    _finish(run, failures)
    run.refresh_from_db()
    return run

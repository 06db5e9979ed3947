"""Large text files import in batches that each commit on their own, and a run that was
stopped resumes after the last committed batch (cases/importers/batches.py,
importing.import_file)."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from cases.importers import batches, files
from cases.models import Document, ImportProgress
from cases.services import importing

HANDLING = "\n".join(
    [
        "Handläggare",
        "Anna Andersson",
        "Telefon: 08-508 04 000",
        "Till",
        "Hässelby-Vällingby stadsdelsnämnd",
        "2019-08-29",
        "Dnr HV 2019/{number}",
        "",
        "Parkbänkar vid kaj {number}",
        "",
        "Förslag till beslut",
        "Stadsdelsnämnden godkänner förvaltningens tjänsteutlåtande.",
        "Sammanfattning",
        "Förvaltningen föreslår fler parkbänkar längs strandpromenaden vid kaj {number}.",
        "",
        "",
    ]
)
NUMBERS = range(1001, 1061)  # sixty handlingar, every one the same length
LENGTH = len(HANDLING.format(number=1001)) + 1


def _write_pack(path, numbers=NUMBERS):
    path.write_text("".join(HANDLING.format(number=n) + "\n" for n in numbers), encoding="utf-8")
    return path


def _imported() -> list[tuple[str, int]]:
    return list(Document.objects.order_by("source_start").values_list("case__dnr", "source_start"))


EXPECTED = [(f"HV 2019/{n}", i * LENGTH) for i, n in enumerate(NUMBERS)]


def test_batches_end_where_a_handling_starts(tmp_path):
    path = _write_pack(tmp_path / "stor.txt")
    offset, texts = 0, []
    while True:
        batch = batches.read_batch(path, offset=offset, size=1000, encoding="utf-8-sig")
        texts.append(batch.text)
        offset = batch.end
        if batch.last:
            break

    assert "".join(texts) == path.read_text(encoding="utf-8")
    assert {len(text) % LENGTH for text in texts} == {0}
    assert len(texts) == 20


def test_batched_import_equals_one_transaction(db, hv, tmp_path):
    path = _write_pack(tmp_path / "stor.txt")

    result = importing.import_file(path=path, board=hv, source_file="stor.txt", batch_bytes=1000)

    progress = ImportProgress.objects.get()
    assert _imported() == EXPECTED
    assert (result.documents_created, result.cases_created) == (60, 60)
    assert (progress.batches, progress.offset, progress.size) == (
        20,
        path.stat().st_size,
        path.stat().st_size,
    )
    assert progress.finished_at is not None


def test_import_again_in_batches_updates_in_place(db, hv, tmp_path):
    path = _write_pack(tmp_path / "stor.txt")
    importing.import_file(path=path, board=hv, source_file="stor.txt", batch_bytes=1000)
    before = list(Document.objects.order_by("pk").values_list("pk", "case__dnr", "title"))

    result = importing.import_file(path=path, board=hv, source_file="stor.txt", batch_bytes=1000)

    assert list(Document.objects.order_by("pk").values_list("pk", "case__dnr", "title")) == before
    assert (result.documents_created, result.documents_updated, result.warnings) == (0, 0, [])


def test_a_batch_whose_file_changed_commits_nothing_and_the_next_run_resumes(db, hv, tmp_path):
    path = _write_pack(tmp_path / "stor.txt")
    seen = []

    def touch_in_second_batch(line: str) -> None:
        seen.append(line)
        if len(seen) == 4:  # the first handling of the second batch is written
            os.utime(path, ns=(1, 1))

    with pytest.raises(files.FileRefused) as error:
        importing.import_file(
            path=path,
            board=hv,
            source_file="stor.txt",
            batch_bytes=1000,
            progress=touch_in_second_batch,
        )
    first_batch = _imported()
    progress = ImportProgress.objects.get()
    stopped_at = (progress.batches, progress.chars, progress.finished_at)

    result = importing.import_file(path=path, board=hv, source_file="stor.txt", batch_bytes=1000)

    assert str(error.value) == (
        "Filen ändrades medan den lästes in. Det som redan sparats finns kvar; läs in filen igen."
    )
    assert first_batch == EXPECTED[:3]
    assert stopped_at == (1, 3 * LENGTH, None)
    assert _imported() == EXPECTED
    assert result.documents_created == 57
    assert result.warnings == [
        f"stor.txt: fortsätter efter 1 inlästa omgångar (från byte {progress.offset} av "
        f"{path.stat().st_size}), där en avbruten inläsning slutade."
    ]


def test_a_changed_file_is_imported_from_the_start(db, hv, tmp_path):
    path = _write_pack(tmp_path / "stor.txt")
    importing.import_file(path=path, board=hv, source_file="stor.txt", batch_bytes=1000)
    ImportProgress.objects.update(finished_at=None, offset=2000, batches=6)  # as if stopped
    path.write_text(path.read_text(encoding="utf-8").replace("parkbänkar", "sittbänkar"))

    result = importing.import_file(path=path, board=hv, source_file="stor.txt", batch_bytes=1000)

    assert (result.documents_created, result.documents_updated, result.warnings) == (0, 60, [])
    assert ImportProgress.objects.get().batches == 20
    assert _imported() == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_killed_import_resumes_and_imports_each_handling_once(hv, tmp_path):
    path = _write_pack(tmp_path / "stor.txt")
    env = {**_test_database_env(), "PORTAL_IMPORT_BATCH_BYTES": "1000"}
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_documents", "--board", "HV", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not ImportProgress.objects.filter(batches__gte=1).exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stderr.close()
    progress = ImportProgress.objects.get()
    committed = progress.chars // LENGTH
    after_kill = _imported()

    call_command("import_documents", str(path), board="HV", verbosity=0)

    assert 0 < progress.offset < path.stat().st_size
    assert progress.finished_at is None
    # Only whole batches: every handling before the recorded position, none after it.
    assert after_kill == EXPECTED[:committed]
    assert progress.chars == committed * LENGTH
    assert _imported() == EXPECTED
    assert Document.objects.count() == 60


def _test_database_env() -> dict[str, str]:
    """The environment that points a ``manage.py`` child at this test's database."""
    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database["ENGINE"] == "portal.embedded_postgres":
        env["EMBEDDED_POSTGRES_DIR"] = str(settings.EMBEDDED_POSTGRES_DIR)
        env["EMBEDDED_POSTGRES_DB"] = database["NAME"]
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
            f"{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    return env

"""Time a fresh import of the seed documents (demo/seeds) and a second, unchanged import.

Prints wall-clock time and this process's CPU time (the rest is PostgreSQL and waiting; on
a shared machine the wall-clock time varies with the load).

Runs against a throwaway copy of the configured database (Django's test database, created
and destroyed here), so the dev data is untouched and the first import really is the first:

    .venv/bin/python bench/import_seeds.py
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from cases.models import Case, Document, Reference  # noqa: E402

SEEDS = ROOT / "demo" / "seeds"


def main() -> None:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for label in ("första inläsningen", "andra inläsningen (oförändrad)"):
            started, cpu = time.perf_counter(), time.process_time()
            call_command("import_documents", str(SEEDS), board="Hässelby-Vällingby", verbosity=0)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            print(
                f"{label}: {seconds:.2f} s ({cpu:.2f} s CPU i Python) — "
                f"{Case.objects.count()} ärenden, "
                f"{Document.objects.count()} handlingar, {Reference.objects.count()} hänvisningar"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

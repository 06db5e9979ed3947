"""Import one large synthetic text file: wall time, MB/s and peak memory, for several sizes.

The file is the four seed texts (demo/seeds) repeated until it reaches the size, each
repetition with its case numbers moved to a series of its own (``HV 2019/376`` becomes
``HV 2019/1376``, then ``HV 2019/2376``, ...), so every repetition registers new cases and
handlingar. Each size is imported by ``manage.py import_documents`` in a child process into a
fresh throwaway database (Django's test database, created and destroyed here); the peak
memory is the child's maximum resident set size (``os.wait4``). Equal MB/s for 5 and 50 MB
means the time grows linearly with the size. On a shared machine the times vary with the load.

    .venv/bin/python bench/import_large.py                 # 5 and 50 MB
    .venv/bin/python bench/import_large.py --sizes 5,50,100 --batch-bytes 1000000
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

SEEDS = ROOT / "demo" / "seeds"
MB = 1024 * 1024
# A case number's year and löpnummer (``2019/376``), not a longer number or a date.
CASE_NUMBER = re.compile(r"(?<![\d/])((?:19|20)\d\d/)(\d{1,3})(?![\d/])")


def build_file(path: Path, size: int) -> int:
    """Write ``size`` bytes or a little more of renumbered seed texts; the repetitions."""
    seeds = "".join(p.read_text(encoding="utf-8") + "\n\n" for p in sorted(SEEDS.glob("*.txt")))
    written, repetition = 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < size:
            repetition += 1
            text = CASE_NUMBER.sub(
                lambda m, r=repetition: f"{m.group(1)}{r * 1000 + int(m.group(2))}", seeds
            )
            out.write(text)
            written += len(text.encode("utf-8"))
    return repetition


def child_env(batch_bytes: int) -> dict[str, str]:
    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PORTAL_IMPORT_BATCH_BYTES"] = str(batch_bytes)
    if database["ENGINE"] == "portal.embedded_postgres":
        env["EMBEDDED_POSTGRES_DIR"] = str(settings.EMBEDDED_POSTGRES_DIR)
        env["EMBEDDED_POSTGRES_DB"] = database["NAME"]
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
            f"{database['HOST']}:{database['PORT'] or 5432}/{database['NAME']}"
        )
    return env


def import_once(path: Path, batch_bytes: int) -> tuple[float, float, int]:
    """Seconds, peak RSS in MB and exit status of one import in a child process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_documents", "--board", "HV", "-v", "0", str(path)],
        cwd=ROOT,
        env=child_env(batch_bytes),
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, child.returncode


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a fixed table name)
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="5,50", help="file sizes in MB, comma-separated")
    parser.add_argument("--batch-bytes", type=int, default=settings.PORTAL_IMPORT_BATCH_BYTES)
    options = parser.parse_args()
    print(f"PORTAL_IMPORT_BATCH_BYTES={options.batch_bytes}; {os.cpu_count()} kärnor (delade)")
    print(
        f"{'MB':>6} {'handlingar':>10} {'ärenden':>8} {'sekunder':>9} {'MB/s':>7} {'topp-RSS MB':>12}"
    )
    old_name = connection.settings_dict["NAME"]
    with tempfile.TemporaryDirectory() as folder:
        for size in (float(s) for s in options.sizes.split(",")):
            path = Path(folder) / f"stor_{size:g}MB.txt"
            build_file(path, int(size * MB))
            megabytes = path.stat().st_size / MB
            connection.creation.create_test_db(verbosity=0, autoclobber=True)
            try:
                seconds, peak, status = import_once(path, options.batch_bytes)
                documents, cases = count("cases_document"), count("cases_case")
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
            state = "" if status == 0 else f"  (slutstatus {status})"
            print(
                f"{megabytes:6.1f} {documents:10d} {cases:8d} {seconds:9.1f} "
                f"{megabytes / seconds:7.3f} {peak:12.0f}{state}",
                flush=True,
            )


if __name__ == "__main__":
    main()

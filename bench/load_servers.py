"""The servers of bench/load.py: the primary, a streaming replica of it, gunicorn.

Two kinds of primary:

- private (the default): a server initialised for the run, the bench corpus restored into it
  with pg_restore (12 minutes at 100k; too slow at 1M);
- existing (``--primary-url``): a database already on a server, e.g. the 1M bench corpus on the
  local PostgreSQL. The site reads it through a connection whose every transaction is read-only
  (``default_transaction_read_only``): the load test cannot change a shared corpus, and a page
  that tried to write would show up as a 5xx in the table.

The replica is ``pg_basebackup -R`` of the primary's whole server into a private data folder on a
loopback port, streaming from it; it and its data are removed at the end (``Cluster.close``).
Replicating an existing server needs a ``host replication postgres 127.0.0.1/32`` line in its
pg_hba.conf (a reload, no restart) and disk for a copy of every database on that server.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent

# A hot standby refuses to start with less of these than its primary; the others keep the
# replica's memory and planner settings the primary's, so the two rows compare like with like.
STANDBY_SETTINGS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "random_page_cost",
    "jit",
)

# On a busy shared server a base backup can be cut off (seen once: PostgreSQL 15.20 ended the
# backup's WAL stream, "terminating process ... to release replication slot", when another
# session's immediate checkpoint ran as the backup started); the copy is then simply made again.
BASEBACKUP_ATTEMPTS = 3

REPLICA_STATE_SQL = """
SELECT (SELECT status FROM pg_stat_wal_receiver),
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _connect(url: str, database: str | None = None):
    import psycopg

    if database is not None:
        url = urlunsplit(urlsplit(url)._replace(path=f"/{database}", query=""))
    return psycopg.connect(url, autocommit=True, connect_timeout=10)


def server_bin(url: str) -> Path:
    """The PostgreSQL programs of the major version the server at ``url`` runs."""
    with _connect(url, "postgres") as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    return Path(f"/usr/lib/postgresql/{major}/bin")


def server_of(url: str) -> str:
    """``postgres://user@host:port`` of a database URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def read_only(url: str) -> str:
    """``url`` with every transaction read-only (libpq ``options``)."""
    parts = urlsplit(url)
    option = "options=-c%20default_transaction_read_only%3Don"
    return urlunsplit(parts._replace(query=f"{parts.query}&{option}" if parts.query else option))


def on_port(url: str, port: int) -> str:
    """The same database and user on another loopback port."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}", query=""))


def private_primary(cluster, *, source: str, database: str, log) -> str:
    """Start ``cluster``'s primary and restore the bench database into it; its URL."""
    cluster.start_primary()
    with open(cluster.data("primary") / "postgresql.conf", "a") as conf:
        conf.write("shared_buffers = 512MB\nmax_connections = 200\nmaintenance_work_mem = 1GB\n")
    cluster.stop("primary")
    cluster.start("primary")
    dump = Path(tempfile.gettempdir()) / f"{database}.dump"
    started = time.monotonic()
    if not dump.exists():
        subprocess.run(
            [str(cluster.bin / "pg_dump"), "-Fc", "-Z1", "-f", str(dump), f"{source}/{database}"],
            check=True,
        )
    port = cluster.ports["primary"]
    subprocess.run(
        [str(cluster.bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", database],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [
            str(cluster.bin / "pg_restore"),
            "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
            "-d", database, "-j", "2", "--no-owner", str(dump),
        ],
        check=True,
    )  # fmt: skip
    subprocess.run(
        [str(cluster.bin / "vacuumdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
         "--analyze-only", database],
        check=True,
    )  # fmt: skip
    log(f"  restored {database} into a private primary in {time.monotonic() - started:.0f} s")
    return f"postgres://postgres@127.0.0.1:{port}/{database}"


def start_replica(cluster, *, primary: str, log) -> str:
    """A streaming replica of the server holding ``primary``; the same database's URL on it."""
    parts = urlsplit(primary)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"The replica is made on this machine: {primary} is not a loopback URL")
    with _connect(primary) as conn:
        conf = "".join(
            f"{name} = '{conn.execute(f'SHOW {name}').fetchone()[0]}'\n"
            for name in STANDBY_SETTINGS
        )
        size = int(conn.execute("SELECT sum(pg_database_size(oid)) FROM pg_database").fetchone()[0])
    cluster.ports.setdefault("primary", parts.port or 5432)
    started = time.monotonic()
    log(f"  pg_basebackup of the primary's server ({size / 1e9:.1f} GB) ...")
    for attempt in range(1, BASEBACKUP_ATTEMPTS + 1):
        try:
            cluster.start_replica(conf=conf, timeout=3600)
            break
        except RuntimeError as error:
            if "pg_hba.conf" in str(error):
                raise SystemExit(
                    f"{error}\nThe primary's server allows no replication connection from "
                    "127.0.0.1: add 'host replication postgres 127.0.0.1/32 trust' (or "
                    "scram-sha-256) to its pg_hba.conf and reload it (pg_ctlcluster VERSION main "
                    "reload)."
                ) from None
            if attempt == BASEBACKUP_ATTEMPTS:
                raise
            log(f"  pg_basebackup failed, once more: {str(error).strip().splitlines()[-2:]}")
            shutil.rmtree(cluster.data("replica"), ignore_errors=True)
    url = on_port(primary, cluster.ports["replica"])
    cluster.wait_for(lambda: replica_state(url)[0] == "streaming", timeout=120)
    log(
        f"  replica streaming on port {cluster.ports['replica']} "
        f"({time.monotonic() - started:.0f} s to copy and start)"
    )
    return url


def replica_state(url: str) -> tuple[str | None, float]:
    """The replica's WAL receiver status (``streaming``) and its replay lag in seconds."""
    with _connect(url) as conn:
        status, lag = conn.execute(REPLICA_STATE_SQL).fetchone()
    return status, float(lag)


def transactions(url: str) -> int:
    """Transactions the server has counted in ``url``'s database (all sessions)."""
    with _connect(url) as conn:
        row = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()"
        ).fetchone()
    return int(row[0])


@contextlib.contextmanager
def gunicorn(*, workers: int, env: dict, venv_bin: Path):
    port = free_port()
    process = subprocess.Popen(
        [
            str(venv_bin / "gunicorn"),
            "portal.wsgi:application",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers),
            "--timeout", "120",
            "--backlog", "2048",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(env["NP_LOAD_DIR"]) / "gunicorn.log", "a"),
        start_new_session=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/tillganglighet/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start; see gunicorn.log") from None
                time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

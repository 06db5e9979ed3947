"""``scripts/run.sh`` (``python -m portal.run``): stopping the portal stops everything it
started, the embedded PostgreSQL included, and leaves alone a server it did not start."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psutil
import pytest
from django.conf import settings

from portal.embedded_postgres.server import server_running, stop_running_server


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One data folder for the module: the first run migrates and loads the demo data, the
    later ones start on it."""
    folder = tmp_path_factory.mktemp("run") / "pgdata"
    yield folder
    stop_running_server(folder)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _env(data_dir, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        EMBEDDED_POSTGRES_DIR=str(data_dir),
        EMBEDDED_POSTGRES_DB="portal_run",
        PORTAL_ADDRESS=f"127.0.0.1:{port}",
    )
    return env


def _start_portal(data_dir, port: int, log) -> subprocess.Popen:
    # A session of its own, like a terminal's foreground job: Ctrl-C goes to its group.
    return subprocess.Popen(
        [sys.executable, "-m", "portal.run"],
        cwd=settings.BASE_DIR,
        env=_env(data_dir, port),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for_home_page(port: int, portal: subprocess.Popen, log_path) -> int:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        assert portal.poll() is None, log_path.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                return response.status
        except OSError:
            time.sleep(0.5)
    raise AssertionError(log_path.read_text())


def _postmasters(data_dir) -> list[int]:
    """Postgres processes serving ``data_dir`` (the postmaster's command line names it)."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(data_dir) in (process.info["cmdline"] or []):
            found.append(process.pid)
    return found


def _run_and_stop(data_dir, tmp_path, stop) -> tuple[int, int, int]:
    """Start the portal, wait for its home page, ``stop(portal)``; status, exit code, port."""
    port = _free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        portal = _start_portal(data_dir, port, log)
        try:
            status = _wait_for_home_page(port, portal, log_path)
            stop(portal)
            code = portal.wait(timeout=120)
        finally:
            if portal.poll() is None:
                os.killpg(portal.pid, signal.SIGKILL)
    return status, code, port


@pytest.mark.parametrize(
    ("stop", "expected_code"),
    [
        (lambda portal: os.killpg(portal.pid, signal.SIGINT), 128 + signal.SIGINT),  # Ctrl-C
        (lambda portal: portal.send_signal(signal.SIGTERM), 128 + signal.SIGTERM),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_stopping_the_portal_stops_its_database(data_dir, tmp_path, stop, expected_code):
    status, code, port = _run_and_stop(data_dir, tmp_path, stop)

    assert (status, code) == (200, expected_code)
    assert _postmasters(data_dir) == []
    assert (data_dir / "postmaster.pid").exists() is False
    assert _port_is_free(port) is True


def test_the_web_server_dying_stops_the_worker_and_the_database(data_dir, tmp_path):
    started = []

    def kill_web_server(portal):
        children = psutil.Process(portal.pid).children()
        started.extend(psutil.Process(portal.pid).children(recursive=True))
        (server,) = [child for child in children if "runserver" in child.cmdline()[2:4]]
        os.killpg(server.pid, signal.SIGKILL)

    status, code, port = _run_and_stop(data_dir, tmp_path, kill_web_server)

    assert (status, code) == (200, 1)
    assert len(started) >= 2  # the worker and the web server (and its reloader's child)
    assert [process for process in started if process.is_running()] == []
    assert _postmasters(data_dir) == []
    assert _port_is_free(port) is True


def test_a_database_that_was_already_running_is_left_running(data_dir, tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from portal.embedded_postgres.server import start_server; "
            "start_server(sys.argv[1], database='portal_run')",
            str(data_dir),
        ],
        cwd=settings.BASE_DIR,
        env=_env(data_dir, 0),
        check=True,
    )
    running = _postmasters(data_dir)

    status, code, port = _run_and_stop(
        data_dir, tmp_path, lambda portal: portal.send_signal(signal.SIGTERM)
    )

    assert (status, code) == (200, 128 + signal.SIGTERM)
    assert len(running) == 1
    assert _postmasters(data_dir) == running
    assert server_running(data_dir) is True
    assert _port_is_free(port) is True

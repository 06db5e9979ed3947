"""The embedded default: a real PostgreSQL started on demand, data kept across restarts."""

import os
import subprocess
import sys

import psycopg
from django.conf import settings

from portal.embedded_postgres.server import ensure_server, stop_server


def test_embedded_server_keeps_data_across_restarts(tmp_path):
    data_dir = tmp_path / "pgdata"

    socket_dir = ensure_server(data_dir, database="portal_test")
    with psycopg.connect(host=socket_dir, user="postgres", dbname="portal_test") as conn:
        version = conn.execute("SHOW server_version_num").fetchone()[0]
        conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.execute("CREATE TABLE note (body text)")
        conn.execute("INSERT INTO note VALUES ('Förvaltningens förslag')")
    stop_server(data_dir)
    socket_dir = ensure_server(data_dir, database="portal_test")
    with psycopg.connect(host=socket_dir, user="postgres", dbname="portal_test") as conn:
        rows = conn.execute("SELECT body, unaccent(body) FROM note").fetchall()
    stop_server(data_dir)

    assert int(version) >= 150000
    assert rows == [("Förvaltningens förslag", "Forvaltningens forslag")]


def test_commands_without_database_do_not_start_embedded_server(tmp_path):
    data_dir = tmp_path / "never-created"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["EMBEDDED_POSTGRES_DIR"] = str(data_dir)

    result = subprocess.run(
        [sys.executable, "manage.py", "help", "migrate"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert not data_dir.exists()


def test_a_process_list_left_empty_by_a_killed_process_does_not_stop_the_next_start(tmp_path):
    data_dir = tmp_path / "pgdata"
    ensure_server(data_dir, database="portal_test")
    stop_server(data_dir)
    pids = data_dir / ".handle_pids.json"
    assert pids.exists()
    pids.write_text("")  # truncated, then killed before writing

    socket_dir = ensure_server(data_dir, database="portal_test")
    with psycopg.connect(host=socket_dir, user="postgres", dbname="portal_test") as conn:
        answer = conn.execute("SELECT 1").fetchone()[0]
    listed = pids.read_text()
    stop_server(data_dir)

    assert answer == 1
    assert str(os.getpid()) in listed

"""HTTP load test: Locust (headless, loopback only) against gunicorn, with and without a replica.

    .venv/bin/pip install '.[bench]'
    .venv/bin/python bench/load.py --size 100000            # the corpus must exist (bench/search.py)

For each configuration (no replica / one streaming replica; 1 and 2 gunicorn workers per core)
the offered load rises step by step (visitors asking one page a second each, the mix of
bench/locustfile.py) until p95 passes 200 ms or a request fails; the last step that held is the
sustained load, and one more step at twice that load shows what overload does (slower, never a
5xx). Prints one table.

The servers are private: a primary initialised for the run (the bench corpus restored into it
with pg_restore) and, for the replica rows, a ``pg_basebackup -R`` streaming replica of it, both
on loopback ports, both removed at the end. Everything runs on this machine: the replica adds no
CPU here, it shows the routing's cost and that the site keeps its numbers while reading it.
The numbers and what they mean for Stockholm and a national portal: docs/capacity.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
import corpus  # noqa: E402

VENV_BIN = Path(sys.executable).parent
P95_LIMIT_MS = 200


@dataclass
class Step:
    replica: bool
    workers: int
    rate: int
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    server_errors: int
    overload: bool = False

    @property
    def held(self) -> bool:
        return self.p95 < P95_LIMIT_MS and self.errors == 0 and self.rps >= 0.9 * self.rate


# --- Targets from the corpus -----------------------------------------------------------------


def collect_targets(sample: int = 400) -> dict:
    from django.urls import reverse

    from cases.models import Board, Case, CaseStatus

    rng = random.Random(corpus.SEED)
    ids = list(Case.objects.filter(documents__isnull=False).values_list("pk", flat=True)[:50000])
    chosen = Case.objects.filter(pk__in=rng.sample(ids, min(sample, len(ids))))
    cases = list(chosen.select_related("board"))
    spellings = []
    for case in cases:
        spellings += [
            case.dnr,
            case.dnr.lower().replace(" ", ""),
            case.dnr.replace("/", " "),
        ]
    boards = list(Board.objects.order_by("pk"))
    rare = corpus.rare_pool()
    words = [
        "förvaltningen",
        "socialsekreterare",
        "arbetet",
        "stadsdelsnämnden",
        "biståndshandläggare",
        "förslag",
        "bygglov",
        "förskola",
        "ängsmark",
        "parkering",
    ] + [w for w in rare[200:3000:150] if len(w) >= 6]
    phrases = [
        '"förslag till beslut"',
        '"socialsekreterare och biståndshandläggare"',
        '"otillåten påverkan"',
        '"handlingsplan för förbättrad arbetssituation"',
        "medborgarförslag or skrivelse",
        "ängsmark -gungor",
    ]
    filters = []
    for board in boards[:12]:
        filters.append({"q": "förvaltningen", "namnd": board.slug})
    filters += [
        {"q": "socialsekreterare", "typ": "rapport", "fran": "2015-01-01", "till": "2020-12-31"},
        {"q": "nämnden", "status": CaseStatus.DECIDED, "sortering": "nyast"},
        {"q": "", "namnd": boards[0].slug, "typ": "tjansteutlatande"},
    ]
    return {
        "dnr_spellings": spellings,
        "case_urls": [case.get_absolute_url() for case in cases],
        "board_urls": [reverse("cases:board-detail", args=[b.slug]) for b in boards],
        "words": words,
        "phrases": phrases,
        "filters": filters,
        "export_words": [w for w in rare[3000:9000:400] if len(w) >= 6],
    }


# --- Servers -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_bin(server: str) -> Path:
    import psycopg

    with psycopg.connect(f"{server}/postgres") as conn:
        major = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000
    return Path(f"/usr/lib/postgresql/{major}/bin")


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


@contextlib.contextmanager
def gunicorn(*, workers: int, env: dict):
    port = _free_port()
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
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


def run_locust(*, url: str, rate: int, seconds: int, workdir: Path, env: dict) -> dict:
    prefix = workdir / f"step-{rate}-{time.monotonic_ns()}"
    subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f", str(ROOT / "bench" / "locustfile.py"),
            "--headless", "--only-summary", "--reset-stats",
            "--users", str(rate), "--spawn-rate", str(rate),
            "--run-time", f"{seconds}s", "--stop-timeout", "10",
            "--host", url, "--csv", str(prefix),
            "--loglevel", "ERROR",
        ],
        env={**env, "NP_LOAD_USER_RATE": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        total = next(row for row in csv.DictReader(stats) if row["Name"] == "Aggregated")
    server_errors = 0
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failures:
        for row in csv.DictReader(failures):
            if re.search(r"\b5\d\d Server Error", row["Error"]):
                server_errors += int(row["Occurrences"])
    return {
        "requests": int(total["Request Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "errors": int(total["Failure Count"]),
        "server_errors": server_errors,
    }


# --- Main ----------------------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--server", default=corpus.DEFAULT_SERVER, help="holds the bench corpus")
    parser.add_argument("--db-prefix", default=corpus.BENCH_DB_PREFIX)
    parser.add_argument("--rates", default="1,2,3,4,6,8,12,16,24,32,48", help="pages/s, stepwise")
    parser.add_argument("--seconds", type=int, default=20, help="per step")
    parser.add_argument("--workers-per-core", default="1,2")
    parser.add_argument("--replica", default="no,yes", help="rows without and with a replica")
    args = parser.parse_args(argv)
    log = print

    corpus.BENCH_DB_PREFIX = args.db_prefix
    corpus.setup_django(server=args.server, embedded=False, size=args.size)
    if corpus.corpus_size() != args.size:
        sys.exit(f"No corpus of {args.size} in {corpus.db_name(args.size)}: run bench/search.py")
    from django.core.management import call_command

    from tests.pg_cluster import Cluster

    workdir = Path(tempfile.mkdtemp(prefix="np-load-"))
    targets = workdir / "targets.json"
    targets.write_text(json.dumps(collect_targets(), ensure_ascii=False), encoding="utf-8")
    static_root = workdir / "static"
    os.environ["DJANGO_STATIC_ROOT"] = str(static_root)
    from django.conf import settings

    settings.STATIC_ROOT = static_root
    call_command("collectstatic", interactive=False, verbosity=0)

    cores = os.cpu_count() or 1
    steps: list[Step] = []
    cluster = Cluster(bin_dir=_server_bin(args.server))
    try:
        primary = private_primary(
            cluster, source=args.server, database=corpus.db_name(args.size), log=log
        )
        for replica in [mode == "yes" for mode in args.replica.split(",")]:
            replica_url = ""
            if replica:
                if "replica" not in cluster.running:
                    cluster.start_replica()
                replica_url = primary.replace(
                    f":{cluster.ports['primary']}/", f":{cluster.ports['replica']}/"
                )
            env = {
                **os.environ,
                "DATABASE_URL": primary,
                "DATABASE_REPLICA_URLS": replica_url,
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": "bench-only-not-secret",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_STATIC_ROOT": str(static_root),
                "NP_LOAD_TARGETS": str(targets),
                "NP_LOAD_DIR": str(workdir),
            }
            for per_core in [int(n) for n in args.workers_per_core.split(",")]:
                workers = per_core * cores
                with gunicorn(workers=workers, env=env) as url:
                    log(f"replica={'yes' if replica else 'no'} workers={workers}")
                    run_locust(url=url, rate=4, seconds=8, workdir=workdir, env=env)  # warm up
                    sustained = None
                    for rate in [int(r) for r in args.rates.split(",")]:
                        result = run_locust(
                            url=url, rate=rate, seconds=args.seconds, workdir=workdir, env=env
                        )
                        step = Step(replica, workers, rate, **result)
                        steps.append(step)
                        log(f"  {_row(step)}")
                        if not step.held:
                            break
                        sustained = step
                    if sustained is not None:
                        double = sustained.rate * 2
                        result = run_locust(
                            url=url, rate=double, seconds=args.seconds, workdir=workdir, env=env
                        )
                        step = Step(replica, workers, double, **result, overload=True)
                        steps.append(step)
                        log(f"  {_row(step)}")
    finally:
        cluster.close()
    print_table(steps, size=args.size, cores=cores)


def _row(step: Step) -> str:
    if step.overload:
        verdict = "2x sustained"
    else:
        verdict = "held" if step.held else "over"
    return (
        f"{'yes' if step.replica else 'no':>7} {step.workers:>7} {step.rate:>7} "
        f"{step.requests:>8} {step.rps:>8.1f} {step.p50:>7.0f} {step.p95:>7.0f} {step.p99:>7.0f} "
        f"{step.errors:>6} {step.server_errors:>4}  {verdict}"
    )


def print_table(steps: list[Step], *, size: int, cores: int) -> None:
    print(
        f"\nLoad test, {size:,} handlingar, {cores} cores (shared with other work: numbers are "
        f"a floor), p95 limit {P95_LIMIT_MS} ms; times in ms"
    )
    print(
        f"{'replica':>7} {'workers':>7} {'offered':>7} {'requests':>8} {'req/s':>8} "
        f"{'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6} {'5xx':>4}  step"
    )
    for step in steps:
        print(_row(step))
    print("\nSustained (highest offered load held at p95 < 200 ms, 0 errors):")
    for replica in (False, True):
        for workers in sorted({s.workers for s in steps}):
            held = [
                s
                for s in steps
                if s.replica == replica and s.workers == workers and not s.overload and s.held
            ]
            if any(s.replica == replica and s.workers == workers for s in steps):
                best = max(held, key=lambda s: s.rps, default=None)
                text = f"{best.rps:.1f} req/s (p95 {best.p95:.0f} ms)" if best else "none held"
                print(f"  replica={'yes' if replica else 'no':<3} workers={workers}: {text}")


if __name__ == "__main__":
    main()

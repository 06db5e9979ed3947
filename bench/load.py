"""HTTP load test: Locust (headless, loopback only) against gunicorn, with and without a replica.

    .venv/bin/python bench/load.py --size 100000            # the corpus must exist (bench/search.py)
    .venv/bin/python bench/load.py \
        --primary-url postgres://postgres@127.0.0.1:5432/namndportalen_bench_1000000

Locust lives best in a virtualenv of its own (it brings gevent and a pytest plugin that the test
suite's venv should not load): ``python3 -m venv /tmp/locust && /tmp/locust/bin/pip install
locust`` and ``--locust /tmp/locust/bin/locust``; ``pip install '.[bench]'`` also works.

For each configuration (no replica / one streaming replica; 1 and 2 gunicorn workers per core)
the offered load rises step by step (visitors asking one page a second each, the mix of
bench/locustfile.py; a step lasts ``--seconds`` and long enough for ``--min-requests``) until
p95 passes 200 ms or a request fails; the last step that held is the sustained load, and one
more step at twice that load shows what overload does (slower, never a 5xx); where no step
held, the overload step offers twice the first step's load. A rate below one page a second
(``--rates 0.5,1,2``) is one visitor asking less often. Prints one table, with the machine's
load average at the end of each step, and each step's p50/p95 per request class (the
locustfile's names: what limits the step); the steps are also written as JSON.

The primary is either private (the bench corpus restored into a server initialised for the run)
or, with ``--primary-url``, an existing database that the site reads read-only (the way to run
at 1M: a restore of 10 GB takes too long). The replica rows read a ``pg_basebackup -R``
streaming replica of the primary's server, on a loopback port, removed at the end
(bench/load_servers.py). Everything runs on this machine: the replica adds no CPU here, it shows
the routing's cost and that the site keeps its numbers while reading it.
The numbers and what they mean for Stockholm and a national portal: docs/capacity.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
import corpus  # noqa: E402
import load_servers as servers  # noqa: E402

VENV_BIN = Path(sys.executable).parent
P95_LIMIT_MS = 200
# The request classes of bench/locustfile.py, in the order of the per-class table.
CLASSES = ("dnr", "ord", "fras", "filter", "ärende", "nämnd", "export")


@dataclass
class Step:
    replica: bool
    workers: int
    rate: float
    requests: int
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    server_errors: int
    load: float  # the machine's 1-minute load average at the end of the step
    # an overload step: "2x sustained" (twice the last step that held) or "2x first step"
    # (no step held p95 < 200 ms: twice the first step, to show overload still answers)
    overload: str = ""
    # per request class (locustfile names): requests, errors, p50, p95, max in ms
    classes: dict = field(default_factory=dict)

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


def visitors(rate: float) -> tuple[int, float]:
    """Visitors and pages a second each for an offered load of ``rate`` pages a second.

    Whole rates are that many visitors at one page a second; a rate below one (or a fraction)
    spreads it over the next whole number of visitors, e.g. 0.5 = one visitor every 2 s.
    """
    users = max(1, math.ceil(rate))
    return users, rate / users


def run_locust(
    *, url: str, rate: float, seconds: int, workdir: Path, env: dict, locust: str
) -> dict:
    prefix = workdir / f"step-{rate:g}-{time.monotonic_ns()}"
    users, user_rate = visitors(rate)
    subprocess.run(
        [
            locust,
            "-f", str(ROOT / "bench" / "locustfile.py"),
            "--headless", "--only-summary", "--reset-stats",
            "--users", str(users), "--spawn-rate", str(users),
            "--run-time", f"{seconds}s", "--stop-timeout", "10",
            "--host", url, "--csv", str(prefix),
            "--loglevel", "ERROR",
        ],
        env={**env, "NP_LOAD_USER_RATE": repr(user_rate)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=seconds + 120,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    classes = {
        row["Name"]: {
            "requests": int(row["Request Count"]),
            "errors": int(row["Failure Count"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "max": float(row["Max Response Time"]),
        }
        for row in rows
        if row["Name"] != "Aggregated" and int(row["Request Count"])
    }
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
        "classes": classes,
    }


# --- Main ----------------------------------------------------------------------------------------


def _arguments(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, help="corpus size (default 100000; with "
                        "--primary-url read from the database)")  # fmt: skip
    parser.add_argument("--server", default=corpus.DEFAULT_SERVER, help="holds the bench corpus")
    parser.add_argument("--db-prefix", default=corpus.BENCH_DB_PREFIX)
    parser.add_argument(
        "--primary-url",
        help="use this existing database as the primary (read-only) instead of restoring the "
        "corpus into a private one, e.g. postgres://postgres@127.0.0.1:5432/"
        "namndportalen_bench_1000000",
    )
    parser.add_argument(
        "--rates",
        default="1,2,3,4,6,8,12,16,24,32,48",
        help="pages/s, stepwise (fractions below 1 allowed, e.g. 0.5,1,2)",
    )
    parser.add_argument("--seconds", type=int, default=20, help="per step, at least")
    parser.add_argument(
        "--min-requests",
        type=int,
        default=60,
        help="a step lasts until this many requests are due (at 1 page/s, 20 requests make the "
        "p95 the slowest but one: one slow page decides the step)",
    )
    parser.add_argument("--workers-per-core", default="1,2")
    parser.add_argument("--replica", default="no,yes", help="rows without and with a replica")
    default_locust = VENV_BIN / "locust"
    parser.add_argument(
        "--locust",
        default=str(default_locust) if default_locust.exists() else shutil.which("locust"),
        help="the locust program (it may live in a venv of its own)",
    )
    args = parser.parse_args(argv)
    if not args.locust:
        parser.error("no locust program: pip install '.[bench]' or give --locust")
    return args


def _setup_django(args) -> int:
    """Point Django at the corpus (the existing primary or the bench database); its size."""
    if args.primary_url:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
        os.environ["DJANGO_DEBUG"] = "0"
        os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
        os.environ["DATABASE_URL"] = args.primary_url
        import django

        django.setup()
        size = corpus.corpus_size()
        if size is None or args.size not in (None, size):
            sys.exit(f"No complete corpus of {args.size or 'any size'} in {args.primary_url}")
        return size
    size = args.size or 100_000
    corpus.BENCH_DB_PREFIX = args.db_prefix
    corpus.setup_django(server=args.server, embedded=False, size=size)
    if corpus.corpus_size() != size:
        sys.exit(f"No corpus of {size} in {corpus.db_name(size)}: run bench/search.py")
    return size


def _prepare(workdir: Path) -> dict:
    """Targets for the visitors and collected static files; the environment of the site."""
    from django.conf import settings
    from django.core.management import call_command

    targets = workdir / "targets.json"
    targets.write_text(json.dumps(collect_targets(), ensure_ascii=False), encoding="utf-8")
    static_root = workdir / "static"
    settings.STATIC_ROOT = static_root
    call_command("collectstatic", interactive=False, verbosity=0)
    return {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(static_root),
        "NP_LOAD_TARGETS": str(targets),
        "NP_LOAD_DIR": str(workdir),
    }


def main(argv=None) -> None:
    args = _arguments(argv)
    size = _setup_django(args)
    from tests.pg_cluster import Cluster

    workdir = Path(tempfile.mkdtemp(prefix="np-load-"))
    env = _prepare(workdir)
    cores = os.cpu_count() or 1
    steps: list[Step] = []
    cluster = Cluster(bin_dir=servers.server_bin(args.primary_url or args.server))
    try:
        if args.primary_url:
            primary, site_primary = args.primary_url, servers.read_only(args.primary_url)
            print(f"primary: the existing database {primary}, read-only for the site")
        else:
            database = corpus.db_name(size)
            primary = servers.private_primary(
                cluster, source=args.server, database=database, log=print
            )
            site_primary = primary
        replica_url = ""
        for replica in [mode == "yes" for mode in args.replica.split(",")]:
            if replica and not replica_url:
                replica_url = servers.start_replica(cluster, primary=primary, log=print)
            config_env = {
                **env,
                "DATABASE_URL": site_primary,
                "DATABASE_REPLICA_URLS": replica_url if replica else "",
            }
            for per_core in [int(n) for n in args.workers_per_core.split(",")]:
                steps += run_configuration(
                    args,
                    env=config_env,
                    workers=per_core * cores,
                    primary=primary,
                    replica_url=replica_url if replica else "",
                    workdir=workdir,
                )
    finally:
        cluster.close()
    print_table(steps, size=size, cores=cores)
    results = workdir / "steps.json"
    results.write_text(json.dumps([vars(s) for s in steps], ensure_ascii=False, indent=1))
    print(f"Steps as JSON: {results}")
    log_text = (workdir / "gunicorn.log").read_text(errors="replace")
    print(f"Pages that tried to write: {log_text.count('read-only transaction')} (gunicorn.log)")


def run_configuration(args, *, env, workers, primary, replica_url, workdir) -> list[Step]:
    """Raise the load step by step until a step fails, then offer twice the sustained load."""
    replica = bool(replica_url)
    counted = [primary] + ([replica_url] if replica else [])
    before = [servers.transactions(url) for url in counted]
    steps: list[Step] = []

    def step(rate: float, *, overload: str = "") -> Step:
        seconds = max(args.seconds, math.ceil(args.min_requests / rate))
        result = run_locust(
            url=url, rate=rate, seconds=seconds, workdir=workdir, env=env, locust=args.locust
        )
        done = Step(replica, workers, rate, **result, load=os.getloadavg()[0], overload=overload)
        state = ""
        if replica:
            status, lag = servers.replica_state(replica_url)
            state = f"  (replica {status}, lag {lag:.1f} s)"
        print(f"  {_row(done)}{state}", flush=True)
        print(f"  {'':>7} {_classes_row(done)}", flush=True)
        steps.append(done)
        return done

    with servers.gunicorn(workers=workers, env=env, venv_bin=VENV_BIN) as url:
        print(f"replica={'yes' if replica else 'no'} workers={workers}", flush=True)
        run_locust(url=url, rate=4, seconds=8, workdir=workdir, env=env, locust=args.locust)
        rates = [float(r) for r in args.rates.split(",")]
        sustained = None
        for rate in rates:
            if not step(rate).held:
                break
            sustained = rate
        if sustained is not None:
            step(sustained * 2, overload="2x sustained")
        else:
            step(rates[0] * 2, overload="2x first step")
    time.sleep(1)  # the closed connections' statistics reach pg_stat_database
    counts = [servers.transactions(u) - b for u, b in zip(counted, before, strict=True)]
    print(
        f"  transactions in the database: primary {counts[0]:,} (all its sessions)"
        + (f", replica {counts[1]:,}" if replica else ""),
        flush=True,
    )
    return steps


def _row(step: Step) -> str:
    if step.overload:
        verdict = step.overload
    else:
        verdict = "held" if step.held else "over"
    return (
        f"{'yes' if step.replica else 'no':>7} {step.workers:>7} {step.rate:>7g} "
        f"{step.requests:>8} {step.rps:>8.1f} {step.p50:>7.0f} {step.p95:>7.0f} {step.p99:>7.0f} "
        f"{step.errors:>6} {step.server_errors:>4} {step.load:>5.1f}  {verdict}"
    )


def _classes_row(step: Step) -> str:
    """Per request class: requests and p50/p95 in ms, e.g. ``fras 6 4400/8200``."""
    cells = []
    for name in CLASSES:
        stats = step.classes.get(name)
        if stats:
            errors = f" {stats['errors']} err" if stats["errors"] else ""
            cells.append(
                f"{name} {stats['requests']} {stats['p50']:.0f}/{stats['p95']:.0f}{errors}"
            )
    return "  ".join(cells)


def print_table(steps: list[Step], *, size: int, cores: int) -> None:
    print(
        f"\nLoad test, {size:,} handlingar, {cores} cores (shared with other work: numbers are "
        f"a floor), p95 limit {P95_LIMIT_MS} ms; times in ms; load = 1-minute load average"
    )
    print(
        f"{'replica':>7} {'workers':>7} {'offered':>7} {'requests':>8} {'req/s':>8} "
        f"{'p50':>7} {'p95':>7} {'p99':>7} {'errors':>6} {'5xx':>4} {'load':>5}  step"
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
    print("\nPer request class (requests p50/p95 in ms) for each step:")
    for step in steps:
        print(f"{_row(step)}\n{'':>7} {_classes_row(step)}")


if __name__ == "__main__":
    main()

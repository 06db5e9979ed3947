"""Follow benchmarks: a year's iCal of a board (and of all boards), and the daily alert digest.

Uses the bench corpus of ``--size`` documents (bench/corpus.py; built unless ``--reuse`` finds
it). Prints numbers; never part of the test suite.

- iCal: ``views.calendar`` through a RequestFactory request (parse, one query, render) for the
  board and year with the most meetings, and for all boards that year; p50/p95 of ``--runs``.
- Digest: ``--searches`` confirmed subscriptions (saved searches of real words of the corpus's
  vocabulary, some with a board or kind filter, plus case and board subscriptions), about
  ``--per-address`` per address, over ``--new-documents`` documents registered in the last
  hour (a day's new documents: their ``registered_at`` is moved to now). Mail goes to Django's
  in-memory backend, so the time is the digest's own work (matching, snippets, rendering,
  recording), not an SMTP server's.

    .venv/bin/python bench/follow.py --size 100000 --reuse
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # noqa: E402

RESET_REGISTERED_AT = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def bench_calendar(runs: int) -> None:
    from django.db import connection
    from django.test import RequestFactory

    from cases import views

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT b.slug, extract(year FROM m.date)::int AS year, count(*) FROM cases_meeting m "
            "JOIN cases_board b ON b.id = m.board_id GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1"
        )
        slug, year, count = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM cases_meeting WHERE date >= %s AND date < %s",
            [datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)],
        )
        all_count = cursor.fetchone()[0]
    factory = RequestFactory()
    for label, kwargs, events in (
        (f"board {slug}, {year}", {"slug": slug}, count),
        (f"all boards, {year}", {}, all_count),
    ):
        request_path = "/kalender.ics"
        times = []
        for _ in range(runs + 1):
            request = factory.get(request_path, {"ar": str(year)})
            started = time.perf_counter()
            response = views.calendar(request, **kwargs)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        p50, p95 = percentiles(times[1:])  # the first run warms the caches
        print(
            f"iCal {label}: {events} events, {len(response.content):,} bytes, "
            f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms ({runs} runs)"
        )


def _vocabulary(rng: random.Random, count: int) -> list[str]:
    from cases.models import SearchWord

    words = list(
        SearchWord.objects.filter(documents__gte=5, documents__lte=20_000)
        .filter(word__regex=r"^[a-zåäö]{5,}$")
        .values_list("word", flat=True)[:50_000]
    )
    rng.shuffle(words)
    return words[:count]


def prepare_digest(*, searches: int, per_address: int, new_documents: int, seed: int) -> None:
    """Subscriptions and a day's new documents in the bench database (replacing earlier)."""
    from urllib.parse import urlencode

    from django.db import connection
    from django.utils import timezone

    from cases.models import Board, Case, Document, SentItem, Subscription, SubscriptionRequest

    rng = random.Random(seed)
    SentItem.objects.all().delete()
    Subscription.objects.all().delete()
    SubscriptionRequest.objects.all().delete()
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_document SET registered_at = %s WHERE registered_at <> %s",
            [RESET_REGISTERED_AT, RESET_REGISTERED_AT],
        )
        cursor.execute(
            "UPDATE cases_document SET registered_at = %s - random() * interval '1 hour' "
            "WHERE id IN (SELECT id FROM cases_document ORDER BY random() LIMIT %s)",
            [now, new_documents],
        )
    words = _vocabulary(rng, searches)
    boards = list(Board.objects.values_list("slug", flat=True))
    board_ids = list(Board.objects.values_list("pk", flat=True))
    case_ids = list(Case.objects.order_by("?").values_list("pk", flat=True)[:1000])
    kinds = Document.Kind.values
    rows = []
    for n in range(searches):
        email = f"bevakare{n // per_address}@example.se"
        common = {
            "email": email,
            "confirmed_at": now,
            "covered_until": now - datetime.timedelta(days=1),
        }
        share = n % 10
        if share == 8:
            rows.append(Subscription(kind="arende", case_id=rng.choice(case_ids), **common))
        elif share == 9:
            rows.append(Subscription(kind="namnd", board_id=rng.choice(board_ids), **common))
        else:
            params = {"q": words[n % len(words)]}
            if share in (1, 2):
                params["q"] += " " + words[(n * 7 + 1) % len(words)]
            elif share == 3:
                params["namnd"] = rng.choice(boards)
            elif share == 4:
                params["typ"] = rng.choice(kinds)
            rows.append(Subscription(kind="sokning", search=urlencode(params), **common))
    Subscription.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_document")


def bench_digest(args) -> None:
    from django.conf import settings
    from django.core import mail

    from cases.alerts import digest

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_BASE_URL = "https://namndportalen.example"
    prepare_digest(
        searches=args.searches,
        per_address=args.per_address,
        new_documents=args.new_documents,
        seed=args.seed,
    )
    mail.outbox = []
    started = time.perf_counter()
    report = digest.send_digests()
    elapsed = time.perf_counter() - started
    sizes = [len(m.body) for m in mail.outbox]
    print(
        f"digest: {report.subscriptions:,} subscriptions, {report.new_documents:,} new "
        f"documents -> {report.mails:,} mails with {report.items:,} items "
        f"(median mail {statistics.median(sizes) if sizes else 0:,.0f} chars) in {elapsed:.1f} s"
    )
    started = time.perf_counter()
    again = digest.send_digests()
    print(
        f"digest run again at once: {again.mails} mails, {again.new_documents} new documents "
        f"in {time.perf_counter() - started:.1f} s"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="corpus size (documents)")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--server", default=corpus.DEFAULT_SERVER)
    parser.add_argument("--embedded", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=50, help="timed iCal requests")
    parser.add_argument("--searches", type=int, default=10_000, help="subscriptions")
    parser.add_argument("--per-address", type=int, default=2)
    parser.add_argument("--new-documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=corpus.SEED)
    args = parser.parse_args(argv)

    corpus.setup_django(server=args.server, embedded=args.embedded, size=args.size)
    corpus.migrate()
    if not (args.reuse and corpus.corpus_size() == args.size):
        print(f"building the {args.size:,}-document corpus", flush=True)
        timings = corpus.build(args.size, workers=args.workers)
        print("build time: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    print(corpus.server_summary())
    bench_calendar(args.runs)
    bench_digest(args)


if __name__ == "__main__":
    main()

"""Procrastinate tasks (found by procrastinate's Django app, which imports ``<app>.tasks``).

Run them with ``manage.py procrastinate worker``; the work itself is in ``cases/background.py``
and, for the daily alert digest (a periodic task), in ``cases/alerts/digest.py``.
"""

import datetime

from django.db import connections
from procrastinate.contrib.django import app

from . import background
from .alerts import digest


@app.task(name="cases.import_folder", queue="imports")
def import_folder(run_id: int) -> None:
    try:
        background.run_import(run_id)
    finally:
        # The worker runs a task in a thread of its own: close what the task opened there.
        connections.close_all()


@app.task(name="cases.rebuild_search_index", queue="imports")
def rebuild_search_index(run_id: int) -> None:
    try:
        background.run_reindex(run_id)
    finally:
        connections.close_all()


# Every hour on the hour; the task sends only in the hour PORTAL_DIGEST_HOUR (Europe/Stockholm):
# procrastinate's cron runs in UTC, and the hour in Stockholm moves with summer time.
@app.periodic(cron="0 * * * *", periodic_id="alert-digest")
@app.task(name="cases.send_alert_digests", queue="alerts", queueing_lock="alert-digest")
def send_alert_digests(timestamp: int) -> None:
    try:
        digest.send_due_digests(at=datetime.datetime.fromtimestamp(timestamp, datetime.UTC))
    finally:
        connections.close_all()

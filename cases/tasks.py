"""Procrastinate tasks (found by procrastinate's Django app, which imports ``<app>.tasks``).

Run them with ``manage.py procrastinate worker``; the work itself is in ``cases/background.py``.
"""

from django.db import connections
from procrastinate.contrib.django import app

from . import background


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

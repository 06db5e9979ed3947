import importlib

import pytest
from django.apps import apps

from cases.models import Board

_board_migration = importlib.import_module("cases.migrations.0003_stockholm_boards")


@pytest.fixture
def boards(db):
    """Stockholm's boards. Transactional tests truncate the tables a data migration filled,
    so the fixture puts them back (idempotently) when they are missing."""
    if not Board.objects.exists():
        _board_migration.add_boards(apps, None)
    return Board.objects.all()


@pytest.fixture
def hv(boards) -> Board:
    return Board.objects.get(short_name="Hässelby-Vällingby")


@pytest.fixture
def ks(boards) -> Board:
    return Board.objects.get(short_name="Kommunstyrelsen")

import pytest

from cases.models import Board


@pytest.fixture
def hv(db) -> Board:
    return Board.objects.get(short_name="Hässelby-Vällingby")


@pytest.fixture
def ks(db) -> Board:
    return Board.objects.get(short_name="Kommunstyrelsen")

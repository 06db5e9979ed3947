"""One list of boards (cases/data/boards.json): the register's boards (migration 0003, the
``boards`` fixture) and the dnr engine's are the same boards, in the same order."""

import datetime
import json

from cases.dnr import EXTERNAL_BODIES, STOCKHOLM_BOARDS
from cases.dnr.boards import BOARDS_FILE
from cases.models import Board

DATA = json.loads(BOARDS_FILE.read_text(encoding="utf-8"))


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def test_register_boards_are_the_data_files_boards(boards):
    in_database = [
        (b.name, b.short_name, b.slug, b.kind, b.dnr_prefixes, _iso(b.valid_from),
         _iso(b.valid_to), b.successor.slug if b.successor else None)
        for b in Board.objects.select_related("successor").order_by("pk")
    ]  # fmt: skip
    in_file = [
        (r["name"], r["short_name"], r["slug"], r["kind"], r["dnr_prefixes"], r["valid_from"],
         r["valid_to"], r["successor"])
        for r in DATA["boards"]
    ]  # fmt: skip

    assert in_database == in_file


def test_dnr_engine_boards_are_the_data_files_boards():
    engine = [(b.name, b.short_name, b.prefixes) for b in STOCKHOLM_BOARDS]
    external = [(b.name, b.short_name, b.external) for b in EXTERNAL_BODIES]

    assert engine == [
        (r["name"], r["short_name"], (*r["dnr_prefixes"], *r["old_prefixes"]))
        for r in DATA["boards"]
    ]
    assert external == [(r["name"], r["short_name"], True) for r in DATA["external_bodies"]]


def test_trafik_prefix_is_known_to_the_engine_but_is_no_series(boards):
    trafik = next(b for b in STOCKHOLM_BOARDS if b.short_name == "Trafiknämnden")

    assert (trafik.prefixes, Board.objects.get(slug="trafiknamnden").dnr_prefixes) == (("T",), [])

"""Boards as the dnr engine knows them: names, prefixes, the forms they use."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .families import FAMILIES_BY_NAME


@dataclass(frozen=True)
class BoardInfo:
    """What the dnr engine knows about a board; passed in as data (the register keeps the
    configured prefixes in the database)."""

    name: str
    short_name: str
    prefixes: tuple[str, ...]
    names: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    # A body outside the municipality (Länsstyrelsen, JO, another municipality's board): the
    # register keeps it as a board of the "external body" kind so references to it resolve.
    external: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.name, self.short_name, *self.names)))


# The list itself is data, kept once for the engine and the register (migration 0003 reads
# the same file): cases/data/boards.json says what each field means.
BOARDS_FILE = Path(__file__).resolve().parent.parent / "data" / "boards.json"


def _board_info(row: dict, *, external: bool = False) -> BoardInfo:
    formats = tuple(row["formats"])
    unknown = [name for name in formats if name not in FAMILIES_BY_NAME]
    if unknown:
        raise ValueError(f"{BOARDS_FILE.name}: {row['short_name']} has unknown formats {unknown}")
    return BoardInfo(
        name=row["name"],
        short_name=row["short_name"],
        # The series prefix first: the finder gives a number written without one the first.
        prefixes=(*row.get("dnr_prefixes", ()), *row.get("old_prefixes", ())),
        names=tuple(row["names"]),
        formats=formats,
        external=external,
    )


def _load() -> tuple[tuple[BoardInfo, ...], tuple[BoardInfo, ...]]:
    data = json.loads(BOARDS_FILE.read_text(encoding="utf-8"))
    return (
        tuple(_board_info(row) for row in data["boards"]),
        tuple(_board_info(row, external=True) for row in data["external_bodies"]),
    )


# Stockholm's boards (only HV and KS have confirmed eDok prefixes, DOMAIN.md; T is
# Trafikkontoret's old form), and the bodies outside the city whose numbers agendas quote
# ("Remiss från Länsstyrelsen, dnr 505-08-64515", "JO dnr 5529-2013"): named right before a
# number, they own it.
STOCKHOLM_BOARDS, EXTERNAL_BODIES = _load()
EXTERNAL_BY_SHORT_NAME = {body.short_name: body for body in EXTERNAL_BODIES}


def _fold(text: str) -> str:
    """Lower case without diacritics or punctuation, for comparing board labels."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


# How OCR renders the Swedish letters in the seeds (OCR.md): ä/å as a, d, i, é, &, 4 or two
# glyphs ("id", "ia"); ö as o, é, 6, d, g, 0.
_OCR_AA = "[aåäàáâãdiéèê&4@#]{1,2}"
_OCR_OO = "[oöóòôõdéèêg60]{1,2}"


def ocr_phrase_regex(phrase: str) -> str:
    """A case-insensitive regex for a Swedish phrase as OCR may have spelled it. ``*`` stands
    for any word ending ("överlämna*" matches överlämnas, överlämnades)."""
    out = []
    for ch in phrase:
        low = ch.lower()
        if low in "åäé":
            out.append(_OCR_AA)
        elif low == "ö":
            out.append(_OCR_OO)
        elif ch in " -":
            out.append(r"[\s\-\u2010-\u2015]*")
        elif ch == "*":
            out.append(r"\w*")
        else:
            out.append(re.escape(ch))
    return "".join(out)


@dataclass(frozen=True)
class _Catalogue:
    boards: tuple[BoardInfo, ...]
    by_prefix: dict[str, BoardInfo]
    by_label: dict[str, BoardInfo]
    family_owner: dict[str, BoardInfo]
    names: re.Pattern[str] | None
    name_board: dict[str, BoardInfo] = field(default_factory=dict)


@functools.lru_cache(maxsize=32)
def _catalogue(boards: tuple[BoardInfo, ...]) -> _Catalogue:
    by_prefix: dict[str, BoardInfo] = {}
    by_label: dict[str, BoardInfo] = {}
    users: dict[str, list[BoardInfo]] = {}
    alternatives = []
    name_board: dict[str, BoardInfo] = {}
    for index, board in enumerate(boards):
        for prefix in board.prefixes:
            by_prefix.setdefault(prefix.strip().upper(), board)
        for label in (*board.forms, *board.prefixes):
            by_label.setdefault(_fold(label), board)
        for family_name in board.formats:
            users.setdefault(family_name, []).append(board)
        # Forms of one or two letters ("KF") would fire on ordinary words; longer forms take
        # any ending (genitive -s, definite -en) through the glue that follows them.
        forms = sorted(board.forms, key=len, reverse=True)
        body = "|".join(ocr_phrase_regex(form) for form in forms if len(form) >= 3)
        if body:
            group = f"b{index}"
            name_board[group] = board
            alternatives.append(f"(?P<{group}>{body})")
    pattern = (
        re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})", re.IGNORECASE) if alternatives else None
    )
    owner = {name: found[0] for name, found in users.items() if len(found) == 1}
    return _Catalogue(boards, by_prefix, by_label, owner, pattern, name_board)

"""Reading whatever identifier follows a dnr word, in any shape.

After "Dnr", "Diarienummer", "Ärendenr", "beteckning" and the like, the words have said that a
diarienummer comes, so the whole identifier is read whatever its shape: digit groups joined by
``-`` ``/`` ``.`` ``:`` or a dash with spaces around it ("099 – 451 / 06"), a series or board
code before it ("KSM 2018-702-251", "SSA 1.6-111181/12") or inside it ("2015/KS 0011 001"), a
short unit code after it ("523-3732-10 Rm") and further numbers of the same shape in a list
("Dnr 7-742-2011 och 5-744-2011"). A number that fits a family is that family's; one that fits
none is kept as ``OTHER`` with its tidied spelling as key, if it has a year or a code in it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .families import NOT_PREFIXES, OTHER
from .grammar import _DASHES, _H, Dnr, try_parse_dnr
from .words import _LIST_GLUE

# The words that announce a number strongly enough to read any shape after them. Not
# "ärende" alone ("ärende 12-13" are agenda items) nor "diarieförts".
_STRONG_WORD = (
    r"(?:(?:vårt|vår|ert|er)\s+)?"
    r"(?:d\.?\s?nr|diarienummer|diarienr|diarie\s?nr|ärendenummer|ärendenr|ärende\s?nr"
    r"|ärendebeteckning|beteckning)"
)
_KEYWORD_AT = re.compile(
    rf"(?<![^\W\d_]){_STRONG_WORD}(?![^\W\d_])[ \t]*\.?[ \t]*:?[ \t]*(?:nr\.?[ \t]*)?"
    r"[(\[]?[ \t]*(?:\r?\n[ \t]*)?",
    re.IGNORECASE,
)
_DIGITS = r"[0-9]{1,7}(?:\.[0-9]{1,3}){0,4}"
_CODE = r"[A-ZÅÄÖ]{1,5}(?![^\W\d_])"
# Between digit groups: a dash or slash, spaces allowed around it, a class's dot before it
# ("1.3.3.-009-2010"); or a dot or colon with no space.
_JOIN = rf"(?:\.?{_H}?[-\u2010-\u2015\u2212/]{_H}?|[.:])"
_IDENTIFIER = re.compile(
    rf"(?:(?P<lead>[A-ZÅÄÖ]{{1,5}})(?:{_H}?[-/]{_H}?|{_H}|(?=[0-9])))?"
    rf"(?P<body>{_DIGITS}(?:{_JOIN}{_DIGITS}){{1,5}}"
    rf"|[0-9]{{4}}/{_CODE}{_H}[0-9]{{1,7}}(?:{_H}[0-9]{{1,4}})?)"
    r"(?![0-9]|[^\W\d_])"
    rf"(?:{_H}(?:[A-ZÅÄÖ]{{2,4}}|[A-ZÅÄÖ][a-zåäö])(?=[ \t]*(?:[\n.,;)]|$)))?"
)
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
_DATE = re.compile(
    r"(?:19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]|[0-3]?[0-9]-[01]?[0-9]-(?:19|20)[0-9]{2}"
)
_TIDY_SPACES = re.compile(r"\s*([-/:])\s*")


@dataclass(frozen=True)
class Anchored:
    """An identifier read after a dnr word: its span, the Dnr, and a series or board code
    written before the number when the number's family has no prefix of its own."""

    start: int
    end: int
    dnr: Dnr
    lead: str | None


def read_after_keywords(text: str) -> list[Anchored]:
    """Every identifier that a strong dnr word announces, with the list that may follow it."""
    found = []
    for keyword in _KEYWORD_AT.finditer(text):
        position = keyword.end()
        shape = None
        for _ in range(20):  # a list is short; bounded so no text can make this quadratic
            m = _IDENTIFIER.match(text, position)
            if m is None:
                break
            body_shape = re.sub(r"[0-9]+", "9", m.group("body"))
            if shape is not None and body_shape != shape:
                break
            anchored = _read(m)
            if anchored is None:
                break
            found.append(anchored)
            shape = body_shape
            glue = _LIST_GLUE.match(text, m.end())
            if glue is None or glue.end() == m.end():
                break
            position = glue.end()
    return found


def _read(m: re.Match[str]) -> Anchored | None:
    lead = m.group("lead")
    if lead and lead.upper() in NOT_PREFIXES:
        return None
    dnr = try_parse_dnr(f"Dnr {m.group()}")
    if dnr is not None:
        return Anchored(m.start(), m.end(), dnr, None)
    # A series code before a form without prefix ("KS 331-159/2013", "SSA 1.6-111/12") or a
    # unit code after it ("523-3732-10 Rm"): the family reads the digits alone.
    dnr = try_parse_dnr(f"Dnr {m.group('body')}")
    if dnr is not None and dnr.prefix is None:
        return Anchored(m.start(), m.end(), dnr, lead.upper() if lead else None)
    return _other(m)


def _other(m: re.Match[str]) -> Anchored | None:
    """A shape no family describes: kept when it has a year or a code, and is not a date."""
    raw = m.group()
    tidy = unicodedata.normalize("NFKC", raw).translate(_DASHES)
    tidy = _TIDY_SPACES.sub(r"\1", " ".join(tidy.split())).upper()
    years = _YEAR.findall(m.group("body"))
    has_code = any(ch.isalpha() for ch in raw)
    if _DATE.fullmatch(m.group("body")) or not (years or has_code):
        return None
    digits = [int(group) for group in re.findall(r"[0-9]+", m.group("body"))]
    year = int(years[0]) if years else 0
    others = [d for d in digits if d != year] or [0]
    dnr = Dnr(OTHER, year, max(others), text=tidy)
    return Anchored(m.start(), m.end(), dnr, None)

"""Restore the å, ä and ö that OCR lost in a title: ``Manadsrapport`` → ``Månadsrapport``.

Only titles are repaired (the public portal shows them); the full text stays the record as
received. Pure Python. For each word the word list does not know, the OCR damage measured in
the seeds (docs/ocr.md) is undone the other way round: each glyph OCR puts in place of å/ä/ö
(``a``, ``o``, ``d``, ``i``, ``é``, ``6``, ``&``, ``4``, ``ai``, ``éo`` …) may stand for one of
them, at most ``MAX_SUBSTITUTIONS`` times in a word. The spellings that are words (the word
itself included) are ranked:

1. fewest parts: a word of the list or a Stockholm place name (one part) beats a compound of
   two listed words, which beats one of three. Compounds are accepted generously, so
   ``forskola`` (fors + kola) counts as known, yet ``förskola`` is the word;
2. then fewest substitutions;
3. then, between listed words, the commoner one (wordfreq's Zipf frequency,
   ``data/sv_frequencies.txt.gz``): ``ar`` becomes ``är``, ``vard`` becomes ``vård``;
4. then alphabetical order, so the result never depends on chance.

One context rule: ``ar`` next to a number is ``år`` ("studieresor ar 2020", "18-30 ar").
A word of the list is never changed, even when OCR made it (``har`` for ``här``, ``lata``
for ``låta``): keeping OCR's word is safer than a wrong correction.
"""

import gzip
import re
from functools import cache, lru_cache
from pathlib import Path

from .. import ocr_glyphs
from . import quality

FREQUENCIES_PATH = Path(__file__).resolve().parent / "data" / "sv_frequencies.txt.gz"

# What OCR wrote → the letters it may stand for (docs/ocr.md).
_SINGLE = ocr_glyphs.REPAIR_SINGLE
_DOUBLE = ocr_glyphs.REPAIR_DOUBLE
MAX_SUBSTITUTIONS = 4  # no seed title needs more; bounds the work on long compounds
MAX_CANDIDATES = 5000

# Stockholm's districts and places with å/ä/ö (the boards of migration 0003 and the places the
# seed titles name) that the word list lacks or knows only in a wrong split (``Hasselby`` is
# "has" + "selby" to the compound rule). Names without å/ä/ö need no repair.
PLACE_NAMES = frozenset(
    {
        "bredäng",
        "fruängen",
        "gubbängen",
        "hägersten",
        "hägerstensåsen",
        "hässelby",
        "högdalen",
        "hökarängen",
        "järva",
        "kälvesta",
        "lövsta",
        "mälarhöjden",
        "nälsta",
        "råcksta",
        "rågsved",
        "skarpnäck",
        "skärholmen",
        "spånga",
        "stugängen",
        "sätra",
        "söderort",
        "södermalm",
        "vantör",
        "vällingby",
        "västerort",
        "årsta",
        "älvsjö",
        "östermalm",
    }
)

_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ&@#0-9]+")
_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_NUMBER_BEFORE = re.compile(r"\d\s*$")
_YEAR_AFTER = re.compile(r"^\s+(?:19|20)\d\d\b")


def restore_diacritics(text: str) -> str:
    """``text`` with each OCR-damaged word replaced by the likeliest correct spelling;
    everything else (known words, names, numbers, dnr, punctuation, spacing) unchanged."""
    pieces = []
    position = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        pieces.append(text[position : match.start()])
        position = match.end()
        reading, maybe_year = _token_reading(token)
        if maybe_year:
            before, after = text[: match.start()], text[match.end() :]
            if _NUMBER_BEFORE.search(before) or _YEAR_AFTER.match(after):
                reading = _same_case("år", token) if token.lower() != "år" else token
        pieces.append(reading)
    pieces.append(text[position:])
    return "".join(pieces)


@lru_cache(maxsize=100_000)
def _token_reading(token: str) -> tuple[str, bool]:
    """One token's repaired reading (the token itself when it is no word or needs no
    repair), and whether it reads "är" where OCR may have lost "år" (the text around it
    decides). Cached: a search page repairs the same words over and over (a page of OCR
    snippets: 1.5 -> 0.4 ms)."""
    if not _is_word(token):
        return token, False
    lower = token.lower()
    word = repair_word(lower)
    maybe_year = word == "är" and "år" in candidate_words(lower)
    return (_same_case(word, token) if word != lower else token), maybe_year


def _is_word(token: str) -> bool:
    """A word to look at: a letter, at most one digit, and not an abbreviation in capitals
    (``LSS``, ``SKL``, ``4B``)."""
    if not _LETTER.search(token) or sum(map(str.isdigit, token)) > 1:
        return False
    return not (token.upper() == token and len(token) <= 3)


def _same_case(word: str, token: str) -> str:
    if token.isupper() and len(token) > 1:
        return word.upper()
    if token[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@lru_cache(maxsize=100_000)
def repair_word(word: str) -> str:
    """The likeliest correct spelling of one lower-case word (itself when nothing better)."""
    if _is_listed(word):
        return word
    spellings = {word: 0, **candidate_words(word)}
    listed = [s for s in spellings if _is_listed(s)]
    if listed:
        return min(listed, key=lambda s: (spellings[s], -_frequency(s), s))
    parts = {s: quality.compound_parts(s) for s in spellings}
    compounds = [s for s in spellings if parts[s]]
    if not compounds:
        return word
    return min(compounds, key=lambda s: (parts[s], spellings[s], s))


def candidate_words(word: str) -> dict[str, int]:
    """The spellings ``word`` may be OCR of, each with its number of substitutions, fewest
    first; ``word`` itself is not among them. Up to ``MAX_SUBSTITUTIONS``, unless a long word
    with many ambiguous letters would give more than ``MAX_CANDIDATES`` spellings: then only
    the numbers of substitutions that stay within it."""
    found: dict[str, int] = {}
    for budget in range(1, MAX_SUBSTITUTIONS + 1):
        level: dict[str, int] = {}
        for spelling, count in _spellings(word, 0, budget):
            if count and (spelling not in level or count < level[spelling]):
                level[spelling] = count
            if len(level) > MAX_CANDIDATES:
                break
        if len(level) > MAX_CANDIDATES:
            break
        found = level
    return dict(sorted(found.items(), key=lambda item: item[1]))


def _spellings(word: str, start: int, budget: int):
    """Every spelling of ``word[start:]`` with at most ``budget`` glyphs read as å/ä/ö."""
    if start == len(word):
        yield "", 0
        return
    for rest, count in _spellings(word, start + 1, budget):
        yield word[start] + rest, count
    if budget == 0:
        return
    options = [(letter, 1) for letter in _SINGLE.get(word[start], "")]
    options += [(letter, 2) for letter in _DOUBLE.get(word[start : start + 2], "")]
    for letter, width in options:
        for rest, count in _spellings(word, start + width, budget - 1):
            yield letter + rest, count + 1


def _is_listed(word: str) -> bool:
    if word in quality.load_wordlist():
        return True
    return word in PLACE_NAMES or word.endswith("s") and word[:-1] in PLACE_NAMES


def _frequency(word: str) -> float:
    return load_frequencies().get(word, 0.0)


@cache
def load_frequencies() -> dict[str, float]:
    """Zipf frequency of the listed words with å/ä/ö (``scripts/build_wordlist.py``)."""
    frequencies = {}
    with gzip.open(FREQUENCIES_PATH, "rt", encoding="utf-8") as handle:
        for line in handle:
            word, value = line.split()
            frequencies[word] = float(value)
    return frequencies

"""Text quality: how much of a text a Swedish word list recognises, and whether it is OCR.

``ocr_quality`` on a document is the share of word tokens the shipped word list does not know
(0 = all known, 1 = none). Typed Swedish scores a few per cent (names, abbreviations, rare
compounds); the OCR'd seeds score far higher because OCR lost å/ä/ö and mangled glyphs
(docs/ocr.md). The list is built by ``scripts/build_wordlist.py`` and read from this package, never
from a system dictionary, so the app has no runtime dependency on Debian packages.
"""

import gzip
import re
from functools import cache
from pathlib import Path

from .. import ocr_glyphs

WORDLIST_PATH = Path(__file__).resolve().parent / "data" / "sv_words.txt.gz"

# Letters plus the glyphs OCR puts in place of å/ä/ö (& @ # é and digits inside words), so a
# damaged word counts as one unknown token instead of disappearing from the count.
_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ&@#0-9]+")
_LETTER = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_DIACRITICS = re.compile(r"[åäöÅÄÖ]")
# Glyph damage that typed text does not produce: a digit or & inside a word (f6r, &r, 4ven).
_GLYPH_DAMAGE = re.compile(
    rf"(?<=[a-zåäöé])[{ocr_glyphs.DAMAGE_INSIDE_WORD}](?=[a-zåäöé])"
    rf"|(?<![\w&])[{ocr_glyphs.DAMAGE_STARTING_WORD}][a-zé]{{1,}}\b"
)
MIN_PART = 3  # compound parts shorter than this are too permissive (e.g. "en", "ar")
MIN_TAIL = 4  # the last part carries the inflection: "lag" would make "forslag" a word

# A long Swedish text without a single å/ä/ö is OCR that lost them (docs/ocr.md): typed Swedish has
# about one in every 25 letters.
MIN_LETTERS_FOR_DETECTION = 400


@cache
def load_wordlist() -> frozenset[str]:
    with gzip.open(WORDLIST_PATH, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def word_tokens(text: str) -> list[str]:
    """The word tokens of a text, lower-cased: at least two characters, a letter, and at most
    one digit (an OCR'd ö is often a 6), so numbers, dates and dnr are not words."""
    tokens = []
    for token in _TOKEN.findall(text):
        if len(token) < 2:
            continue
        if not token.isalpha():
            digits = sum(map(str.isdigit, token))
            if digits > 1 or digits == len(token) or not _LETTER.search(token):
                continue
        tokens.append(token.lower())
    return tokens


@cache
def is_known_word(word: str) -> bool:
    """A word of the list, or a compound of two or three of them (Swedish writes compounds as
    one word: ``stadsdelsförvaltningen``), optionally with the linking ``s``."""
    words = load_wordlist()
    if word in words:
        return True
    return _is_compound(word, depth=2)


def compound_parts(word: str) -> int:
    """The fewest words of the list that make up ``word``: 1 for a word of the list, 2 or 3
    for a compound, 0 for an unknown word. Not cached: ``spelling.repair_word`` asks about
    many spellings that are no words at all."""
    if word in load_wordlist():
        return 1
    if _is_compound(word, depth=1):
        return 2
    if _is_compound(word, depth=2):
        return 3
    return 0


def _is_compound(word: str, *, depth: int) -> bool:
    if depth == 0 or len(word) < 2 * MIN_PART:
        return False
    words = load_wordlist()
    for cut in range(MIN_PART, len(word) - MIN_TAIL + 1):
        head, tail = word[:cut], word[cut:]
        head_known = head in words or (
            head.endswith("s") and len(head) > MIN_PART and head[:-1] in words
        )
        if not head_known:
            continue
        if tail in words or _is_compound(tail, depth=depth - 1):
            return True
    return False


def unknown_word_share(text: str) -> float | None:
    """Share of word tokens unknown to the word list, rounded to 4 decimals; None without words."""
    tokens = word_tokens(text)
    if not tokens:
        return None
    unknown = sum(1 for token in tokens if not is_known_word(token))
    return round(unknown / len(tokens), 4)


def looks_like_ocr(text: str) -> bool:
    """True for Swedish text that OCR has damaged: long, yet without any å/ä/ö, or with OCR
    glyph damage (``f6r``, ``&r``) on more than an occasional word."""
    letters = len(_LETTER.findall(text))
    if letters < MIN_LETTERS_FOR_DETECTION:
        return bool(_GLYPH_DAMAGE.search(text)) and not _DIACRITICS.search(text)
    diacritics = len(_DIACRITICS.findall(text))
    if diacritics / letters < 0.005:
        return True
    damage = len(_GLYPH_DAMAGE.findall(text))
    return damage / max(1, len(word_tokens(text))) > 0.01

"""Fuzzy comparison of OCR'd and typed Swedish: titles against headings, mails against the
paragraphs that summarise them.

OCR spells one word many ways (``bistandshandlaggare``, ``bistdndshandldggare``,
``bistindshandléggare``, docs/ocr.md), so words are compared by a *skeleton*: lower case, without the
letters OCR substitutes for å/ä/ö and the vowels around them. Two spellings of a word share
the skeleton; different words rarely do.
"""

import re
import unicodedata
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+")
# Letters and glyphs OCR confuses with å, ä, ö (a, d, i, é, &, 4 …; o, 6, 0, g) plus the vowels.
_DROP = str.maketrans("", "", "aeiouyåäöéèdg&4@#60")
STOP_WORDS = frozenset(
    "och att av for för om till i pa på med vid fran från den det de en ett som ar är samt "
    "dnr hv ks nr".split()
)


@lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).lower()
    if word.isdigit():
        return word
    return word.translate(_DROP)


def content_tokens(text: str, *, minimum: int = 2) -> list[str]:
    tokens = []
    for token in _TOKEN.findall(text.lower()):
        if token in STOP_WORDS or len(token) < minimum:
            continue
        shape = skeleton(token)
        if len(shape) >= 2 or token.isdigit():
            tokens.append(shape)
    return tokens


def title_similarity(title: str, text: str) -> float:
    """How much of ``title`` (0–1, by distinct content words) occurs in ``text``; a word also
    counts when one spelling begins the other (``äldreomsorg``/``äldreomsorgen``)."""
    wanted = set(content_tokens(title))
    if not wanted:
        return 0.0
    present = set(content_tokens(text))
    found = 0
    for token in wanted:
        if token in present or (
            len(token) >= 5
            and any(p.startswith(token) or token.startswith(p) for p in present if len(p) >= 5)
        ):
            found += 1
    return found / len(wanted)


def mutual_similarity(a: str, b: str) -> float:
    """Symmetric: the smaller of the two coverages, so a short heading inside a long text
    does not count as the same title."""
    return min(title_similarity(a, b), title_similarity(b, a))


def overlap_score(a: str, b: str) -> float:
    """Shared long words of two texts (Dice coefficient over distinct words of 4+ letters)."""
    left = {t for t in content_tokens(a, minimum=4) if len(t) >= 3}
    right = {t for t in content_tokens(b, minimum=4) if len(t) >= 3}
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))

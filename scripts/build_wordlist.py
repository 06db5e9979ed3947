"""Build the Swedish word list that the importer ships (cases/importers/data/sv_words.txt.gz)
and the frequencies of its words with å/ä/ö (sv_frequencies.txt.gz).

Run once when the list should change; the app reads only the generated file, never a system
dictionary. Needs the ``wordfreq`` package at build time only::

    .venv/bin/pip install wordfreq && .venv/bin/python scripts/build_wordlist.py

Sources and licences (see cases/importers/data/README.md):
- wordfreq's Swedish "large" list (data CC BY-SA 4.0, code Apache-2.0): the words people
  actually write. Debian's wswedish (GPL-2) was not used so that the shipped file carries
  no GPL terms.
- the words of the two clean seed documents (003, 004): Stockholm's own tjänsteutlåtanden,
  public documents (allmänna handlingar) without copyright (upphovsrättslagen 9 §).

Spellings without diacritics that are mainly typing shortcuts for a far commoner word with
å/ä/ö (``pa`` for ``på``, ``ar`` for ``är``) are dropped: in OCR'd text they are damage,
and the list is used to measure damage.

The frequency file lets ``cases/importers/spelling.py`` choose between two real words an
OCR'd spelling may stand for (``ar``: ``är`` or ``år``; ``vard``: ``vård`` or ``värd``). Only
words with å/ä/ö and a Zipf frequency of at least ``MIN_ZIPF_FREQUENCIES`` are kept, to keep
the shipped file small; any other word counts as rare.
"""

import gzip
import itertools
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "cases" / "importers" / "data"
OUTPUT = DATA / "sv_words.txt.gz"
FREQUENCIES = DATA / "sv_frequencies.txt.gz"
CLEAN_SEEDS = ["003_9a413c8b3096659a.txt", "004_d89b0ecc961349f8.txt"]
WORD = re.compile(r"^[a-zåäöéü]+$")
MIN_ZIPF = 1.5  # about once in 30 million words
SHORTCUT_MARGIN = 1.5  # zipf units: a variant 30 times commoner marks a typing shortcut
MIN_ZIPF_FREQUENCIES = 2.5  # about once in 3 million words


def diacritic_variants(word: str) -> set[str]:
    options = [("a", "å", "ä") if ch == "a" else ("o", "ö") if ch == "o" else (ch,) for ch in word]
    if sum(len(o) > 1 for o in options) > 4:
        return set()
    return {"".join(p) for p in itertools.product(*options)} - {word}


def main() -> None:
    try:
        import wordfreq
    except ImportError:
        sys.exit("Installera wordfreq först: .venv/bin/pip install wordfreq")
    frequencies = wordfreq.get_frequency_dict("sv", wordlist="large")
    zipf = {w: wordfreq.zipf_frequency(w, "sv", wordlist="large") for w in frequencies}
    words = set()
    for word, value in zipf.items():
        if value < MIN_ZIPF or not WORD.match(word) or len(word) > 40:
            continue
        if not any(ch in "åäö" for ch in word):
            rivals = [zipf.get(v, 0.0) for v in diacritic_variants(word)]
            if rivals and max(rivals) - value >= SHORTCUT_MARGIN:
                continue
        words.add(word)
    seeds = ROOT / "demo" / "seeds"
    for name in CLEAN_SEEDS:
        text = (seeds / name).read_text(encoding="utf-8").lower()
        words.update(w for w in re.findall(r"[a-zåäöéü]+", text) if len(w) > 1)
    data = ("\n".join(sorted(words)) + "\n").encode("utf-8")
    OUTPUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    print(f"{len(words)} ord, {OUTPUT.stat().st_size} byte -> {OUTPUT.relative_to(ROOT)}")
    common = sorted(
        word
        for word in words
        if any(ch in "åäö" for ch in word) and zipf.get(word, 0.0) >= MIN_ZIPF_FREQUENCIES
    )
    data = "".join(f"{word} {zipf[word]:.2f}\n" for word in common).encode("utf-8")
    FREQUENCIES.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    size = FREQUENCIES.stat().st_size
    print(f"{len(common)} frekvenser, {size} byte -> {FREQUENCIES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

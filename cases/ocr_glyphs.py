"""What OCR put in place of å, ä and ö in the scanned seeds (docs/ocr.md), in one place.

Read by the search's folding and query expansion (``cases/search/language.py``), the importer's
spelling repair (``importers/spelling.py``) and its OCR quality score (``importers/quality.py``).
Pure data: imports nothing.
"""

# Folding for OCR'd text and queries aimed at it: å/ä/ö lose their marks, and é, which OCR
# wrote for ä or å far more often than Swedish uses it, counts as an a.
FOLD = {
    "å": "a",
    "ä": "a",
    "ö": "o",
    "é": "a",
    "è": "e",
    "ü": "u",
    "æ": "a",
    "ø": "o",
    "á": "a",
    "à": "a",
}

# Glyphs that stand for å/ä (the first) or ö (the second) inside a word: folded only next to
# letters and never next to a digit, so "HT16", "t3 2016" and "2019/16" are left alone.
GLYPHS_FOR_A = "&4@#"
GLYPHS_FOR_O = "60"

# The spellings OCR gives å/ä and ö, most frequent first: a query word typed with å/ä/ö is
# widened to these (strategy C of docs/ocr.md: 99.6 % of occurrences found).
SPELLINGS_OF_A = ("a", "d", "i", "ia", "id", "di", "ii", "ai", "da", "ad", "g", "ae", "aa", "ea")
SPELLINGS_OF_O = ("o", "a", "d", "g", "do", "od", "oa", "ao", "da")

# The other way round, for repair at import: what OCR wrote → the letters it may stand for.
# a, o, d and i are ordinary letters too, so a repaired candidate must be a known word.
REPAIR_SINGLE = {
    "a": "åä",
    "o": "ö",
    "d": "äåö",
    "i": "ä",
    "é": "äåö",
    "6": "ö",
    "0": "ö",
    "&": "äå",
    "4": "äå",
    "@": "ä",
    "#": "ä",
}
REPAIR_DOUBLE = {
    "ai": "äå",
    "ia": "äå",
    "id": "äå",
    "di": "äå",
    "ii": "äå",
    "da": "äå",
    "ad": "äå",
    "éa": "äå",
    "éd": "äå",
    "éi": "äå",
    "d&": "äå",
    "aé": "äå",
    "éo": "ö",
    "oé": "ö",
}

# Glyph damage typed text never has, for telling OCR'd text apart: a digit or & between
# letters (f6r), or a glyph starting a word (&r, 4ven, 6ver). A 4 or 0 between letters is
# left out: typed product and place names have them.
DAMAGE_INSIDE_WORD = "6&@#"
DAMAGE_STARTING_WORD = "6&4"

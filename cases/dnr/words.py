"""The words around a dnr: what announces one, what links it to a board, what rules it out."""

from __future__ import annotations

import re

from .boards import ocr_phrase_regex

# URLs and e-mail addresses, whose digits are never dnr. Bounded and anchored at token starts
# so a long run of dashes or dotted digits cannot make the search quadratic.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]{1,500}"
    r"|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
    r"|(?<![\w/.-])[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}"
    r"\.(?:se|com|org|net|nu|eu|gov|pdf|html?|aspx?|docx?)(?:/[^\s<>\"]{0,500})?(?!\w)",
    re.IGNORECASE,
)
# Words that announce a dnr, as OCR may have spelled them ("drende nr", "diarieférts pd").
_DNR_WORD = "|".join(
    (
        r"d\.?\s?nr",
        ocr_phrase_regex("ärendenr"),
        ocr_phrase_regex("ärendebeteckning"),
        r"beteckning",
        r"diarienummer",
        r"diarienr",
        r"diarie\s?nr",
        ocr_phrase_regex("ärendenummer"),
        ocr_phrase_regex("ärende nr"),
        ocr_phrase_regex("ärende") + r"(?!\w)",
        ocr_phrase_regex("diarieför*") + r"(?:\s+(?:" + ocr_phrase_regex("på") + r"|under|som))?",
    )
)
# A dnr word right before the number ("Dnr:", "vårt dnr", "diarieförts på"), with nothing in
# between but punctuation and a line break.
_KEYWORD_BEFORE = re.compile(
    rf"(?<![^\W\d_])(?:{_DNR_WORD})\s*\.?\s*:?\s*(?:nr\.?\s*)?[(\[]?\s*$", re.IGNORECASE
)
# Between a board's name and its number: the rest of the word (genitive -s, definite -en) and
# a few linking words. Kept tight so a name earlier in the sentence does not claim the number.
_GLUE_WORDS = "|".join(
    (
        _DNR_WORD,
        r"nr|med|har|under|beteckning|referens|ref|rotel\s+[ivx]+",
        ocr_phrase_regex("stadsdels*"),
        ocr_phrase_regex("nämnd*"),
        ocr_phrase_regex("förvaltning*"),
    )
)
_BOARD_GLUE = re.compile(
    r"(?::s|s|n|en|ens|ns|et|ets|er|erna|ernas)?(?![^\W\d_])"
    rf"(?:[\s,.:;()\[\]\-\u2010-\u2015]|(?<![^\W\d_])(?:{_GLUE_WORDS})(?![^\W\d_]))*",
    re.IGNORECASE,
)
# Between two numbers of one list: "HV 2019/272, HV 2019/259 samt HV 2019/19".
_LIST_GLUE = re.compile(
    r"\s*(?:[,;&+/]\s*(?:och|samt|eller)?|och|samt|resp\.?|respektive|eller)\s*"
    rf"(?:(?:{_DNR_WORD})\s*\.?\s*:?\s*)?",
    re.IGNORECASE,
)
# Signs a bare number is not a dnr even next to a dnr word: detaljplan (S-Dp 2004-10231-54).
_NOT_DNR_BEFORE = re.compile(
    r"(?<![^\W\d_])(?:(?:S-)?Dp|mål\s?nr|org\.?\s?nr|tfn|tel|telefon|fax|SFS|SOU|Ds|prop)"
    r"\.?:?\s*$|§\s*$",
    re.IGNORECASE,
)
_TABLE_HEADER = re.compile(r"[ \t|]*(?:dnr|diarienummer|diarienr)\b[^0-9\n]*$", re.IGNORECASE)
_ORPHAN_PREFIX = re.compile(r"[ \t|]*(?P<prefix>[A-ZÅÄÖ]{1,6})[ \t]+(?![0-9])\S")

RELATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("besvarar-aven", ("besvarar även", "besvaras även", "besvarar också", "besvaras också")),
    ("remiss-fran", ("remiss från", "remissen från", "remiss ifrån", "remitterat från")),
    ("svar-pa", ("svar på", "besvarande av")),
    ("for-kannedom", ("för kännedom", "för information")),
    ("overlamnat-till", ("överlämna* till", "översän* till")),
)
_RELATION = re.compile(
    "|".join(
        f"(?P<r{index}>(?<![^\\W\\d_])(?:{'|'.join(ocr_phrase_regex(p) for p in phrases)}))"
        for index, (_name, phrases) in enumerate(RELATIONS)
    ),
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<![Dd]nr)(?<!nr)[.!?]\s+[A-ZÅÄÖ]|\n[ \t]*\n")

"""Snippets for the hits on a search page: the passage of a document's text where the
query's words occur closest together, never a letterhead ("Handläggare … Telefon …") when
a better passage exists, with the words marked.

For an OCR'd document the words are found in any OCR spelling (the text is folded as the
OCR vector is: ``godkénner`` is found by ``godkänner``), and the snippet is shown in its
repaired reading (the å/ä/ö OCR lost put back by ``importers.spelling``, as the importer does
for titles); the raw text stays one click away.

Only the page's rows are read (never the whole result), one statement for the page. The
passage is found in Python with regular expressions over the text (bench at 100k, a page of
20 hits of a common word: 5-17 ms with the machine busy).
"""

import re
import unicodedata
from dataclasses import dataclass

from portal.db_router import read_connection as connection

from .. import ocr_glyphs
from ..importers.spelling import restore_diacritics
from ..personal_data import mask_personal_numbers
from . import language
from .criteria import DnrTarget
from .language import HEADLINE_START, HEADLINE_STOP

SNIPPET_CHARS = 260  # about two lines of the result list
MAX_SNIPPET_CHARS = 420
LEAD_CHARS = 70  # text shown before the first word of the passage

# Lines of a letterhead or a signature block: the place a word like the district's name
# occurs first in nearly every document, and the worst place to show it.
LETTERHEAD = re.compile(
    r"telefon|handl[aäé]ggare|e-?post|postadress|bes[oöé]ksadress|org\.?\s?nr|www\.|\S@\S|"
    r"v[aäé]xel|\bfax\b|sida \d+ \(\d+\)|diarienummer|\bdnr\b",
    re.IGNORECASE,
)


# Words the text search ignores (PostgreSQL's Swedish stop words, the commonest of them):
# marking every "i" and "och" would make the passage look matched where it is not.
STOP_WORDS = frozenset(
    "alla allt att av blev bli blir blivit de dem den denna deras dess dessa det detta dig "
    "din dina ditt du där då efter ej eller en er era ert ett från för ha hade han hans har "
    "henne hennes hon honom hur här i icke ingen inom inte jag ju kan kunde man med mellan "
    "men mig min mina mitt mot mycket ni nu när någon något några och om oss på samma sedan "
    "sig sin sina sitta själv skulle som så sådan sådana sådant till under upp ut utan vad "
    "var vara varför varit varje vars vart vem vi vid vilka vilkas vilken vilket vår våra "
    "vårt än är åt över".split()
)


@dataclass
class Snippet:
    text: str  # with HEADLINE_START/STOP around the matched words; escape when shown
    raw: str = ""  # for an OCR'd document: the same passage as OCR read it


def page_snippets(
    page_ids: list[int],
    parsed: language.ParsedQuery | language.TsQuery,
    variants: dict | None = None,
) -> dict[int, Snippet]:
    """The snippet of each document on the page; ``parsed``: the request's ``TsQuery``, or
    a parsed query (its words found in the OCR spellings ``variants``)."""
    tsquery = language.as_tsquery(parsed, variants)
    parsed, variants = tsquery.parsed, tsquery.variants
    if not page_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, text_source, full_text FROM cases_document WHERE id = ANY(%s)",
            [page_ids],
        )
        rows = cursor.fetchall()
    clean_terms = term_patterns(parsed, variants, ocr=False)
    ocr_terms = term_patterns(parsed, variants, ocr=True)
    digits = any(ch.isdigit() for word in parsed.positive_words for ch in word)
    found = {}
    for pk, source, text in rows:
        if source == "ocr":
            found[pk] = ocr_snippet(text or "", ocr_terms, digits=digits)
        else:
            found[pk] = Snippet(snippet(text or "", clean_terms))
    return found


def term_patterns(
    parsed: language.ParsedQuery, variants: dict | None, *, ocr: bool
) -> list[re.Pattern]:
    """One pattern per word or phrase of the query (not the excluded ones), each matching
    the word in any inflection (the word without its last letters, as stemming cuts them)
    and, for OCR'd text, in any OCR spelling of the folded text.

    The patterns are in lower case and are searched in lower-cased text (``lowered``) by
    ``word_matches``, which keeps the matches that start where a word starts. So a pattern
    starts with the word's letters, and the regular expression engine looks for them by
    their first letters instead of trying every position (Python's re, a page of 2,750
    characters: 3 instead of 52 µs a word; with IGNORECASE it tries every position)."""
    patterns = []
    for clause in parsed.clauses:
        for term in clause:
            if term.negated or term.text in STOP_WORDS:
                continue
            if term.phrase:
                text = language.ocrfold(term.text) if ocr else term.text.lower()
                body = r"\W+(?:\w+\W+)?".join(_stem(word) + r"\w*" for word in language.words(text))
            else:
                spellings = [term.text]
                if ocr:
                    spellings = (variants or {}).get(term.text) or language.ocr_variants(term.text)
                body = "|".join(
                    sorted({_stem(s.lower()) for s in spellings}, key=len, reverse=True)
                )
                body = f"(?:{body})\\w*"
            patterns.append(re.compile(body))
    return patterns


def word_matches(pattern: re.Pattern, haystack: str, start: int = 0, end: int | None = None):
    """The matches of a ``term_patterns`` pattern in ``haystack`` (from ``start`` to ``end``)
    that start where a word starts: as the pattern with ``(?<!\\w)`` in front finds them (the
    search goes on at the next character after a match inside a word, so a phrase's match
    starting within it is found)."""
    end = len(haystack) if end is None else end
    position = start
    while match := pattern.search(haystack, position, end):
        first = match.start()
        if first and _is_word_character(haystack[first - 1]):
            position = first + 1
            continue
        yield match
        position = match.end() if match.end() > first else first + 1


def _is_word_character(character: str) -> bool:
    """Whether ``\\w`` matches the character (Python's re: alphanumeric or "_")."""
    return character.isalnum() or character == "_"


def lowered(text: str) -> str:
    """``text`` in lower case, character for character (a letter whose lower case is longer,
    as "İ", stays as it is): positions in it are positions in ``text``."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _stem(word: str) -> str:
    """The word without the letters an inflection changes (förskola: försko|lan, |lor),
    at least four letters."""
    cut = 2 if len(word) >= 7 else 3
    return re.escape(word[: max(4, len(word) - cut)] if len(word) > 4 else word)


def snippet(text: str, terms: list[re.Pattern]) -> str:
    """The best passage of ``text`` with the words marked, personnummer masked.

    The text is masked before the passage is chosen and cut: a query word next to a
    personnummer would otherwise be marked inside it (the mark splits the number, so masking
    the snippet afterwards no longer sees it), and a cut could leave its last digits."""
    return _snippet(mask_personal_numbers(text), terms)


def _snippet(text: str, terms: list[re.Pattern], *, folded: str | None = None) -> str:
    """The best passage of ``text`` with the words marked; the words are looked for in
    ``folded`` (a same-length, lower-case folding of the text) when given, else in the text
    in lower case."""
    haystack = folded if folded is not None else lowered(text)
    start, end = best_passage(haystack, terms)
    return _marked(text, haystack, terms, start, end)


def ocr_snippet(text: str, terms: list[re.Pattern], *, digits: bool = False) -> Snippet:
    """``digits``: the query has a digit, so the text is folded as ocrfold folds it (a glyph
    becomes a letter only next to letters); otherwise by one translation, every glyph to
    its letter, which keeps each character in place and is ten times faster on a meeting
    pack (the query's words have no digits to miss). Personnummer are masked first, as in
    ``snippet``."""
    if digits:
        text = mask_personal_numbers(unicodedata.normalize("NFKC", text))
        folded = language.ocrfold(text)
    else:
        text = mask_personal_numbers(text)
        folded = fast_fold(text.lower())
    if len(folded) != len(text):  # a letter whose lower case is longer: the raw text
        folded = None
    raw = _snippet(text, terms, folded=folded)
    return Snippet(restore_diacritics(raw), raw)


# every OCR glyph to its letter, one character to one
_FAST_FOLD = {
    **ocr_glyphs.FOLD,
    **dict.fromkeys(ocr_glyphs.GLYPHS_FOR_A, "a"),
    **dict.fromkeys(ocr_glyphs.GLYPHS_FOR_O, "o"),
}
_FAST_FOLD_TABLE = str.maketrans(_FAST_FOLD)
# no glyph folds to another glyph, so the glyphs can be replaced one after the other
_FOLD_BY_REPLACE = all(
    len(glyph) == len(letter) == 1 and letter not in _FAST_FOLD
    for glyph, letter in _FAST_FOLD.items()
)


def fast_fold(text: str) -> str:
    """``text`` with every OCR glyph folded to its letter (``_FAST_FOLD``), as one
    translation does it: by one replace per glyph the text has, five times faster than
    str.translate on a page of Swedish text (whose å, ä and ö keep translate off its fast
    ASCII path)."""
    if not _FOLD_BY_REPLACE:
        return text.translate(_FAST_FOLD_TABLE)
    for glyph in _FAST_FOLD.keys() & set(text):
        text = text.replace(glyph, _FAST_FOLD[glyph])
    return text


def best_passage(text: str, terms: list[re.Pattern]) -> tuple[int, int]:
    """Where the snippet starts and ends: the shortest stretch with the most different
    query words, outside a letterhead when the words occur elsewhere too."""
    hits = []
    for index, pattern in enumerate(terms):
        hits += [(m.start(), m.end(), index) for m in word_matches(pattern, text)]
    if not hits:
        first = _first_body_line(text)
        return first, first + SNIPPET_CHARS
    in_letterhead = _letterhead_lines(text)
    body = [hit for hit in hits if not in_letterhead(hit[0])]
    hits = sorted(body or hits)
    # the window of at most MAX_SNIPPET_CHARS with the most different words, the shortest
    # of those (two pointers over the hits in text order)
    best = None
    frequency: dict[int, int] = {}
    for _start, _end, index in hits:
        frequency[index] = frequency.get(index, 0) + 1
    inside: dict[int, int] = {}
    left = 0
    for _start, end, index in hits:
        inside[index] = inside.get(index, 0) + 1
        while end - hits[left][0] > MAX_SNIPPET_CHARS or inside[hits[left][2]] > 1:
            inside[hits[left][2]] -= 1
            if not inside[hits[left][2]]:
                del inside[hits[left][2]]
            left += 1
        # between windows with as many words: the one with the rarest word in this text
        rarest = min(frequency[i] for i in inside)
        key = (-len(inside), rarest, end - hits[left][0])
        if best is None or key < best[0]:
            best = (key, hits[left][0], end)
    _key, start, end = best
    spare = max(0, SNIPPET_CHARS - (end - start))
    before = min(LEAD_CHARS, spare, start)
    # no letterhead before the passage either: the lead starts after the last such line
    # it touches (whole lines: a line's start may lie before the lead)
    position = start - before
    line_start = text.rfind("\n", 0, position) + 1
    for line in text[line_start:start].splitlines(keepends=True):
        line_end = line_start + len(line)
        if is_letterhead(line) and line.endswith("\n"):
            position = max(position, line_end)
        line_start = line_end
    before = start - position
    return start - before, end + spare - before


# Every alternative of LETTERHEAD contains one of these: a line without them is found no
# letterhead without the regular expression, which costs about 60 ns a character (a page of
# OCR'd text, most of it lines with query words: 5 ms of the snippets' 12).
LETTERHEAD_MARKS = (
    "telefon",
    "handl",
    "post",
    "adress",
    "org",
    "www",
    "@",
    "xel",
    "fax",
    "sida",
    "diarienummer",
    "dnr",
)


def is_letterhead(line: str) -> bool:
    lowered = line.lower()
    return any(mark in lowered for mark in LETTERHEAD_MARKS) and bool(LETTERHEAD.search(line))


def _letterhead_lines(text: str):
    """A test whether a position of ``text`` is on a letterhead line, each line searched
    once: a text of few lines has many hits on each (an OCR'd page may be one line)."""
    lines: dict[int, bool] = {}

    def in_letterhead(position: int) -> bool:
        line_start = text.rfind("\n", 0, position) + 1
        if line_start not in lines:
            line_end = text.find("\n", position)
            end = line_end if line_end != -1 else len(text)
            lines[line_start] = is_letterhead(text[line_start:end])
        return lines[line_start]

    return in_letterhead


def _first_body_line(text: str) -> int:
    position = 0
    for line in text.splitlines(keepends=True):
        if line.strip() and not is_letterhead(line) and len(line.strip()) > 30:
            return position
        position += len(line)
    return 0


def _marked(text: str, haystack: str, terms: list[re.Pattern], start: int, end: int) -> str:
    """text[start:end] cut at word boundaries, whitespace collapsed, with every query word
    in it marked."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end : end + 1].isalnum():
        end += 1
    spans = []
    for pattern in terms:
        spans += [(m.start(), m.end()) for m in word_matches(pattern, haystack, start, end)]
    pieces, position = [], start
    for span_start, span_end in sorted(spans):
        if span_start < position:
            continue
        pieces += [
            text[position:span_start],
            HEADLINE_START,
            text[span_start:span_end],
            HEADLINE_STOP,
        ]
        position = span_end
    pieces.append(text[position:end])
    marked = " ".join("".join(pieces).split())
    return f"{'… ' if start > 0 else ''}{marked}{' …' if end < len(text) else ''}"


SNIPPET_CONTEXT = 120


def reference_snippets(page_ids: list[int], target: DnrTarget) -> dict[int, str]:
    """For a dnr search: the text around the first place each document mentions the number
    (or, for the case's own documents, nothing)."""
    if not page_ids:
        return {}
    sql = (
        "SELECT DISTINCT ON (r.source_id) r.source_id, "
        "substr(d.full_text, greatest(1, r.start + 1 - %s), least(r.start, %s)), "
        "substr(d.full_text, r.start + 1, r.end - r.start), "
        "substr(d.full_text, r.end + 1, %s), "
        "r.start > %s, length(d.full_text) > r.end + %s "
        "FROM cases_reference r JOIN cases_document d ON d.id = r.source_id "
        "WHERE r.source_id = ANY(%s) AND r.start IS NOT NULL "
        "AND (r.target_id = ANY(%s) OR r.dnr_key = ANY(%s)) ORDER BY r.source_id, r.start"
    )
    params = [
        *[SNIPPET_CONTEXT] * 5,
        page_ids,
        list(target.case_ids),
        list(target.keys),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = {}
    for pk, before, raw, after, cut_before, cut_after in rows:
        # a personnummer the cut splits is not recognised by the mask: leave its part out
        before = mask_personal_numbers(_CUT_START.sub("", before) if cut_before else before)
        after = mask_personal_numbers(_CUT_END.sub("", after) if cut_after else after)
        found[pk] = (
            f"… {' '.join(before.split())} {HEADLINE_START}{' '.join(raw.split())}"
            f"{HEADLINE_STOP} {' '.join(after.split())} …"
        )
    return found


# What a personnummer is written with: a piece of one at the edge of a cut context.
_CUT_START = re.compile(r"^[\d\s+-]+")
_CUT_END = re.compile(r"[\d\s+-]+$")

"""Swedish full-text search: text normalisation, query parsing and tsquery building.

Pure Python plus SQL fragments; imports nothing from the app. Two vectors per document:

- the *clean* vector indexes typed and text-layer documents with PostgreSQL's ``swedish``
  Snowball configuration, keeping å/ä/ö distinct (``har`` never matches ``här``);
- the *OCR* vector indexes OCR'd documents after :func:`ocrfold` (å/ä→a, ö→o and OCR glyph
  stand-ins folded). A query word with å/ä/ö is expanded into the spellings OCR produces
  (:func:`ocr_variants`), which finds ~99 % of occurrences in the seeds (docs/ocr.md, strategy C)
  where plain accent folding finds ~half.

Swedish compounds: index-time splitting adds the parts of a compound as extra words
(``medborgarförslag`` is also indexed as ``förslag``), and query terms of five letters or more
also match as prefixes of the stem (``bygglov`` finds ``Bygglovet``, ``arbetsmiljö`` finds
``arbetsmiljöarbetet``).
"""

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from .. import ocr_glyphs

SEARCH_CONFIG = "swedish"

_FOLD = str.maketrans(ocr_glyphs.FOLD)
_GLYPH_A = re.compile(
    rf"(?<=[a-zåäöé])[{ocr_glyphs.GLYPHS_FOR_A}](?![0-9])|(?<![0-9])[{ocr_glyphs.GLYPHS_FOR_A}](?=[a-zåäöé])"
)
_GLYPH_O = re.compile(
    rf"(?<=[a-zåäöé])[{ocr_glyphs.GLYPHS_FOR_O}](?![0-9])|(?<![0-9])[{ocr_glyphs.GLYPHS_FOR_O}](?=[a-zåäöé])"
)
_WORD = re.compile(r"[0-9a-zåäöéü]+(?:[-'][0-9a-zåäöéü]+)*")

# Query-time expansion (docs/ocr.md): the spellings OCR gives each letter, most frequent first.
_A_VARIANTS = ocr_glyphs.SPELLINGS_OF_A
_O_VARIANTS = ocr_glyphs.SPELLINGS_OF_O
MAX_VARIANTS = 256
MIN_EXPANDED_LENGTH = 4  # short words (är, på, år) explode into noise and are stop words
MIN_PREFIX_LENGTH = 5


def fold_diacritics(text: str) -> str:
    return text.lower().translate(_FOLD)


def ocrfold(text: str) -> str:
    """Normalise OCR'd text (or a query aimed at it) so both sides meet: symmetric and safe."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _GLYPH_A.sub("a", text)
    text = _GLYPH_O.sub("o", text)
    return text.translate(_FOLD)


def ocr_variants(word: str, *, limit: int = MAX_VARIANTS) -> list[str]:
    """Spellings OCR produces for a word typed with å/ä/ö, folded, most likely first.

    The number of alternatives per letter shrinks until the product fits ``limit``, so a
    word with many special letters keeps only the commonest substitutions.
    """
    word = unicodedata.normalize("NFKC", word).lower()
    specials = [i for i, ch in enumerate(word) if ch in "åäö"]
    if not specials or len(word) < MIN_EXPANDED_LENGTH:
        return [ocrfold(word)]
    width = max(len(_A_VARIANTS), len(_O_VARIANTS))
    while width > 1:
        options = [(_O_VARIANTS if word[i] == "ö" else _A_VARIANTS)[:width] for i in specials]
        total = 1
        for choice in options:
            total *= len(choice)
        if total <= limit:
            break
        width -= 1
    options = [(_O_VARIANTS if word[i] == "ö" else _A_VARIANTS)[:width] for i in specials]
    # ocrfold keeps the length of an NFKC-normalised lower-case word, and a letter stands
    # next to each special letter whichever spelling replaces it: so folding the word once
    # and splicing in the replacements gives what folding every spelling would (tested).
    folded = ocrfold(word)
    head = folded[: specials[0]]
    # the folded text after each special letter, up to the next one (or the end)
    ends = [*specials[1:], len(folded)]
    after = [folded[i + 1 : j] for i, j in zip(specials, ends, strict=True)]
    variants: dict[str, None] = {}  # ordered, without repeats
    for combination in itertools.product(*options):
        parts = [head]
        for replacement, piece in zip(combination, after, strict=True):
            parts += [replacement, piece]
        variants["".join(parts)] = None
    return list(variants)


_LETTER_SLASH = re.compile(r"(?<=[^\W\d_])/(?=[^\W\d_])")


def split_slashes(text: str) -> str:
    """Words joined by a slash apart ("Mabårsstigen/Fyrspannsgatan"): PostgreSQL's parser
    reads them as one path token, which no word of a query matches. Numbers keep theirs."""
    return _LETTER_SLASH.sub(" / ", text)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@functools.lru_cache(maxsize=200_000)
def split_compound(word: str, is_word: Callable[[str], bool], *, min_part: int = 4) -> list[str]:
    """Split a Swedish compound into known words: ``medborgarförslag`` → [medborgar, förslag].

    Tries the longest known tail first and allows the linking ``s`` (``arbets|miljö``); returns
    [] when the word is not a compound of known words. Recursion handles three-part words.
    Cached (imports meet the same words again and again): callers must not mutate the result.
    """
    word = word.lower()
    if len(word) < 2 * min_part:
        return []
    for cut in range(min_part, len(word) - min_part + 1):
        head, tail = word[:cut], word[cut:]
        if not is_word(tail):
            continue
        for candidate in _head_forms(head):
            if len(candidate) >= min_part - 1 and is_word(candidate):
                return [candidate, tail]
        if len(head) >= 2 * min_part:
            inner = split_compound(head.removesuffix("s"), is_word, min_part=min_part)
            if inner:
                return [*inner, tail]
    return []


def _head_forms(head: str) -> list[str]:
    """The first part as written and its base forms without the linking letter:
    arbets → arbete, skol → skola, barn → barn."""
    forms = [head, head + "a", head + "e"]
    if head.endswith("s"):
        forms += [head[:-1], head[:-1] + "e"]
    return forms


def compound_parts(text: str, is_word: Callable[[str], bool]) -> str:
    """The parts of every compound in ``text``, as extra words to index with it."""
    parts: list[str] = []
    seen: set[str] = set()
    for token in words(text):
        if token in seen or len(token) < 8:
            continue
        seen.add(token)
        parts.extend(split_compound(token, is_word))
    return " ".join(parts)


# --- Queries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    text: str  # one word, or several for a quoted phrase
    phrase: bool = False
    negated: bool = False


@dataclass
class ParsedQuery:
    """websearch semantics: clauses are ANDed; a clause is alternatives joined by ``or``."""

    clauses: list[list[Term]] = field(default_factory=list)

    @property
    def needs_positions(self) -> bool:
        """Phrases and exclusions: a GIN index cannot answer them alone (it rechecks)."""
        return any(t.phrase or t.negated for c in self.clauses for t in c)

    @property
    def positive_words(self) -> list[str]:
        return [w for c in self.clauses for t in c if not t.negated for w in words(t.text)]

    def __bool__(self) -> bool:
        return any(not t.negated for c in self.clauses for t in c)


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_OR_WORDS = {"or", "eller"}


def parse_query(text: str) -> ParsedQuery:
    """Parse what a person typed with websearch semantics: "phrases", -exclusion, or/eller."""
    clauses: list[list[Term]] = []
    pending_or = False
    for match in _TOKEN.finditer(text):
        negated_phrase, phrase, plain = match.groups()
        if plain is not None and plain.lower() in _OR_WORDS:
            pending_or = bool(clauses)
            continue
        if phrase is not None:
            term_words = words(phrase)
            if not term_words:
                continue
            term = Term(
                " ".join(term_words), phrase=len(term_words) > 1, negated=bool(negated_phrase)
            )
        else:
            negated = plain.startswith("-") and len(plain) > 1
            term_words = words(plain[1:] if negated else plain)
            if not term_words:
                continue
            # "HV-2019" or "socialnämndens/förvaltningens" become a phrase of their words.
            term = Term(" ".join(term_words), phrase=len(term_words) > 1, negated=negated)
        if pending_or and not term.negated:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        pending_or = False
    return ParsedQuery(clauses)


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "") + "'"


def word_query(word: str, *, prefix: bool) -> str:
    suffix = ":*" if prefix and len(word) >= MIN_PREFIX_LENGTH and not word.isdigit() else ""
    return _quote(word) + suffix


def _term_sql(
    term: Term, *, ocr: bool, variants: Mapping[str, list[str]] | None = None
) -> tuple[str, list[str]]:
    """SQL for one term: a tsquery expression and its parameters (never raw user syntax)."""
    if term.phrase:
        phrase = ocrfold(term.text) if ocr else term.text
        return f"phraseto_tsquery('{SEARCH_CONFIG}', %s)", [phrase]
    word = term.text
    if ocr:
        spellings = (variants or {}).get(word) or ocr_variants(word)
        alternatives = [word_query(v, prefix=not term.negated) for v in spellings]
    else:
        alternatives = [word_query(word, prefix=not term.negated)]
    return f"to_tsquery('{SEARCH_CONFIG}', %s)", [" | ".join(alternatives)]


def tsquery_sql(
    query: ParsedQuery,
    *,
    ocr: bool,
    variants: Mapping[str, list[str]] | None = None,
    relaxed: bool = False,
) -> tuple[str, list[str]]:
    """One tsquery expression for the whole query, for the clean or the OCR vector.

    ``variants`` may narrow a word's OCR variants to a subset (the ones that occur in the
    index, see ``candidates.present_variants``); by default every variant is used.

    ``relaxed`` gives what a GIN index can answer without reading the vectors: phrases as
    all their words, exclusions left out. It matches a superset of the query (the rows a GIN
    scan has to recheck); the search uses it only to estimate costs."""
    parts: list[str] = []
    params: list[str] = []
    for clause in query.clauses:
        if relaxed and all(term.negated for term in clause):
            continue
        alternatives = []
        for term in clause:
            if relaxed and term.phrase:
                phrase = ocrfold(term.text) if ocr else term.text
                alternatives.append(f"plainto_tsquery('{SEARCH_CONFIG}', %s)")
                params.append(phrase)
                continue
            sql, term_params = _term_sql(term, ocr=ocr, variants=variants)
            alternatives.append(f"!!({sql})" if term.negated else sql)
            params.extend(term_params)
        parts.append("(" + " || ".join(alternatives) + ")")
    return " && ".join(parts) or "''::tsquery", params


@dataclass(frozen=True)
class TsQuery:
    """The tsquery SQL of one search, built once per request and passed down to every
    statement: (text, parameters) for the clean and the OCR vector, and the relaxed form of
    each (what a GIN index answers alone, see :func:`tsquery_sql`)."""

    parsed: ParsedQuery
    variants: Mapping[str, list[str]] | None
    clean: tuple[str, tuple[str, ...]]
    ocr: tuple[str, tuple[str, ...]]
    relaxed_clean: tuple[str, tuple[str, ...]]
    relaxed_ocr: tuple[str, tuple[str, ...]]

    def __bool__(self) -> bool:
        return bool(self.parsed)


def build_tsquery(parsed: ParsedQuery, variants: Mapping[str, list[str]] | None = None) -> TsQuery:
    """The request's :class:`TsQuery`; ``variants`` as for :func:`tsquery_sql`."""

    def sql(**options) -> tuple[str, tuple[str, ...]]:
        text, params = tsquery_sql(parsed, **options)
        return text, tuple(params)

    clean = sql(ocr=False)
    ocr = sql(ocr=True, variants=variants)
    if not parsed.needs_positions:  # then the relaxed query is the query
        return TsQuery(parsed, variants, clean, ocr, clean, ocr)
    relaxed_clean = sql(ocr=False, relaxed=True)
    relaxed_ocr = sql(ocr=True, variants=variants, relaxed=True)
    return TsQuery(parsed, variants, clean, ocr, relaxed_clean, relaxed_ocr)


def as_tsquery(
    query: ParsedQuery | TsQuery, variants: Mapping[str, list[str]] | None = None
) -> TsQuery:
    """The request's TsQuery as it is, or one built from a parsed query and ``variants``
    (for a caller that searches once)."""
    return query if isinstance(query, TsQuery) else build_tsquery(query, variants)


def weighted_vector_sql(parts: Iterable[tuple[str, str]]) -> str:
    """``setweight(to_tsvector(...), 'A') || ...`` for (weight, placeholder-name) pairs."""
    return " || ".join(
        f"setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(%({name})s, '')), '{weight}')"
        for weight, name in parts
    )


# The marks around the matched words of a snippet: every layer that writes snippets uses
# them, and the template tag turns them into <mark> after escaping the text.
HEADLINE_START = "\x02"
HEADLINE_STOP = "\x03"

"""Spelling suggestions for a search that found nothing: a real Swedish word, never a stem
or an OCR misspelling from the index, and only one that finds something.

Candidates for each word of the query that finds nothing on its own, best first:

1. the word with the å/ä/ö that OCR or a keyboard without them lost put back
   (``medborgarforslag`` → ``medborgarförslag``; the OCR repair of
   ``importers/spelling.py``);
2. words of the word list (``importers/data/sv_words.txt.gz``) and Stockholm's place names
   one edit away (a letter left out, added, changed, two swapped:
   ``medborgarförslg`` → ``medborgarförslag``, ``drönre`` → ``drönare``), then two edits
   away for a short word;
3. for a word of MIN_VOCABULARY_LENGTH letters or more, the public vocabulary's words (the
   register's own compounds, which the word list lacks) one edit away, or two for a word
   of TWO_EDIT_COMPOUND_LENGTH or more, when they are compounds of real words
   (``delegatonsordning`` → ``delegationsordning``, ``stockholmsrumet`` →
   ``stockholmsrummet``): an OCR misspelling in the vocabulary (``medborgarfarslag``) does
   not split into real words and is never one;
4. a compound split into words of the list, suggested by part (``polismyndigheten`` →
   ``polis myndigheten``); a part that is only a stem (``bygg``) is shown in the form the
   public texts use most (``bygga``).

A candidate is suggested only when a public search for it finds a document or a case: the
suggestion never comes from, nor reveals, a confidential document or a protected title
(the search reads only the public entries, and the case entries hold a protected title's
public form only).
"""

import re
from collections import Counter
from functools import cache

from portal.db_router import read_connection as connection

from ..importers import spelling
from ..importers.quality import load_wordlist
from . import language
from .candidates import find_matches, phrase_pairs, request_tsquery

ALPHABET = "abcdefghijklmnopqrstuvwxyzåäöé"
MIN_LENGTH = 4
MAX_TWO_EDIT_LENGTH = 7  # two edits of a longer word are too many spellings to look up
MAX_TRIED = 8  # candidates searched per word
MIN_VOCABULARY_LENGTH = 8  # shorter words: the word list's neighbours are enough
TWO_EDIT_COMPOUND_LENGTH = 12
MAX_NEIGHBOURS = 20  # vocabulary words read per query word
SURFACE_SAMPLE = 20  # public documents read for a stem's commonest form


@cache
def dictionary() -> frozenset[str]:
    """The real words a suggestion may be: the word list and Stockholm's place names."""
    return load_wordlist() | spelling.PLACE_NAMES


def suggest(parsed: language.ParsedQuery) -> str | None:
    """A query of real words, close to ``parsed``, that finds something; None when there
    is none or every word already finds something."""
    hits = Hits()
    words = parsed.positive_words
    hits.look_up(words)
    replaced, changed = [], False
    for word in words:
        if len(word) < MIN_LENGTH or word.isdigit() or hits.found(word):
            replaced.append(word)
            continue
        better = best_candidate(word, hits)
        if better is None:
            replaced.append(word)
            continue
        replaced.append(better)
        changed = True
    if not changed:
        return None
    suggestion = " ".join(replaced)
    return suggestion if hits.found(suggestion) else None


def best_candidate(word: str, hits: "Hits | None" = None) -> str | None:
    """The first candidate for ``word`` that a public search finds something for."""
    hits = hits or Hits()
    tried = candidates(word)[:MAX_TRIED]
    hits.look_up(tried)
    for candidate in tried:
        if hits.found(candidate):
            return candidate
    # parts of three letters too: bygg|lov
    parts = language.split_compound(word, dictionary().__contains__, min_part=3)
    if parts:
        parts = [surface_form(part) for part in parts]
        hits.look_up(parts)
        found = [part for part in parts if hits.found(part)]
        if len(found) == len(parts) and hits.found(" ".join(parts)):
            return " ".join(parts)
        if found:
            return " eller ".join(found)
    return None


def candidates(word: str) -> list[str]:
    """Real words ``word`` may be a misspelling of, likeliest first (see the module)."""
    words = dictionary()
    word = word.lower()
    ranked: dict[str, tuple] = {}
    for restored, substitutions in spelling.candidate_words(word).items():
        if restored in words:
            ranked.setdefault(restored, (0, substitutions, -spelling._frequency(restored)))
    near = (_edits(word) & words) - {word}
    if not near and len(word) <= MAX_TWO_EDIT_LENGTH:
        # word by word: the set of every spelling two edits away is 230,000 strings for a
        # word of seven letters (bygglov 174 -> 112 ms at load 9)
        near = set()
        for one in _edits(word):
            near |= _edits(one) & words
        near -= {word}
        distance = 2
    else:
        distance = 1
    near = dict.fromkeys(near, distance) | vocabulary_candidates(word)
    for candidate, edits in near.items():
        ranked.setdefault(
            candidate,
            (
                edits,
                # a typing slip keeps the first letter and the length more often than not
                candidate[:1] != word[:1],
                abs(len(candidate) - len(word)),
                -spelling._frequency(candidate),
            ),
        )
    return sorted(ranked, key=lambda c: (ranked[c], c))


def vocabulary_candidates(word: str) -> dict[str, int]:
    """The public vocabulary's compounds of real words close to ``word`` (a long word),
    each with its edit distance. The vocabulary holds stems: a neighbour of the word's stem
    is given the word's ending back (``delegatonsordningen`` → ``delegationsordningen``)."""
    if len(word) < MIN_VOCABULARY_LENGTH:
        return {}
    stem = _stem(word) or word
    ending = word[len(stem) :] if word.startswith(stem) else ""
    limit = 2 if len(word) >= TWO_EDIT_COMPOUND_LENGTH else 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT cases_spelling_neighbours(%s, %s)", [stem, MAX_NEIGHBOURS])
        neighbours = [row[0] for row in cursor.fetchall()]
    found: dict[str, int] = {}
    for neighbour in neighbours:
        form = neighbour + ending
        if _stem(form) != neighbour:
            form = neighbour
        distance = edit_distance(word, form)
        if distance <= limit and is_real_compound(form):
            found[form] = distance
    return found


def is_real_compound(word: str) -> bool:
    """Whether ``word`` is a word of the list or a compound of them (not OCR damage)."""
    words = dictionary()
    return word in words or bool(language.split_compound(word, words.__contains__))


def edit_distance(a: str, b: str) -> int:
    """Letters left out, added or changed and neighbours swapped between ``a`` and ``b``
    (optimal string alignment distance)."""
    previous, current = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
    return current[len(b)]


def _edits(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in ALPHABET}
    inserts = {a + c + b for a, b in splits for c in ALPHABET}
    return deletes | swaps | changes | inserts


def surface_form(part: str) -> str:
    """A compound's part as a word people write: when the part is only a stem (``bygg``),
    the form of it the public documents use most (``bygga``), if that is a real word."""
    stem = _stem(part)
    if stem != part:
        return part
    pattern = r"\m" + re.escape(part) + r"[a-zåäö]*"
    # the newest public documents with the word (the page's plans stop after them, where
    # reading them through GIN read every match: "bygg" 219 ms at 100,000 documents)
    from . import criteria

    newest = find_matches(_exact_tsquery(part), criteria.SearchFilters(), limit=2 * SURFACE_SAMPLE)
    with connection.cursor() as cursor:
        # only documents whose title is not protected (a protected title may also stand in
        # the text)
        cursor.execute(
            "SELECT lower(m[1]) FROM (SELECT d.full_text "
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS s(id, n) "
            "JOIN cases_document d ON d.id = s.id "
            "JOIN cases_case c ON c.id = d.case_id "
            "WHERE NOT d.title_protected AND NOT c.title_protected "
            "ORDER BY s.n LIMIT %s) t, "
            "regexp_matches(t.full_text, %s, 'gi') AS m(m)",
            [[match.pk for match in newest], SURFACE_SAMPLE, f"({pattern})"],
        )
        counts = Counter(row[0] for row in cursor.fetchall())
    words = dictionary()
    forms = [
        (n, form)
        for form, n in counts.items()
        if form in words and form != part and _stem(form) == stem
    ]
    return max(forms)[1] if forms else part


def _exact_tsquery(word: str) -> language.TsQuery:
    """The search's tsqueries for ``word`` as a whole lexeme (not a prefix: ``bygg`` and
    not ``byggnad``), on the clean vector as typed and on the OCR vector folded."""
    config = language.SEARCH_CONFIG
    clean = (f"to_tsquery('{config}', %s)", (language.word_query(word, prefix=False),))
    folded = language.word_query(language.ocrfold(word), prefix=False)
    ocr = (f"to_tsquery('{config}', %s)", (folded,))
    return language.TsQuery(language.parse_query(word), None, clean, ocr, clean, ocr)


@cache
def _stem(word: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce((tsvector_to_array(to_tsvector(%s, %s)))[1], '')",
            [language.SEARCH_CONFIG, word],
        )
        return cursor.fetchone()[0]


class Hits:
    """Whether a public search finds something, for the candidates of one suggestion.

    Counting read every match of a candidate (260-610 ms for a common word at 100,000
    documents, bench/suggest.py), and most candidates find nothing. So the vocabulary of
    public words first rules out, in one statement for many candidates, those no public
    entry has a spelling of (``words_in_vocabulary``); a search confirms each of the others
    when asked, once (``has_hits``: it stops at the newest match). The vocabulary only
    rules out: a suggestion is always a search's answer, never the vocabulary's."""

    def __init__(self) -> None:
        self._possible: dict[str, bool] = {}
        self._found: dict[str, bool] = {}

    def look_up(self, texts: list[str]) -> None:
        """Ask the vocabulary about every text not asked yet: one statement."""
        new = [text for text in dict.fromkeys(texts) if text not in self._possible]
        words = [text for text in new if _SINGLE_WORD.fullmatch(text)]
        present = words_in_vocabulary(words) if words else set()
        for text in new:
            # a phrase, several words or a number: only the search can tell
            self._possible[text] = text in present or text not in words

    def found(self, text: str) -> bool:
        if text not in self._found:
            self.look_up([text])
            self._found[text] = self._possible[text] and has_hits(text)
        return self._found[text]


_SINGLE_WORD = re.compile(r"[a-zåäöé]+")


def words_in_vocabulary(words: list[str]) -> set[str]:
    """The ``words`` (each one word of letters) of which the vocabulary of public words
    (SearchWord: every lexeme of the public entries, indexing keeps it current) holds a
    spelling as the search matches it: the stem of the word or of one of its OCR spellings
    (candidates.present_variants), as a prefix from MIN_PREFIX_LENGTH letters. A word left
    out finds nothing. One statement, answered from the vocabulary's btree."""
    rows = [
        (n, language.word_query(spelling, prefix=True))
        for n, word in enumerate(words)
        for spelling in dict.fromkeys([word, *language.ocr_variants(word)])
    ]
    config = language.SEARCH_CONFIG
    sql = f"""
        WITH spelling AS MATERIALIZED (
            SELECT t.n, numnode(q) AS nodes,
                substring(q::text FROM '^''(.+)''(:\\*)?$') AS lexeme,
                right(q::text, 2) = ':*' AS prefix
            FROM unnest(%s::int[], %s::text[]) AS t(n, query),
                 LATERAL (SELECT to_tsquery('{config}', t.query) AS q OFFSET 0) parsed
        )
        SELECT DISTINCT n FROM spelling s
        WHERE s.nodes > 1
           OR (s.nodes = 1 AND s.lexeme IS NULL)
           OR (s.prefix AND EXISTS (
                SELECT 1 FROM cases_searchword w
                WHERE w.word ~>=~ s.lexeme
                  AND w.word ~<~ (left(s.lexeme, -1) || chr(ascii(right(s.lexeme, 1)) + 1))))
           OR (NOT s.prefix AND EXISTS (
                SELECT 1 FROM cases_searchword w WHERE w.word = s.lexeme))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [[n for n, _query in rows], [query for _n, query in rows]])
        return {words[row[0]] for row in cursor.fetchall()}


def has_hits(text: str) -> bool:
    """Whether a public search for ``text`` finds a document or a case. The newest match
    is enough: find_matches asks for one (the page's own plans, which stop at it), where a
    count read every match."""
    from . import case_search, criteria

    words, filters = criteria.resolve_dnr_query(text, criteria.SearchFilters())
    parsed = language.parse_query(words)
    tsquery = request_tsquery(parsed)
    pairs = phrase_pairs(parsed)
    if find_matches(tsquery, filters, limit=1, pairs=pairs):
        return True
    return bool(case_search.count_matches(query=text, filters=criteria.SearchFilters(), limit=0))

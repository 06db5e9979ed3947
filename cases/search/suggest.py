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
    replaced, changed = [], False
    for word in parsed.positive_words:
        if len(word) < MIN_LENGTH or word.isdigit() or has_hits(word):
            replaced.append(word)
            continue
        better = best_candidate(word)
        if better is None:
            replaced.append(word)
            continue
        replaced.append(better)
        changed = True
    if not changed:
        return None
    suggestion = " ".join(replaced)
    return suggestion if has_hits(suggestion) else None


def best_candidate(word: str) -> str | None:
    """The first candidate for ``word`` that a public search finds something for."""
    for candidate in candidates(word)[:MAX_TRIED]:
        if has_hits(candidate):
            return candidate
    # parts of three letters too: bygg|lov
    parts = language.split_compound(word, dictionary().__contains__, min_part=3)
    if parts:
        parts = [surface_form(part) for part in parts]
        found = [part for part in parts if has_hits(part)]
        if len(found) == len(parts) and has_hits(" ".join(parts)):
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
        near = ({two for one in _edits(word) for two in _edits(one)} & words) - {word}
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
    with connection.cursor() as cursor:
        # only public documents whose title is not protected (a protected title may also
        # stand in the text); read through the public search entries
        cursor.execute(
            "SELECT lower(m[1]) FROM (SELECT d.full_text "
            "FROM cases_search_matches(to_tsquery(%s, %s), to_tsquery(%s, %s)) e "
            "JOIN cases_document d ON d.id = e.document_id "
            "JOIN cases_case c ON c.id = d.case_id "
            "WHERE e.public AND NOT d.title_protected AND NOT c.title_protected "
            "ORDER BY e.date DESC, e.document_id DESC LIMIT %s) t, "
            "regexp_matches(t.full_text, %s, 'gi') AS m(m)",
            [
                language.SEARCH_CONFIG,
                language.word_query(part, prefix=False),
                language.SEARCH_CONFIG,
                language.word_query(language.ocrfold(part), prefix=False),
                SURFACE_SAMPLE,
                f"({pattern})",
            ],
        )
        counts = Counter(row[0] for row in cursor.fetchall())
    words = dictionary()
    forms = [
        (n, form)
        for form, n in counts.items()
        if form in words and form != part and _stem(form) == stem
    ]
    return max(forms)[1] if forms else part


@cache
def _stem(word: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce((tsvector_to_array(to_tsvector(%s, %s)))[1], '')",
            [language.SEARCH_CONFIG, word],
        )
        return cursor.fetchone()[0]


def has_hits(text: str) -> bool:
    """Whether a public search for ``text`` finds a document or a case."""
    from . import case_search, criteria, document_search

    filters = criteria.SearchFilters()
    if document_search.count_results(query=text, filters=filters, limit=0):
        return True
    return bool(case_search.count_matches(query=text, filters=filters, limit=0))

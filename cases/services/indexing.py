"""The search tables: one row per document (SearchEntry, both vectors) and per case
(CaseSearchEntry, the public title), and the vocabulary of public words (SearchWord) the
search takes OCR spellings and suggestions from.
"""

import functools

from django.db import connection, transaction

from .. import personal_data
from ..importers.quality import load_wordlist
from ..models import Case, Document, SearchEntry
from ..search import language


def _vector_parts(document: Document) -> dict[str, str]:
    """The text indexed for a document, by weight. Personnummer are masked first so a search
    for one can never confirm that a document contains it."""
    case = document.case
    attachments = " ".join(a.text for a in document.attachments.all() if a.is_public)
    parts = {
        # Display titles: a protected title must not be findable by its words.
        "a": f"{document.display_title}\n{case.display_title}",
        "b": f"{case.dnr} {case.dnr_key}\n{document.summary}\n{document.proposal}",
        "c": document.clean_text or document.full_text,
        "d": attachments,
    }
    return {weight: personal_data.mask_personal_numbers(text) for weight, text in parts.items()}


@functools.cache
def _folded_wordlist() -> frozenset[str]:
    # Dictionary words hold no OCR glyphs, so plain diacritic folding equals ocrfold here.
    return frozenset(language.fold_diacritics(word) for word in load_wordlist())


def _is_word(word: str) -> bool:
    return word in load_wordlist()


def _is_folded_word(word: str) -> bool:
    return word in _folded_wordlist()


def _with_compounds(text: str, *, ocr: bool) -> str:
    is_word = _is_folded_word if ocr else _is_word
    folded = language.ocrfold(text) if ocr else text
    return f"{folded}\n{language.compound_parts(folded, is_word)}"


@transaction.atomic
def index_document(*, document: Document) -> None:
    """Write the document's row in the search table (both vectors, visibility, facets)."""
    # before reading the document: a concurrent change is read once it is committed
    _lock_vocabulary()
    document = (
        Document.objects.select_related("case", "case__board")
        .prefetch_related("attachments")
        .get(pk=document.pk)
    )
    case = document.case
    ocr = document.text_source == Document.TextSource.OCR
    parts = {k: _with_compounds(v, ocr=ocr) for k, v in _vector_parts(document).items()}
    vector_sql = language.weighted_vector_sql([("A", "a"), ("B", "b"), ("C", "c"), ("D", "d")])
    public = document.is_public and not case.is_cancelled
    old_words = _public_words(_PUBLIC_WORDS, document.pk)
    entry, _created = SearchEntry.objects.update_or_create(
        document=document,
        defaults={
            "case": case,
            "board": case.board,
            "kind": document.kind,
            "status": case.status,
            "date": document.document_date or case.registered_on,
            "public": public,
        },
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE cases_searchentry SET clean_vector = {'NULL' if ocr else vector_sql}, "
            f"ocr_vector = {vector_sql if ocr else 'NULL'} WHERE document_id = %(id)s",
            {**parts, "id": document.pk},
        )
    _update_vocabulary(_PUBLIC_WORDS, document.pk, old_words)


# The vocabulary (SearchWord) holds every lexeme of the public entries, documents' and
# cases', and nothing else. The search asks it which OCR spellings of a word occur
# (candidates.present_variants), so index_document and index_cases keep it current instead
# of a full rebuild: they add the words of a public entry, and drop the words an entry no
# longer shows the public (it became confidential, unpublished or cancelled, a title was
# protected, an attachment was made secret) unless another public entry has them.
#
# Concurrency: whether another public entry still has a word is read from committed rows.
# Two transactions that each hide one of the two entries holding a word would each see the
# other's entry as public and both keep the word. So every indexing transaction first takes
# one transaction-level advisory lock; the next one waits for the commit and its statements
# then see the committed entries. Indexing is serialised, searching is not.
VOCABULARY_LOCK = 7_310_519  # any fixed bigint; "np vocabulary"

_PUBLIC_WORDS = (
    "SELECT DISTINCT lexeme FROM cases_searchentry e, "
    "unnest(coalesce(e.clean_vector, e.ocr_vector)) u WHERE e.document_id = %s AND e.public "
    "AND length(lexeme) <= 100 AND position(chr(92) in lexeme) = 0"
)
_PUBLIC_CASE_WORDS = (
    "SELECT DISTINCT lexeme FROM cases_casesearchentry e, "
    "unnest(coalesce(e.vector, e.ocr_vector)) u WHERE e.case_id = ANY(%s) AND e.public "
    "AND length(lexeme) <= 100 AND position(chr(92) in lexeme) = 0"
)


def _lock_vocabulary() -> None:
    """Wait for other indexing transactions (held until this transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VOCABULARY_LOCK])


def _public_words(words_sql: str, key) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(words_sql, [key])
        return [row[0] for row in cursor.fetchall()]


def _update_vocabulary(words_sql: str, key, old_words: list[str]) -> None:
    """Add the entries' public words; drop the words they showed before (``old_words``) and
    no longer do, unless another public entry has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_searchword (word, documents) SELECT lexeme, 1 FROM "
            f"({words_sql}) mine ON CONFLICT (word) DO NOTHING",
            [key],
        )
        if not old_words:
            return
        cursor.execute(
            "DELETE FROM cases_searchword w USING ("
            f" SELECT unnest(%s::text[]) AS lexeme EXCEPT {words_sql}) gone "
            "WHERE w.word = gone.lexeme AND NOT EXISTS ("
            " SELECT 1 FROM cases_searchentry p WHERE p.public AND ("
            "  p.clean_vector @@ quote_literal(gone.lexeme)::tsquery"
            "  OR p.ocr_vector @@ quote_literal(gone.lexeme)::tsquery)) "
            "AND NOT EXISTS ("
            " SELECT 1 FROM cases_casesearchentry c WHERE c.public AND ("
            "  c.vector @@ quote_literal(gone.lexeme)::tsquery"
            "  OR c.ocr_vector @@ quote_literal(gone.lexeme)::tsquery))",
            [old_words, key],
        )


def reindex_case(*, case: Case) -> None:
    """Reindex a case and every document of it (its title, status or visibility changed)."""
    index_cases([case.pk])
    for document in case.documents.all():
        index_document(document=document)


def index_case(*, case: Case) -> None:
    index_cases([case.pk])


@transaction.atomic
def index_cases(case_ids) -> None:
    """Write the cases' rows in the case search table (CaseSearchEntry): the public title
    with its compound parts, the board, status, registration date and whether the public
    sees the case (not cancelled). One statement for any number of cases; the vocabulary
    gains the public titles' words and loses those only a title now protected had.

    A case whose public title lost words (protected or retitled by any service) has its
    handlings reindexed too: their rows carry the case's title."""
    case_ids = list(case_ids)
    _lock_vocabulary()
    old_words = _public_words(_PUBLIC_CASE_WORDS, case_ids)
    before = _title_lexemes(case_ids)
    rows = _case_rows(case_ids)
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_casesearchentry "
            "(case_id, board_id, status, date, public, vector, ocr_vector) "
            f"SELECT t.id, t.board, t.status, t.date, t.public, "
            f"setweight(to_tsvector('{language.SEARCH_CONFIG}', t.title), 'A'), "
            f"setweight(to_tsvector('{language.SEARCH_CONFIG}', t.ocr_title), 'A') "
            "FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::date[], %s::bool[], "
            "%s::text[], %s::text[]) AS t(id, board, status, date, public, title, ocr_title) "
            "ON CONFLICT (case_id) DO UPDATE SET board_id = excluded.board_id, "
            "status = excluded.status, date = excluded.date, public = excluded.public, "
            "vector = excluded.vector, ocr_vector = excluded.ocr_vector",
            [list(column) for column in columns],
        )
    after = _title_lexemes(list(before))
    retitled = [pk for pk, words in before.items() if not words <= after.get(pk, set())]
    for document in Document.objects.filter(case_id__in=retitled).only("pk"):
        index_document(document=document)
    # The vocabulary holds the public titles' words too (the search keeps the OCR
    # spellings that occur in it); a protected title is indexed by its public form only.
    _update_vocabulary(_PUBLIC_CASE_WORDS, [row[0] for row in rows], old_words)


def _case_rows(case_ids: list[int]) -> list[tuple]:
    cases = Case.objects.filter(pk__in=case_ids).only(
        "pk",
        "board_id",
        "status",
        "registered_on",
        "title",
        "public_title",
        "title_protected",
        "title_from_ocr",
    )
    rows = []
    for case in cases:
        # a protected title is replaced by its public form, which a registrator typed
        ocr = case.title_from_ocr and not case.title_protected
        title = _with_compounds(language.split_slashes(case.display_title), ocr=ocr)
        rows.append(
            (
                case.pk,
                case.board_id,
                case.status,
                case.registered_on,
                not case.is_cancelled,
                None if ocr else title,
                title if ocr else None,
            )
        )
    return rows


def _title_lexemes(case_ids: list[int]) -> dict[int, set[str]]:
    """The words of the cases' indexed public titles (cases not indexed yet are left out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.case_id, array_agg(u.lexeme) FROM cases_casesearchentry e, "
            "unnest(coalesce(e.vector, e.ocr_vector)) u WHERE e.case_id = ANY(%s) "
            "GROUP BY e.case_id",
            [case_ids],
        )
        return {pk: set(words) for pk, words in cursor.fetchall()}


@transaction.atomic
def rebuild_search_vocabulary() -> int:
    """Rebuild the vocabulary from the public search entries only, with exact document
    counts (index_document keeps it current between rebuilds)."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_searchword")
        cursor.execute(
            "INSERT INTO cases_searchword (word, documents) "
            "SELECT word, max(ndoc) FROM ("
            " SELECT word, ndoc FROM ts_stat("
            "  'SELECT clean_vector FROM cases_searchentry WHERE public AND clean_vector IS NOT NULL')"
            " UNION ALL"
            " SELECT word, ndoc FROM ts_stat("
            "  'SELECT ocr_vector FROM cases_searchentry WHERE public AND ocr_vector IS NOT NULL')"
            " UNION ALL"
            " SELECT word, ndoc FROM ts_stat("
            "  'SELECT coalesce(vector, ocr_vector) FROM cases_casesearchentry WHERE public')"
            ") words WHERE length(word) <= 100 AND position(chr(92) in word) = 0 "
            "GROUP BY word"
        )
        return cursor.rowcount

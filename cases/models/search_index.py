"""The search tables (one narrow row per document and per case, with the stored
vectors) and the vocabulary of public words. Kept by the indexing services; the
vectors' definition is in the search text rules."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Func, Q

from .documents import Document, DocumentKind
from .register import Board, Case, CaseStatus


class SearchEntry(models.Model):
    """The narrow search table: one row per document, apart from the wide text.

    Kept by ``indexing.index_document``. ``public`` is the visibility rule for the public
    (published, not confidential, not cancelled, case not cancelled) so counts, facets and
    lists all filter on the same column. See ``cases/search/language.py`` for the two vectors.
    """

    document = models.OneToOneField(
        Document,
        verbose_name="handling",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=DocumentKind.choices)
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    date = models.DateField()
    public = models.BooleanField()
    clean_vector = SearchVectorField(null=True)
    ocr_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = "sökpost"
        verbose_name_plural = "sökposter"
        indexes = [
            # fastupdate off: no pending list for every search to read (migration 0014)
            GinIndex(fields=["clean_vector"], name="search_clean_vector_gin", fastupdate=False),
            GinIndex(fields=["ocr_vector"], name="search_ocr_vector_gin", fastupdate=False),
            models.Index(
                F("date").desc(),
                F("document").desc(),
                name="search_public_date_idx",
                condition=Q(public=True),
            ),
            # Newest-first walks within a board or a document kind (the facet filters).
            models.Index(
                F("board"),
                F("date").desc(),
                F("document").desc(),
                name="search_public_board_date_idx",
                condition=Q(public=True),
            ),
            models.Index(
                F("kind"),
                F("date").desc(),
                F("document").desc(),
                name="search_public_kind_date_idx",
                condition=Q(public=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Sökpost för handling {self.document_id}"


def count_terms(vector: str) -> Func:
    """``vector`` with the row's board, kind and status as terms ("=b12", "=kbeslut",
    "=sbeslutat"; the function cases_count_terms, migration 0029). No word of a text or a
    query begins with "=", so a term matches no word, not even as a prefix."""
    return Func(
        F(vector),
        F("board_id"),
        F("kind"),
        F("status"),
        function="cases_count_terms",
        output_field=SearchVectorField(),
    )


class SearchCount(models.Model):
    """The count table: a copy of each search entry's filter columns and vectors in a row of
    about 140 bytes, for counting matches (cases/search/counts.py).

    Counting reads one row per match. The search table keeps its vectors in the row (for the
    walks, ranks and phrase tests, migration 0011), 3 rows to a page; here the vectors lie in
    the TOAST table, which only the GIN indexes' build and maintenance read, so the matches
    of a search share pages (about 60 rows to a page). PostgreSQL moves values out of a row
    only when the row is over 2 kB, so every row carries ``pad``: 2,100 spaces that make it
    so, compressed in the row to about 35 bytes once the vectors are out.

    Kept by a trigger on the search table (migration 0028), so no write can forget it.
    """

    document = models.OneToOneField(
        SearchEntry,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # the trigger deletes the copy with the entry
        related_name="+",
    )
    board = models.ForeignKey(
        Board, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    kind = models.CharField(max_length=32)
    status = models.CharField(max_length=16)
    date = models.DateField()
    public = models.BooleanField()
    clean_vector = SearchVectorField(null=True)
    ocr_vector = SearchVectorField(null=True)
    pad = models.TextField()

    class Meta:
        verbose_name = "räknepost"
        verbose_name_plural = "räkneposter"
        # Each vector with the row's filter values as terms (migration 0029): a count
        # within a board, kind or status reads only the rows that have it.
        indexes = [
            GinIndex(count_terms("clean_vector"), name="count_clean_terms_gin", fastupdate=False),
            GinIndex(count_terms("ocr_vector"), name="count_ocr_terms_gin", fastupdate=False),
            # A count without words (only filters) reads the rows of its filters (migration
            # 0031), not every row until it has EXACT_LIMIT + 1. Only that count has the
            # condition (counts.FILTERS_ONLY): a count with words is never offered them
            *(
                models.Index(
                    fields=[name], condition=Q(document_id__gt=0), name=f"count_{name}_idx"
                )
                for name in ("board", "kind", "status", "date")
            ),
        ]

    def __str__(self) -> str:
        return f"Räknepost för handling {self.document_id}"


class CaseSearchEntry(models.Model):
    """A case found by its own ärendemening, also when it has no documents (most cases of a
    meeting's ärendelista are only a number and a title). One row per case, kept by
    ``indexing.index_case``; ``public`` is false for a cancelled case, and a protected
    title is indexed by its public form only.

    As for documents: a typed title goes into the clean vector (``har`` never matches
    ``här``); a title read from OCR'd text (``Case.title_from_ocr``: the importer restores
    what å/ä/ö it can, not all) into the OCR vector, folded, matched with the query's OCR
    spellings.
    """

    case = models.OneToOneField(
        Case,
        verbose_name="ärende",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_entry",
    )
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    date = models.DateField()
    public = models.BooleanField()
    vector = SearchVectorField(null=True)
    ocr_vector = SearchVectorField(null=True)

    class Meta:
        verbose_name = "sökpost för ärende"
        verbose_name_plural = "sökposter för ärenden"
        indexes = [
            GinIndex(fields=["vector"], name="case_search_vector_gin", fastupdate=False),
            GinIndex(fields=["ocr_vector"], name="case_search_ocr_vector_gin", fastupdate=False),
            # the newest slice of a common word's matches (document_search.case_hits)
            models.Index(
                F("date").desc(),
                name="case_search_public_date_idx",
                condition=Q(public=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Sökpost för ärende {self.case_id}"


class SearchWord(models.Model):
    """Every lexeme of the public search entries: which OCR spellings occur, and spelling
    suggestions. Never a word that only a confidential document has (indexing.index_document
    keeps it so)."""

    word = models.CharField(max_length=100, primary_key=True)
    documents = models.PositiveIntegerField()

    class Meta:
        verbose_name = "sökord"
        verbose_name_plural = "sökord"
        indexes = [
            GinIndex(
                name="search_word_trgm",
                fields=["word"],
                opclasses=["gin_trgm_ops"],
                fastupdate=False,
            ),
        ]

    def __str__(self) -> str:
        return self.word

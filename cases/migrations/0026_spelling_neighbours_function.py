"""Whole-word spelling candidates from the public vocabulary through the trigram index.

``cases_spelling_neighbours`` gives the vocabulary's words that look like a query word (a
long compound with a letter left out: ``delegatonsordning`` → ``delegationsordning``); the
suggestion (cases/search/suggest.py) measures their edit distance and keeps the real words.
As in cases_spelling_suggestion (0009), the function plans only the GIN index scan (the
planner would read the whole table); its own similarity threshold keeps the index's recheck
to the words that share most trigrams."""

from django.db import migrations

NEIGHBOURS = """
CREATE FUNCTION cases_spelling_neighbours(query_word text, max_rows int)
RETURNS SETOF text
LANGUAGE sql STABLE
SET enable_seqscan = off
SET pg_trgm.similarity_threshold = 0.45
AS $$
    SELECT word FROM cases_searchword
    WHERE word % query_word
      AND word <> query_word
      AND length(word) BETWEEN length(query_word) - 2 AND length(query_word) + 2
      AND (word || '') ~ '^[a-zåäöé]+$'
    ORDER BY similarity(word, query_word) DESC, word
    LIMIT max_rows
$$;
"""
DROP_NEIGHBOURS = "DROP FUNCTION IF EXISTS cases_spelling_neighbours(text, int);"


class Migration(migrations.Migration):
    dependencies = [("cases", "0025_append_only_in_database")]

    operations = [migrations.RunSQL(NEIGHBOURS, DROP_NEIGHBOURS)]

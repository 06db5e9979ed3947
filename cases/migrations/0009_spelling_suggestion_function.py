"""Spelling suggestions through the trigram index.

The vocabulary holds every lexeme of the public entries (tens of thousands of words); the
planner estimates the trigram operator as cheap and scans the whole table (100 ms at 47,000
words) instead of the GIN index (4 ms). The function plans only the index scan, as
cases_search_matches does for the search vectors."""

from django.db import migrations

SUGGESTION = """
CREATE FUNCTION cases_spelling_suggestion(query_word text)
RETURNS text
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
    SELECT word FROM cases_searchword
    WHERE word % query_word
      AND word <> query_word
      AND word <> ALL (tsvector_to_array(to_tsvector('swedish', query_word)))
      AND length(word) >= 4
      AND (word || '') ~ '^[a-zåäöé]+$'
    ORDER BY similarity(word, query_word) DESC, documents DESC, word
    LIMIT 1
$$;
"""
DROP_SUGGESTION = "DROP FUNCTION IF EXISTS cases_spelling_suggestion(text);"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_complete_search_vocabulary"),
    ]

    operations = [
        migrations.RunSQL(SUGGESTION, DROP_SUGGESTION),
    ]

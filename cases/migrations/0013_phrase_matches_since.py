"""Phrase candidates from the pair index newer than a date: the pair bitmap ANDed with the
date index's, for the newest slice (queries._matches), as 0010 does for words."""

from django.db import migrations

PHRASE_MATCHES_SINCE = """
CREATE FUNCTION cases_search_phrase_matches_since(clean_pairs text[], ocr_pairs text[], since date)
RETURNS TABLE (
    document_id bigint, date date, board_id bigint, kind varchar, status varchar, public boolean
)
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
    SELECT e.document_id, e.date, e.board_id, e.kind, e.status, e.public
    FROM cases_searchentry e
    WHERE (cases_phrase_pairs(e.clean_vector, e.ocr_vector) @> clean_pairs
           OR cases_phrase_pairs(e.clean_vector, e.ocr_vector) @> ocr_pairs)
      AND e.public AND e.date >= since
$$;
"""
DROP = "DROP FUNCTION IF EXISTS cases_search_phrase_matches_since(text[], text[], date);"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_phrase_pairs"),
    ]

    operations = [
        migrations.RunSQL(PHRASE_MATCHES_SINCE, DROP),
    ]

"""An index of adjacent word pairs, so a phrase is found without reading every entry that
has all its words.

A GIN index over the vectors holds no positions: for "handlingsplan för förbättrad
arbetssituation" it finds the 16,000 of 100,000 entries that have the three words anywhere
and each one is read to test the order (60-110 ms). ``cases_phrase_pairs`` lists the pairs
of lexemes one or two positions apart in an entry's vectors ('c' clean, 'o' OCR, and the
distance): 'c1 förbättr arbetssituation', 'c2 handlingsplan förbättr' (over a stop word, as
phraseto_tsquery counts it: 'handlingsplan' <2> 'förbättr'). Every entry a phrase matches has every adjacent pair of the
phrase (the pairs come from the same stored positions the phrase is tested on), so
``cases_search_phrase_matches`` answers a superset of a phrase from the pair index, and the
search tests the vectors only of those (queries._phrase_pairs).

Measured on the 100,000-document bench corpus: ~1.2 ms per entry to list its pairs (the
index build), about 350 pairs per entry.
"""

from django.db import migrations

PAIRS = """
CREATE FUNCTION cases_phrase_pairs(clean tsvector, ocr tsvector) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    WITH positions AS MATERIALIZED (
        SELECT 'c' AS tag, u.lexeme, p.pos FROM unnest(clean) u, unnest(u.positions) p(pos)
        UNION ALL
        SELECT 'o', u.lexeme, p.pos FROM unnest(ocr) u, unnest(u.positions) p(pos)
    )
    SELECT coalesce(array_agg(pair), '{}')  -- duplicates are left to GIN, which drops them
    FROM (
        SELECT a.tag || '1 ' || a.lexeme || ' ' || b.lexeme AS pair
        FROM positions a JOIN positions b ON b.tag = a.tag AND b.pos = a.pos + 1
        UNION ALL
        SELECT a.tag || '2 ' || a.lexeme || ' ' || b.lexeme
        FROM positions a JOIN positions b ON b.tag = a.tag AND b.pos = a.pos + 2
    ) pairs
$$;

"""
# Built without blocking writes: at 1,000,000 documents the build took 62 minutes (2.5 GB).
INDEX = """
CREATE INDEX CONCURRENTLY search_phrase_pairs_gin ON cases_searchentry
USING gin (cases_phrase_pairs(clean_vector, ocr_vector))
"""
DROP_INDEX = "DROP INDEX CONCURRENTLY IF EXISTS search_phrase_pairs_gin"
SEARCH = """
CREATE FUNCTION cases_search_phrase_matches(clean_pairs text[], ocr_pairs text[])
RETURNS TABLE (
    document_id bigint, date date, board_id bigint, kind varchar, status varchar, public boolean
)
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
    SELECT e.document_id, e.date, e.board_id, e.kind, e.status, e.public
    FROM cases_searchentry e
    WHERE cases_phrase_pairs(e.clean_vector, e.ocr_vector) @> clean_pairs
       OR cases_phrase_pairs(e.clean_vector, e.ocr_vector) @> ocr_pairs
$$;
"""
DROP_PAIRS = "DROP FUNCTION IF EXISTS cases_phrase_pairs(tsvector, tsvector)"
DROP_SEARCH = "DROP FUNCTION IF EXISTS cases_search_phrase_matches(text[], text[])"


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("cases", "0011_search_vectors_inline"),
    ]

    operations = [
        migrations.RunSQL(PAIRS, DROP_PAIRS),
        migrations.RunSQL("SET maintenance_work_mem = '256MB'", migrations.RunSQL.noop),
        migrations.RunSQL(INDEX, DROP_INDEX),
        migrations.RunSQL("RESET maintenance_work_mem", migrations.RunSQL.noop),
        migrations.RunSQL(SEARCH, DROP_SEARCH),
    ]

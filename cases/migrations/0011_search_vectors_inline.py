"""Keep the search vectors in the search table's own rows instead of its TOAST table.

A vector averages 2.7 kB, over the 2 kB at which PostgreSQL moves values out of the row, and
tsvectors barely compress: every vector tested by a newest-first walk, a phrase recheck or
ts_rank cost a lookup in the TOAST index and a fetch of its chunks. With toast_tuple_target
at its maximum a row is only toasted above 8 kB (the longest tenth of the documents).
Measured at 100,000 documents: reading 20,000 vectors 72 -> 21 ms, the walk of a common
word 9.6 -> 4.7 ms, a two-word walk 33 -> 17 ms (bench/search.py).

Existing rows are rewritten (the option only applies to rows written after it is set):
about a minute per 100,000 entries. The old row versions stay in the table file until
``VACUUM FULL ANALYZE cases_searchentry``; run it after migrating a large register (a
phrase search read twice the blocks before it: 64 -> 300 ms at 100,000 entries).
"""

from django.db import migrations

FORWARD = """
ALTER TABLE cases_searchentry SET (toast_tuple_target = 8160);
UPDATE cases_searchentry
SET clean_vector = clean_vector || ''::tsvector, ocr_vector = ocr_vector || ''::tsvector
WHERE clean_vector IS NOT NULL OR ocr_vector IS NOT NULL;
"""
BACKWARD = "ALTER TABLE cases_searchentry RESET (toast_tuple_target);"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_search_matches_since"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
    ]

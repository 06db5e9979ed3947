"""The word-pair index (0012) on the count table too, so a phrase of two words (exactly its
pair) is counted from narrow rows.

Counting "förslag till beslut" (7,520 matches at 100,000 documents) through the search
table's pair index read 7,232 heap pages of wide rows (the vectors are in the row, 0011):
10.4 ms; through this index the rows of the count table, about 60 to a page: 4.0 ms. A
phrase that ends up with more than the 10,000 counted ("socialsekreterare och
biståndshandläggare", 10,404) pays it in full before it is known to be more. A phrase of
three or more words is still counted from the search table, where its positions are tested
in the row (from this table the same count took 17.8 -> 23.7 ms: each candidate's row is
then read twice).

Built without blocking writes, as 0012. IF NOT EXISTS: a large database can build it
beforehand (the bench corpus builds it without CONCURRENTLY, about twice as fast).
"""

from django.db import migrations

INDEX = """
CREATE INDEX CONCURRENTLY IF NOT EXISTS count_phrase_pairs_gin ON cases_searchcount
USING gin (cases_phrase_pairs(clean_vector, ocr_vector)) WITH (fastupdate = off)
"""
DROP_INDEX = "DROP INDEX CONCURRENTLY IF EXISTS count_phrase_pairs_gin"


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("cases", "0029_search_count_filter_terms"),
    ]

    operations = [
        migrations.RunSQL("SET maintenance_work_mem = '256MB'", migrations.RunSQL.noop),
        migrations.RunSQL(INDEX, DROP_INDEX),
        migrations.RunSQL("RESET maintenance_work_mem", migrations.RunSQL.noop),
    ]

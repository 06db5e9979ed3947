"""The vocabulary now holds every lexeme of the public entries (the search asks it which
OCR spellings occur) and is kept current by services.index_document: fill it once."""

from django.db import migrations

REBUILD = """
TRUNCATE cases_searchword;
INSERT INTO cases_searchword (word, documents)
SELECT word, max(ndoc) FROM (
    SELECT word, ndoc FROM ts_stat(
        'SELECT clean_vector FROM cases_searchentry WHERE public AND clean_vector IS NOT NULL')
    UNION ALL
    SELECT word, ndoc FROM ts_stat(
        'SELECT ocr_vector FROM cases_searchentry WHERE public AND ocr_vector IS NOT NULL')
) words
WHERE length(word) <= 100 AND position(chr(92) in word) = 0
GROUP BY word;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_manual_references"),
    ]

    operations = [
        migrations.RunSQL(REBUILD, migrations.RunSQL.noop),
    ]

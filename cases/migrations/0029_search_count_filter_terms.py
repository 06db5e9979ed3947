"""The count table's GIN indexes hold each row's board, kind and status as terms beside the
words of its vectors, so a count within a filter reads only the rows that pass it.

Before, "nämnden" within the status "beslutat" (100,000 documents) read 40,775 matching
rows of the count table to find the 10,001 with the status: 33 ms. With the terms the index
gives those rows alone: 11.6 ms.

A term is "=" and a letter before the value ("=b12", "=kbeslut", "=sbeslutat"). The text
search parser never makes a word that begins with "=", so a term matches no word of a
query, not even as a prefix ("s:*"). A NULL vector stays NULL: a count with words never
finds a row through a vector it does not have, and a count without words does not use these
indexes.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

FUNCTION = """
CREATE FUNCTION cases_count_terms(vector tsvector, board bigint, kind text, status text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT vector || array_to_tsvector(ARRAY['=b' || board::text, '=k' || kind, '=s' || status])
$$;
"""


def terms(vector: str) -> models.Func:
    return models.Func(
        models.F(vector),
        models.F("board_id"),
        models.F("kind"),
        models.F("status"),
        function="cases_count_terms",
        output_field=django.contrib.postgres.search.SearchVectorField(),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0028_search_count_table"),
    ]

    operations = [
        migrations.RunSQL(
            FUNCTION, "DROP FUNCTION cases_count_terms(tsvector, bigint, text, text)"
        ),
        migrations.RemoveIndex(model_name="searchcount", name="count_clean_vector_gin"),
        migrations.RemoveIndex(model_name="searchcount", name="count_ocr_vector_gin"),
        migrations.AddIndex(
            model_name="searchcount",
            index=django.contrib.postgres.indexes.GinIndex(
                terms("clean_vector"), fastupdate=False, name="count_clean_terms_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="searchcount",
            index=django.contrib.postgres.indexes.GinIndex(
                terms("ocr_vector"), fastupdate=False, name="count_ocr_terms_gin"
            ),
        ),
    ]

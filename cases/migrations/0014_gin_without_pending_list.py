"""Search indexes without a pending list (GIN ``fastupdate = off``).

With fastupdate on (PostgreSQL's default) a GIN index collects new entries in an unsorted
pending list, up to 4 MB, and every search reads the whole list besides the index. A
register is read far more often than written, and the phrase pair index (0012) holds
thousands of keys per document, so a few hundred new documents fill its list: measured at
100,000 entries with 276 entries pending (494 pages), the pair lookup of one phrase read
500 pages of pending list and took 7.3 ms, 1.7 ms after the list was merged. Without the
list, each new document goes straight into the index: index_document of 60 documents, mean
44 -> 47–57 ms (bench corpus, other work on the machine), and no save ever pays for
merging a full list (hundreds of ms).

The database side is cheap (ALTER INDEX and merging what is pending); the model state gets
the same indexes with ``fastupdate=False`` without rebuilding them.
"""

import django.contrib.postgres.indexes
from django.db import migrations

INDEXES = (
    "search_clean_vector_gin",
    "search_ocr_vector_gin",
    "search_phrase_pairs_gin",
    "search_word_trgm",
)
FORWARD = "".join(
    f"ALTER INDEX {name} SET (fastupdate = off); SELECT gin_clean_pending_list('{name}');"
    for name in INDEXES
)
BACKWARD = "".join(f"ALTER INDEX {name} RESET (fastupdate);" for name in INDEXES)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_phrase_matches_since"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(FORWARD, BACKWARD)],
            state_operations=[
                migrations.RemoveIndex(model_name="searchentry", name="search_clean_vector_gin"),
                migrations.RemoveIndex(model_name="searchentry", name="search_ocr_vector_gin"),
                migrations.RemoveIndex(model_name="searchword", name="search_word_trgm"),
                migrations.AddIndex(
                    model_name="searchentry",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fastupdate=False, fields=["clean_vector"], name="search_clean_vector_gin"
                    ),
                ),
                migrations.AddIndex(
                    model_name="searchentry",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fastupdate=False, fields=["ocr_vector"], name="search_ocr_vector_gin"
                    ),
                ),
                migrations.AddIndex(
                    model_name="searchword",
                    index=django.contrib.postgres.indexes.GinIndex(
                        fastupdate=False,
                        fields=["word"],
                        name="search_word_trgm",
                        opclasses=["gin_trgm_ops"],
                    ),
                ),
            ],
        ),
    ]

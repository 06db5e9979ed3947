"""The count table (``SearchCount``): each search entry's filter columns and vectors in a
narrow row, the vectors in the TOAST table, kept by a trigger on the search table.

Counting reads one row per match; in the search table a row holds its vectors (3 rows to a
page at 100,000 documents), here about 60 rows share a page. Counting 9,509 matches of
"arbetsmiljö socialsekreterare" at 100,000 documents: 31.7 ms from the search table, 10.5
ms from this one (load 1.7).

PostgreSQL moves values into the TOAST table only when a row is over 2 kB (whatever
toast_tuple_target says), so each row carries ``pad``, 2,100 spaces written fresh on every
insert and update (the trigger), with STORAGE MAIN: once the vectors (STORAGE EXTERNAL) are
out, the pad is compressed in the row to about 35 bytes.

The table is filled from the search table before its GIN indexes are built (1,000,000
entries: about a minute for the copy and a minute for the indexes).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

STORAGE = """
ALTER TABLE cases_searchcount SET (toast_tuple_target = 256, fillfactor = 100);
ALTER TABLE cases_searchcount
    ALTER COLUMN clean_vector SET STORAGE EXTERNAL,
    ALTER COLUMN ocr_vector SET STORAGE EXTERNAL,
    ALTER COLUMN pad SET STORAGE MAIN;
"""

COLUMNS = "document_id, board_id, kind, status, date, public, clean_vector, ocr_vector, pad"

TRIGGER = f"""
CREATE FUNCTION cases_searchcount_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR NEW.document_id <> OLD.document_id THEN
        DELETE FROM cases_searchcount WHERE document_id = OLD.document_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO cases_searchcount ({COLUMNS})
        VALUES (NEW.document_id, NEW.board_id, NEW.kind, NEW.status, NEW.date, NEW.public,
                NEW.clean_vector, NEW.ocr_vector, repeat(' ', 2100))
        ON CONFLICT (document_id) DO UPDATE SET
            board_id = EXCLUDED.board_id, kind = EXCLUDED.kind, status = EXCLUDED.status,
            date = EXCLUDED.date, public = EXCLUDED.public,
            clean_vector = EXCLUDED.clean_vector, ocr_vector = EXCLUDED.ocr_vector,
            pad = EXCLUDED.pad;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER cases_searchcount_sync
AFTER INSERT OR UPDATE OR DELETE ON cases_searchentry
FOR EACH ROW EXECUTE FUNCTION cases_searchcount_sync();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS cases_searchcount_sync ON cases_searchentry;
DROP FUNCTION IF EXISTS cases_searchcount_sync();
"""

FILL = f"""
INSERT INTO cases_searchcount ({COLUMNS})
SELECT document_id, board_id, kind, status, date, public, clean_vector, ocr_vector,
       repeat(' ', 2100)
FROM cases_searchentry;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0027_decision_registered_at_sent_event"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchCount",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="cases.searchentry",
                    ),
                ),
                ("kind", models.CharField(max_length=32)),
                ("status", models.CharField(max_length=16)),
                ("date", models.DateField()),
                ("public", models.BooleanField()),
                ("clean_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("ocr_vector", django.contrib.postgres.search.SearchVectorField(null=True)),
                ("pad", models.TextField()),
                (
                    "board",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.board",
                    ),
                ),
            ],
            options={
                "verbose_name": "räknepost",
                "verbose_name_plural": "räkneposter",
            },
        ),
        migrations.RunSQL(STORAGE, migrations.RunSQL.noop),
        migrations.RunSQL(TRIGGER, DROP_TRIGGER),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="searchcount",
            index=django.contrib.postgres.indexes.GinIndex(
                fastupdate=False, fields=["clean_vector"], name="count_clean_vector_gin"
            ),
        ),
        migrations.AddIndex(
            model_name="searchcount",
            index=django.contrib.postgres.indexes.GinIndex(
                fastupdate=False, fields=["ocr_vector"], name="count_ocr_vector_gin"
            ),
        ),
        migrations.RunSQL("ANALYZE cases_searchcount", migrations.RunSQL.noop),
    ]

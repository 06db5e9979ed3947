"""Cases found by their own title (CaseSearchEntry), also without documents, and whether a
case's title was read from OCR'd text (a title counts as OCR'd when the case has an OCR'd
document; the importer also knows the titles of OCR'd ärendelistor: reimport them).

Frozen: this migration imports no app code, so a later change to the search rules cannot
change it. A register that already held cases when it reached this migration fills the new
table with ``manage.py reindex_cases`` (README, Driftsättning); a new register has no cases
here and the services fill the table as cases are registered.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# The matching cases through the two GIN indexes: the planner misjudges how many rows an
# OR of tsqueries matches and would test every row's vectors (37,000 cases: 23 ms). Without
# the vectors: a common word matches tens of thousands of titles, kept until sorted.
CASE_MATCHES = """
CREATE FUNCTION cases_case_matches(clean_query tsquery, ocr_query tsquery)
RETURNS TABLE (case_id bigint, date date, board_id bigint, status varchar, public boolean)
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
    SELECT c.case_id, c.date, c.board_id, c.status, c.public
    FROM cases_casesearchentry c
    WHERE c.vector @@ clean_query OR c.ocr_vector @@ ocr_query
$$;
"""
CASE_MATCHES_SINCE = """
CREATE FUNCTION cases_case_matches_since(clean_query tsquery, ocr_query tsquery, since date)
RETURNS TABLE (case_id bigint, date date, board_id bigint, status varchar, public boolean)
LANGUAGE sql STABLE
SET enable_seqscan = off
AS $$
    SELECT c.case_id, c.date, c.board_id, c.status, c.public
    FROM cases_casesearchentry c
    WHERE (c.vector @@ clean_query OR c.ocr_vector @@ ocr_query) AND c.public AND c.date >= since
$$;
"""
DROP_CASE_MATCHES = (
    "DROP FUNCTION IF EXISTS cases_case_matches(tsquery, tsquery); "
    "DROP FUNCTION IF EXISTS cases_case_matches_since(tsquery, tsquery, date);"
)
MARK_OCR_TITLES = """
UPDATE cases_case SET title_from_ocr = true WHERE EXISTS (
    SELECT 1 FROM cases_document d WHERE d.case_id = cases_case.id AND d.text_source = 'ocr'
)
"""


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_gin_without_pending_list'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='title_from_ocr',
            field=models.BooleanField(default=False, help_text='Ärendemeningen lästes ur inskannad text och kan ha fel i å/ä/ö; sökningen tål det.', verbose_name='ärendemening ur OCR-text'),
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='title_from_ocr',
            field=models.BooleanField(default=False, help_text='Ärendemeningen lästes ur inskannad text och kan ha fel i å/ä/ö; sökningen tål det.', verbose_name='ärendemening ur OCR-text'),
        ),
        migrations.CreateModel(
            name='CaseSearchEntry',
            fields=[
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_entry', serialize=False, to='cases.case', verbose_name='ärende')),
                ('status', models.CharField(choices=[('pagaende', 'Pågående'), ('beslutat', 'Beslutat'), ('avslutat', 'Avslutat'), ('arkiverat', 'Arkiverat'), ('makulerat', 'Makulerat')], max_length=16)),
                ('date', models.DateField()),
                ('public', models.BooleanField()),
                ('vector', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('ocr_vector', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('board', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.board')),
            ],
            options={
                'verbose_name': 'sökpost för ärende',
                'verbose_name_plural': 'sökposter för ärenden',
                'indexes': [django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=['vector'], name='case_search_vector_gin'), django.contrib.postgres.indexes.GinIndex(fastupdate=False, fields=['ocr_vector'], name='case_search_ocr_vector_gin')],
            },
        ),
        migrations.AddIndex(
            model_name="casesearchentry",
            index=models.Index(
                models.OrderBy(models.F("date"), descending=True),
                condition=models.Q(("public", True)),
                name="case_search_public_date_idx",
            ),
        ),
        migrations.RunSQL(MARK_OCR_TITLES, migrations.RunSQL.noop),
        migrations.RunSQL(CASE_MATCHES + CASE_MATCHES_SINCE, DROP_CASE_MATCHES),
    ]

"""B-tree indexes of the count table's filter columns (board, kind, status, date), so a count
without words reads only the rows of its filters.

A search without words (a board and a kind chosen, nothing typed) counts the public rows
that pass its filters, up to EXACT_LIMIT + 1 (counts.py). The count table had only its GIN
indexes, which hold no row without a vector, so the count read the table in order until it
had 10,001: the tjänsteutlåtanden of Socialnämnden at 1,000,000 documents read 772,197 rows,
78 ms. Through the board's index: 23,262 rows, 18.8 ms; the whole search page 136 -> 49 ms
(with one sample instead of three, document_search._samples).

Only the count without words may use them. A count with words reads its rows through the
GIN indexes with sequential scans off (counts._grouped_counts), and PostgreSQL estimates a
text query's matches at a fixed share of the table: offered these indexes it read a board's
rows and tested each one's vectors (fetched from TOAST) instead (the tests' plans). So each
index holds the rows ``document_id > 0`` (every row), a condition only the count without
words states (counts.FILTERS_ONLY): PostgreSQL uses a partial index only for a statement
whose conditions imply the index's.

Built without blocking writes. IF NOT EXISTS: a large database can build them beforehand.
"""

from django.db import migrations, models

COLUMNS = {"board": "board_id", "kind": "kind", "status": "status", "date": "date"}


def create(name: str) -> str:
    return (
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS count_{name}_idx "
        f"ON cases_searchcount ({COLUMNS[name]}) WHERE document_id > 0"
    )


def drop(name: str) -> str:
    return f"DROP INDEX CONCURRENTLY IF EXISTS count_{name}_idx"


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY

    dependencies = [
        ("cases", "0030_count_phrase_pairs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(create(name), drop(name))],
            state_operations=[
                migrations.AddIndex(
                    model_name="searchcount",
                    index=models.Index(
                        condition=models.Q(("document_id__gt", 0)),
                        fields=[name],
                        name=f"count_{name}_idx",
                    ),
                )
            ],
        )
        for name in COLUMNS
    ]

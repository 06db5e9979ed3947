"""Stockholm's current and former boards, from cases/data/boards.json (docs/domain.md). Only HV
and KS are confirmed eDok prefixes; registrators enter the others in the admin.

The list is read from the data file by path, not imported: the dnr engine reads the same file,
so the register and the engine cannot disagree, and a migration imports no app code (a data
file holds no behaviour that a later change to the app could alter). Only the keys that the
Board table has at this point are read; ``old_prefixes`` (forms the dnr engine recognises,
such as Trafikkontoret's T) are never series prefixes and stay out of ``dnr_prefixes``.
"""

import datetime
import json
from pathlib import Path

from django.db import migrations

BOARDS_FILE = Path(__file__).resolve().parent.parent / "data" / "boards.json"


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def add_boards(apps, schema_editor):
    Board = apps.get_model("cases", "Board")
    rows = json.loads(BOARDS_FILE.read_text(encoding="utf-8"))["boards"]
    by_slug = {}
    for row in rows:
        by_slug[row["slug"]], _created = Board.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "kind": row["kind"],
                "dnr_prefixes": list(row["dnr_prefixes"]),
                "valid_from": _date(row["valid_from"]),
                "valid_to": _date(row["valid_to"]),
            },
        )
    for row in rows:
        if row["successor"]:
            board = by_slug[row["slug"]]
            board.successor = by_slug[row["successor"]]
            board.save(update_fields=["successor"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_forbid_delete_and_extensions")]

    operations = [migrations.RunPython(add_boards, migrations.RunPython.noop)]

"""Print every diarienummer found in text files (checks importer input without a database)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.dnr import find_dnrs


class Command(BaseCommand):
    help = "Visar alla diarienummer i textfiler (t.ex. OCR-tolkade handlingar)."
    # Reads files only: no checks, so it runs without a configured database.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FIL", help="textfiler (UTF-8)")
        parser.add_argument(
            "--board",
            metavar="NÄMND",
            help="nämnden som handlingen hör till (kortnamn, namn eller prefix, t.ex. HV)",
        )
        parser.add_argument(
            "--json", action="store_true", help="en JSON-rad per träff i stället för tabell"
        )

    def handle(self, *args, **options):
        for name in options["files"]:
            text = _read(name)
            matches = find_dnrs(text, board=options["board"])
            if options["json"]:
                for match in matches:
                    row = {
                        "file": name,
                        "raw": match.raw,
                        "start": match.start,
                        "end": match.end,
                        "key": match.dnr.key,
                        "display": match.dnr.display,
                        "board": match.board,
                        "relation": match.relation,
                    }
                    self.stdout.write(json.dumps(row, ensure_ascii=False))
                continue
            self.stdout.write(f"{name}: {_count(len(matches))}")
            if matches:
                self.stdout.write(f"  {'Rad':>6}  {'Diarienummer':<22}{'Nämnd':<26}Relation")
            for match in matches:
                line = text.count("\n", 0, match.start) + 1
                self.stdout.write(
                    f"  {line:>6}  {match.dnr.display:<22}{match.board or '–':<26}"
                    f"{match.relation or ''}".rstrip()
                )


def _read(name: str) -> str:
    try:
        return Path(name).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise CommandError(f"Filen ”{name}” finns inte.") from error
    except UnicodeDecodeError as error:
        raise CommandError(f"Filen ”{name}” är inte UTF-8-text.") from error
    except OSError as error:
        raise CommandError(f"Kan inte läsa filen ”{name}”: {error.strerror}.") from error


def _count(n: int) -> str:
    return "1 diarienummer" if n == 1 else f"{n} diarienummer"

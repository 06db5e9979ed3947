"""Import meeting packs and documents: ``manage.py import_documents [--board B] PATH...``."""

import datetime
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases import background, kinds, queries
from cases.importers.pdf import PdfError
from cases.services import importing, registering

SUFFIXES = (".txt", ".pdf")
DEFAULT_BOARD = "Hässelby-Vällingby"


class Command(BaseCommand):
    help = (
        "Läser in sammanträdeshandlingar och andra handlingar (.txt, OCR-text eller PDF) "
        "till diariet. En fil i taget i en transaktion; samma fil igen uppdaterar på plats."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Filer eller mappar med .txt- och .pdf-filer")
        parser.add_argument(
            "--board",
            default=DEFAULT_BOARD,
            help="Nämnden vars handlingar det är: namn, kortnamn, webbnamn eller diarieprefix "
            f"(standard: {DEFAULT_BOARD}).",
        )
        parser.add_argument(
            "--meeting-date",
            type=_parse_date,
            help="Sammanträdets datum (ÅÅÅÅ-MM-DD) om det inte ska läsas ur handlingarna.",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="Lägg inläsningen i jobbkön i stället (en arbetare, manage.py procrastinate "
            "worker, läser in; förloppet syns under Bakgrundsjobb i administrationen).",
        )

    def handle(self, *args, **options):
        board = queries.find_board(options["board"])
        if board is None:
            raise CommandError(f"Okänd nämnd ”{options['board']}”.")
        files = _collect(options["paths"])
        if not files:
            raise CommandError("Hittade inga .txt- eller .pdf-filer att läsa in.")
        if options["background"]:
            return self._queue(board, options)
        verbosity = options["verbosity"]
        show_progress = verbosity >= 2 or (verbosity >= 1 and sys.stderr.isatty())
        started = time.monotonic()
        results, failures = [], []
        for path in files:
            source = _source_name(path)
            if show_progress:
                self.stderr.write(f"Läser in {source} …")
            progress = (lambda line: self.stderr.write(f"  {line}")) if show_progress else None
            try:
                results.append(
                    importing.import_file(
                        path=path,
                        board=board,
                        source_file=source,
                        meeting_date=options["meeting_date"],
                        progress=progress,
                    )
                )
            except (PdfError, OSError, registering.RegisterError) as error:
                failures.append(f"{source}: {error}")
        if verbosity >= 1 or failures:
            self._summary(results, failures, time.monotonic() - started)
        if failures:
            raise CommandError(
                "Följande filer lästes inte in (inget ändrades för dem):\n" + "\n".join(failures)
            )

    def _queue(self, board, options) -> None:
        if options["meeting_date"]:
            raise CommandError("--meeting-date går inte att kombinera med --background.")
        for raw in options["paths"]:
            try:
                run = background.start_import(board=board, path=raw)
            except background.AlreadyQueued as error:
                raise CommandError(f"”{error}” väntar redan på att läsas in.") from error
            self.stdout.write(f"Köad: {run.path} (bakgrundsjobb {run.pk}).")

    def _summary(self, results, failures, seconds: float) -> None:
        total = importing.ImportResult(source_file="")
        for result in results:
            for field in (
                "cases_created",
                "cases_updated",
                "documents_created",
                "documents_updated",
                "references_created",
                "references_removed",
                "findings",
                "agenda_items",
            ):
                setattr(total, field, getattr(total, field) + getattr(result, field))
            for kind, count in result.documents_by_kind.items():
                total.documents_by_kind[kind] = total.documents_by_kind.get(kind, 0) + count
            total.warnings.extend(result.warnings)
        out = self.stdout
        out.write(f"Inläsning klar: {len(results)} filer på {seconds:.1f} s.")
        out.write(f"Ärenden: {total.cases_created} nya, {total.cases_updated} uppdaterade.")
        out.write(
            f"Handlingar: {total.documents_created} nya, {total.documents_updated} uppdaterade"
            f" ({_kinds(total.documents_by_kind)})."
        )
        out.write(
            f"Hänvisningar: {total.references_created} nya, {total.references_removed} borttagna."
        )
        for result in results:
            if result.meeting is not None:
                out.write(
                    f"Sammanträde: {result.meeting.board.short_name} {result.meeting.date}"
                    f" med {result.agenda_items} dagordningspunkter."
                )
        out.write(f"Personuppgifter att granska: {total.findings}.")
        for warning in total.warnings:
            out.write(f"Varning: {warning}")
        if failures:
            out.write(f"Misslyckade filer: {len(failures)}.")


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {kinds.plural(kind)}" for kind, count in sorted(counts.items()))


def _parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Ogiltigt datum ”{value}”: skriv ÅÅÅÅ-MM-DD.") from error


def _collect(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise CommandError(f"Hittar inte ”{raw}”.")
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES))
        elif path.suffix.lower() in SUFFIXES:
            files.append(path)
        else:
            raise CommandError(f"”{raw}” är varken .txt eller .pdf.")
    return files


def _source_name(path: Path) -> str:
    """The path relative to the project when inside it (stable across working directories)."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(resolved)

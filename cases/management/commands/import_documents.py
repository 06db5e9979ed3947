"""Import meeting packs and documents: ``manage.py import_documents [--board B] PATH...``."""

import datetime
import os
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases import background, kinds, queries
from cases.importers import files
from cases.services import importing

DEFAULT_BOARD = "Hässelby-Vällingby"


class Command(BaseCommand):
    help = (
        "Läser in sammanträdeshandlingar och andra handlingar (.txt, OCR-text, PDF eller DOCX) "
        "till diariet. En fil i taget i en transaktion; samma fil igen uppdaterar på plats. "
        "En fil som inte kan läsas får ett eget fel, de andra läses in; slutstatus 1 om någon "
        "fil misslyckades."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", help="Filer eller mappar med .txt-, .pdf- och .docx-filer"
        )
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
        for raw in options["paths"]:
            if not os.path.lexists(raw):
                raise CommandError(f"Hittar inte ”{raw}”.")
        if options["background"]:
            return self._queue(board, options)
        paths, refused = files.collect_files(options["paths"])
        if not paths and not refused:
            raise CommandError("Hittade inga .txt-, .pdf- eller .docx-filer att läsa in.")
        failures = [(_source_name(item.path, resolve=False), item.reason) for item in refused]
        started = time.monotonic()
        results = self._import(paths, board, options, failures)
        if options["verbosity"] >= 1 or failures:
            self._summary(results, failures, time.monotonic() - started)
        if failures:
            raise CommandError(
                f"{len(failures)} av {len(results) + len(failures)} filer lästes inte in "
                "(se listan ovan; inget ändrades för dem)."
            )

    def _import(self, paths, board, options, failures) -> list:
        verbosity = options["verbosity"]
        show_progress = verbosity >= 2 or (verbosity >= 1 and sys.stderr.isatty())
        results = []
        for path in paths:
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
            except importing.FILE_ERRORS as error:
                failures.append((source, str(error)))
        failures.sort()
        return results

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
        out.write(f"Inlästa filer: {len(results)}.")
        for result in results:
            out.write(
                f"  {result.source_file}: {result.documents_created} nya och "
                f"{result.documents_updated} uppdaterade handlingar."
            )
        if failures:
            out.write(f"Filer som inte lästes in: {len(failures)}.")
            for source, reason in failures:
                out.write(f"  {source}: {reason}")


def _kinds(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {kinds.plural(kind)}" for kind, count in sorted(counts.items()))


def _parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Ogiltigt datum ”{value}”: skriv ÅÅÅÅ-MM-DD.") from error


def _source_name(path: Path, *, resolve: bool = True) -> str:
    """The path relative to the project when inside it (stable across working directories).
    A refused file is named as found: its links may lead nowhere, or round in a loop."""
    resolved = path.resolve() if resolve else Path(os.path.abspath(path))
    try:
        return str(resolved.relative_to(Path(settings.BASE_DIR).resolve()))
    except ValueError:
        return str(resolved)

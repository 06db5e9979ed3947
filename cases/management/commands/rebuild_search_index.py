"""Rebuild the search rows of every document and case: ``manage.py rebuild_search_index``."""

from django.core.management.base import BaseCommand, CommandError

from cases import background


class Command(BaseCommand):
    help = (
        "Bygger om sökindexet (varje handlings och ärendes sökrad och ordförrådet). Med "
        "--background läggs det i jobbkön och förloppet syns under Bakgrundsjobb i "
        "administrationen."
    )

    def add_arguments(self, parser):
        parser.add_argument("--background", action="store_true", help="Lägg det i jobbkön.")

    def handle(self, *args, **options):
        try:
            run = background.start_reindex(queue=options["background"])
        except background.AlreadyQueued as error:
            raise CommandError("En ny sökindexering väntar redan i jobbkön.") from error
        if options["background"]:
            self.stdout.write(f"Köad: ny sökindexering (bakgrundsjobb {run.pk}).")
            return
        run = background.run_reindex(run.pk)
        self.stdout.write(f"Klart: {run.done} handlingar indexerade.")

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cases.models import Document

DEMO_DIR = Path(settings.BASE_DIR) / "demo" / "seeds"


class Command(BaseCommand):
    help = "Läser in demodata (de fyra offentliga seed-dokumenten) om de inte redan finns."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Importera igen även om demodata finns."
        )

    def handle(self, *args, **options):
        already = Document.objects.filter(source_file__contains="demo/seeds").exists()
        if already and not options["force"]:
            self.stdout.write("Demodata finns redan – hoppar över importen.")
            return
        call_command(
            "import_documents", str(DEMO_DIR), board="Hässelby-Vällingby", stdout=self.stdout
        )

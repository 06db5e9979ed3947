from django.core.management.base import BaseCommand
from django.db import transaction

from cases.models import Case
from cases.services import indexing

BATCH = 2000


class Command(BaseCommand):
    help = (
        "Skriver om sökposterna för alla ärenden (ärendemeningens ord). Körs efter en "
        "uppgradering förbi migrering 0015 i ett register som redan hade ärenden."
    )

    def handle(self, *args, **options):
        ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))
        # One transaction a batch: a stopped run keeps what it wrote, and running it again
        # rewrites every row (the rows are upserted).
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                indexing.index_cases(ids[start : start + BATCH])
        self.stdout.write(f"{len(ids)} ärenden indexerade.")

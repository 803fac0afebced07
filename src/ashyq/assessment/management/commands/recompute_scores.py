import time

from django.core.management.base import BaseCommand

from ashyq.assessment import figures
from ashyq.core import pagecache


class Command(BaseCommand):
    help = (
        "Recompute every body's and region's assessment figures from the dialogue's tables (aggregate SQL), "
        "replace them, and say how many the per-event changes had wrong (the nightly audit: 0 expected)."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = figures.recompute_all()
        pagecache.bump(pagecache.FIGURES)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"recomputed {result['body_months']} body-months and {result['region_months']} region-months in {elapsed:.2f} s; "
            f"{result['changed']} differed from the stored figures"
            + (f"; rebuilt the kept parts of {result['parts_rebuilt']} appeals" if result["parts_rebuilt"] else "")
        )

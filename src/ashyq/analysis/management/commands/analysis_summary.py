"""Check or rebuild the monthly summary the content-analysis pages read (analysis/summary.py).

    manage.py analysis_summary            # audit: compare the summary with a fresh aggregation of the rows
    manage.py analysis_summary --rebuild  # replace it with that aggregation (seconds at a million appeals)

The audit exits with status 1 when it finds a difference, listing the first ones, so a nightly job or a monitor
notices; the summary is kept with the rows in their own transaction, so it should find none.
"""

from django.core.management.base import BaseCommand, CommandError

from ashyq.analysis import summary
from ashyq.core import pagecache


class Command(BaseCommand):
    help = "Audit the content analysis's monthly summary against its rows; --rebuild replaces it from them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild the summary from the analysis rows")

    def handle(self, *args, rebuild, **options):
        if rebuild:
            n = summary.rebuild()
            pagecache.bump(pagecache.FIGURES)
            self.stdout.write(f"rebuilt the monthly summary: {n} rows")
            return
        found = summary.audit()
        if not found["differences"]:
            self.stdout.write("the monthly summary equals a fresh aggregation of the analysis rows")
            return
        for side, *key_and_counts in found["examples"]:
            self.stdout.write(f"  {side}: {tuple(key_and_counts)}")
        raise CommandError(
            f"{found['differences']} summary keys differ from the analysis rows; `manage.py analysis_summary --rebuild` "
            "replaces the summary from them"
        )

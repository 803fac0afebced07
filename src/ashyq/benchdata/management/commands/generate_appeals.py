"""`manage.py generate_appeals N`: N synthetic appeals with consistent histories, for benchmarks (benchmarks/README)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ashyq.benchdata.generator import Generator


class Command(BaseCommand):
    help = (
        "Create N synthetic appeals (with applicants, events, answers, feedback, public copies) for benchmarks. "
        "Refused in production. Adds to what is there; reference data is loaded first if missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("n", type=int)
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for a reproducible set.")
        parser.add_argument("--applicants", type=int, default=None, help="How many applicants to create (default N/4).")
        parser.add_argument("--span-days", type=int, default=3 * 365, help="Registrations spread over this many past days.")
        parser.add_argument("--batch-size", type=int, default=10_000)
        parser.add_argument("--no-analyze", action="store_true", help="Skip VACUUM ANALYZE afterwards (PostgreSQL).")

    def handle(self, *args, n, seed, applicants, span_days, batch_size, no_analyze, **options):
        if settings.PRODUCTION:
            raise CommandError("generate_appeals writes synthetic data; it is refused in production.")
        if n < 1:
            raise CommandError("N must be at least 1.")
        verbose = options["verbosity"] >= 1
        generator = Generator(
            n,
            seed=seed,
            applicants=applicants,
            span_days=span_days,
            batch_size=batch_size,
            log=(lambda m: self.stderr.write(m)) if verbose else None,
        )
        stats = generator.run()
        if connection.vendor == "postgresql" and not no_analyze and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                for table in ("accounts_user", "dialogue_appeal", "dialogue_appealevent", "dialogue_answer", "dialogue_feedback"):
                    cursor.execute(f"VACUUM (ANALYZE) {table}")
        if verbose:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Generated {stats['appeals']} appeals, {stats['events']} events, {stats['answers']} answers, "
                    f"{stats['feedback']} feedback, {stats['applicants']} applicants in {stats['seconds']}s."
                )
            )

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ashyq.demo.loader import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo: reference data, a user per role and synthetic appeals (idempotent; refused in production)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--ranking-story",
            action="store_true",
            help="also play the ranking story: ten honest bodies and two that game the count, 24 answers "
            "published (demo/assessment_story.py; make run passes it)",
        )

    def handle(self, *args, ranking_story=False, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo is never loaded in production (ASHYQ_ENVIRONMENT=production).")
        # The demo's past steps are not emailed: nobody reads the demo addresses.
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        counts = load_demo(ranking_story=ranking_story)
        warnings = counts.pop("warnings", [])
        self.stdout.write(self.style.SUCCESS("Demo loaded: " + ", ".join(f"{n} {k}" for k, n in counts.items())))
        for warning in warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, body, *_ in USERS:
            self.stdout.write(f"  {username:<20} {role}{' of ' + body if body else ''}")

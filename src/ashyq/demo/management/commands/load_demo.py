from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ashyq.demo.loader import DEMO_PASSWORD, USERS, load_demo


class Command(BaseCommand):
    help = "Load the demo: reference data, a user per role and synthetic appeals (idempotent; refused in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The demo is never loaded in production (ASHYQ_ENVIRONMENT=production).")
        # The demo's past steps are not emailed: nobody reads the demo addresses.
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        counts = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo loaded: " + ", ".join(f"{n} {k}" for k, n in counts.items())))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, body, *_ in USERS:
            self.stdout.write(f"  {username:<20} {role}{' of ' + body if body else ''}")

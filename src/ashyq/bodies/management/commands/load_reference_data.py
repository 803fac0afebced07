from django.core.management.base import BaseCommand

from ashyq.bodies.reference_data import load_reference_data


class Command(BaseCommand):
    help = "Load or update Kazakhstan's regions, competence topics and state bodies (idempotent)."

    def handle(self, *args, **options):
        counts = load_reference_data()
        self.stdout.write(self.style.SUCCESS(", ".join(f"{n} {what}" for what, n in counts.items())))

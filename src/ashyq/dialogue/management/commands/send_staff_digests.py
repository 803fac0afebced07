from django.core.management.base import BaseCommand

from ashyq.core import clock
from ashyq.dialogue import staff_notifications


class Command(BaseCommand):
    help = (
        "Enqueue today's digest for every official and head who wants it (appeals of their body due within three "
        "working days and overdue). Run once a day, e.g. at 08:00; a second run the same day sends nothing twice."
    )

    def handle(self, *args, **options):
        count = staff_notifications.enqueue_digests(clock.today())
        self.stdout.write(f"Enqueued {count} digest(s); the background worker sends them.")

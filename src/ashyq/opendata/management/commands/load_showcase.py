from django.core.management.base import BaseCommand

from ashyq.bodies.reference_data import load_reference_data
from ashyq.opendata.showcase import load_showcase


class Command(BaseCommand):
    help = "Load the Silk Road showcase datasets (figures from the references; loading twice changes nothing)."

    def handle(self, *args, **options):
        load_reference_data()
        self.stdout.write(str(load_showcase()))

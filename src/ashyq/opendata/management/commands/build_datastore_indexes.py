from django.core.management.base import BaseCommand
from django.db import connection

from ashyq.opendata import datastore
from ashyq.opendata.models import ResourceVersion


class Command(BaseCommand):
    help = (
        "Build the datastore indexes of every loaded version whose table lacks any of them (PostgreSQL): tables loaded "
        "before indexes were built after each load (or before the trigram index of q), or whose process stopped "
        "between the load and its indexes."
    )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Nothing to do: the datastore is indexed only on PostgreSQL.")
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'opendata\\_ds\\_%%'")
            indexed = {name for (name,) in cursor.fetchall()}
        built = 0
        for version in ResourceVersion.objects.filter(loaded=True).order_by("pk").iterator():
            if datastore.index_names(version) - indexed:
                datastore.build_indexes(version)
                built += 1
        self.stdout.write(f"Indexed {built} datastore table(s).")

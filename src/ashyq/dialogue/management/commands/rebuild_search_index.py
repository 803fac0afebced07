"""Rebuild the search rows of every published appeal from its public copies.

Needed only after public copies were written behind the application's back (a queryset update, raw SQL,
a restore of a partial dump): every write through the models keeps its own row up to date."""

from django.core.management.base import BaseCommand

from ashyq.dialogue import search


class Command(BaseCommand):
    help = "Rebuild the public search index from the public copies of the appeals and answers."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        written = search.rebuild(using=database)
        search.ensure_structures()
        self.stdout.write(f"{written} appeals indexed.")

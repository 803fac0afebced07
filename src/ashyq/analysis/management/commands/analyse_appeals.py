"""Rebuild every appeal's analysis rows from its record and labels (after an import, a restore, or a
change of the handling rules); with --classify, also suggest cause and sector for appeals without them."""

from django.core.management.base import BaseCommand

from ashyq.analysis import refresh, services
from ashyq.analysis.models import Label
from ashyq.core import pagecache
from ashyq.dialogue.models import Appeal


class Command(BaseCommand):
    help = "Rebuild the content-analysis rows of every appeal; --classify suggests labels where missing."

    def add_arguments(self, parser):
        parser.add_argument("--classify", action="store_true", help="suggest cause and sector where an appeal has none")

    def handle(self, *args, classify, **options):
        if classify:
            missing = Appeal.objects.exclude(pk__in=Label.objects.values("appeal_id")).values_list("pk", flat=True)
            n = 0
            for appeal_id in missing.iterator():
                services.classify_appeal(appeal_id)
                n += 1
            self.stdout.write(f"classified {n} appeals")
        total = Appeal.objects.count()
        done = refresh.refresh_all(progress=lambda d: self.stdout.write(f"  {d}/{total} appeals", ending="\r"))
        pagecache.bump(pagecache.FIGURES)
        self.stdout.write(f"rebuilt the analysis of {done} appeals")

"""Check every link resource (or those of some datasets) and store whether it answered: run it nightly."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from ashyq.core import clock
from ashyq.opendata import links, services
from ashyq.opendata.models import Dataset, Resource


class Command(BaseCommand):
    help = (
        "Check that link resources answer (HEAD, else GET of the first kilobyte; short timeouts, few redirects; "
        "private and local addresses refused) and store the result for the quality checklist."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dataset", action="append", default=[], metavar="SLUG", help="only this dataset's links (repeatable)"
        )
        parser.add_argument(
            "--older-than",
            type=float,
            default=0,
            metavar="HOURS",
            help="only links not checked in the last HOURS hours (default: every link)",
        )
        parser.add_argument("--workers", type=int, default=4, help="links checked at once (default 4)")

    def handle(self, *args, dataset, older_than, workers, **options):
        resources = Resource.objects.exclude(url="").select_related("dataset")
        if dataset:
            unknown = set(dataset) - set(Dataset.objects.filter(slug__in=dataset).values_list("slug", flat=True))
            if unknown:
                raise CommandError(f"no dataset with the identifier(s): {', '.join(sorted(unknown))}")
            resources = resources.filter(dataset__slug__in=dataset)
        if older_than:
            since = clock.now() - dt.timedelta(hours=older_than)
            resources = resources.filter(Q(link_checked_at__isnull=True) | Q(link_checked_at__lt=since))
        by_url = {}
        for resource in resources:
            by_url.setdefault(resource.url, []).append(resource)
        counts = {"reachable": 0, "unreachable": 0}
        for url, result in links.check_many(list(by_url), workers=workers):
            for resource in by_url[url]:
                services.record_link_check(resource.pk, url, result.reachable, result.status, clock.now())
                counts["reachable" if result.reachable else "unreachable"] += 1
                if not result.reachable:
                    self.stdout.write(f"{resource.dataset.slug} / {resource.name}: {url} -> {result.status}")
        self.stdout.write(
            f"checked {len(by_url)} link(s) of {sum(counts.values())} resource(s): "
            f"{counts['reachable']} reachable, {counts['unreachable']} not"
        )

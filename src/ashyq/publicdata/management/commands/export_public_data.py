"""Write the open-data export of the public record (publicdata/export.py). Run daily: docs/operations.md."""

from pathlib import Path

from django.core.management.base import BaseCommand

from ashyq.dialogue import transparency
from ashyq.publicdata import export


class Command(BaseCommand):
    help = "Write published appeals, their events and the assessment figures as CSV and JSON with a datapackage.json (CC BY 4.0)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="Directory to write into (default: ASHYQ_EXPORT_DIR or VAR_DIR/exports, which the site serves).",
        )

    def handle(self, *args, out=None, **options):
        # The day's signed checkpoint of the record first, so the export carries it (docs/operations.md).
        checkpoint = transparency.make_checkpoint()
        self.stdout.write(
            f"Checkpoint: {checkpoint.tree_size} events, root {checkpoint.root_hash} signed at {checkpoint.signed_at}."
        )
        result = export.write_export(out)
        self.stdout.write(
            f"Exported {result['appeals']} appeals, {result['events']} events, {result['stays']} stays, {result['body_months']} body-month, "
            f"{result['region_months']} region-month and {result['analysis_rows']} analysis figures to {result['directory']} "
            f"at {result['created']}."
        )

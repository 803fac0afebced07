"""manage.py import_budget: load the budget execution reports (the shipped files, or --source DIR)."""

from django.core.management.base import BaseCommand

from ashyq.budget import services


class Command(BaseCommand):
    help = "Import the monthly budget execution reports as facts and publish them as open data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", help="A directory of the portal's CSV files (.csv or .csv.gz); the shipped files by default"
        )
        parser.add_argument("--months", help="Only these months of report, comma-separated MM.YYYY (for a quick load)")
        parser.add_argument("--no-publish", action="store_true", help="Load the facts without publishing a new open-data version")

    def handle(self, *args, **options):
        months = [m.strip() for m in options["months"].split(",")] if options["months"] else None
        report = services.import_budget(None, options["source"], months, publish=not options["no_publish"])
        out = self.stdout
        if report["unchanged"]:
            out.write(f"Unchanged since import {report['import']}: {report['rows_read']} rows read, nothing loaded.")
            return
        out.write(
            f"Import {report['import']}: {len(report['tables'])} tables, months {report['months'][0]} to {report['months'][-1]}"
        )
        out.write(f"rows read {report['rows_read']}, loaded {report['rows_loaded']}, refused {len(report['refused'])}")
        for refusal in report["refused"][:50]:
            out.write(f"  refused {refusal['table']} row {refusal['row']}: {refusal['reason']}")
        out.write(f"administrators matching no body: {len(report['unmapped'])}")
        for admin in report["unmapped"]:
            out.write(f"  {admin['code']} {admin['name']}")
        by_table = {}
        for gap in report["reconciliation"]:
            by_table.setdefault((gap["table"], gap["phase"]), []).append(gap)
        out.write(f"sums of leaves that differ from the source's totals: {len(report['reconciliation'])}")
        for (table, phase), gaps in sorted(by_table.items()):
            worst = max(gaps, key=lambda g: abs(float(g["difference"])))
            out.write(f"  {table} {phase}: {len(gaps)} months, largest {worst['difference']} in {worst['month']}")
        for warning in report["warnings"]:
            out.write(self.style.WARNING(f"warning: {warning}"))
        out.write(f"seconds: {report['seconds']} ({', '.join(f'{k} {v}' for k, v in report['timings'].items())})")

from django.core.management.base import BaseCommand, CommandError

from ashyq.accounts import retention


class Command(BaseCommand):
    help = (
        "Remove personal data past its retention period (ASHYQ_RETAIN_* settings, docs/operations.md): "
        "unconfirmed sign-ups, reporters of settled abuse reports, redacted fragments in moderation logs, "
        "unused API tokens, expired sessions and, if configured, the identity behind long-quiet applicant accounts. "
        "Prints counts per rule, never the data. The appeal record itself is never deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be removed; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        outcomes = retention.purge(dry_run=dry_run)
        for o in outcomes:
            label = f"{o.rule.name} ({o.rule.what})"
            if o.count is None:
                self.stdout.write(f"{label}: off ({o.rule.setting} is empty)")
            elif o.failed:
                self.stdout.write(self.style.ERROR(f"{label}: FAILED and rolled back, see the log"))
            else:
                verb = f"would be {o.rule.done}" if dry_run else o.rule.done
                when = f", older than {o.period}" if o.rule.setting else ""
                self.stdout.write(f"{label}{when}: {o.count} {verb}")
        failed = [o.rule.name for o in outcomes if o.failed]
        if failed:
            raise CommandError(f"{len(failed)} rule(s) failed: {', '.join(failed)}")
        self.stdout.write(self.style.SUCCESS("Dry run: nothing was changed." if dry_run else "Done."))

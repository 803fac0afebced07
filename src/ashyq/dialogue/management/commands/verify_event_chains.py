"""manage.py verify_event_chains: every appeal's hash chain, and the whole record against its signed checkpoints."""

from django.core.management.base import BaseCommand, CommandError

from ashyq.dialogue import transparency
from ashyq.dialogue.integrity import verify_all
from ashyq.dialogue.models import Appeal, RecordCheckpoint


class Command(BaseCommand):
    help = (
        "Recompute every appeal's event hash chain and the record's Merkle tree against its signed checkpoints; "
        "name any appeal and event that was changed, removed, reordered or inserted."
    )

    def handle(self, *args, **options):
        broken = list(verify_all())
        total = Appeal.objects.count()
        for number, seq in broken:
            self.stdout.write(self.style.ERROR(f"ALTERED appeal {number}: chain breaks at event {seq}"))
        problems = transparency.verify_record()
        for problem in problems:
            self.stdout.write(self.style.ERROR(f"TAMPERED: {problem}"))
        if broken or problems:
            raise CommandError(
                f"{len(broken)} of {total} appeals have an altered history; "
                f"{len(problems)} problems against the signed checkpoints."
            )
        self.stdout.write(self.style.SUCCESS(f"All {total} appeal histories are intact."))
        checkpoints = RecordCheckpoint.objects.count()
        if checkpoints:
            self.stdout.write(self.style.SUCCESS(f"The record matches its {checkpoints} signed checkpoints."))

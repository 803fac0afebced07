from django.core.management.base import BaseCommand, CommandError

from ashyq.dialogue.integrity import verify_all
from ashyq.dialogue.models import Appeal


class Command(BaseCommand):
    help = "Recompute every appeal's event hash chain and name any appeal whose history was altered."

    def handle(self, *args, **options):
        broken = list(verify_all())
        total = Appeal.objects.count()
        for number, seq in broken:
            self.stdout.write(self.style.ERROR(f"ALTERED appeal {number}: chain breaks at event {seq}"))
        if broken:
            raise CommandError(f"{len(broken)} of {total} appeals have an altered history.")
        self.stdout.write(self.style.SUCCESS(f"All {total} appeal histories are intact."))

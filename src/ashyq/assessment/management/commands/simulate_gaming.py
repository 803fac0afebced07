"""manage.py simulate_gaming: play honest and gaming bodies through the services, print both methods' ranks.

Nothing it builds stays in the database (one transaction, rolled back); the table is kept for the
methodology page (assessment.GamingSimulation).
"""

from django.core.management.base import BaseCommand, CommandError

from ashyq.assessment import simulation
from ashyq.assessment.models import GamingSimulation


class Command(BaseCommand):
    help = "Rank bodies that game the count against honest bodies under the official and the Ashyq method."

    def add_arguments(self, parser):
        parser.add_argument("--honest", type=int, default=12, help="honest bodies (at least 4; default 12)")
        parser.add_argument("--appeals", type=int, default=40, help="appeals received by each body (default 40)")
        parser.add_argument("--seed", type=int, default=11, help="random seed of the honest bodies' choices")
        parser.add_argument("--no-save", action="store_true", help="do not keep the table for the methodology page")

    def handle(self, *args, honest, appeals, seed, no_save, **options):
        if appeals < 6:
            raise CommandError("at least 6 appeals per body")
        try:
            result = simulation.run(honest=honest, per_body=appeals, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(simulation.format_table(result))
        if not no_save:
            GamingSimulation.objects.create(method_version=result["method_version"], result=result)
        missed = [r["strategy"] for r in result["strategies"] if not r["ashyq_bottom_quartile"]]
        if missed:
            self.stdout.write(self.style.WARNING("Not in the bottom quartile by the Ashyq method: " + ", ".join(missed)))

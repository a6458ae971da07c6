"""``gridgov indices``: install the shipped schemes, compute or publish a period from the command line."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.errors import DomainError
from gridgov.indices import schemes, selectors, services
from gridgov.orgs.permissions import SYSTEM


class Command(BaseCommand):
    help = "Indices: 'install' the shipped rule sets; 'compute --period 2026-10' (all schemes or --scheme); 'publish'."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["install", "compute", "publish"])
        parser.add_argument("--period", help="2026-10, 2026-Q4 or 2026")
        parser.add_argument("--scheme", action="append", help="rule-set code (repeatable); default: every scheme")

    def handle(self, *args, action, period=None, scheme=None, **options):
        services.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
        if action == "install":
            self.stdout.write(f"{len(schemes.DEFINITIONS)} rule sets installed")
            return
        if not period:
            raise CommandError("--period is required, e.g. --period 2026-10")
        codes = scheme or [rule_set.code for rule_set in selectors.schemes() if rule_set.is_active]
        for code in codes:
            try:
                if action == "compute":
                    run = services.run_compute(actor=SYSTEM, scheme=code, period=period)
                else:
                    run = selectors.run_for(code, period)
                    if run is None:
                        raise CommandError(f"{code} {period} has not been computed")
                    run = services.run_publish(actor=SYSTEM, run=run)
            except DomainError as refusal:
                raise CommandError(f"{code}: {refusal.message}") from None
            self.stdout.write(f"{code} {run.period} r{run.revision} {run.state}: {run.entity_count} entities")

"""``gridgov ledger verify``: walk the hash chain and recompute every balance; non-zero exit on the first break."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.ledger.verify import verify_ledger
from gridgov.management.base import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("Points ledger tools. verify: check the hash chain and every cached balance.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help=gettext_lazy("Check the hash chain and recompute every balance."))

    def handle(self, *args, subcommand: str, **options):
        checked, problems = verify_ledger()
        if problems:
            for problem in problems[:20]:
                self.stderr.write(str(problem))
            raise CommandError(_("Ledger broken at %(first)s (%(count)d problems).")
                               % {"first": problems[0], "count": len(problems)})
        self.stdout.write(_("Ledger OK: %(count)d postings, chain and balances verified.") % {"count": checked})

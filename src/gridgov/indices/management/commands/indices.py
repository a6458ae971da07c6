"""``gridgov indices``: install the shipped schemes, compute or publish a period from the command line."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.errors import DomainError
from gridgov.indices import schemes, selectors, services
from gridgov.management.base import TranslatedCommand
from gridgov.orgs.permissions import SYSTEM


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Indices. install: the shipped rule sets; compute --period 2026-12: compute a period (every scheme, or "
        "--scheme); publish --period 2026-12: publish what was computed."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["install", "compute", "publish"],
                            help=gettext_lazy("install, compute or publish"))
        parser.add_argument("--period", help=gettext_lazy("a month (2026-12), a quarter (2026-Q4) or a year (2026)"))
        parser.add_argument("--scheme", action="append",
                            help=gettext_lazy("rule-set code (repeatable); default: every active scheme"))

    def handle(self, *args, action, period=None, scheme=None, **options):
        services.rule_sets_install(actor=SYSTEM, definitions=schemes.DEFINITIONS)
        if action == "install":
            self.stdout.write(_("%(count)d rule sets installed.") % {"count": len(schemes.DEFINITIONS)})
            return
        if not period:
            raise CommandError(_("--period is required, e.g. --period 2026-12."))
        codes = scheme or [rule_set.code for rule_set in selectors.schemes() if rule_set.is_active]
        for code in codes:
            try:
                if action == "compute":
                    run = services.run_compute(actor=SYSTEM, scheme=code, period=period)
                else:
                    run = selectors.run_for(code, period)
                    if run is None:
                        raise CommandError(_("%(scheme)s %(period)s has not been computed.")
                                           % {"scheme": code, "period": period})
                    run = services.run_publish(actor=SYSTEM, run=run)
            except DomainError as refusal:
                raise CommandError(f"{code}: {refusal.message}") from None
            self.stdout.write(_("%(scheme)s %(period)s revision %(revision)d, %(state)s: %(count)d entities.") % {
                "scheme": code, "period": run.period, "revision": run.revision, "state": run.get_state_display(),
                "count": run.entity_count})

"""``gridgov volunteers calendar``: post the needs of the recurring service days (also done after every deadline
scan; running it again creates nothing twice).

``gridgov volunteers verify``: check that the service totals (``volunteers.totals``, what the rankings and the
yearly hours rule read) equal what the confirmed claims sum to; exits non-zero naming the rows that differ."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from gridgov.volunteers import calendar, totals


class Command(TranslatedCommand):
    help = gettext_lazy("Volunteer housekeeping. calendar: post the needs of the recurring service days now. "
                        "verify: check the service totals against the confirmed claims.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["calendar", "verify"],
                            help=gettext_lazy("calendar: post the service days' needs up to their lead days ahead; "
                                              "verify: check the service totals against the confirmed claims"))

    def handle(self, *args, action, **options):
        if action == "verify":
            return self.verify()
        posted = calendar.generate()
        self.stdout.write(_("Posted %(count)d need(s) for service days.") % {"count": posted})

    def verify(self):
        wrong = totals.mismatches()
        for node_id, period, person_id, kept, expected in wrong:
            self.stderr.write(_("Area %(node)s, %(period)s, person %(person)s: kept %(kept)s, the claims sum to "
                                "%(expected)s (minutes, services, rated, stars).")
                              % {"node": node_id, "period": period, "person": person_id, "kept": kept,
                                 "expected": expected})
        if wrong:
            raise CommandError(_("The service totals differ from the confirmed claims."))
        self.stdout.write(_("The service totals equal the confirmed claims."))

"""``gridgov oversight findings``: compute the anomaly findings of every overseen area (the five-minute timer)."""

import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from gridgov.oversight import findings


class Command(TranslatedCommand):
    help = gettext_lazy("Oversight. findings: compute the anomaly findings of every area a supervisor oversees, "
                        "which their dashboard and the findings API then read (run it every five minutes).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["findings"], help=gettext_lazy("findings: compute them now"))

    def handle(self, *args, action, **options):
        started = time.perf_counter()
        runs = findings.compute_all()
        self.stdout.write(_("Computed the findings of %(count)d areas in %(seconds).1f s.")
                          % {"count": len(runs), "seconds": time.perf_counter() - started})

"""``gridgov jobs resume``: what a stopped worker lost goes to a worker again (``gridgov.jobs``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import jobs
from gridgov.management.base import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("Background jobs. resume: give what a stopped worker lost (older than ten minutes) to a "
                        "worker again; run it every five minutes, beside the deadline scan.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["resume"], help=gettext_lazy("resume"))

    def handle(self, *args, action, **options):
        for item, count in jobs.resume_all():
            self.stdout.write(_("%(what)s: %(count)d sent again.") % {"what": item.label, "count": count})

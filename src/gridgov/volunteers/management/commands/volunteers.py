"""``gridgov volunteers calendar``: post the needs of the recurring service days (also done after every deadline
scan; running it again creates nothing twice)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.management.base import TranslatedCommand
from gridgov.volunteers import calendar


class Command(TranslatedCommand):
    help = gettext_lazy("Volunteer housekeeping. calendar: post the needs of the recurring service days now.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["calendar"],
                            help=gettext_lazy("calendar: post the service days' needs up to their lead days ahead"))

    def handle(self, *args, action, **options):
        posted = calendar.generate()
        self.stdout.write(_("Posted %(count)d need(s) for service days.") % {"count": posted})

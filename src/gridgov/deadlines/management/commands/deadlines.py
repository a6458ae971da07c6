"""``gridgov deadlines scan``: raise and close deadline alerts; meant for a five-minute timer."""

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.deadlines.scan import describe, scan_deadlines
from gridgov.management.base import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("Deadline alerts for everything that comes due (reports, task claims, …). Run `scan` every five minutes.")

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["scan"], help=gettext_lazy("scan: raise and close alerts now"))
        parser.add_argument("--now", help=gettext_lazy("Pretend the time is this ISO datetime (for drills)."))

    def handle(self, *args, what: str, now: str | None = None, **options):
        moment = timezone.now()
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(_("--now: not an ISO date and time: %(value)r") % {"value": now})
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        result = scan_deadlines(now=moment)
        self.stdout.write(describe(result))

"""``gridgov deadlines scan``: raise and close deadline alerts; meant for a five-minute timer (which also keeps the
audit trail's coming monthly partitions on PostgreSQL: ``gridgov.audit.partitions``).
``gridgov deadlines watch``: scan the sources whose windows are minutes long (volunteer needs) every 20 s,
until stopped; a service of its own beside ``db_worker`` (docs/operations.md)."""

import time

from django.core.management.base import CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.audit.partitions import ensure_partitions
from gridgov.deadlines.registry import WATCH_SECONDS
from gridgov.deadlines.scan import describe, scan_deadlines
from gridgov.management.base import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("Deadline alerts for everything that comes due (reports, task claims, …). Run `scan` every "
                        "five minutes, and `watch` as a service for the windows of minutes.")

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["scan", "watch"],
                            help=gettext_lazy("scan: raise and close alerts now; watch: scan the minute-precision "
                                              "sources again and again"))
        parser.add_argument("--now", help=gettext_lazy("Pretend the time is this ISO datetime (for drills)."))
        parser.add_argument("--every", type=int, default=WATCH_SECONDS,
                            help=gettext_lazy("watch: seconds between scans (1 to 30)."))
        parser.add_argument("--times", type=int, default=0,
                            help=gettext_lazy("watch: stop after this many scans (0: never)."))

    def handle(self, *args, what: str, now: str | None = None, every: int = WATCH_SECONDS, times: int = 0,
               **options):
        if what == "watch":
            return self.watch(every=every, times=times)
        moment = timezone.now()
        if now:
            moment = parse_datetime(now)
            if moment is None:
                raise CommandError(_("--now: not an ISO date and time: %(value)r") % {"value": now})
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        result = scan_deadlines(now=moment)
        self.stdout.write(describe(result))
        # The timer every installation runs also keeps the audit trail's coming months partitioned (PostgreSQL;
        # one catalogue query when they exist). On the real clock: a drill's --now must not make partitions.
        ensure_partitions()

    def watch(self, *, every: int, times: int) -> None:
        if not 1 <= every <= 30:
            raise CommandError(_("--every: 1 to 30 seconds."))
        done = 0
        while not times or done < times:
            started = time.monotonic()
            close_old_connections()
            result = scan_deadlines(now=timezone.now(), minute_precision_only=True)
            if any(result.raised.values()) or result.closed or any(result.followed_up.values()):
                self.stdout.write(describe(result))
            done += 1
            if not times or done < times:
                time.sleep(max(0.0, every - (time.monotonic() - started)))

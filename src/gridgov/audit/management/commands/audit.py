"""``gridgov audit archive``: move audit records past their retention into a compressed file (docs/operations.md)."""

from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov.audit.archive import archive_before
from gridgov.audit.partitions import ensure_partitions
from gridgov.errors import DomainError
from gridgov.management.base import TranslatedCommand


class Command(TranslatedCommand):
    help = gettext_lazy("The audit trail: `archive` writes the records older than the retention "
                        "(GRIDGOV_AUDIT_RETENTION_DAYS) to a .jsonl.gz file, then removes them from the database.")

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["archive"], help=gettext_lazy("archive: archive the old records"))
        parser.add_argument("--before", help=gettext_lazy("Archive the records before this date (YYYY-MM-DD); "
                                                          "default: today minus the retention."))
        parser.add_argument("--dir", help=gettext_lazy("Where the file goes (default: archive/ in the data dir)."))
        parser.add_argument("--dry-run", action="store_true", help=gettext_lazy("Only count what would go."))

    def handle(self, *args, what: str, before: str | None = None, dir: str | None = None, dry_run: bool = False,
               **options):
        from gridgov.orgs.permissions import SYSTEM

        if before:
            try:
                day = datetime.strptime(before, "%Y-%m-%d").date()
            except ValueError:
                raise CommandError(_("--before: not a date (YYYY-MM-DD): %(value)r") % {"value": before}) from None
        else:
            day = timezone.localdate() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
        moment = timezone.make_aware(datetime.combine(day, time.min))
        directory = Path(dir) if dir else settings.DATA_DIR / "archive"
        try:
            archive = archive_before(actor=SYSTEM, before=moment, directory=directory, dry_run=dry_run)
        except DomainError as error:
            raise CommandError(error.message) from None
        if not dry_run:
            ensure_partitions()  # PostgreSQL: the coming months' partitions (also made by the deadline scan)
        if dry_run:
            self.stdout.write(_("%(count)d audit records before %(day)s would be archived.")
                              % {"count": archive.count, "day": day})
        elif archive.count:
            self.stdout.write(_("%(count)d audit records before %(day)s archived to %(file)s (SHA-256 %(sha)s).")
                              % {"count": archive.count, "day": day, "file": archive.path, "sha": archive.sha256})
        else:
            self.stdout.write(_("No audit records before %(day)s.") % {"day": day})

"""``gridgov demo``: migrate, seed 浮云街道 if the database is empty, print one login per role, serve."""

import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridgov import demo
from gridgov.management.base import TranslatedCommand, columns


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Migrate the database, seed the demo street if it is empty, print one login per role and serve."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help=gettext_lazy("Do everything but serve."))
        parser.add_argument(
            "--addr", default="127.0.0.1:8000", help=gettext_lazy("Address and port to serve on (127.0.0.1:8000).")
        )

    def handle(self, *args, no_serve: bool, addr: str, **options):
        self.stdout.write(_("Database: %(database)s") % {"database": database_location()})
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        seeded = demo.seed_demo_if_empty()
        if seeded is None:
            self.stdout.write(_("The database already holds an organisation tree: nothing seeded."))
            logins = demo.recorded_logins()
        else:
            seconds = time.perf_counter() - started
            self.stdout.write(_("Seeded the demo street 浮云街道 in %(seconds).1f s.") % {"seconds": seconds})
            if options["verbosity"] > 1:
                for path, seconds in seeded.seconds.items():
                    self.stdout.write(_("  %(seconds)6.2f s  %(seeder)s") % {"seconds": seconds, "seeder": path})
            logins = seeded.logins
        counts = demo.collect_stats()
        self.stdout.write(
            _(
                "%(community)d communities, %(village)d villages, %(cooperative)d economic cooperatives, "
                "%(grids)d grids, %(micro_grids)d micro-grids, %(people)d people."
            )
            % {**counts["organisations"], **counts}
        )
        if logins:
            self.stdout.write("")
            header = (_("Role"), _("Username"), _("Password"), _("Where · who"))
            self.stdout.write(table([header] + [(row.role, row.username, row.password, row.note) for row in logins]))
            self.stdout.write("")
            self.stdout.write(
                _("This is a demo: every demo account uses the password %(password)s. Do not keep real data here.")
                % {"password": demo.DEMO_PASSWORD}
            )
        elif seeded is None:
            self.stdout.write(_("No demo logins recorded in this database."))
        if not no_serve:
            worker, watch = start_job_worker(), start_deadline_watch()
            self.stdout.write(_("Open http://%(addr)s/ (Ctrl-C stops the server).") % {"addr": addr})
            try:
                call_command("runserver", addr, use_reloader=False)
            finally:
                for process in (worker, watch):
                    if process is not None:
                        process.terminate()


def start_job_worker() -> subprocess.Popen | None:
    """The background worker that runs queued jobs (index computations …) beside the demo server; in
    production it is a service of its own (``gridgov db_worker``, docs/operations.md)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return None
    return subprocess.Popen([sys.executable, "-m", "gridgov.cli", "db_worker", "--interval", "1"])


def start_deadline_watch() -> subprocess.Popen:
    """The 20-second scan of the windows of minutes (volunteer needs) beside the demo server; in production a
    service of its own (``gridgov deadlines watch``, docs/operations.md)."""
    return subprocess.Popen([sys.executable, "-m", "gridgov.cli", "deadlines", "watch"])


def database_location() -> str:
    """Where the data lives, without the password."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        return str(database["NAME"])
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    return f"{engine} {database.get('HOST') or 'localhost'}:{database.get('PORT') or ''}/{database['NAME']}"


def table(rows) -> str:
    widths = [max(columns(str(row[column])) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [str(cell) + " " * (widths[column] - columns(str(cell))) for column, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)

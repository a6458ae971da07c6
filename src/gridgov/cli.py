"""The ``gridgov`` command: Django's manage.py under the product's name.

Before a command runs, the settings are read and the database is connected to once, so that a wrong
``GRIDGOV_DATA_DIR`` or ``GRIDGOV_DATABASE_URL``, or a database that cannot be reached, is told in two lines
(what is wrong, how to fix it) instead of a traceback. Listing the commands or asking for help needs no
database.
"""

import os
import sys

import django
from django.conf import settings
from django.core.management import execute_from_command_line

from gridgov import startup
from gridgov.startup import _

HELP = {"help", "--help", "-h", "version", "--version"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    arguments = sys.argv[1:]
    try:
        ready(check_database=bool(arguments) and not HELP & set(arguments))
    except startup.StartupError as problem:
        sys.exit(f"gridgov: {problem.problem}\n  {problem.fix}")
    execute_from_command_line(sys.argv)


def ready(*, check_database: bool) -> None:
    """Read the settings (any failure becomes a ``StartupError``) and, if asked, connect to the database."""
    try:
        settings.INSTALLED_APPS  # imports gridgov.settings, which reads every GRIDGOV_* variable
    except startup.StartupError:
        raise
    except Exception as error:  # a malformed GRIDGOV_* value: say which, not where in settings.py
        raise startup.StartupError(
            _("Cannot read the settings: %(error)s") % {"error": f"{type(error).__name__}: {error}"},
            _("Check the GRIDGOV_* environment variables (README.md, Configuration).")) from None
    django.setup()
    if check_database:
        startup.check_database()


if __name__ == "__main__":
    main()

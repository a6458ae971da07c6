"""Reading where the data lives, and saying plainly what is wrong when it cannot be used.

``settings.py`` calls ``data_dir`` and ``database`` once; ``gridgov.cli`` calls ``check_database`` before a
command runs. Each problem is a ``StartupError``: one line saying what is wrong and one saying how to fix it,
which the ``gridgov`` command prints instead of a traceback (under gunicorn it is the exception's message).

The words are translated without Django (its translation machinery needs the very settings that failed):
Python's ``gettext`` reads the project's compiled catalog directly, in the project's language.
"""

import getpass
import gettext as python_gettext
import os
import re
from functools import cache
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

CATALOG = Path(__file__).resolve().parent / "locale"
LANGUAGE = "zh_Hans"  # settings.LANGUAGE_CODE, as the catalog's folder is named
POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")
URL_FORM = "postgres://user:password@host:5432/name"


@cache
def _catalog():
    return python_gettext.translation("django", localedir=CATALOG, languages=[LANGUAGE], fallback=True)


def _(message: str) -> str:
    return _catalog().gettext(message)


class StartupError(ImproperlyConfigured):
    """What is wrong (``problem``) and how to fix it (``fix``), both already in the reader's language."""

    def __init__(self, problem: str, fix: str):
        self.problem, self.fix = problem, fix
        super().__init__(f"{problem}\n{fix}")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return str(os.geteuid())


# ---------------------------------------------------------------- the data directory


def data_dir(value: str) -> Path:
    """The data directory, created if missing; refused unless it is a directory this user may write."""
    path = Path(value).expanduser().resolve()
    fix = _("Point GRIDGOV_DATA_DIR at a directory the user %(user)s may write (it is created if missing).") % {
        "user": _user()}
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        file = next((part for part in [path, *path.parents] if part.exists() and not part.is_dir()), path)
        raise StartupError(_("GRIDGOV_DATA_DIR must be a directory, but %(file)s is a file.") % {"file": file},
                           fix) from None
    except PermissionError:
        raise StartupError(_("Cannot create the data directory %(path)s: permission denied.") % {"path": path},
                           fix) from None
    except OSError as error:
        raise StartupError(_("Cannot create the data directory %(path)s: %(reason)s.")
                           % {"path": path, "reason": error.strerror or error}, fix) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(_("The data directory %(path)s is not writable by the user %(user)s.")
                           % {"path": path, "user": _user()}, fix)
    return path


# ---------------------------------------------------------------- the database URL


def database(url: str, **options) -> dict:
    """Django's database settings for ``GRIDGOV_DATABASE_URL`` (PostgreSQL or SQLite, nothing else)."""
    fix = _("Write it as %(form)s (special characters of the password percent-encoded, @ as %%40), "
            "or leave GRIDGOV_DATABASE_URL unset for SQLite in the data directory.") % {"form": URL_FORM}
    scheme = url.partition("://")[0].strip().lower() if "://" in url else ""
    if not scheme:
        raise StartupError(_("GRIDGOV_DATABASE_URL is not a URL: %(url)s") % {"url": _without_password(url)}, fix)
    if scheme not in POSTGRES_SCHEMES + ("sqlite",):
        raise StartupError(_("GRIDGOV_DATABASE_URL uses %(scheme)s://, which gridgov does not support "
                             "(PostgreSQL or SQLite only).") % {"scheme": scheme}, fix)
    try:
        config = dj_database_url.parse(url.strip(), **options)
    except (ValueError, dj_database_url.ParseError):
        raise StartupError(_("GRIDGOV_DATABASE_URL is not a valid URL: %(url)s") % {"url": _without_password(url)},
                           fix) from None
    if not config.get("NAME") or config["NAME"] == ":memory:":
        raise StartupError(_("GRIDGOV_DATABASE_URL names no database: %(url)s") % {"url": _without_password(url)},
                           fix)
    return config


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


# ---------------------------------------------------------------- the first connection


def check_database() -> None:
    """Connect once, so an unreachable or refusing database is named before any command starts."""
    from django.db import DatabaseError, connection

    try:
        connection.ensure_connection()
    except DatabaseError as error:
        raise _connection_problem(connection.settings_dict, error) from None
    finally:
        connection.close()


def _connection_problem(database: dict, error: Exception) -> StartupError:
    reason = str(error.__cause__ or error).strip()
    if database["ENGINE"].endswith("sqlite3"):
        return StartupError(
            _("Cannot open the SQLite database %(path)s: %(reason)s.") % {"path": database["NAME"], "reason": reason},
            _("Check that the file is a gridgov database this user may write, or point GRIDGOV_DATA_DIR elsewhere."))
    where = {"host": database.get("HOST") or "localhost", "port": database.get("PORT") or 5432,
             "user": database.get("USER") or _user(), "name": database.get("NAME")}
    if "Connection refused" in reason:
        return StartupError(_("PostgreSQL at %(host)s:%(port)s refused the connection.") % where,
                            _("Is PostgreSQL running there, on that port? (pg_lsclusters shows its port.) "
                              "Fix the host and port in GRIDGOV_DATABASE_URL, or start it."))
    if "password authentication failed" in reason or re.search(r'role ".*" does not exist', reason):
        return StartupError(_("PostgreSQL at %(host)s:%(port)s refused the user %(user)s: wrong password, or no "
                              "such user.") % where,
                            _("Fix the user and password in GRIDGOV_DATABASE_URL (ALTER ROLE … PASSWORD … sets a "
                              "password)."))
    if re.search(r'database ".*" does not exist', reason):
        return StartupError(_("PostgreSQL at %(host)s:%(port)s has no database %(name)s.") % where,
                            _("Create it (createdb -h %(host)s -p %(port)s -U %(user)s %(name)s) or fix the name "
                              "in GRIDGOV_DATABASE_URL.") % where)
    last = reason.splitlines()[0].rpartition("failed: ")[2].replace("FATAL:", "").strip() or reason
    return StartupError(_("Cannot connect to PostgreSQL at %(host)s:%(port)s: %(reason)s")
                        % {**where, "reason": last},
                        _("Check the host, port, user, password and database name in GRIDGOV_DATABASE_URL."))

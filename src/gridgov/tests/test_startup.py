"""A wrong data directory or database is told in two lines, not a traceback, whatever command is run.

Each case starts the real ``gridgov`` command in a subprocess with the environment a newcomer might have.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
NOBODY = 65534


def gridgov(*arguments, data_dir: Path, database_url: str | None = None, as_nobody: bool = False, **variables):
    env = {**os.environ, "GRIDGOV_DATA_DIR": str(data_dir), **variables}
    env.pop("GRIDGOV_DATABASE_URL", None)
    if database_url is not None:
        env["GRIDGOV_DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "gridgov.cli", *arguments]
    if as_nobody:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, cwd="/")


def refused(result, *words):
    """Exit status non-zero, no traceback, one line of problem and one of fix, naming ``words``."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("gridgov: "), result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    return lines


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgres_url(**parts) -> str:
    database = {**settings.DATABASES["default"], **parts}
    return (f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}")


# ---------------------------------------------------------------- the database URL


@pytest.mark.parametrize("url, words", [
    ("not a url", ["GRIDGOV_DATABASE_URL", "not a url"]),
    ("postgres://gridgov:secret@db:port/gridgov", ["GRIDGOV_DATABASE_URL", "postgres://gridgov:***@db:port/gridgov"]),
    ("mysql://gridgov@db/gridgov", ["GRIDGOV_DATABASE_URL", "mysql://"]),
    ("postgres://gridgov:secret@db:5432/", ["GRIDGOV_DATABASE_URL", "postgres://"]),
])
def test_a_bad_database_url_is_told_without_a_traceback(tmp_path, url, words):
    lines = refused(gridgov("stats", data_dir=tmp_path, database_url=url), *words)
    assert "secret" not in "\n".join(lines)
    assert "postgres://user:password@host:5432/name" in lines[1]


def test_a_postgresql_server_that_is_not_there_is_told_with_its_port(tmp_path):
    port = free_port()
    refused(gridgov("migrate", data_dir=tmp_path, database_url=f"postgres://gridgov:gridgov@127.0.0.1:{port}/gridgov"),
            f"127.0.0.1:{port}", "GRIDGOV_DATABASE_URL")


@pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server (the PostgreSQL run of the suite)")
def test_a_wrong_postgresql_password_is_told(tmp_path):
    import psycopg

    url = postgres_url(PASSWORD="not-the-password")
    try:
        psycopg.connect(url, connect_timeout=5).close()
        pytest.skip("this server lets the user in without a password")
    except psycopg.OperationalError:
        pass
    lines = refused(gridgov("stats", data_dir=tmp_path, database_url=url), settings.DATABASES["default"]["USER"])
    assert "not-the-password" not in "\n".join(lines)


@pytest.mark.skipif(not POSTGRES, reason="needs a PostgreSQL server (the PostgreSQL run of the suite)")
def test_a_missing_postgresql_database_is_told_with_how_to_create_it(tmp_path):
    refused(gridgov("demo", "--no-serve", data_dir=tmp_path, database_url=postgres_url(NAME="gridgov_no_such_db")),
            "gridgov_no_such_db", "createdb")


def test_help_needs_no_database(tmp_path):
    port = free_port()
    result = gridgov("demo", "--help", data_dir=tmp_path, database_url=f"postgres://gridgov:x@127.0.0.1:{port}/x")
    assert result.returncode == 0 and "--no-serve" in result.stdout, result.stderr


# ---------------------------------------------------------------- the data directory


def test_a_data_dir_that_is_a_file_is_told(tmp_path):
    file = tmp_path / "var"
    file.write_text("not a directory")
    refused(gridgov("stats", data_dir=file), "GRIDGOV_DATA_DIR", str(file))
    refused(gridgov("stats", data_dir=file / "below"), "GRIDGOV_DATA_DIR", str(file))


def test_a_data_dir_the_user_may_not_write_is_told():
    """As root (who may write anywhere) the command runs as nobody, through util-linux's setpriv."""
    as_nobody = os.geteuid() == 0
    if as_nobody and not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv to become another user")
    open_to_all = Path(tempfile.mkdtemp(prefix="gg-startup-"))  # pytest's tmp_path is private to its user
    open_to_all.chmod(0o755)
    locked = open_to_all / "locked"
    locked.mkdir(mode=0o555)
    try:
        refused(gridgov("stats", data_dir=locked, as_nobody=as_nobody), str(locked), "GRIDGOV_DATA_DIR")
        refused(gridgov("stats", data_dir=locked / "new", as_nobody=as_nobody), str(locked / "new"),
                "GRIDGOV_DATA_DIR")
    finally:
        shutil.rmtree(open_to_all)


def test_a_sqlite_file_that_is_not_a_database_is_told(tmp_path):
    (tmp_path / "gridgov.sqlite3").write_text("this is not SQLite")
    refused(gridgov("stats", data_dir=tmp_path), str(tmp_path / "gridgov.sqlite3"))


def test_a_malformed_setting_is_told_with_its_value(tmp_path):
    refused(gridgov("stats", data_dir=tmp_path, GRIDGOV_LOGIN_FAILURE_LIMIT="five"), "'five'", "GRIDGOV_")


def test_a_good_configuration_runs_the_command(tmp_path):
    result = gridgov("check", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr

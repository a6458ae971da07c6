"""What the benchmarks share: a database of their own, thrown away afterwards."""

import os
import shutil
import tempfile


def throwaway_database(prefix: str = "gg-bench-") -> tuple[str, callable]:
    """Point gridgov at a fresh data directory and database; return a description and the clean-up.

    SQLite lives in the new directory. With ``GRIDGOV_DATABASE_URL`` naming a PostgreSQL server, a database
    ``gg_bench_<pid>`` is created beside the one it names, and dropped by the clean-up.
    """
    url = os.environ.get("GRIDGOV_DATABASE_URL", "")
    directory = tempfile.mkdtemp(prefix=prefix)
    os.environ["GRIDGOV_DATA_DIR"] = directory

    def remove_directory():
        shutil.rmtree(directory, ignore_errors=True)

    if not url.startswith("postgres"):
        os.environ.pop("GRIDGOV_DATABASE_URL", None)
        return f"SQLite {directory}", remove_directory

    import psycopg

    base, _slash, _name = url.rpartition("/")
    name = f"gg_bench_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["GRIDGOV_DATABASE_URL"] = f"{base}/{name}"

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        remove_directory()

    return f"PostgreSQL {name}", drop

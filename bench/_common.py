"""What the benchmarks share: a database of their own, thrown away afterwards, and set-based loading."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager


def throwaway_database(prefix: str = "gg-bench-") -> tuple[str, callable]:
    """Point gridgov at a fresh data directory and database; return a description and the clean-up.

    SQLite lives in the new directory. With ``GRIDGOV_DATABASE_URL`` naming a PostgreSQL database, a database
    ``<that name>_bench_<pid>`` is created beside it (so a shared server's databases keep their owners'
    prefixes), and dropped by the clean-up.
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

    base, _slash, named = url.rpartition("/")
    name = f"{named.partition('?')[0] or 'gg'}_bench_{os.getpid()}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["GRIDGOV_DATABASE_URL"] = f"{base}/{name}"

    def drop():
        from django.conf import settings
        from django.db import connections

        if settings.configured:  # a benchmark that runs Django in child processes has no connection here
            connections.close_all()
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        remove_directory()
        os.environ["GRIDGOV_DATABASE_URL"] = url  # the next throwaway database is named after the first, not this

    return f"PostgreSQL {name}", drop


def in_child(script: str, arguments: list[str], prefix: str, keep: bool = False) -> dict:
    """Run ``script --child arguments`` on a throwaway database; the JSON of its last line of output. With
    ``keep`` the database (or SQLite's directory) is left for a look afterwards and said where."""
    where, cleanup = throwaway_database(prefix)
    if keep:
        print(f"kept: {where}" if where.startswith("SQLite") else f"kept: {os.environ['GRIDGOV_DATABASE_URL']}",
              flush=True)
        cleanup = lambda: None  # noqa: E731
    try:
        done = subprocess.run([sys.executable, script, "--child", *arguments], capture_output=True, text=True,
                              env=os.environ)
        if done.returncode:
            sys.exit(f"{' '.join(arguments)} on {where} failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        cleanup()


def audit_partitions(months: int) -> None:
    """On PostgreSQL the audit trail has a partition a month (audit migration 0003), made ahead by the deadline
    scan: a load of ``months`` months of history gets their partitions first, as an installation running that
    long would have (else every loaded record lands in the DEFAULT partition)."""
    from datetime import timedelta

    from django.utils import timezone

    from gridgov.audit import partitions

    if not partitions.is_partitioned():
        return
    month = timezone.localdate().replace(day=1)
    for _month in range(months):
        month = (month - timedelta(days=1)).replace(day=1)
        partitions.create_partition(month)


PRIME = 2147483647  # 2**31 - 1: x*x stays within a signed 64-bit integer on both databases


def scatter(expression: str, multiplier: int) -> str:
    """SQL for a fixed pseudo-random number in [0, 2**31) from an integer (in a statement with parameters,
    so ``%%`` is modulo): squaring modulo a prime breaks the regularity of consecutive rows, and counts per
    bucket come out spread like random ones."""
    mixed = f"((({expression}) * {multiplier} + 12345) %% {PRIME})"
    return f"({mixed} * {mixed} %% {PRIME})"


class Loader:
    """Set-based INSERT … SELECT over 0 … n-1, the same statements on both databases but for the sequence."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def insert(self, table: str, columns: list[str], select: str, count: int, params=()) -> None:
        if self.postgres:
            sql = (f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "
                   f"FROM generate_series(0::bigint, {count - 1}) AS seq(n)")
        else:
            sql = (f"INSERT INTO {table} ({', '.join(columns)}) WITH RECURSIVE seq(n) AS "
                   f"(SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n + 1 < {count}) SELECT {select} FROM seq")
        with self.connection.cursor() as cursor:
            cursor.execute(sql, list(params))

    def secondary_indexes(self, tables: list[str]) -> list[tuple[str, str]]:
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname "
                               "NOT IN (SELECT conname FROM pg_constraint)", [tables])
            else:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                               "AND tbl_name IN (%s)" % ", ".join(["%s"] * len(tables)), tables)
            return cursor.fetchall()

    @contextmanager
    def loading(self, tables: list[str]):
        """Load fast: the secondary indexes of ``tables`` dropped and foreign-key checks off while the block
        runs, then the indexes rebuilt and planner statistics taken (``VACUUM ANALYZE`` on PostgreSQL, as
        autovacuum would leave it). ``self.seconds`` then holds the seconds of each part."""
        started = time.perf_counter()
        indexes = self.secondary_indexes(tables)
        self.execute(*[f"DROP INDEX {name}" for name, _sql in indexes])
        if self.postgres:
            self.execute("SET session_replication_role = replica", "SET synchronous_commit = off")
        else:
            # The journal stays WAL: leaving it needs the only connection to the file, and a test database may
            # have others (a CI run failed on "database is locked" here); WAL without syncs loads as fast.
            self.execute("PRAGMA foreign_keys = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -262144")
        yield
        rows = time.perf_counter()
        if self.postgres:
            # A partitioned table's index reads "ON ONLY <parent>" in pg_indexes (the parent's alone, left invalid);
            # rebuilt without ONLY it is built on every partition too (the audit trail, audit migration 0003).
            rebuilt = [sql.replace(" ON ONLY ", " ON ", 1) for _name, sql in indexes]
            self.execute("SET maintenance_work_mem = '1GB'", *rebuilt,
                         "SET session_replication_role = DEFAULT", "VACUUM ANALYZE")
        else:
            self.execute(*[sql for _name, sql in indexes], "ANALYZE", "PRAGMA synchronous = NORMAL",
                         "PRAGMA foreign_keys = ON")
        self.seconds = {"rows_s": round(rows - started, 1), "indexes_s": round(time.perf_counter() - rows, 1)}

    def execute(self, *statements: str) -> None:
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

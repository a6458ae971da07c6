"""Plain-SQL helpers for the journal and the aggregates: statements SQLite (3.35+) and PostgreSQL share."""

import functools
import sqlite3

from django.db import connection


@functools.cache
def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def max_params() -> int:
    """Bound parameters one statement may carry (SQLite's compiled limit, often 32766; Django assumes 999)."""
    return _max_params(connection.vendor)


@functools.cache
def _max_params(vendor: str) -> int:
    if vendor == "sqlite":
        connection.ensure_connection()
        try:
            return min(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER), 30000)
        except AttributeError:  # Python < 3.11
            return 999
    # PostgreSQL takes 65535, but psycopg's client-side binding of one huge statement costs more than
    # a few round trips: about 250 postings a statement measured fastest.
    return 4000


def rows_per_statement(columns: int) -> int:
    return max(1, max_params() // columns)


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def values_sql(rows: int, columns: int) -> str:
    row = "(" + placeholders(columns) + ")"
    return ", ".join([row] * rows)


def flat(rows) -> list:
    return [value for row in rows for value in row]

"""Plain-SQL helpers for set-based statements SQLite (3.35+) and PostgreSQL share: the ledger's journal and
aggregates, the notifications' fan-out. Foundation: it imports no app.

Many rows or ids go to PostgreSQL as one parameter (rows as one JSON document, ids as one array): one
placeholder per value of a 10,000-row statement would pass PostgreSQL's 65,535-parameter limit, and
adapting each value in psycopg, or dumping one array per column in Python, costs more than the database's
work. SQLite gets a ``VALUES`` list or an ``IN`` list, as many values a statement as its parameter limit
allows. A single id is a plain equality on both, so PostgreSQL reuses the prepared plan.
"""

import functools
import json
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
    # PostgreSQL takes 65535; the journal's big statements pack their values instead (``row_sets``).
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


def packs_values() -> bool:
    """Whether many values go as one parameter (PostgreSQL, see the module docstring)."""
    return connection.vendor == "postgresql"


def row_sets(types: tuple[str, ...], rows: list[tuple]):
    """``(sql, params)`` for each statement's share of ``rows``: a row source to follow ``INSERT INTO t (…)``
    or to join as ``(…) AS v`` (columns ``column1``, ``column2``, …). ``types`` are the PostgreSQL column
    types ("bigint", "text", …), used to read the JSON."""
    if not rows:
        return
    if packs_values():
        columns = ", ".join(f"(r->>{index})::{kind} AS column{index + 1}" for index, kind in enumerate(types))
        yield f"SELECT {columns} FROM json_array_elements(%s::json) AS r", [json.dumps(rows, default=str)]
        return
    for chunk in chunks(rows, rows_per_statement(len(types))):
        yield f"VALUES {values_sql(len(chunk), len(types))}", flat(chunk)


def any_of(column: str, values: list, *, reserved: int = 0):
    """``(sql, params)`` for each statement's share of ``values``: the condition ``column`` is one of them.
    ``reserved`` parameters of the statement are taken by something else."""
    if len(values) == 1:  # the usual single grant: a plain equality, which PostgreSQL plans once and reuses
        yield f"{column} = %s", [values[0]]
        return
    if packs_values():
        yield f"{column} = ANY(%s)", [list(values)]
        return
    for chunk in chunks(list(values), max(1, max_params() - reserved)):
        yield f"{column} IN ({placeholders(len(chunk))})", chunk


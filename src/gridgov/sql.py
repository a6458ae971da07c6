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

from django.conf import settings
from django.db import connection
from django.db.models import F, Lookup
from django.db.models.functions import Coalesce


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
        yield f"SELECT {columns} FROM jsonb_array_elements(%s::jsonb) AS r", [json.dumps(rows, default=str)]
        return
    for chunk in chunks(rows, rows_per_statement(len(types))):
        yield f"VALUES {values_sql(len(chunk), len(types))}", flat(chunk)


def upsert(table: str, columns: tuple[str, ...], types: tuple[str, ...], rows: list[tuple], *,
           conflict: tuple[str, ...], assign: str | None = None) -> None:
    """``INSERT … ON CONFLICT (conflict) DO UPDATE``, many rows a statement (SQLite 3.24+ and PostgreSQL speak it
    alike). ``assign`` is the update; without it every other column is added to what the row holds (totals
    kept by their writers: two writers adding at once both count)."""
    quote = connection.ops.quote_name
    if assign is None:
        assign = ", ".join(f"{quote(column)} = {quote(table)}.{quote(column)} + excluded.{quote(column)}"
                           for column in columns if column not in conflict)
    head = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
    tail = f" ON CONFLICT ({', '.join(map(quote, conflict))}) DO UPDATE SET {assign}"
    with connection.cursor() as cursor:
        for source, params in row_sets(types, rows):
            cursor.execute(head + source + tail, params)


def local_week(column: str, db=None) -> tuple[str, list]:
    """SQL for the local (``TIME_ZONE``) Monday of the timestamp in ``column``, and its parameters: a date on
    PostgreSQL, ISO text on SQLite. Totals kept per week group by it."""
    db = db or connection
    if db.vendor == "postgresql":
        return f"CAST(date_trunc('week', {column} AT TIME ZONE %s) AS date)", [settings.TIME_ZONE]
    # Django's own SQLite function gives the local date; SQLite's date() steps back to its Monday.
    return f"date(django_datetime_cast_date({column}, %s, %s), '-6 days', 'weekday 1')", [settings.TIME_ZONE,
                                                                                          db.timezone_name]


def local_month(column: str, db=None) -> tuple[str, list]:
    """SQL for the local month (``YYYY-MM`` text) of the timestamp in ``column``, and its parameters."""
    db = db or connection
    if db.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE %s, 'YYYY-MM')", [settings.TIME_ZONE]
    return f"substr(django_datetime_trunc('month', {column}, %s, %s), 1, 7)", [settings.TIME_ZONE, db.timezone_name]


def within(queryset, field: str, since=None, until=None):
    """``queryset`` narrowed to ``field`` in ``[since, until)``; a bound that is None is not applied."""
    if since is not None:
        queryset = queryset.filter(**{f"{field}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{field}__lt": until})
    return queryset


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



class AnyOf(Lookup):
    """``filter(AnyOf(F("node_id"), ids))``: the column is one of ``ids``. On PostgreSQL the list goes as one array
    parameter (``= ANY(%s)``): the ORM's ``IN`` list of a large street's 535 node ids cost more to build and bind
    than the query ran. A lookup, not ``extra(where=…)``: its column is the queryset's own alias wherever the
    queryset goes, also inside a subquery (a page's ids, ``pages.rows_first``), where a table named in raw SQL meant
    the outer query's row and made the subquery correlated (86 s for a supervisor's overdue reports)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        column, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, values]
        if not values:
            return "1 = 0", params
        return f"{column} IN ({placeholders(len(values))})", [*params, *values]


class Compiled:
    """A hot query compiled by the ORM once per database, then only bound: the query every API call starts with
    (the bearer token's person and roles) cost more to build (filters, joins, SQL text) than to run.

    ``build`` takes one placeholder per call argument and returns a ``values_list`` queryset; each placeholder
    must reach the SQL unchanged, as a parameter of its own (a string compared with ``=``, once or more), which the
    first compilation checks. ``rows(*values)`` runs the SQL with the values in the placeholders' places and returns the
    rows through the same converters Django applies (dates and times on SQLite, JSON, decimals).
    """

    def __init__(self, build):
        self.build = build
        self.compiled: dict[str, tuple] = {}

    def _compile(self, db, arity: int) -> tuple:
        marks = [f"\x1fgridgov-placeholder-{index}\x1f" for index in range(arity)]
        compiler = self.build(*marks).query.get_compiler(connection=db)
        sql, params = compiler.as_sql()
        places = [marks.index(param) if isinstance(param, str) and param in marks else None for param in params]
        if {place for place in places if place is not None} != set(range(arity)):
            raise ValueError("each placeholder must reach the SQL whole, as a parameter of its own")
        converters = compiler.get_converters([column for column, _sql, _alias in compiler.select])
        return sql, list(params), places, converters

    def rows(self, *values, using: str = "default") -> list[tuple]:
        from django.db import connections

        db = connections[using]
        if (compiled := self.compiled.get(db.alias)) is None:
            compiled = self.compiled[db.alias] = self._compile(db, len(values))
        sql, params, places, converters = compiled
        bound = [param if place is None else values[place] for param, place in zip(params, places)]
        with db.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in converters.items():
                for function in functions:
                    row[position] = function(row[position], expression, db)
            converted.append(tuple(row))
        return converted


SORT_AT_MOST = 5_000  # an area's rows sorted in memory at most, rather than read in order from a global index


def area_first(queryset, *order: str, sort_at_most: int = SORT_AT_MOST, to_sort=None):
    """``queryset`` (an area's rows: e.g. its overdue claims, its grants) ordered by ``order`` for a first page,
    read so that the work stays bounded by the area, not by the installation (issue 18).

    Asked for the first rows in the order of a global index (due dates, the ledger's sequence), a planner walks
    that index and drops the other areas' rows: right for a large area, but for a small street of a province
    the walk reads most of the province before it finds a page. The estimate behind that choice comes from the
    area's share of the nodes, not of the rows (a small street has as many nodes as a large one), so it cannot
    tell the two apart. One bounded count can: an area with at most ``sort_at_most`` rows is read on its own
    indexes and sorted (the order wrapped in ``COALESCE(x, x)``, which no index provides); a larger one keeps
    the plain order and the walk, which finds its rows often (at least ``sort_at_most`` of them). ``to_sort`` (the
    same rows written otherwise) is what a small area reads instead, where a condition of ``queryset`` would
    still lead the planner onto the global index (the overdue claims' ``due_at <= now``)."""
    counted = queryset.order_by()[:sort_at_most + 1].count()
    if counted > sort_at_most:
        ordered = queryset.order_by(*order)
    else:
        ordered = (queryset if to_sort is None else to_sort).order_by(*[_opaque(field) for field in order])
    ordered.counted = (counted, sort_at_most)  # a pager reuses the count (``gridgov.pages.BoundedPaginator``)
    return ordered


def _opaque(field: str):
    name = field.removeprefix("-")
    wrapped = Coalesce(F(name), F(name))
    return wrapped.desc() if field.startswith("-") else wrapped.asc()


def count_at_most(rows, at_most: int) -> int:
    """How many ``rows`` there are, counting no further than one past ``at_most`` (a queryset's ``COUNT(*)`` of a
    ``LIMIT``ed subquery; a number is capped): a figure past the bound reads "1000+" for 1,000 (``at_most_text``)."""
    if isinstance(rows, int):
        return min(rows, at_most + 1)
    return rows.order_by()[:at_most + 1].count()  # the order does not change a count


def at_most_text(value: int, at_most: int) -> str:
    """A count from ``count_at_most`` in figures: "1000+" for 1,000 past the bound."""
    return f"{at_most}+" if value > at_most else str(value)

"""The event sources an indicator may read, and the one scan per source that aggregates them all.

A source says where its events live, which date puts an event in a period, how an event belongs to a
person (a person-id column) and to an organisation (a node path column: an event counts for every
organisation whose path prefixes it), what "value" a sum adds and what "success" a rate counts, and which
filter keys it understands.

``aggregate_all`` reads a source once for every indicator of a rule set that uses it: one GROUP BY with a
conditional aggregate (``FILTER (WHERE …)`` on PostgreSQL, ``CASE WHEN`` on SQLite) per indicator, whatever
the number of entities or indicators. Organisations are grouped by the event's node id first (which the
covering indexes of the event tables answer without touching the rows), then the few per-node rows are
joined to their paths and added up into every scored ancestor. ``tests/test_scan.py`` holds the plain
one-query-per-indicator form of the same numbers, as the reference the scan is compared with.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection, models
from django.db.models import Count, DecimalField, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node
from gridgov.orgs.tree import path_length


@dataclass(frozen=True)
class Source:
    code: str
    label: str
    model: type[models.Model]
    date_field: str
    is_datetime: bool
    person_field: str | None
    node_path_field: str | None
    value_field: str | None = None
    success: Q | None = None
    filters: dict[str, Callable[[object], Q]] = field(default_factory=dict)
    base: Q = field(default_factory=Q)
    describe: Callable[[dict], str] | None = None  # one line per event, for explanations
    describe_fields: tuple[str, ...] = ()

    @property
    def node_field(self) -> str | None:
        """The foreign key to the event's node (``node__path`` → ``node``), grouped on before any join to
        the node table; None when the source stores only a path."""
        if self.node_path_field and self.node_path_field.endswith("__path"):
            return self.node_path_field[:-len("__path")]
        return None


def equals(lookup):
    """A filter: the event's ``lookup`` equals the rule's value."""
    return lambda value: Q(**{lookup: value})


def boolean(lookup):
    """A filter: the event's ``lookup`` is the rule's value taken as true or false."""
    return lambda value: Q(**{lookup: bool(value)})


# Filled by the apps that own the events (each in its ``engines.py``, from ``AppConfig.ready``), and below for
# the audit trail (a foundation that imports no app) and this app's own activity, news and assessment tables.
SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Add an event source. Registering a code twice must describe the same model."""
    known = SOURCES.get(source.code)
    if known is not None and known.model is not source.model:
        raise ValueError(f"event source {source.code!r} is already registered for {known.model}")
    SOURCES[source.code] = source


def register_own() -> None:
    """The sources this app and the audit trail own (called from ``IndicesConfig.ready``)."""
    from gridgov.audit.models import AuditRecord, Outcome
    from gridgov.indices.models import ActivityRecord, Assessment, Attendance, NewsItem

    register(Source(
        code="audit_action", label=_("Actions in the audit trail"), model=AuditRecord, date_field="created_at",
        is_datetime=True, person_field="actor_id", node_path_field="node_path", base=Q(outcome=Outcome.DONE),
        filters={"action": equals("action"), "action_prefix": lambda v: Q(action__startswith=v)},
        describe_fields=("action", "created_at", "object_repr"),
    ))
    register(Source(
        code="activity", label=_("Organisational-life activities (组织生活)"), model=ActivityRecord,
        date_field="due_on", is_datetime=False, person_field=None, node_path_field="node__path",
        success=Q(held_on__isnull=False, held_on__lte=F("due_on")),
        filters={"kind": equals("kind"), "required": boolean("required"), "held": lambda v: Q(held_on__isnull=not v)},
        describe_fields=("kind", "due_on", "held_on"),
    ))
    register(Source(
        code="news", label=_("News items submitted (信息报送)"), model=NewsItem, date_field="submitted_on",
        is_datetime=False, person_field=None, node_path_field="node__path", value_field="spread_count",
        success=Q(adopted=True), filters={"adopted": boolean("adopted")},
        describe_fields=("title", "submitted_on", "spread_count"),
    ))
    register(Source(
        code="assessment", label=_("Assessments entered by a cadre"), model=Assessment, date_field="assessed_on",
        is_datetime=False, person_field="person_id", node_path_field="node__path", value_field="value",
        filters={"item": equals("item")}, describe_fields=("item", "assessed_on", "value", "evidence"),
    ))
    register(Source(
        code="attendance", label=_("Attendance at activities"), model=Attendance, date_field="activity__due_on",
        is_datetime=False, person_field="person_id", node_path_field="activity__node__path",
        success=Q(present=True), filters={"kind": equals("activity__kind"), "present": boolean("present")},
        describe_fields=("activity__kind", "activity__due_on", "present"),
    ))


# An indicator may also take another index of the same rule set as its input (checked for cycles).
INDEX_SOURCE = "index"


def source_choices() -> list[tuple[str, str]]:
    return [(code, source.label) for code, source in SOURCES.items()] + [(INDEX_SOURCE, _("Another index"))]


def period_bounds(period: str, period_kind: str = "month") -> tuple[date, date]:
    """``2026-10`` → [1 Oct, 1 Nov); ``2026-Q4`` → [1 Oct, 1 Jan); ``2026`` → the year. Raises ValueError."""
    if period_kind == "year" or (len(period) == 4 and period.isdigit()):
        year = int(period)
        return date(year, 1, 1), date(year + 1, 1, 1)
    if "-Q" in period:
        year, quarter = period.split("-Q")
        year, quarter = int(year), int(quarter)
        if not 1 <= quarter <= 4:
            raise ValueError(period)
        start = date(year, 3 * quarter - 2, 1)
        return start, (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1))
    year, month = (int(part) for part in period.split("-"))
    start = date(year, month, 1)
    return start, (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1))


def previous_period(period: str) -> str:
    start, _end = period_bounds(period)
    if "-Q" in period:
        year, quarter = (int(p) for p in period.split("-Q"))
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    if len(period) == 4:
        return str(int(period) - 1)
    return (start - timedelta(days=1)).strftime("%Y-%m")


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events(source: Source, *, period: str, filter: dict):
    """The source's events in the period that pass the filter (unknown keys were refused at save time)."""
    start, end = period_bounds(period)
    if source.is_datetime:
        start, end = _aware(start), _aware(end)
    in_period = Q(**{f"{source.date_field}__gte": start, f"{source.date_field}__lt": end})
    return source.model.objects.filter(source.base & in_period & _condition(source, filter))


def _condition(source: Source, filter: dict) -> Q:
    """The indicator's filter as one condition (an empty Q when it has none)."""
    condition = Q()
    for key, value in (filter or {}).items():
        condition &= source.filters[key](value)
    return condition


def _decimal_places(source: Source) -> int | None:
    """SQLite sums a decimal column as a float; round it as Django's converter does for the column."""
    if connection.vendor != "sqlite" or not source.value_field:
        return None
    field = source.model._meta.get_field(source.value_field.split("__")[0])
    for part in source.value_field.split("__")[1:]:
        field = field.related_model._meta.get_field(part)
    return field.decimal_places if isinstance(field, DecimalField) else None


def aggregate_all(source: Source, *, period: str, wanted: list[tuple[dict, str]], entity_kind: str,
                  depths: list[int]) -> tuple[dict, list[tuple[int, int]]]:
    """One scan of the source's events in the period for every ``(filter, aggregation)`` in ``wanted``.

    Returns ``({entity key: [column values]}, [(numerator column, denominator column) per wanted])``: the
    same numbers ``aggregate`` gives for each wanted indicator, all from one GROUP BY.
    """
    conditions, columns, positions = {}, {}, []

    def column(key, expression) -> int:
        if key not in columns:
            columns[key] = (f"a{len(columns)}", expression)
        return list(columns).index(key)

    for filter, aggregation in wanted:
        filter_key = json.dumps(filter or {}, sort_keys=True)
        condition = conditions.setdefault(filter_key, _condition(source, filter))
        only = {"filter": condition} if condition else {}
        denominator = column(("d", filter_key), Count("pk", **only))
        if aggregation == "sum":
            numerator = column(("sum", filter_key), Sum(source.value_field, **only))
        elif aggregation == "rate":
            succeeded = (source.success or Q()) & condition
            numerator = column(("rate", filter_key), Count("pk", **({"filter": succeeded} if succeeded else {})))
        else:
            numerator = denominator
        positions.append((numerator, denominator))
    queryset = events(source, period=period, filter={})
    if all(conditions.values()):  # no indicator reads every event: skip events none of them reads
        either = Q()
        for condition in conditions.values():
            either |= condition
        queryset = queryset.filter(either)
    names = [name for name, _expression in columns.values()]
    aggregates = {name: expression for name, expression in columns.values()}
    places = _decimal_places(source)
    sums = [position for position, key in enumerate(columns) if key[0] == "sum"] if places is not None else []
    results: dict = {}
    key = source.person_field if entity_kind == "person" else source.node_field or source.node_path_field
    grouped = (queryset.annotate(key=F(key)).values("key").order_by().annotate(**aggregates)
               .values_list("key", *names))
    sql, params = grouped.query.sql_with_params()
    if entity_kind != "person" and source.node_field:  # per-node rows, then each node's path
        quote = connection.ops.quote_name
        sql = (f"SELECT {quote('n')}.{quote('path')}, " + ", ".join(f"{quote('g')}.{quote(name)}" for name in names)
               + f" FROM ({sql}) {quote('g')} INNER JOIN {quote(Node._meta.db_table)} {quote('n')} "
               f"ON {quote('n')}.{quote('id')} = {quote('g')}.{quote('key')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if entity_kind == "person":
        for key, *values in rows:
            if key is not None:
                results[key] = [value or 0 for value in values]
    else:
        lengths = [path_length(depth) for depth in depths]
        for path, *values in rows:
            if not path:
                continue
            for length in lengths:
                if len(path) < length:
                    continue
                totals = results.get(path[:length])
                if totals is None:
                    results[path[:length]] = [value or 0 for value in values]
                else:
                    for position, value in enumerate(values):
                        if value:
                            totals[position] += value
    for position in sums:
        for totals in results.values():
            totals[position] = round(totals[position], places)
    return results, positions


def entity_events(source: Source, *, period: str, filter: dict, node: Node | None = None, person_id=None,
                  limit: int = 50) -> list[dict]:
    """The events behind one entity's score, for its explanation."""
    queryset = events(source, period=period, filter=filter)
    if person_id is not None:
        queryset = queryset.filter(**{source.person_field: person_id})
    else:
        queryset = queryset.filter(**{f"{source.node_path_field}__startswith": node.path})
    return list(queryset.order_by(source.date_field).values("pk", *source.describe_fields)[:limit])

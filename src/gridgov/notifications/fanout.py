"""The set-based writes behind ``services.notify``: one UPDATE folds events into the recipients' open messages,
one INSERT writes the rest, whatever the number of recipients (a call-out to 2,000 members is two statements).

Plain SQL (``gridgov.sql``) that SQLite (3.35+) and PostgreSQL share: the ORM has no UPDATE … FROM a list of
rows and no multi-row INSERT … RETURNING beyond SQLite's 999 parameters. A grouped message's title is
re-phrased by the database from its new count (``REPLACE`` of ``COUNT_MARK`` in the kind's summary), so the
UPDATE needs no read before it.
"""

from dataclasses import dataclass

from django.db import connection

from gridgov.notifications.models import Delivery, DeliveryStatus, Message
from gridgov.sql import row_sets, table

COUNT_MARK = "{count}"  # where a summary's number goes (``summary % {"count": COUNT_MARK}``)


@dataclass
class Row:
    """The events of one call for one recipient and group: one message written or updated."""

    recipient_id: int
    group_key: str
    events: int
    title: str  # of a new message
    body: str
    url: str
    node_id: int | None
    summary: str = ""  # the title of a message of several events, with COUNT_MARK
    latest: str = ""  # the body of a grouped message: what the newest event was
    latest_url: str = ""  # the page a grouped message opens


def _column(name: str) -> str:
    return connection.ops.quote_name(name)


def fold(rows: list[Row], *, kind: str, since, now) -> list[tuple[int, int, int, str]]:
    """Add each row's events to the recipient's unread message of the same kind and group begun since ``since``;
    ``(message id, count, recipient id, group key)`` of the messages that took them."""
    if not rows:
        return []
    messages, count = table(Message), _column("count")
    values = [(row.recipient_id, row.group_key, row.events, row.summary, row.latest, row.latest_url, row.node_id)
              for row in rows]
    adapt = connection.ops.adapt_datetimefield_value
    folded = []
    with connection.cursor() as cursor:
        for source, params in row_sets(("bigint", "text", "integer", "text", "text", "text", "bigint"), values):
            cursor.execute(
                f"UPDATE {messages} SET {count} = {messages}.{count} + v.column3, "
                f"title = REPLACE(v.column4, %s, CAST({messages}.{count} + v.column3 AS TEXT)), "
                f"body = v.column5, url = v.column6, node_id = v.column7, updated_at = %s "
                f"FROM ({source}) AS v "
                f"WHERE {messages}.recipient_id = v.column1 AND {messages}.group_key = v.column2 "
                f"AND {messages}.kind = %s AND {messages}.read_at IS NULL AND {messages}.created_at >= %s "
                f"RETURNING {messages}.id, {messages}.{count}, {messages}.recipient_id, {messages}.group_key",
                [COUNT_MARK, adapt(now), *params, kind, adapt(since)],
            )
            folded.extend(cursor.fetchall())
    return folded


def insert(rows: list[Row], *, kind: str, now) -> list[tuple[int, int]]:
    """Write a new message per row; ``(message id, count)`` of each."""
    if not rows:
        return []
    columns = ("recipient_id", "kind", "title", "body", "url", "node_id", "count", "group_key", "created_at",
               "updated_at")
    types = ("bigint", "text", "text", "text", "text", "bigint", "integer", "text", "timestamptz", "timestamptz")
    stamp = connection.ops.adapt_datetimefield_value(now)
    values = [(row.recipient_id, kind, row.title, row.body, row.url, row.node_id, row.events, row.group_key, stamp,
               stamp) for row in rows]
    inserted = []
    with connection.cursor() as cursor:
        for source, params in row_sets(types, values):
            cursor.execute(f"INSERT INTO {table(Message)} ({', '.join(map(_column, columns))}) {source} "
                           f"RETURNING id, {_column('count')}", params)
            inserted.extend(cursor.fetchall())
    return inserted


def insert_deliveries(messages: list[tuple[int, int]], *, now) -> list[int]:
    """A pending delivery per ``(message id, count)``; the ids of those written (an event is delivered once)."""
    if not messages:
        return []
    columns = ("message_id", "count", "status", "attempts", "last_error", "next_try_at", "created_at")
    types = ("bigint", "integer", "text", "smallint", "text", "timestamptz", "timestamptz")
    stamp = connection.ops.adapt_datetimefield_value(now)
    values = [(message_id, count, DeliveryStatus.PENDING.value, 0, "", stamp, stamp) for message_id, count in messages]
    ids = []
    with connection.cursor() as cursor:
        for source, params in row_sets(types, values):
            cursor.execute(f"INSERT INTO {table(Delivery)} ({', '.join(map(_column, columns))}) {source} "
                           f"ON CONFLICT DO NOTHING RETURNING id", params)
            ids.extend(delivery_id for (delivery_id,) in cursor.fetchall())
    return ids

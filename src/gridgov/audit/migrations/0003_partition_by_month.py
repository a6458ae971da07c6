"""On PostgreSQL the audit trail becomes a table range-partitioned by month of ``created_at`` (issue 18, item 2).

It works on a database that already has rows, in this migration's one transaction, the old table locked
against writers from the start: a partitioned table with the same columns and defaults is created, with a
partition for every month that has rows and for the current month and the next three (in the installation's time
zone) and a DEFAULT partition; the rows are copied; the old table is dropped and the new one takes its name; the
identity goes on after the highest id the old one gave out; the indexes the old table had (whatever their names,
read from the catalogue) are built on the new one; the append-only trigger is put back, now with the trail's own
name as its argument (a row trigger of a partitioned table runs on the partition, so ``TG_TABLE_NAME`` names the
partition and ``gridgov.purge`` is compared with the argument). The primary key becomes ``(id, created_at)``:
PostgreSQL only enforces a uniqueness on a partitioned table that includes the partition key. Django's model is
unchanged (``id`` stays its primary key: ids come from one identity, so they are still unique).

Unapplied, the rows go back into one plain table in the same way. SQLite: nothing changes.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TABLE = "oversight_auditrecord"
AHEAD = 3
COLUMNS = ("id, created_at, actor_id, actor_name, actor_role, node_id, node_path, node_name, action, outcome, "
           "object_type, object_id, object_repr, before, after, reason, request_id")

FUNCTION_WITH_ARGUMENT = """
CREATE OR REPLACE FUNCTION gridgov_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('gridgov.purge', true) = COALESCE(TG_ARGV[0], TG_TABLE_NAME) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""
FUNCTION_BEFORE = """
CREATE OR REPLACE FUNCTION gridgov_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('gridgov.purge', true) = TG_TABLE_NAME THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _bounds(month: date, zone: ZoneInfo) -> tuple[str, str]:
    return (datetime.combine(month, time.min, tzinfo=zone).isoformat(),
            datetime.combine(_next_month(month), time.min, tzinfo=zone).isoformat())


def _fetch(cursor, sql: str, params=()) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _secondary_indexes(cursor, table: str) -> list[str]:
    """CREATE INDEX statements of every index of ``table`` but its primary key's, for the table's name."""
    rows = _fetch(cursor, "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                          "WHERE i.indrelid = to_regclass(%s) AND NOT i.indisprimary ORDER BY 1", [table])
    return [definition.replace(" ON ONLY ", " ON ") for _name, definition in rows]


def _next_id(cursor, table: str) -> int:
    """One past both the highest id and the identity's last value: no id is ever given out twice."""
    cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")
    highest = cursor.fetchone()[0]
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    last = 0
    if sequence:
        cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {sequence}")
        last = cursor.fetchone()[0]
    return max(highest, last) + 1


def _swap(cursor, *, old: str, new: str, indexes: list[str], next_id: int) -> None:
    cursor.execute(f"DROP TABLE {old}")
    cursor.execute(f"ALTER TABLE {new} RENAME TO {TABLE}")
    cursor.execute(f"ALTER SEQUENCE {new}_id_seq RENAME TO {TABLE}_id_seq")
    cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id RESTART WITH {int(next_id)}")
    for statement in indexes:
        cursor.execute(statement)


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    zone = ZoneInfo(settings.TIME_ZONE)
    new = f"{TABLE}_partitioned"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")  # readers go on, writers wait
        indexes = _secondary_indexes(cursor, TABLE)
        months = {row[0] for row in _fetch(
            cursor, f"SELECT DISTINCT CAST(date_trunc('month', created_at AT TIME ZONE %s) AS date) FROM {TABLE}",
            [settings.TIME_ZONE])}
        month = timezone.localdate().replace(day=1)
        for _step in range(AHEAD + 1):
            months.add(month)
            month = _next_month(month)
        cursor.execute(f"CREATE TABLE {new} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                       f"INCLUDING STORAGE INCLUDING COMMENTS INCLUDING IDENTITY) PARTITION BY RANGE (created_at)")
        for month in sorted(months):
            start, end = _bounds(month, zone)
            cursor.execute(f"CREATE TABLE {TABLE}_p{month:%Y%m} PARTITION OF {new} "
                           f"FOR VALUES FROM ('{start}') TO ('{end}')")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {new} DEFAULT")
        cursor.execute(f"INSERT INTO {new} ({COLUMNS}) OVERRIDING SYSTEM VALUE SELECT {COLUMNS} FROM {TABLE}")
        next_id = _next_id(cursor, TABLE)
        _swap(cursor, old=TABLE, new=new, indexes=indexes, next_id=next_id)
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, created_at)")
        cursor.execute(FUNCTION_WITH_ARGUMENT)
        cursor.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                       f"FOR EACH ROW EXECUTE FUNCTION gridgov_audit_append_only('{TABLE}')")
        cursor.execute(f"ANALYZE {TABLE}")  # autovacuum never analyses a partitioned parent


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    new = f"{TABLE}_plain"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE")
        indexes = _secondary_indexes(cursor, TABLE)
        cursor.execute(f"CREATE TABLE {new} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                       f"INCLUDING STORAGE INCLUDING COMMENTS INCLUDING IDENTITY)")
        cursor.execute(f"INSERT INTO {new} ({COLUMNS}) OVERRIDING SYSTEM VALUE SELECT {COLUMNS} FROM {TABLE}")
        next_id = _next_id(cursor, TABLE)
        _swap(cursor, old=TABLE, new=new, indexes=indexes, next_id=next_id)
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
        cursor.execute(FUNCTION_BEFORE)
        cursor.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                       f"FOR EACH ROW EXECUTE FUNCTION gridgov_audit_append_only()")
        cursor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_archive_purge")]
    operations = [migrations.RunPython(partition, unpartition, elidable=False)]

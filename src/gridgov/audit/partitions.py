"""The audit trail's monthly partitions on PostgreSQL (audit migration 0003; docs/decisions.md, 2026-12-03).

``oversight_auditrecord`` is range-partitioned by ``created_at``: one partition a month of the installation's
time zone (``oversight_auditrecord_p202612`` holds December 2026 from 00:00 on the 1st, Asia/Shanghai) and a
DEFAULT partition (``oversight_auditrecord_default``) for any row whose month has none. ``ensure_partitions``
keeps the current month and the next ``AHEAD`` ones ready; ``gridgov deadlines scan`` (every five minutes) and
``gridgov audit archive`` call it, and when everything exists it is one catalogue query. A month whose rows
already went to DEFAULT (nobody created it in time) still gets its partition: its rows move over in the same
transaction, past the append-only trigger, which lets exactly that table's deletes through while
``gridgov.purge`` names it (audit migrations 0002 and 0003).

SQLite keeps one plain table; every function here then does nothing.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

TABLE = "oversight_auditrecord"
DEFAULT_PARTITION = f"{TABLE}_default"
AHEAD = 3  # months ready beyond the current one
LOCK_TIMEOUT = "10s"  # a partition is created under an exclusive lock of the trail: never wait behind a long read
LOCK_NOT_AVAILABLE = "55P03"
BOUND = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime | None  # None: the DEFAULT partition
    end: datetime | None


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The first moment of ``month`` and of the month after, in the installation's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (datetime.combine(month_start(month), time.min, tzinfo=zone),
            datetime.combine(next_month(month), time.min, tzinfo=zone))


def partition_name(month: date) -> str:
    return f"{TABLE}_p{month:%Y%m}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def partitions() -> list[Partition]:
    """The trail's partitions with their bounds, oldest first, DEFAULT last; none on SQLite."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                       "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)", [TABLE])
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        match = BOUND.search(bound)
        if match:
            found.append(Partition(name, parse_datetime(match.group(1)), parse_datetime(match.group(2))))
        else:
            found.append(Partition(name, None, None))
    return sorted(found, key=lambda p: (p.start is None, p.start or timezone.now()))


def create_partition(month: date) -> tuple[str, int]:
    """Create ``month``'s partition (if it has none), moving its rows out of DEFAULT; (name, rows moved).

    One transaction, the trail locked first (the same order as a writer's: parent, then partition, so no
    deadlock), with a lock timeout: a long export holding the trail makes this fail rather than queue every
    writer behind it; the next call tries again.
    """
    name = partition_name(month)
    start, end = month_bounds(month)
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
        cursor.execute(f"LOCK TABLE {quote(TABLE)} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return name, 0
        moved = 0
        if any(p.start is None for p in partitions()):
            cursor.execute(f"SELECT count(*) FROM {quote(DEFAULT_PARTITION)} WHERE created_at >= %s AND "
                           "created_at < %s", [start, end])
            moved = cursor.fetchone()[0]
        if moved:
            cursor.execute(f"CREATE TEMPORARY TABLE gridgov_audit_moving (LIKE {quote(TABLE)}) ON COMMIT DROP")
            cursor.execute("SELECT set_config('gridgov.purge', %s, true)", [TABLE])
            cursor.execute(f"WITH gone AS (DELETE FROM {quote(DEFAULT_PARTITION)} WHERE created_at >= %s AND "
                           "created_at < %s RETURNING *) INSERT INTO gridgov_audit_moving SELECT * FROM gone",
                           [start, end])
            cursor.execute("SELECT set_config('gridgov.purge', '', true)")
        cursor.execute(f"CREATE TABLE {quote(name)} PARTITION OF {quote(TABLE)} "
                       f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')")
        if moved:
            cursor.execute(f"INSERT INTO {quote(TABLE)} SELECT * FROM gridgov_audit_moving")
            cursor.execute("DROP TABLE gridgov_audit_moving")
    return name, moved


def ensure_partitions(*, now: datetime | None = None, ahead: int = AHEAD) -> list[tuple[str, int]]:
    """The partitions of the current month and the next ``ahead`` ones: those created, with rows moved."""
    if not is_partitioned():
        return []
    month = month_start(timezone.localdate(now or timezone.now()))
    wanted = []
    for _step in range(ahead + 1):
        wanted.append(month)
        month = next_month(month)
    existing = {p.name for p in partitions()}
    created = []
    for month in wanted:
        if partition_name(month) in existing:
            continue
        try:
            created.append(create_partition(month))
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            # The trail was held longer than LOCK_TIMEOUT (a long read): the next call tries again, and its rows
            # wait in DEFAULT meanwhile. Nothing else was changed (the attempt's transaction rolled back).
    return created


def whole_months_before(moment: datetime) -> list[Partition]:
    """The month partitions every moment of which is before ``moment`` (the archive drops them whole)."""
    return [p for p in partitions() if p.end is not None and p.end <= moment]

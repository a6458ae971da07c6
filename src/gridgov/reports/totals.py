"""The reports' weekly totals (``ReportWeek``), kept by the reports' services in the transaction of each change.

A report counts in the week of its filing (the local Monday of ``created_at`` in ``TIME_ZONE``) at its node's
path and in its category: filed, resolved (``resolved_at`` set) and resolved in time
(``resolved_at <= resolution_due_at``). Filing adds one filed; a change of the report (``services._apply``) adds
the difference between what it counted before and after (resolving adds one resolved, and one in time if it was;
reopening, which clears ``resolved_at``, takes them off again). Each write is one ``INSERT … ON CONFLICT DO UPDATE`` adding to what the row holds
(``gridgov.sql.upsert``), so two reports of one week and node changing at once both count.

The cockpit's weekly chart then reads an area's eight weeks as one range of the unique index per week, whatever
the number of reports (issue 18: the area's reports took 257–311 ms for a large street at a tenth of a province),
and its table of categories the same ranges of the weeks from the first one on.

A report's node and category never change once it is filed (routing, reassigning and escalating change its handler
and level, not its node), so its counts never move between rows.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connections
from django.utils import timezone

from gridgov.orgs.models import Node
from gridgov.reports.models import Report, ReportWeek
from gridgov.sql import local_week, upsert

COUNTS = ("filed", "resolved", "on_time")


@dataclass(frozen=True)
class Counted:
    """What one report adds to the totals: its week, its node's path, its category and its three counts (0 or 1
    each)."""

    week: date
    path: str
    category_id: int
    filed: int
    resolved: int
    on_time: int


def week_of(moment) -> date:
    """The local Monday (``TIME_ZONE``, as ``cockpit.selectors.week_starts``) of the week holding ``moment``."""
    day = timezone.localtime(moment, timezone.get_default_timezone()).date()
    return day - timedelta(days=day.weekday())


def counted(report: Report) -> Counted:
    """What ``report``, as it stands (its node loaded or cached), adds to the totals."""
    resolved = report.resolved_at is not None
    on_time = resolved and report.resolved_at <= report.resolution_due_at
    return Counted(week_of(report.created_at), report.node.path, report.category_id, 1, int(resolved),
                   int(on_time))


def record(after: Counted, before: Counted | None = None) -> None:
    """Add ``after`` to the totals and take ``before`` off (None: a new report). One statement, none when
    nothing changed."""
    deltas: dict[tuple[date, str, int], list[int]] = {}
    for counts, sign in ((after, 1), (before, -1)):
        if counts is None:
            continue
        into = deltas.setdefault((counts.week, counts.path, counts.category_id), [0, 0, 0])
        for index, name in enumerate(COUNTS):
            into[index] += sign * getattr(counts, name)
    rows = [(week.isoformat(), path, category_id, *values)
            for (week, path, category_id), values in deltas.items() if any(values)]
    if rows:
        upsert(ReportWeek._meta.db_table, ("week", "path", "category_id", *COUNTS),
               ("date", "text", "bigint", "bigint", "bigint", "bigint"), rows, conflict=("week", "path", "category_id"))


def fill_report_weeks(using: str = "default") -> int:
    """Rebuild every weekly total from the reports in one ``INSERT … SELECT`` (SQLite and PostgreSQL): the
    migration that created the table fills it on an existing database, the benchmarks after their set-based
    loads. Returns the rows written."""
    db = connections[using]
    quote = db.ops.quote_name
    week, params = local_week("r.created_at", db)
    target = quote(ReportWeek._meta.db_table)
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {target}")
        cursor.execute(
            f"INSERT INTO {target} (week, path, category_id, filed, resolved, on_time) "
            f"SELECT w.week, w.path, w.category_id, COUNT(*), SUM(w.resolved), SUM(w.on_time) FROM ("
            f"SELECT {week} AS week, n.path AS path, r.category_id AS category_id, "
            f"CASE WHEN r.resolved_at IS NULL THEN 0 ELSE 1 END AS resolved, "
            f"CASE WHEN r.resolved_at <= r.resolution_due_at THEN 1 ELSE 0 END AS on_time "
            f"FROM {quote(Report._meta.db_table)} r JOIN {quote(Node._meta.db_table)} n ON n.id = r.node_id) w "
            f"GROUP BY w.week, w.path, w.category_id", params)
        return cursor.rowcount


"""The volunteers' service totals (``ServiceTotal``): what an area's ranking and the yearly hours rule read
instead of grouping a year of confirmed claims on every view.

A confirmed claim counts in two periods (its year and its month, by check-in in local time) at each ranking
node above the need's place (its street, community and grid: the kinds ``ledger.aggregates`` ranks by) and
at ``EVERYWHERE``: up to eight rows, each one ``INSERT … ON CONFLICT DO UPDATE`` adding to what is there, so
two confirmations crediting the same helper at once both count (PostgreSQL locks the row it updates; the
journal's chain head, taken first by ``hours_credit``, serialises confirmations anyway).

``add`` is called only by ``services.need_confirm``, in its transaction. No service undoes or corrects a
confirmed claim today; one that does must call ``add`` with negative amounts (``sign=-1``). ``fill`` builds
the totals from the claims, set-based (the migration, the demo and the province bench), and ``mismatches``
compares the table with that same recomputation (``gridgov volunteers verify``).
"""

from django.db import connection

from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.tree import COMMUNITY_KINDS, ancestor_paths, path_length
from gridgov.sql import local_month, upsert
from gridgov.volunteers.models import Claim, ClaimState, Need, ServiceTotal

LEVEL_KINDS = sorted({NodeKind.STREET, NodeKind.GRID, *COMMUNITY_KINDS})
COLUMNS = ("node_id", "period", "person_id", "minutes", "services", "rated", "stars")


def is_level(node: Node) -> bool:
    """Whether ``node``'s rankings are kept (a street, community or grid)."""
    return node.kind in LEVEL_KINDS


def periods_of(moment) -> tuple[str, str]:
    """The year and the month (local time) a service that checked in at ``moment`` counts in."""
    from django.utils import timezone

    month = timezone.localtime(moment).strftime("%Y-%m")
    return month[:4], month


def levels_of(node: Node) -> list[int]:
    """The ranking nodes a service at ``node`` counts at: its street, community and grid (itself included),
    and ``EVERYWHERE``. One query."""
    found = list(Node.objects.filter(path__in=ancestor_paths(node.path), kind__in=LEVEL_KINDS)
                 .values_list("pk", flat=True))
    return [*found, ServiceTotal.EVERYWHERE]


def add(*, claims, node: Node, rating=None, sign: int = 1) -> None:
    """Count ``claims`` (confirmed claims of one need at ``node``, each with ``minutes`` and
    ``checked_in_at``, rated ``rating`` or not) in the totals; ``sign=-1`` takes them out again. Two
    statements: the levels, and one upsert of every row."""
    claims = [claim for claim in claims if claim.minutes]
    if not claims:
        return
    levels = levels_of(node)
    rows: dict[tuple[int, str, int], list[int]] = {}
    rated = 0 if rating in (None, "") else 1
    stars = int(rating) if rated else 0
    for claim in claims:
        for period in periods_of(claim.checked_in_at):
            for level in levels:
                row = rows.setdefault((level, period, claim.volunteer_id), [0, 0, 0, 0])
                row[0] += sign * claim.minutes
                row[1] += sign
                row[2] += sign * rated
                row[3] += sign * stars
    upsert(ServiceTotal._meta.db_table, COLUMNS, ("bigint", "text", "bigint", "bigint", "bigint", "bigint", "bigint"),
           [(*key, *amounts) for key, amounts in sorted(rows.items())], conflict=COLUMNS[:3])


def summary_sql(using=None) -> tuple[str, list]:
    """A SELECT of what the totals must hold (``COLUMNS``), recomputed from the confirmed claims: one pass
    over them joined to the ranking nodes above each need's place by path prefix (an index lookup per
    depth)."""
    db = using or connection
    month, params = local_month("c.checked_in_at", db)
    with db.cursor() as cursor:
        cursor.execute(f"SELECT MAX(depth) FROM {db.ops.quote_name(Node._meta.db_table)}")
        depth = cursor.fetchone()[0] or 0
    lengths = " UNION ALL ".join(f"SELECT {path_length(k)} AS n" for k in range(1, depth + 1)) or "SELECT 0 AS n"
    kinds = ", ".join(f"'{kind}'" for kind in LEVEL_KINDS)
    claim, need, node = (db.ops.quote_name(model._meta.db_table) for model in (Claim, Need, Node))
    served = (f"SELECT c.volunteer_id AS person_id, n.path AS path, {month} AS month, c.minutes AS minutes, "
              f"c.rating AS rating FROM {claim} c JOIN {need} v ON v.id = c.need_id "
              f"JOIN {node} n ON n.id = v.node_id "
              f"WHERE c.state = '{ClaimState.CONFIRMED}' AND c.checked_in_at IS NOT NULL AND c.minutes IS NOT NULL")
    placed = (f"SELECT l.id AS node_id, s.person_id, s.month, s.minutes, s.rating FROM served s "
              f"CROSS JOIN ({lengths}) d JOIN {node} l ON l.path = substr(s.path, 1, d.n) "
              f"AND l.kind IN ({kinds}) "
              f"UNION ALL SELECT {ServiceTotal.EVERYWHERE}, s.person_id, s.month, s.minutes, s.rating FROM served s")
    sums = "SUM(p.minutes), COUNT(*), COUNT(p.rating), COALESCE(SUM(p.rating), 0)"
    sql = (f"WITH served AS ({served}), placed AS ({placed}) "
           f"SELECT p.node_id, p.month, p.person_id, {sums} FROM placed p GROUP BY p.node_id, p.month, p.person_id "
           f"UNION ALL SELECT p.node_id, substr(p.month, 1, 4), p.person_id, {sums} FROM placed p "
           f"GROUP BY p.node_id, substr(p.month, 1, 4), p.person_id")
    return sql, params


def fill(using=None) -> int:
    """Replace the totals with what the confirmed claims sum to, in one statement (and a delete); the rows
    written. For a database filled without the services: the migration, the demo, the bench."""
    db = using or connection
    table = db.ops.quote_name(ServiceTotal._meta.db_table)
    sql, params = summary_sql(db)
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} ({', '.join(COLUMNS)}) {sql}", params)
        return cursor.rowcount


def mismatches(using=None, *, limit: int = 20) -> list[tuple]:
    """Rows where the totals and the claims disagree: ``(node_id, period, person_id, kept, expected)`` with
    the (minutes, services, rated, stars) each holds (None: no such row). Empty when they agree."""
    db = using or connection
    table = db.ops.quote_name(ServiceTotal._meta.db_table)
    sql, params = summary_sql(db)
    kept = f"SELECT {', '.join(COLUMNS)} FROM {table}"
    with db.cursor() as cursor:
        cursor.execute(f"SELECT 0, x.* FROM ({kept} EXCEPT SELECT * FROM ({sql}) e) x "
                       f"UNION ALL SELECT 1, y.* FROM (SELECT * FROM ({sql}) e EXCEPT {kept}) y", params + params)
        differing = cursor.fetchall()
    found: dict[tuple, list] = {}
    for side, *row in differing:
        found.setdefault(tuple(row[:3]), [None, None])[side] = tuple(row[3:])
    return [(*key, kept_row, expected) for key, (kept_row, expected) in sorted(found.items())[:limit]]

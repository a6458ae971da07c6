"""Ranking aggregates, kept by the journal in the posting's transaction.

``EarnedTotal`` holds each person account's earnings per month with its street, community and grid
copied in (top-N is one index range); ``EarnedHistogram`` counts people per (ranking node, month,
total), so a rank is ``1 + sum(count where points > mine)`` over a few hundred buckets, not a count
over a million rows. The chain lock serialises writers, so read-then-write here is safe.
"""

from django.db import connection

from gridgov.ledger.models import Account, EarnedHistogram, EarnedTotal
from gridgov.orgs.models import Node, NodeKind

COMMUNITY_KINDS = (NodeKind.COMMUNITY, NodeKind.VILLAGE, NodeKind.COOPERATIVE)
LEVEL_OF_KIND = {NodeKind.STREET: "street_id", NodeKind.GRID: "grid_id", **{k: "community_id" for k in COMMUNITY_KINDS}}
LEVELS = ("street_id", "community_id", "grid_id")
CHUNK = 2000


def level_column(node: Node) -> str | None:
    """Which column of ``EarnedTotal`` ranks people under ``node`` (None: not a ranking level)."""
    return LEVEL_OF_KIND.get(node.kind)


def levels_of_nodes(paths: dict[int, str]) -> dict[int, dict[str, int | None]]:
    """For each node (id -> path): the ids of its street, community and grid (itself included), if any."""
    prefixes = {path[:end] for path in paths.values() for end in range(Node.steplen, len(path) + 1, Node.steplen)}
    ranked = {
        path: (pk, LEVEL_OF_KIND[kind])
        for pk, path, kind in Node.objects.filter(path__in=prefixes, kind__in=list(LEVEL_OF_KIND)).values_list(
            "pk", "path", "kind"
        )
    }
    result = {}
    for node_id, path in paths.items():
        levels = dict.fromkeys(LEVELS)
        for end in range(Node.steplen, len(path) + 1, Node.steplen):
            if path[:end] in ranked:
                pk, column = ranked[path[:end]]
                levels[column] = pk
        result[node_id] = levels
    return result


def add_earned(earned: dict[tuple[int, str], int]) -> None:
    """Add ``earned[(account id, month)]`` points to the totals and move each person between buckets."""
    earned = {key: points for key, points in earned.items() if points}
    if not earned:
        return
    account_ids = sorted({account_id for account_id, _month in earned})
    months = sorted({month for _account, month in earned})
    old: dict[tuple[int, str], tuple[int, dict]] = {}
    for start in range(0, len(account_ids), CHUNK):
        rows = EarnedTotal.objects.filter(account_id__in=account_ids[start:start + CHUNK], period__in=months)
        for row in rows.values_list("account_id", "period", "points", *LEVELS):
            old[(row[0], row[1])] = (row[2], dict(zip(LEVELS, row[3:])))
    missing_accounts = {account_id for account_id, month in earned if (account_id, month) not in old}
    node_of, paths = {}, {}
    for start in range(0, len(account_ids), CHUNK):
        chunk = [pk for pk in account_ids[start:start + CHUNK] if pk in missing_accounts]
        for pk, node_id, path in Account.objects.filter(pk__in=chunk).values_list("pk", "node_id", "node__path"):
            node_of[pk] = node_id
            if node_id is not None:
                paths[node_id] = path
    levels_of = levels_of_nodes(paths) if paths else {}
    no_levels = dict.fromkeys(LEVELS)

    totals, buckets = [], {}
    for (account_id, month), points in earned.items():
        if (account_id, month) in old:
            before, levels = old[(account_id, month)]
        else:
            before, levels = None, levels_of.get(node_of.get(account_id), no_levels)
        after = (before or 0) + points
        totals.append((account_id, month, after, levels["street_id"], levels["community_id"], levels["grid_id"]))
        for node_id in filter(None, levels.values()):
            if before is not None:
                buckets[(node_id, month, before)] = buckets.get((node_id, month, before), 0) - 1
            buckets[(node_id, month, after)] = buckets.get((node_id, month, after), 0) + 1
    _upsert(
        EarnedTotal._meta.db_table, ("account_id", "period", "points", *LEVELS), totals,
        conflict=("account_id", "period"), assign="points = excluded.points",
    )
    histogram = EarnedHistogram._meta.db_table
    _upsert(
        histogram, ("node_id", "period", "points", "count"),
        [(*key, delta) for key, delta in buckets.items() if delta],
        conflict=("node_id", "period", "points"),
        assign=f"count = {connection.ops.quote_name(histogram)}.count + excluded.count",
    )


def _upsert(table: str, columns: tuple, rows: list[tuple], *, conflict: tuple, assign: str) -> None:
    """INSERT … ON CONFLICT DO UPDATE, many rows a statement (SQLite 3.24+ and PostgreSQL speak it alike)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES "
    tail = f" ON CONFLICT ({', '.join(map(quote, conflict))}) DO UPDATE SET {assign}"
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, 900 // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            cursor.execute(head + ", ".join([row_sql] * len(chunk)) + tail, [value for row in chunk for value in row])

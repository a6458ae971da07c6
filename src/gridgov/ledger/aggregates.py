"""Ranking and cockpit aggregates, kept by the journal in the posting's transaction.

``EarnedTotal`` holds each person account's earnings per month with its street, community and grid
copied in (top-N is one index range); ``EarnedHistogram`` counts people per (ranking node, month,
total), so a rank is ``1 + sum(count where points > mine)`` over a few hundred buckets, not a count
over a million rows. ``GrantedWeek`` holds the points granted per (local week, account node path), so the
cockpit's eight weeks of an area are eight ranges of one index, not the area's lines. The chain lock
serialises writers, so read-then-write here is safe.
"""

from datetime import date, timedelta

from django.db import connection, connections
from django.utils import timezone

from gridgov.ledger.models import Account, EarnedHistogram, EarnedTotal, GrantedWeek, Line, Posting
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.tree import COMMUNITY_KINDS, ancestor_paths
from gridgov.sql import local_week, upsert

LEVEL_OF_KIND = {NodeKind.STREET: "street_id", NodeKind.GRID: "grid_id", **{k: "community_id" for k in COMMUNITY_KINDS}}
LEVELS = ("street_id", "community_id", "grid_id")
CHUNK = 2000


def level_column(node: Node) -> str | None:
    """Which column of ``EarnedTotal`` ranks people under ``node`` (None: not a ranking level)."""
    return LEVEL_OF_KIND.get(node.kind)


def levels_of_paths(paths) -> dict[str, dict[str, int | None]]:
    """For each node path: the ids of its street, community and grid (itself included), if any."""
    paths = set(filter(None, paths))
    prefixes = sorted({above for path in paths for above in ancestor_paths(path)})
    ranked: dict[str, tuple[int, str]] = {}
    nodes = connection.ops.quote_name(Node._meta.db_table)
    kinds = list(LEVEL_OF_KIND)
    with connection.cursor() as cursor:
        for start in range(0, len(prefixes), CHUNK):
            chunk = prefixes[start:start + CHUNK]
            cursor.execute(
                f"SELECT id, path, kind FROM {nodes} WHERE path IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND kind IN ({', '.join(['%s'] * len(kinds))})", [*chunk, *kinds],
            )
            ranked.update((path, (pk, LEVEL_OF_KIND[kind])) for pk, path, kind in cursor.fetchall())
    result = {}
    for path in paths:
        levels = dict.fromkeys(LEVELS)
        for above in ancestor_paths(path):
            if above in ranked:
                pk, column = ranked[above]
                levels[column] = pk
        result[path] = levels
    return result


def add_earned(earned: dict[tuple[int, str], int], *, account_paths: dict[int, str | None] | None = None,
               known: dict[tuple[int, str], tuple[int, dict] | None] | None = None) -> None:
    """Add ``earned[(account id, month)]`` points to the totals and move each person between buckets.

    What the caller read under the chain lock saves queries: ``known[(account id, month)]`` is that
    total and its levels, or None when there is none yet; ``account_paths`` (account id -> its node's
    path) places accounts that have no total yet. Raw SQL, a few statements whatever the number of rows.
    """
    earned = {key: points for key, points in earned.items() if points}
    if not earned:
        return
    known = known or {}
    old: dict[tuple[int, str], tuple[int, dict]] = {key: known[key] for key in earned if known.get(key)}
    unread = [key for key in earned if key not in known]
    account_ids = sorted({account_id for account_id, _month in unread})
    months = sorted({month for _account, month in unread})
    totals_table = connection.ops.quote_name(EarnedTotal._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(account_ids), CHUNK):
            chunk = account_ids[start:start + CHUNK]
            cursor.execute(
                f"SELECT account_id, period, points, {', '.join(LEVELS)} FROM {totals_table} "
                f"WHERE account_id IN ({', '.join(['%s'] * len(chunk))}) "
                f"AND period IN ({', '.join(['%s'] * len(months))})",
                [*chunk, *months],
            )
            for row in cursor.fetchall():
                old[(row[0], row[1])] = (row[2], dict(zip(LEVELS, row[3:])))
        paths = dict(account_paths or {})
        unknown = sorted({account_id for account_id, month in earned
                          if (account_id, month) not in old and account_id not in paths})
        for start in range(0, len(unknown), CHUNK):
            chunk = unknown[start:start + CHUNK]
            cursor.execute(
                f"SELECT a.id, n.path FROM {connection.ops.quote_name(Account._meta.db_table)} a "
                f"LEFT JOIN {connection.ops.quote_name(Node._meta.db_table)} n ON n.id = a.node_id "
                f"WHERE a.id IN ({', '.join(['%s'] * len(chunk))})", chunk,
            )
            paths.update(cursor.fetchall())
    new_paths = {paths.get(account_id) for account_id, month in earned if (account_id, month) not in old}
    levels_of = levels_of_paths(new_paths) if any(new_paths) else {}
    no_levels = dict.fromkeys(LEVELS)

    totals, buckets = [], {}
    for (account_id, month), points in earned.items():
        if (account_id, month) in old:
            before, levels = old[(account_id, month)]
        else:
            before, levels = None, levels_of.get(paths.get(account_id), no_levels)
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
    _upsert(
        EarnedHistogram._meta.db_table, ("node_id", "period", "points", "count"),
        [(*key, delta) for key, delta in buckets.items() if delta],
        conflict=("node_id", "period", "points"),
    )


def _upsert(table: str, columns: tuple, rows: list[tuple], *, conflict: tuple, assign: str | None = None,
            types: tuple | None = None) -> None:
    """``sql.upsert``; unless ``types`` says otherwise, every column here is an integer but ``period``."""
    upsert(table, columns, types or tuple("text" if column == "period" else "bigint" for column in columns), rows,
           conflict=conflict, assign=assign)


# ---------------------------------------------------------------- points granted per week (the cockpit's chart)


def week_of(moment) -> date:
    """The local Monday (``TIME_ZONE``, as ``cockpit.selectors.week_starts``) of the week holding ``moment``."""
    day = timezone.localtime(moment, timezone.get_default_timezone()).date()
    return day - timedelta(days=day.weekday())


def add_granted(granted: dict[int, int], *, week: date, account_paths: dict[int, str | None] | None = None) -> None:
    """Add ``granted[account id]`` points (the positive grant lines of one write, all stamped in ``week``) to the
    weekly totals of the accounts' nodes. ``account_paths`` (read under the chain lock) spares reading the
    paths; an account without a node counts in no area, as in the lines. Two statements at most."""
    granted = {account_id: points for account_id, points in granted.items() if points}
    if not granted:
        return
    paths = {account_id: path for account_id, path in (account_paths or {}).items() if account_id in granted}
    if unknown := sorted(set(granted) - set(paths)):
        paths.update(_paths_of_accounts(unknown))
    by_path: dict[tuple[str, str], int] = {}
    for account_id, points in granted.items():
        if path := paths.get(account_id):
            key = (week.isoformat(), path)
            by_path[key] = by_path.get(key, 0) + points
    _add_weeks(by_path)


def move_granted(moves: dict[int, tuple[str | None, str | None]]) -> None:
    """Carry each account's weekly grants from its old node's path to its new one (``moves[account id]`` is
    ``(old path, new path)``), so the weeks count a person where their home is now, as the lines did. One grouped
    read of those accounts' grant lines (their index range), one upsert."""
    if not moves:
        return
    quote = connection.ops.quote_name
    week, params = local_week("p.created_at", connection)
    deltas: dict[tuple[str, str], int] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(moves)):
            cursor.execute(
                f"SELECT l.account_id, {week}, SUM(l.amount) FROM {quote(Line._meta.db_table)} l "
                f"JOIN {quote(Posting._meta.db_table)} p ON p.id = l.posting_id "
                f"WHERE l.account_id IN ({', '.join(['%s'] * len(chunk))}) AND l.amount > 0 AND p.kind = 'grant' "
                f"GROUP BY 1, 2", [*params, *chunk])
            for account_id, monday, points in cursor.fetchall():
                monday = str(monday)[:10]
                old, new = moves[account_id]
                for path, sign in ((old, -1), (new, 1)):
                    if path:
                        deltas[(monday, path)] = deltas.get((monday, path), 0) + sign * points
    _add_weeks(deltas)


def fill_granted_weeks(using: str = "default") -> int:
    """Rebuild every weekly total from the lines in one ``INSERT … SELECT`` (SQLite and PostgreSQL): migration
    0009 fills the table on an existing database, the benchmarks after their set-based loads. Returns the rows."""
    db = connections[using]
    quote = db.ops.quote_name
    week, params = local_week("p.created_at", db)
    target = quote(GrantedWeek._meta.db_table)
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {target}")
        cursor.execute(
            f"INSERT INTO {target} (week, path, points) SELECT w.week, w.path, SUM(w.amount) FROM ("
            f"SELECT {week} AS week, n.path AS path, l.amount AS amount FROM {quote(Line._meta.db_table)} l "
            f"JOIN {quote(Posting._meta.db_table)} p ON p.id = l.posting_id "
            f"JOIN {quote(Account._meta.db_table)} a ON a.id = l.account_id "
            f"JOIN {quote(Node._meta.db_table)} n ON n.id = a.node_id "
            f"WHERE p.kind = 'grant' AND a.kind = 'person' AND l.amount > 0) w GROUP BY w.week, w.path", params)
        return cursor.rowcount


def _paths_of_accounts(account_ids: list[int]) -> dict[int, str | None]:
    paths: dict[int, str | None] = {}
    with connection.cursor() as cursor:
        for chunk in _chunks(account_ids):
            cursor.execute(
                f"SELECT a.id, n.path FROM {connection.ops.quote_name(Account._meta.db_table)} a "
                f"LEFT JOIN {connection.ops.quote_name(Node._meta.db_table)} n ON n.id = a.node_id "
                f"WHERE a.id IN ({', '.join(['%s'] * len(chunk))})", chunk)
            paths.update(cursor.fetchall())
    return paths


def _add_weeks(deltas: dict[tuple[str, str], int]) -> None:
    """``points += delta`` for each ``(week as ISO text, path)``, creating the rows that are missing."""
    table = GrantedWeek._meta.db_table
    _upsert(table, ("week", "path", "points"), [(*key, delta) for key, delta in deltas.items() if delta],
            conflict=("week", "path"), types=("date", "text", "bigint"))


def _chunks(items: list):
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]

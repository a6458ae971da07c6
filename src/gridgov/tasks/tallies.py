"""The open claims per node, state and day their next move is due (``ClaimTally``), kept by database triggers.

The cockpit counts an area's work waiting for evaluation, waiting for audit and overdue. Counted from the claims,
that is every open claim of the area (a large street's tens of thousands at a tenth of a province, and growing with
it). Counted from the tallies, it is the area's few rows per node: one per open state and due day, and a day's row
goes away when its last claim moves on.

The day is the UTC date of ``due_at`` (claims with no move due are under ``NO_DUE``), so the database computes it
the same way whatever the installation's time zone: the work overdue at ``now`` is every tally of a day before
today's UTC date, plus the claims due today up to ``now``, read from the claims (``tasks.selectors.work_under``).

Triggers, not the services, keep them, because claims are also written in bulk (the demo, an operator's SQL, the
benchmarks' loaders): whatever writes the rows, the tallies follow in the same transaction. ``rebuild`` recounts
them (the migration that adds them, ``gridgov tasks tallies --rebuild``); ``disagreements`` lists what is off.
"""

from datetime import UTC, date

from django.db import connection, migrations, transaction
from django.db.models import Count

from gridgov.triggers import Triggers

CLAIM = "tasks_claim"
TALLY = "tasks_claimtally"
NO_DUE = date(9999, 12, 31)
# tasks.selectors.OPEN_CLAIM_STATES (a test checks they agree): the states the tallies count.
OPEN_STATES = ("claimed", "submitted", "rejected", "evaluated", "sent_back")
_OPEN = ", ".join(f"'{state}'" for state in OPEN_STATES)

_PG_DAY = f"COALESCE((({{row}}.due_at AT TIME ZONE 'UTC')::date), DATE '{NO_DUE}')"
_PG_KEY = "node_id = {row}.node_id AND state = {row}.state AND due_on = " + _PG_DAY

POSTGRES = [
    f"""
CREATE OR REPLACE FUNCTION gridgov_claim_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.node_id = NEW.node_id AND OLD.state = NEW.state
       AND OLD.due_at IS NOT DISTINCT FROM NEW.due_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state IN ({_OPEN}) THEN
        UPDATE {TALLY} SET claims = claims - 1 WHERE {_PG_KEY.format(row="OLD")};
        DELETE FROM {TALLY} WHERE {_PG_KEY.format(row="OLD")} AND claims = 0;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.state IN ({_OPEN}) THEN
        INSERT INTO {TALLY} (node_id, state, due_on, claims) VALUES (NEW.node_id, NEW.state, {_PG_DAY.format(row="NEW")}, 1)
        ON CONFLICT (node_id, state, due_on) DO UPDATE SET claims = {TALLY}.claims + 1;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    f"""CREATE TRIGGER tasks_claim_tally AFTER INSERT OR DELETE OR UPDATE OF node_id, state, due_at ON {CLAIM}
        FOR EACH ROW EXECUTE FUNCTION gridgov_claim_tally()""",
]


def _sqlite_day(row: str) -> str:
    return f"COALESCE(date({row}.due_at), '{NO_DUE}')"


def _sqlite_key(row: str) -> str:
    return f"node_id = {row}.node_id AND state = {row}.state AND due_on = {_sqlite_day(row)}"


def _sqlite_add(row: str) -> list[str]:
    return [f"INSERT OR IGNORE INTO {TALLY} (node_id, state, due_on, claims) "
            f"SELECT {row}.node_id, {row}.state, {_sqlite_day(row)}, 0 WHERE {row}.state IN ({_OPEN});",
            f"UPDATE {TALLY} SET claims = claims + 1 WHERE {_sqlite_key(row)} AND {row}.state IN ({_OPEN});"]


def _sqlite_remove(row: str) -> list[str]:
    return [f"UPDATE {TALLY} SET claims = claims - 1 WHERE {_sqlite_key(row)} AND {row}.state IN ({_OPEN});",
            f"DELETE FROM {TALLY} WHERE {_sqlite_key(row)} AND claims = 0;"]


_CHANGED = "OLD.node_id IS NOT NEW.node_id OR OLD.state IS NOT NEW.state OR OLD.due_at IS NOT NEW.due_at"

SQLITE = [
    f"CREATE TRIGGER tasks_claim_tally_in AFTER INSERT ON {CLAIM} BEGIN {' '.join(_sqlite_add('NEW'))} END",
    f"CREATE TRIGGER tasks_claim_tally_out AFTER DELETE ON {CLAIM} BEGIN {' '.join(_sqlite_remove('OLD'))} END",
    f"CREATE TRIGGER tasks_claim_tally_change AFTER UPDATE OF node_id, state, due_at ON {CLAIM} WHEN {_CHANGED} "
    f"BEGIN {' '.join(_sqlite_remove('OLD') + _sqlite_add('NEW'))} END",
]

INSTALL = {"postgresql": POSTGRES, "sqlite": SQLITE}
DROP = {
    "postgresql": [f"DROP TRIGGER IF EXISTS tasks_claim_tally ON {CLAIM}", "DROP FUNCTION IF EXISTS gridgov_claim_tally()"],
    "sqlite": [f"DROP TRIGGER IF EXISTS {statement.split()[2]}" for statement in SQLITE],
}


def triggers() -> migrations.RunPython:
    """The migration operation installing the triggers and counting the claims already there."""
    return TRIGGERS.operation()


def suspended(db=connection):
    """For a bulk load of millions of claims (the benchmarks): the triggers are dropped while it runs, then put
    back and the tallies recounted once."""
    return TRIGGERS.suspended(db)


def _day(db) -> str:
    return _PG_DAY.format(row=CLAIM) if db.vendor == "postgresql" else _sqlite_day(CLAIM)


def rebuild(db=connection) -> None:
    """Recount the tallies from the claims (one statement, whatever the size)."""
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TALLY}")
        cursor.execute(f"""
            INSERT INTO {TALLY} (node_id, state, due_on, claims)
            SELECT node_id, state, {_day(db)}, COUNT(*) FROM {CLAIM} WHERE state IN ({_OPEN})
            GROUP BY node_id, state, {_day(db)}""")


def disagreements() -> list[str]:
    """Each (node, state, day) whose tally differs from a recount of the claims (empty when the tallies are right)."""
    from gridgov.tasks.models import Claim, ClaimTally

    counted: dict[tuple, int] = {}
    for row in (Claim.objects.filter(state__in=OPEN_STATES).values("node_id", "state", "due_at").order_by()
                .annotate(claims=Count("pk"))):
        key = (row["node_id"], row["state"], row["due_at"].astimezone(UTC).date() if row["due_at"] else NO_DUE)
        counted[key] = counted.get(key, 0) + row["claims"]
    kept = {(row.node_id, row.state, row.due_on): row.claims for row in ClaimTally.objects.all()}
    return [f"node {key[0]} {key[1]} due {key[2]}: kept {kept.get(key, 0)}, counted {counted.get(key, 0)}"
            for key in sorted(set(counted) | set(kept)) if kept.get(key, 0) != counted.get(key, 0)]


TRIGGERS = Triggers(install=INSTALL, drop=DROP, rebuild=rebuild)

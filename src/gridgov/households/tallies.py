"""Coverage tallies: how many households each node holds and how many of them are served (``NodeTally``), and
each member's active links per kind and node (``LoadTally``), kept by database triggers.

Triggers, not the services, keep them, because households and links are also written in bulk (the people
import, the demo, an operator's SQL): whatever writes the rows, the tallies follow in the same transaction.
A household counts as served while it has at least one active link (``ended_at`` empty). On PostgreSQL the link
trigger locks the household row (``FOR NO KEY UPDATE``) before asking whether another active link exists, so two
members linked to one household at the same moment count it once; SQLite runs one writer at a time.

``rebuild`` recounts everything from the rows (the migration that adds the tallies, and an operator's check with
``gridgov households tallies``); ``disagreements`` lists the nodes and members whose tally is off.
"""


from django.db import connection, migrations, transaction
from django.db.models import Count, Exists, OuterRef, Q

from gridgov.triggers import Triggers

HOUSEHOLD = "households_household"
LINK = "households_link"
NODE_TALLY = "households_nodetally"
LOAD_TALLY = "households_loadtally"

_SERVED = f"SELECT 1 FROM {LINK} WHERE household_id = {{row}}.household_id AND ended_at IS NULL AND id <> {{row}}.id"
_HOME = f"(SELECT node_id FROM {HOUSEHOLD} WHERE id = {{row}}.household_id)"

POSTGRES = [
    f"""
CREATE OR REPLACE FUNCTION gridgov_household_tally() RETURNS trigger AS $$
DECLARE served integer;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        served := (EXISTS (SELECT 1 FROM {LINK} WHERE household_id = OLD.id AND ended_at IS NULL))::integer;
        UPDATE {NODE_TALLY} SET households = households - 1, linked = linked - served WHERE node_id = OLD.node_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        served := (EXISTS (SELECT 1 FROM {LINK} WHERE household_id = NEW.id AND ended_at IS NULL))::integer;
        INSERT INTO {NODE_TALLY} (node_id, households, linked) VALUES (NEW.node_id, 1, served)
        ON CONFLICT (node_id) DO UPDATE SET households = {NODE_TALLY}.households + 1,
                                            linked = {NODE_TALLY}.linked + EXCLUDED.linked;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    f"""CREATE TRIGGER households_household_tally AFTER INSERT OR DELETE OR UPDATE OF node_id ON {HOUSEHOLD}
        FOR EACH ROW EXECUTE FUNCTION gridgov_household_tally()""",
    f"""
CREATE OR REPLACE FUNCTION gridgov_link_tally() RETURNS trigger AS $$
DECLARE home bigint;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.ended_at IS NULL THEN
        UPDATE {LOAD_TALLY} SET links = links - 1
        WHERE member_id = OLD.member_id AND kind = OLD.kind AND node_id = OLD.node_id;
        SELECT node_id INTO home FROM {HOUSEHOLD} WHERE id = OLD.household_id FOR NO KEY UPDATE;
        IF NOT EXISTS ({_SERVED.format(row="OLD")}) THEN
            UPDATE {NODE_TALLY} SET linked = linked - 1 WHERE node_id = home;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.ended_at IS NULL THEN
        INSERT INTO {LOAD_TALLY} (member_id, kind, node_id, links) VALUES (NEW.member_id, NEW.kind, NEW.node_id, 1)
        ON CONFLICT (member_id, kind, node_id) DO UPDATE SET links = {LOAD_TALLY}.links + 1;
        SELECT node_id INTO home FROM {HOUSEHOLD} WHERE id = NEW.household_id FOR NO KEY UPDATE;
        IF NOT EXISTS ({_SERVED.format(row="NEW")}) THEN
            INSERT INTO {NODE_TALLY} (node_id, households, linked) VALUES (home, 0, 1)
            ON CONFLICT (node_id) DO UPDATE SET linked = {NODE_TALLY}.linked + 1;
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    f"""CREATE TRIGGER households_link_tally
        AFTER INSERT OR DELETE OR UPDATE OF household_id, member_id, kind, node_id, ended_at ON {LINK}
        FOR EACH ROW EXECUTE FUNCTION gridgov_link_tally()""",
]


def _sqlite_household(row: str, sign: str) -> list[str]:
    served = f"EXISTS (SELECT 1 FROM {LINK} WHERE household_id = {row}.id AND ended_at IS NULL)"
    return [f"INSERT OR IGNORE INTO {NODE_TALLY} (node_id, households, linked) VALUES ({row}.node_id, 0, 0);",
            f"UPDATE {NODE_TALLY} SET households = households {sign} 1, linked = linked {sign} {served} "
            f"WHERE node_id = {row}.node_id;"]


def _sqlite_link(row: str, sign: str) -> list[str]:
    active = f"{row}.ended_at IS NULL"
    return [
        f"INSERT OR IGNORE INTO {LOAD_TALLY} (member_id, kind, node_id, links) "
        f"SELECT {row}.member_id, {row}.kind, {row}.node_id, 0 WHERE {active};",
        f"UPDATE {LOAD_TALLY} SET links = links {sign} 1 WHERE member_id = {row}.member_id AND kind = {row}.kind "
        f"AND node_id = {row}.node_id AND {active};",
        f"INSERT OR IGNORE INTO {NODE_TALLY} (node_id, households, linked) SELECT {_HOME.format(row=row)}, 0, 0 "
        f"WHERE {active} AND {_HOME.format(row=row)} IS NOT NULL;",
        f"UPDATE {NODE_TALLY} SET linked = linked {sign} 1 WHERE node_id = {_HOME.format(row=row)} AND {active} "
        f"AND NOT EXISTS ({_SERVED.format(row=row)});",
    ]


def _sqlite_trigger(name: str, when: str, table: str, statements: list[str]) -> str:
    return f"CREATE TRIGGER {name} {when} ON {table} BEGIN {' '.join(statements)} END"


SQLITE = [
    _sqlite_trigger("households_household_tally_in", "AFTER INSERT", HOUSEHOLD, _sqlite_household("NEW", "+")),
    _sqlite_trigger("households_household_tally_out", "AFTER DELETE", HOUSEHOLD, _sqlite_household("OLD", "-")),
    _sqlite_trigger("households_household_tally_move", "AFTER UPDATE OF node_id", HOUSEHOLD,
                    _sqlite_household("OLD", "-") + _sqlite_household("NEW", "+")),
    _sqlite_trigger("households_link_tally_in", "AFTER INSERT", LINK, _sqlite_link("NEW", "+")),
    _sqlite_trigger("households_link_tally_out", "AFTER DELETE", LINK, _sqlite_link("OLD", "-")),
    _sqlite_trigger("households_link_tally_change", "AFTER UPDATE OF household_id, member_id, kind, node_id, ended_at",
                    LINK, _sqlite_link("OLD", "-") + _sqlite_link("NEW", "+")),
]

DROP = {
    "postgresql": [f"DROP TRIGGER IF EXISTS households_household_tally ON {HOUSEHOLD}",
                   f"DROP TRIGGER IF EXISTS households_link_tally ON {LINK}",
                   "DROP FUNCTION IF EXISTS gridgov_household_tally()", "DROP FUNCTION IF EXISTS gridgov_link_tally()"],
    "sqlite": [f"DROP TRIGGER IF EXISTS {statement.split()[2]}" for statement in SQLITE],
}


INSTALL = {"postgresql": POSTGRES, "sqlite": SQLITE}


def triggers() -> migrations.RunPython:
    """The migration operation installing the triggers and counting the rows already there."""
    return TRIGGERS.operation()


def suspended(db=connection):
    """For a bulk load of millions of rows (the benchmarks): the triggers are dropped while it runs (each would
    look for the household's other links, and a loader drops the indexes that lookup needs), then put back and
    the tallies recounted once."""
    return TRIGGERS.suspended(db)


def rebuild(db=connection) -> None:
    """Recount both tallies from the households and links (one statement each, whatever the size)."""
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {NODE_TALLY}")
        cursor.execute(f"DELETE FROM {LOAD_TALLY}")
        cursor.execute(f"""
            INSERT INTO {NODE_TALLY} (node_id, households, linked)
            SELECT h.node_id, COUNT(*), SUM(CASE WHEN EXISTS (
                SELECT 1 FROM {LINK} l WHERE l.household_id = h.id AND l.ended_at IS NULL) THEN 1 ELSE 0 END)
            FROM {HOUSEHOLD} h GROUP BY h.node_id""")
        cursor.execute(f"""
            INSERT INTO {LOAD_TALLY} (member_id, kind, node_id, links)
            SELECT member_id, kind, node_id, COUNT(*) FROM {LINK} WHERE ended_at IS NULL
            GROUP BY member_id, kind, node_id""")


def disagreements() -> list[str]:
    """Each node or member whose tally differs from a recount (empty when the tallies are right)."""
    from gridgov.households.models import Household, Link, LoadTally, NodeTally

    active = Link.objects.filter(household=OuterRef("pk"), ended_at__isnull=True)
    counted = {row["node_id"]: (row["households"], row["linked"]) for row in
               Household.objects.values("node_id").order_by()
               .annotate(households=Count("pk"), linked=Count("pk", filter=Q(Exists(active))))}
    kept = {row.node_id: (row.households, row.linked) for row in NodeTally.objects.all()}
    wrong = [f"node {node_id}: kept {kept.get(node_id, (0, 0))}, counted {counted.get(node_id, (0, 0))}"
             for node_id in sorted(set(counted) | set(kept)) if kept.get(node_id, (0, 0)) != counted.get(node_id, (0, 0))]
    loads = {(row["member_id"], row["kind"], row["node_id"]): row["links"] for row in
             Link.objects.filter(ended_at__isnull=True).values("member_id", "kind", "node_id").order_by()
             .annotate(links=Count("pk"))}
    held = {(row.member_id, row.kind, row.node_id): row.links for row in LoadTally.objects.all()}
    wrong += [f"member {key[0]} ({key[1]}) at node {key[2]}: kept {held.get(key, 0)}, counted {loads.get(key, 0)}"
              for key in sorted(set(loads) | set(held)) if held.get(key, 0) != loads.get(key, 0)]
    return wrong


TRIGGERS = Triggers(install=INSTALL, drop=DROP, rebuild=rebuild)

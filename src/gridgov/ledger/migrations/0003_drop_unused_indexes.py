"""Drop three single-column indexes no query needs, so each posting writes fewer index pages:

* ``ledger_posting.period``: statements reach postings through their lines' account index;
* ``ledger_line.account_id``: ``ledger_line_account_idx`` (account, -posting) starts with the same column;
* ``ledger_earnedtotal.account_id``: the unique (account, period) constraint starts with it;
* on PostgreSQL, the ``varchar_pattern_ops`` twins of the unique ``idempotency_key`` and ``hash``
  indexes: no query matches them with LIKE.

The indexes are dropped by name, found through introspection (PostgreSQL adds a ``_like`` twin to a
varchar index). ``AlterField`` is not used on the database: SQLite would rebuild ``ledger_posting`` and
``ledger_line`` to change an index, and the rebuild would drop their append-only triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

UNUSED = [("ledger_posting", "period"), ("ledger_line", "account_id"), ("ledger_earnedtotal", "account_id")]
UNUSED_PATTERN_INDEXES = [("ledger_posting", "idempotency_key"), ("ledger_posting", "hash")]  # PostgreSQL only


def drop_indexes(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table, column in UNUSED + UNUSED_PATTERN_INDEXES:
            constraints = connection.introspection.get_constraints(cursor, table)
            for name, details in constraints.items():
                if details["index"] and not details["unique"] and not details["primary_key"] \
                        and details["columns"] == [column]:
                    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def create_indexes(apps, schema_editor):
    for table, column in UNUSED:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {table}_{column}_idx ON {table} ({column})")
    if schema_editor.connection.vendor == "postgresql":
        for table, column in UNUSED_PATTERN_INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {table}_{column}_like ON {table} "
                                  f"({column} varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_append_only_triggers")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="posting", name="period", field=models.CharField(max_length=7, verbose_name="period"),
                ),
                migrations.AlterField(
                    model_name="line", name="account",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                            related_name="lines", to="ledger.account", verbose_name="account"),
                ),
                migrations.AlterField(
                    model_name="earnedtotal", name="account",
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="+", to="ledger.account"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]

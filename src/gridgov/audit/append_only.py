"""Append-only tables, guarded twice: by the model (``AppendOnlyModel``) and by database triggers
(``append_only``, a migration operation). The audit trail and the ledger's postings and lines use both.

PostgreSQL: a row trigger raising an exception (TRUNCATE, which only an operator issues, passes).
SQLite: triggers raising ABORT; DELETE passes only while ``gridgov_audit_purge`` holds a row, which no
code path of the app writes: an operator's deliberate purge, or the test runner's flush between
transactional tests (see conftest.py).
"""

from django.db import migrations, models


class AppendOnlyError(Exception):
    """Code tried to change or delete a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} rows are append-only")


class AppendOnlyModel(models.Model):
    """A row is written once and never changed or deleted through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} rows are append-only")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION gridgov_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' rows are append-only',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forward_statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            POSTGRES_FUNCTION,
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION gridgov_append_only()""",
        ]
    if vendor == "sqlite":
        return [
            "CREATE TABLE IF NOT EXISTS gridgov_audit_purge (allowed integer NOT NULL)",
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END""",
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                WHEN NOT EXISTS (SELECT 1 FROM gridgov_audit_purge)
                BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END""",
        ]
    return []


def backward_statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return []


def append_only(*tables: str) -> migrations.RunPython:
    """A migration operation installing the triggers on ``tables`` (and removing them when unapplied)."""

    def forward(apps, schema_editor):
        for table in tables:
            for statement in forward_statements(schema_editor.connection.vendor, table):
                schema_editor.execute(statement)

    def backward(apps, schema_editor):
        for table in tables:
            for statement in backward_statements(schema_editor.connection.vendor, table):
                schema_editor.execute(statement)

    return migrations.RunPython(forward, backward)

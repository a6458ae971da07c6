"""The audit trail's trigger function learns its one exception on PostgreSQL: a transaction that names the table in
``gridgov.purge`` may delete its rows (the audit archive, ``gridgov audit archive``; see ``gridgov.audit.archive``).
SQLite already has one (``gridgov_audit_purge``). The ledger's tables keep a function without any exception."""

from django.db import migrations

WITH_PURGE = """
CREATE OR REPLACE FUNCTION gridgov_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('gridgov.purge', true) = TG_TABLE_NAME THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""
WITHOUT_PURGE = """
CREATE OR REPLACE FUNCTION gridgov_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WITH_PURGE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(WITHOUT_PURGE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

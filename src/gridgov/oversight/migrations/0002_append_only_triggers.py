"""Refuse UPDATE and DELETE of audit records in the database itself.

PostgreSQL: a trigger function raising an exception (TRUNCATE, which only an operator issues, is left
alone). SQLite: triggers raising ABORT; DELETE is let through only while the table
``gridgov_audit_purge`` holds a row, which no code path of the app writes: it exists so that an operator
(or the test runner's flush between tests) can purge deliberately.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION gridgov_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER oversight_auditrecord_append_only
    BEFORE UPDATE OR DELETE ON oversight_auditrecord
    FOR EACH ROW EXECUTE FUNCTION gridgov_audit_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS oversight_auditrecord_append_only ON oversight_auditrecord;
DROP FUNCTION IF EXISTS gridgov_audit_append_only();
"""
SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS gridgov_audit_purge (allowed integer NOT NULL)",
    """CREATE TRIGGER oversight_auditrecord_no_update BEFORE UPDATE ON oversight_auditrecord
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    """CREATE TRIGGER oversight_auditrecord_no_delete BEFORE DELETE ON oversight_auditrecord
       WHEN NOT EXISTS (SELECT 1 FROM gridgov_audit_purge)
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS oversight_auditrecord_no_update",
    "DROP TRIGGER IF EXISTS oversight_auditrecord_no_delete",
    "DROP TABLE IF EXISTS gridgov_audit_purge",
]


def forward(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_FORWARD], "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_BACKWARD], "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("oversight", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

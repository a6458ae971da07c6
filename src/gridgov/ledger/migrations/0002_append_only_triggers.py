"""Postings and their lines are append-only in the database itself (see ``gridgov.audit.append_only``)."""

from django.db import migrations

from gridgov.audit.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("oversight", "0002_append_only_triggers")]
    operations = [append_only("ledger_posting", "ledger_line")]

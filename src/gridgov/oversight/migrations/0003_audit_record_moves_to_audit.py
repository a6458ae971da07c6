"""The audit record now belongs to the ``audit`` app (its migration 0001 takes the model over); the table
stays, so oversight only lets go of the model in Django's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("oversight", "0002_append_only_triggers"), ("audit", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[migrations.DeleteModel("AuditRecord")]),
    ]

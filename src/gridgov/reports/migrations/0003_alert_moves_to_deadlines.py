"""Alerts now belong to the ``deadlines`` app (its migration 0001 takes the model over); the table stays, so
reports only lets go of the model in Django's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_categories"), ("deadlines", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[migrations.DeleteModel("Alert")]),
    ]

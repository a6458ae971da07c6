"""Points granted per week and node path (``GrantedWeek``), which the journal keeps from now on, filled from the
lines already posted in one ``INSERT … SELECT`` (``aggregates.fill_granted_weeks``, SQLite and PostgreSQL alike),
so the cockpit's weekly chart reads a few index ranges instead of an area's lines (issue 18). Reversed: the
totals are emptied, then the table dropped; the lines, which they only sum, are untouched."""

from django.db import migrations, models


def fill(apps, schema_editor):
    from gridgov.ledger.aggregates import fill_granted_weeks

    fill_granted_weeks(using=schema_editor.connection.alias)


def empty(apps, schema_editor):
    apps.get_model("ledger", "GrantedWeek").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0008_posting_reversal_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="GrantedWeek",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("week", models.DateField()),
                ("path", models.CharField(max_length=255)),
                ("points", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("week", "path"), name="ledger_granted_week_unique",
                                                        opclasses=["date_ops", "varchar_pattern_ops"])],
            },
        ),
        migrations.RunPython(fill, empty),
    ]

"""Reports filed, resolved and resolved in time per week, node path and category (``ReportWeek``), which the
reports' services keep from now on, filled from the reports already filed in one ``INSERT … SELECT``
(``totals.fill_report_weeks``, SQLite and PostgreSQL alike), so the cockpit's weekly chart and its categories
read a few index ranges instead of an area's reports (issue 18). Reversed: the totals are emptied, then the
table dropped; the reports, which they only count, are untouched."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    from gridgov.reports.totals import fill_report_weeks

    fill_report_weeks(using=schema_editor.connection.alias)


def empty(apps, schema_editor):
    apps.get_model("reports", "ReportWeek").objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_area_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportWeek',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('week', models.DateField(verbose_name='week')),
                ('path', models.CharField(max_length=255, verbose_name='node path')),
                ('filed', models.IntegerField(default=0, verbose_name='filed')),
                ('resolved', models.IntegerField(default=0, verbose_name='resolved')),
                ('on_time', models.IntegerField(default=0, verbose_name='resolved in time')),
                ('category', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                               related_name='+', to='reports.category', verbose_name='category')),
            ],
            options={
                'verbose_name': 'reports of a week',
                'verbose_name_plural': 'reports of each week',
                'constraints': [models.UniqueConstraint(fields=('week', 'path', 'category'), name='reports_week_unique',
                                                        opclasses=['date_ops', 'varchar_pattern_ops', 'int8_ops'])],
            },
        ),
        migrations.RunPython(fill, empty),
    ]

"""The mean handling time reads the reports resolved in the last days of each node of an area: the index of
resolved reports leads with the node and the resolution time, so that is one range per node, not every report
the node ever resolved (issue 18).

Built ``CONCURRENTLY`` on PostgreSQL (``atomic = False``; a failed build leaves an INVALID index: drop it and
migrate again); the index it replaces is dropped after.
"""

from django.db import migrations, models

from gridgov.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reports", "0006_report_week"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="report",
            index=models.Index(condition=models.Q(("resolved_at__isnull", False)),
                               fields=["node", "resolved_at", "escalation", "created_at"],
                               name="reports_report_resolved_at_idx"),
        ),
        migrations.RemoveIndex(model_name="report", name="reports_report_resolved_idx"),
    ]

"""An area's open reports and its resolved ones, per node and escalation level: the cadres' home pages and the
cockpit count them (and average the handling time) from these partial indexes alone, per node of the area,
instead of scanning every report of the installation (issue 18: a sequential scan on ``reports_report`` at
province size, 5 million rows).

Built ``CONCURRENTLY`` on PostgreSQL, so reports go on being filed while they build; that cannot run in a
transaction, hence ``atomic = False`` (a failed build leaves an INVALID index: drop it and migrate again).
"""

from django.db import migrations, models

from gridgov.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orgs", "0001_initial"),
        ("reports", "0004_report_is_public"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="report",
            index=models.Index(condition=models.Q(("state__in", ("submitted", "accepted", "in_progress"))),
                               fields=["node", "escalation", "due_at"], name="reports_report_open_node_idx"),
        ),
        AddIndexConcurrently(
            model_name="report",
            index=models.Index(condition=models.Q(("resolved_at__isnull", False)),
                               fields=["node", "escalation", "created_at", "resolved_at"],
                               name="reports_report_resolved_idx"),
        ),
    ]

"""An area's overdue work and its open claims read per node of the area (issue 18): ``/tasks/overdue/`` on
(node, due_at) for the claims with a deadline, and the cockpit's claim counts on (node, state, due_at) for the
claims still open, instead of every overdue or open claim of the installation filtered by path.

Built ``CONCURRENTLY`` on PostgreSQL, as 0007 (``atomic = False``; a failed build leaves an INVALID index: drop it
and migrate again).
"""

from django.db import migrations, models

from gridgov.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orgs", "0001_initial"),
        ("tasks", "0007_queue_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(condition=models.Q(("due_at__isnull", False)), fields=["node", "due_at"],
                               name="tasks_claim_node_due_idx"),
        ),
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(condition=models.Q(("state__in", ["claimed", "submitted", "rejected", "evaluated",
                                                                 "sent_back"])),
                               fields=["node", "state", "due_at"], name="tasks_claim_open_idx"),
        ),
    ]

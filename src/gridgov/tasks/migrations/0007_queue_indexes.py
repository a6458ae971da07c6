"""The evaluation and audit queues of an area read, per node of the area, the claims waiting in that state,
oldest first, from two small partial indexes, instead of every claim of the installation in that state
filtered by node (issue 18: 10 million claims at province size, an eighth of them in each queue's states).

Built ``CONCURRENTLY`` on PostgreSQL, so work goes on being claimed and handed in while they build; that cannot
run in a transaction, hence ``atomic = False`` (a failed build leaves an INVALID index: drop it and migrate
again).
"""

from django.db import migrations, models

from gridgov.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orgs", "0001_initial"),
        ("tasks", "0006_task_withdrawn"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(condition=models.Q(("state__in", ["submitted", "sent_back"])),
                               fields=["node", "submitted_at"], name="tasks_claim_to_evaluate_idx"),
        ),
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(condition=models.Q(("state", "evaluated")), fields=["node", "evaluated_at"],
                               name="tasks_claim_to_audit_idx"),
        ),
    ]

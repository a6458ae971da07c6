"""The evaluation and audit queues of a large area walked in order over the province's waiting claims (issue 18,
``gridgov.sql.area_first``): (submitted_at, id) of the claims waiting for evaluation, (evaluated_at, id) of those
waiting for audit. A small area keeps reading its own claims per node (0007's indexes) and sorting them.

Built ``CONCURRENTLY`` on PostgreSQL, as 0007 (``atomic = False``; a failed build leaves an INVALID index: drop it
and migrate again).
"""

from django.db import migrations, models

from gridgov.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("orgs", "0001_initial"),
        ("tasks", "0008_open_claim_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(condition=models.Q(("state__in", ["submitted", "sent_back"])),
                               fields=["submitted_at", "id"], name="tasks_claim_evaluate_order_idx"),
        ),
        AddIndexConcurrently(
            model_name="claim",
            index=models.Index(condition=models.Q(("state", "evaluated")), fields=["evaluated_at", "id"],
                               name="tasks_claim_audit_order_idx"),
        ),
    ]

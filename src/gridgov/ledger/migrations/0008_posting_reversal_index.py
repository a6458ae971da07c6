"""The supervisor's findings read an area's reversals of a period on a partial index (``oversight.anomalies.
reversals_after_audit``) instead of every posting of each of the area's nodes (1.1 s for a large street at a
tenth of a province, issue 18). Built ``CONCURRENTLY`` on PostgreSQL, as 0006 is (see there)."""

from django.db import migrations, models

from gridgov.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ledger", "0007_grant_notice"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="posting",
            index=models.Index(condition=models.Q(("kind", "reversal")), fields=["node", "created_at"],
                               name="ledger_posting_reversal_idx"),
        ),
    ]

"""The award page's recent grants of an area read each node's grants newest first on a partial index
(``selectors.recent_grants``) instead of walking the whole ledger backwards by sequence (issue 18).

``ledger_posting`` is the biggest table of an installation (20 million rows at a province), so on PostgreSQL
the index is built ``CONCURRENTLY``: postings go on being written while it builds. That cannot run in a
transaction, hence ``atomic = False`` (a failed build leaves an INVALID index: drop it and migrate again).
"""

from django.db import migrations, models

from gridgov.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ledger", "0005_merge_0004_hours_unit_0004_merkle_log_and_checkpoints"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="posting",
            index=models.Index(condition=models.Q(("kind", "grant")), fields=["node", "-sequence"],
                               name="ledger_posting_grant_node_idx"),
        ),
    ]

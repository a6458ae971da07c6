"""A posting's reversal looked up by the reversed posting's id (``reversed_by``: the award page's recent grants, the
statement): the unique index of ``reverses`` serves it on PostgreSQL, but SQLite's statistics count its NULLs as one
value and it planned a scan of the whole ledger per grant (issue 18, 127 s for a county's small street). An index
of the reversals only.

Built ``CONCURRENTLY`` on PostgreSQL (``atomic = False``; a failed build leaves an INVALID index: drop it and
migrate again).
"""

from django.db import migrations, models

from gridgov.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("ledger", "0010_labels"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="posting",
            index=models.Index(condition=models.Q(("reverses__isnull", False)), fields=["reverses"],
                               name="ledger_posting_reversed_idx"),
        ),
    ]

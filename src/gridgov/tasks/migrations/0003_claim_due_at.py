"""Claims store when their next move is due (``workflow.due_time``), behind a partial index, so the deadline
scan and the overdue list are one indexed query. Existing claims are back-filled with three UPDATEs."""

from datetime import timedelta

from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery

# The rule as it stood when this migration was written (tasks.workflow.EVALUATE_/AUDIT_WITHIN_DAYS).
EVALUATE_WITHIN = timedelta(days=3)
AUDIT_WITHIN = timedelta(days=3)


def backfill(apps, schema_editor):
    Claim = apps.get_model("tasks", "Claim")
    Task = apps.get_model("tasks", "Task")
    deadline = Subquery(Task.objects.filter(pk=OuterRef("task_id")).values("deadline")[:1])
    Claim.objects.filter(state__in=("claimed", "rejected")).update(due_at=deadline)
    Claim.objects.filter(state__in=("submitted", "sent_back"), submitted_at__isnull=False).update(
        due_at=F("submitted_at") + EVALUATE_WITHIN)
    Claim.objects.filter(state="evaluated", evaluated_at__isnull=False).update(due_at=F("evaluated_at") + AUDIT_WITHIN)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0002_catalogue")]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="next move due"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(condition=models.Q(("due_at__isnull", False)), fields=["due_at"],
                               name="tasks_claim_due_idx"),
        ),
    ]

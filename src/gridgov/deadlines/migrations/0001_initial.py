"""Alerts move from the reports app to the deadline engine; the table, its constraint and indexes stay as
they are (``reports_alert``, created by reports' migration 0001), so this migration only takes the model over
in Django's state, and moves its content type along. ``item_type`` loses its fixed choices: the registered
deadline sources name the item types now."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="reports", model="alert").update(app_label="deadlines")


def move_content_type_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="deadlines", model="alert").update(app_label="reports")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("orgs", "0001_initial"),
        ("reports", "0002_categories"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Alert",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("item_type", models.CharField(max_length=10, verbose_name="item type")),
                        ("item_id", models.BigIntegerField(verbose_name="item id")),
                        ("level", models.PositiveSmallIntegerField(choices=[(0, "Due soon"), (1, "Overdue"), (2, "Overdue past the grace period")], verbose_name="level")),
                        ("stage", models.CharField(max_length=20, verbose_name="stage")),
                        ("due_at", models.DateTimeField(verbose_name="deadline")),
                        ("title", models.CharField(max_length=200, verbose_name="title")),
                        ("node_path", models.CharField(max_length=255, verbose_name="node path")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="raised at")),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed at")),
                        ("node", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="orgs.node", verbose_name="node")),
                        ("recipient", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="alerts", to="orgs.person", verbose_name="recipient")),
                    ],
                    options={
                        "verbose_name": "alert",
                        "verbose_name_plural": "alerts",
                        "db_table": "reports_alert",
                        "ordering": ["-level", "due_at", "pk"],
                        "indexes": [
                            models.Index(fields=["recipient", "closed_at"], name="reports_alert_recipient_idx"),
                            models.Index(condition=models.Q(("closed_at__isnull", True)), fields=["node_path", "level"], name="reports_alert_open_node_idx", opclasses=["varchar_pattern_ops", "int2_ops"]),
                        ],
                        "constraints": [
                            models.UniqueConstraint(condition=models.Q(("closed_at__isnull", True)), fields=("item_type", "item_id", "level"), name="reports_alert_once_per_item_and_level"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]

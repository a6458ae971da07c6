"""The audit trail moves from the oversight app to this foundation app; its table, indexes and triggers
stay as they are (``oversight_auditrecord``, created by oversight's migrations 0001 and 0002), so this
migration only takes the model over in Django's state, and moves its content type along."""

import django.core.serializers.json
import django.utils.timezone
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="oversight", model="auditrecord").update(app_label="audit")


def move_content_type_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    content_types.objects.filter(app_label="audit", model="auditrecord").update(app_label="oversight")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("oversight", "0002_append_only_triggers"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="AuditRecord",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="time")),
                        ("actor_id", models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="actor id")),
                        ("actor_name", models.CharField(blank=True, max_length=50, verbose_name="actor")),
                        ("actor_role", models.CharField(blank=True, max_length=20, verbose_name="role")),
                        ("node_id", models.BigIntegerField(blank=True, null=True, verbose_name="node id")),
                        ("node_path", models.CharField(blank=True, max_length=255, verbose_name="node path")),
                        ("node_name", models.CharField(blank=True, max_length=100, verbose_name="node")),
                        ("action", models.CharField(db_index=True, max_length=60, verbose_name="action")),
                        ("outcome", models.CharField(choices=[("done", "done"), ("denied", "denied")], default="done", max_length=8, verbose_name="outcome")),
                        ("object_type", models.CharField(blank=True, max_length=60, verbose_name="object type")),
                        ("object_id", models.CharField(blank=True, max_length=64, verbose_name="object id")),
                        ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="object")),
                        ("before", models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True, verbose_name="before")),
                        ("after", models.JSONField(blank=True, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True, verbose_name="after")),
                        ("reason", models.CharField(blank=True, max_length=500, verbose_name="reason")),
                        ("request_id", models.CharField(blank=True, max_length=64, verbose_name="request id")),
                    ],
                    options={
                        "verbose_name": "audit record",
                        "verbose_name_plural": "audit records",
                        "db_table": "oversight_auditrecord",
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["node_path", "created_at"], name="oversight_audit_node_idx", opclasses=["varchar_pattern_ops", "timestamptz_ops"]),
                            models.Index(fields=["object_type", "object_id"], name="oversight_audit_object_idx"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]

"""The audit trail: one append-only record per state change (and per refused attempt)."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.audit.append_only import AppendOnlyModel


class Outcome(models.TextChoices):
    DONE = "done", _("done")
    DENIED = "denied", _("denied")


class AuditRecord(AppendOnlyModel):
    """Who did what to which object, as whom, where, when, and what it looked like before and after.

    Actor and node are kept as plain ids plus a snapshot of name and path (no foreign-key constraint),
    so the record outlives whatever it describes and never needs an update. Database triggers refuse
    UPDATE and DELETE. The table keeps the name it had when the trail lived in the oversight app.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("actor"), max_length=50, blank=True)
    actor_role = models.CharField(_("role"), max_length=20, blank=True)
    node_id = models.BigIntegerField(_("node id"), null=True, blank=True)
    node_path = models.CharField(_("node path"), max_length=255, blank=True)
    node_name = models.CharField(_("node"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices, default=Outcome.DONE)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("after"), null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        db_table = "oversight_auditrecord"
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["node_path", "created_at"], name="oversight_audit_node_idx",
                         opclasses=["varchar_pattern_ops", "timestamptz_ops"]),
            models.Index(fields=["object_type", "object_id"], name="oversight_audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

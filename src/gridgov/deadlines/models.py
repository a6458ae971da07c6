"""Alerts on items that are due soon or late, whatever app they belong to (see ``registry``)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, Person


class AlertLevel(models.IntegerChoices):
    DUE_SOON = 0, _("Due soon")
    OVERDUE = 1, _("Overdue")
    ESCALATED = 2, _("Overdue past the grace period")


class Alert(models.Model):
    """One alert per late item per level while the item stays as it was.

    ``item_type`` is the code of a registered deadline source (``report``, ``claim`` …), ``stage`` and ``due_at``
    say which deadline the alert is about; when the item moves on (accepted, resolved, reassigned, a claim
    evaluated) the alert is closed and a later lateness is a new alert. The conditional unique constraint makes
    raising the same alert twice a no-op, however often the scan runs. Level 0 and 1 go to ``recipient`` (the
    one whose move it is); level 2 to the cadre above (``recipient``) and to every supervisor whose area covers
    ``node_path``. The table keeps the name it had when alerts lived in the reports app.
    """

    item_type = models.CharField(_("item type"), max_length=10)
    item_id = models.BigIntegerField(_("item id"))
    level = models.PositiveSmallIntegerField(_("level"), choices=AlertLevel.choices)
    stage = models.CharField(_("stage"), max_length=20)
    due_at = models.DateTimeField(_("deadline"))
    title = models.CharField(_("title"), max_length=200)
    node = models.ForeignKey(Node, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("node"))
    node_path = models.CharField(_("node path"), max_length=255)
    recipient = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts",
                                  verbose_name=_("recipient"))
    created_at = models.DateTimeField(_("raised at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        db_table = "reports_alert"
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-level", "due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item_type", "item_id", "level"], condition=Q(closed_at__isnull=True),
                                    name="reports_alert_once_per_item_and_level"),
        ]
        indexes = [
            models.Index(fields=["recipient", "closed_at"], name="reports_alert_recipient_idx"),
            models.Index(fields=["node_path", "level"], condition=Q(closed_at__isnull=True),
                         name="reports_alert_open_node_idx", opclasses=["varchar_pattern_ops", "int2_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.title}"

    def scope_node(self) -> Node | None:
        return self.node

    @property
    def item_label(self) -> str:
        """What kind of item this is, in words ("居民报事", "任务认领")."""
        from gridgov.deadlines.registry import SOURCES

        source = SOURCES.get(self.item_type)
        return str(source.label) if source else self.item_type

    @property
    def item_url(self) -> str:
        """The page of the late item."""
        from django.urls import reverse

        from gridgov.deadlines.registry import SOURCES

        source = SOURCES.get(self.item_type)
        return reverse(source.url_name, args=[self.item_id]) if source else ""

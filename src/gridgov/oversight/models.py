from django.db import models
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node


class FindingRun(models.Model):
    """The anomaly findings of one overseen area's last ``findings.PERIOD_DAYS`` days as last computed: in the
    background every few minutes (``gridgov oversight findings``), or by the first reader who found none fresh.
    Each rule reads the area's whole period (a large street's month of grants), so the supervisor's page reads
    this instead of running the rules per visit. The findings' sentences are stored as messages and values
    (``anomalies.Words``) and worded in the reader's language when shown."""

    node = models.OneToOneField(Node, primary_key=True, on_delete=models.CASCADE, related_name="+",
                                verbose_name=_("node"))
    computed_at = models.DateTimeField(_("computed at"))
    since = models.DateTimeField(_("period from"))
    findings = models.JSONField(_("findings"), default=dict)  # rule code → [finding as a dict, …]

    class Meta:
        verbose_name = _("anomaly findings")
        verbose_name_plural = _("anomaly findings")

    def __str__(self) -> str:
        return f"{self.node_id} @ {self.computed_at:%Y-%m-%d %H:%M}"

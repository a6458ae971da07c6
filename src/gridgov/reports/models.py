"""Resident reports (村民之声报事) as work orders, the rules that route them, and the alerts on late items.

A report's state moves only through ``gridgov.reports.workflow``. Its *current* deadline is copied to
``due_at`` (the response deadline while it waits to be accepted, the resolution deadline while it is
being worked on, nothing once resolved), so the deadline engine finds every late item with one range
scan of a partial index, however many reports are closed.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.media import Photo
from gridgov.orgs.models import Node, Person, Role


class Category(models.Model):
    """What a report is about, with its deadlines and the points a confirmed useful report earns."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    response_hours = models.PositiveIntegerField(_("hours to accept"), default=24)
    resolution_hours = models.PositiveIntegerField(_("hours to resolve"), default=72)
    auto_close_days = models.PositiveIntegerField(_("days before a resolved report closes itself"), default=7)
    points = models.PositiveIntegerField(_("points for a confirmed useful report"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(response_hours__gt=0) & Q(resolution_hours__gt=0),
                                   name="reports_category_deadlines_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """Reports about ``node``'s subtree (and ``category``, or any when empty) go to a person holding
    ``handler_role`` at the report's node or the nearest node above it. The most specific rule wins:
    the deepest node, then a rule naming the category, then the lower ``priority``."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="report_routing_rules",
                             verbose_name=_("area"))
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("category (empty: any)"))
    handler_role = models.CharField(_("handled by"), max_length=20, choices=Role.choices, default=Role.GRID_WORKER)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["node__path", "priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handler_role__in=[Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_CADRE,
                                              Role.STREET_CADRE]),
                name="reports_rule_handler_role_handles",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node.name} · {self.category or '*'} → {self.get_handler_role_display()}"

    @property
    def scope_node(self) -> Node:
        return self.node


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved, awaiting the reporter")
    CONFIRMED = "confirmed", _("Confirmed")
    CLOSED = "closed", _("Closed automatically")


OPEN_STATES = (ReportState.SUBMITTED, ReportState.ACCEPTED, ReportState.IN_PROGRESS)


class EscalationLevel(models.IntegerChoices):
    GRID = 0, _("Grid")
    COMMUNITY = 1, _("Community")
    STREET = 2, _("Street")


class Report(models.Model):
    reporter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reports", verbose_name=_("reporter"))
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="reports", verbose_name=_("concerns"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports",
                                 verbose_name=_("category"))
    text = models.TextField(_("what is wrong"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ReportState.choices, default=ReportState.SUBMITTED)
    handler = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="handled_reports",
                                verbose_name=_("handler"))
    routing_rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("routed by"))
    escalation = models.PositiveSmallIntegerField(_("escalated to"), choices=EscalationLevel.choices,
                                                  default=EscalationLevel.GRID)
    response_due_at = models.DateTimeField(_("accept by"))
    resolution_due_at = models.DateTimeField(_("resolve by"))
    due_at = models.DateTimeField(_("current deadline"), null=True, blank=True, editable=False)
    auto_close_at = models.DateTimeField(_("closes itself at"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.TextField(_("what was done"), blank=True)
    useful = models.BooleanField(_("useful report"), default=False)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # 限时处理并公开反馈: the reporter lets the village board show it, with its handling, once it is resolved
    # (never the reporter's name).
    is_public = models.BooleanField(_("shown on the village board"), default=False)
    posting_id = models.BigIntegerField(_("points posting"), null=True, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ReportState.values), name="reports_report_state_known"),
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="reports_report_rating_1_to_5"),
        ]
        indexes = [
            # The deadline engine: one range scan over open items only.
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="reports_report_due_idx"),
            models.Index(fields=["auto_close_at"], condition=Q(auto_close_at__isnull=False),
                         name="reports_report_autoclose_idx"),
            models.Index(fields=["handler", "state"], name="reports_report_handler_idx"),
            models.Index(fields=["reporter", "-created_at"], name="reports_report_reporter_idx"),
            # A cadre's home page and the cockpit count an area's open reports, per level and overdue, and the
            # mean handling time of those resolved lately: per node of the area, read from these alone (an
            # index-only scan each, a range of the last days for the resolved), not from the province's reports
            # (issue 18).
            models.Index(fields=["node", "escalation", "due_at"], condition=Q(state__in=OPEN_STATES),
                         name="reports_report_open_node_idx"),
            models.Index(fields=["node", "resolved_at", "escalation", "created_at"],
                         condition=Q(resolved_at__isnull=False), name="reports_report_resolved_at_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.name if self.category_id else ''} {self.text[:30]}"

    @property
    def scope_node(self) -> Node:
        return self.node

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_overdue_at(self, now) -> bool:
        return self.due_at is not None and self.due_at <= now


class ReportPhoto(Photo):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos", verbose_name=_("report"))
    image = models.FileField(_("image"), upload_to="reports/%Y/%m/")

    class Meta(Photo.Meta):
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")

    @property
    def scope_node(self) -> Node:
        return self.report.node


class ReportEvent(models.Model):
    """One line of a report's timeline: every transition, reassignment, escalation and grant."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events", verbose_name=_("report"))
    event = models.CharField(_("event"), max_length=20)
    from_state = models.CharField(_("from"), max_length=12, blank=True)
    to_state = models.CharField(_("to"), max_length=12, blank=True)
    actor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("by"))
    actor_name = models.CharField(_("by"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.event}"



class ReportWeek(models.Model):
    """The reports of one category filed in one week at one node (``week``: the local Monday of their
    ``created_at``, in ``TIME_ZONE``; ``path``: their node's), how many of them are resolved and how many were
    resolved in time, as the cockpit's weekly chart and its table of categories show them. Kept by the reports'
    services in the transaction of each change (``reports.totals``); keyed by the week first and the node's path
    next, so any node's subtree in a week is one range of the unique index."""

    week = models.DateField(_("week"))
    path = models.CharField(_("node path"), max_length=255)  # the report's node's (``orgs.Node.path``)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+", db_index=False,
                                 verbose_name=_("category"))
    filed = models.IntegerField(_("filed"), default=0)
    resolved = models.IntegerField(_("resolved"), default=0)
    on_time = models.IntegerField(_("resolved in time"), default=0)

    class Meta:
        verbose_name = _("reports of a week")
        verbose_name_plural = _("reports of each week")
        constraints = [
            # ``path LIKE 'prefix%'`` reads a range of this index under any collation (PostgreSQL's pattern ops).
            models.UniqueConstraint(fields=["week", "path", "category"], name="reports_week_unique",
                                    opclasses=["date_ops", "varchar_pattern_ops", "int8_ops"]),
        ]

    def __str__(self) -> str:
        return f"{self.path} · {self.week} · {self.category_id}: {self.filed}/{self.resolved}/{self.on_time}"

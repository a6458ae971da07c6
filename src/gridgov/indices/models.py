"""Indices as data: rule sets of indices and indicators, colour rules, computed runs and their scores,
the event sources that exist nowhere else (activities, news items, assessments, attendance), and the
permanent public code of each organisation.

A rule set is versioned: ``(code, version)`` is unique and a version that a published run used is
locked, so a past month is always recomputed with the rules it was published under. Edits make a new
version (``services.rule_set_new_version``).
"""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.orgs.models import Node, Person


class EntityKind(models.TextChoices):
    NODE = "node", _("Organisation")
    PERSON = "person", _("Person")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class RuleSet(models.Model):
    """One scheme (党组织“三力”指数, 党员先锋指数, …) at one version."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    entity_kind = models.CharField(_("scored entities"), max_length=8, choices=EntityKind.choices)
    node_kinds = models.CharField(_("organisation kinds scored"), max_length=100, blank=True,
                                  help_text=_("Comma-separated node kinds, for organisation rule sets."))
    roles = models.CharField(_("roles scored"), max_length=200, blank=True,
                             help_text=_("Comma-separated roles, for person rule sets."))
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    total_index = models.SlugField(_("index driving stars and tiers"), max_length=40, blank=True,
                                   help_text=_("Empty: the sum of all indices."))
    stars = models.JSONField(_("star thresholds"), default=list, blank=True,
                             help_text=_("Minimum total for 1, 2, 3 … stars, e.g. [60, 70, 80, 90, 95]."))
    tiers = models.JSONField(_("tiers"), default=list, blank=True,
                             help_text=_('e.g. [{"code": "advanced", "label": "先进", "min_score": 85}, '
                                         '{"code": "lagging", "label": "后进"}]; vetoed entities take the last.'))
    is_active = models.BooleanField(_("active"), default=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="indices_ruleset_version_once")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def node_kind_list(self) -> list[str]:
        return [kind.strip() for kind in self.node_kinds.split(",") if kind.strip()]

    @property
    def role_list(self) -> list[str]:
        return [role.strip() for role in self.roles.split(",") if role.strip()]


class Index(models.Model):
    """One index of a rule set (执行力指数, 先锋指数 …): a base plus weighted indicators."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="indices", verbose_name=_("rule set"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    base = models.DecimalField(_("base score"), max_digits=10, decimal_places=2, default=0,
                               help_text=_("Where every entity starts each period (零基积分法: 0)."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("index")
        verbose_name_plural = _("indices")
        ordering = ["rule_set", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="indices_index_code_once")]

    def __str__(self) -> str:
        return self.name


class Aggregation(models.TextChoices):
    COUNT = "count", _("Count of events")
    SUM = "sum", _("Sum of the event value")
    RATE = "rate", _("Share of events that succeeded (0–1)")


class Normalisation(models.TextChoices):
    NONE = "none", _("None")
    CAP = "cap", _("Cap at the parameter")
    DIVIDE = "divide", _("Divide by the parameter")
    PER_MEMBER = "per_member", _("Per member of the organisation")
    PERCENTILE = "percentile", _("Rank percentile among all entities (0–100)")


class Indicator(models.Model):
    """One measured thing: events of a source, filtered, aggregated, normalised, weighted and signed."""

    index = models.ForeignKey(Index, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("index"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    group = models.CharField(_("group"), max_length=40, blank=True,
                             help_text=_("How the scheme groups it: 基本指数, 正向加分, 反向扣分, 直接降级 …"))
    source = models.CharField(_("event source"), max_length=40)
    filter = models.JSONField(_("filter"), default=dict, blank=True)
    aggregation = models.CharField(_("aggregation"), max_length=8, choices=Aggregation.choices,
                                   default=Aggregation.COUNT)
    normalisation = models.CharField(_("normalisation"), max_length=12, choices=Normalisation.choices,
                                     default=Normalisation.NONE)
    parameter = models.DecimalField(_("normalisation parameter"), max_digits=12, decimal_places=4, null=True,
                                    blank=True)
    weight = models.DecimalField(_("weight"), max_digits=10, decimal_places=4, default=1)
    sign = models.SmallIntegerField(_("sign"), choices=[(1, _("bonus")), (-1, _("deduction"))], default=1)
    is_veto = models.BooleanField(_("veto (直接降级)"), default=False,
                                  help_text=_("Any event downgrades the entity to the last tier, whatever its score."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["index", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["index", "code"], name="indices_indicator_code_once"),
            models.CheckConstraint(condition=Q(sign__in=[1, -1]), name="indices_indicator_sign"),
        ]

    def __str__(self) -> str:
        return self.name


class Colour(models.TextChoices):
    RED = "red", _("Red")
    GREEN = "green", _("Green")
    TEA = "tea", _("Tea (needs attention)")
    GREY = "grey", _("Grey (rectify now)")


class ColourRule(models.Model):
    """The first rule (by ``order``) whose conditions all hold gives the entity its colour.

    A condition is ``{"fact": ..., "op": ..., "value": ...}`` over ``index.<code>`` (score), ``rank.<code>``
    (rank within the parent node), ``total``, ``vetoed`` or ``previous_colour`` (last period's colour).
    """

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="colour_rules",
                                 verbose_name=_("rule set"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    colour = models.CharField(_("colour"), max_length=8, choices=Colour.choices)
    label = models.CharField(_("meaning"), max_length=200, blank=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)

    class Meta:
        verbose_name = _("colour rule")
        verbose_name_plural = _("colour rules")
        ordering = ["rule_set", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_colour_display()}: {self.label}"


class RunState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    SUPERSEDED = "superseded", _("Superseded by a correction")


class Run(models.Model):
    """One computation of a rule set for a period. Published runs are frozen; a correction is a new
    revision with a reason, and the published one it replaces becomes superseded."""

    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="runs", verbose_name=_("rule set"))
    scheme = models.SlugField(_("scheme"), max_length=40)
    period = models.CharField(_("period"), max_length=7)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    state = models.CharField(_("state"), max_length=10, choices=RunState.choices, default=RunState.DRAFT)
    reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    entity_count = models.PositiveIntegerField(_("entities"), default=0)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.CharField(_("published by"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("index run")
        verbose_name_plural = _("index runs")
        ordering = ["scheme", "-period", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period", "revision"], name="indices_run_revision_once"),
            models.UniqueConstraint(fields=["scheme", "period"], condition=Q(state="published"),
                                    name="indices_run_one_published"),
            models.UniqueConstraint(fields=["scheme", "period"], condition=Q(state="draft"),
                                    name="indices_run_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set.name} {self.period} r{self.revision}"

    @property
    def is_frozen(self) -> bool:
        return self.state != RunState.DRAFT


class ComputationState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Computing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Computation(models.Model):
    """A request to compute (or correct) a period, done by a background job: an index run for a whole county
    takes minutes, so a page asks for it and then watches its progress instead of waiting on one POST."""

    scheme = models.SlugField(_("scheme"), max_length=40)
    period = models.CharField(_("period"), max_length=7)
    correction = models.BooleanField(_("correction"), default=False)
    reason = models.CharField(_("reason for the correction"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=ComputationState.choices,
                             default=ComputationState.QUEUED)
    requested_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            verbose_name=_("index run"))

    class Meta:
        verbose_name = _("index computation")
        verbose_name_plural = _("index computations")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # A second request for a period being computed is the same request (a double tap, two cadres).
            models.UniqueConstraint(fields=["scheme", "period"], condition=Q(state__in=["queued", "running"]),
                                    name="indices_computation_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in (ComputationState.QUEUED, ComputationState.RUNNING)


class Score(models.Model):
    """One entity's value on one index in one run, its rank within the parent node and its breakdown:
    ``{indicator code: [raw, normalised, contribution]}``."""

    # Written only by the engine, a million at a time at province size: Django keeps CASCADE / PROTECT, and
    # the composite indexes below serve every lookup, so no database-side checks or one-column indexes
    # (they tripled the time to write a run on PostgreSQL).
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="scores", db_index=False,
                            db_constraint=False)
    index = models.ForeignKey(Index, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False)
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False,
                             db_constraint=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               db_index=False, db_constraint=False)
    parent_id = models.BigIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    rank = models.PositiveIntegerField(default=1)
    breakdown = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("index score")
        verbose_name_plural = _("index scores")
        indexes = [
            models.Index(fields=["run", "index", "parent_id", "rank"], name="indices_score_rank_idx"),
            models.Index(fields=["node", "run"], name="indices_score_node_idx", condition=Q(node__isnull=False)),
            models.Index(fields=["person", "run"], name="indices_score_person_idx", condition=Q(person__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.index} · {self.node or self.person}"


class Standing(models.Model):
    """One entity's overall result in a run: total, rank, stars, tier, colour, and why."""

    # As for Score: written only by the engine, checked by Django, looked up through the indexes below.
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="standings", db_index=False,
                            db_constraint=False)
    node = models.ForeignKey(Node, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False,
                             db_constraint=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               db_index=False, db_constraint=False)
    parent_id = models.BigIntegerField(null=True, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    rank = models.PositiveIntegerField(default=1)
    stars = models.PositiveSmallIntegerField(default=0)
    tier = models.CharField(max_length=20, blank=True)
    colour = models.CharField(max_length=8, blank=True, choices=Colour.choices)
    vetoed = models.BooleanField(default=False)
    explanation = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("standing")
        verbose_name_plural = _("standings")
        indexes = [
            models.Index(fields=["run", "parent_id", "rank"], name="indices_standing_rank_idx"),
            models.Index(fields=["node", "run"], name="indices_standing_node_idx", condition=Q(node__isnull=False)),
            models.Index(fields=["person", "run"], name="indices_standing_person_idx",
                         condition=Q(person__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.node or self.person} · {self.rank}"


def new_slug() -> str:
    return secrets.token_urlsafe(12)


class OrgCode(models.Model):
    """The organisation's permanent QR code: an unguessable slug that never changes once issued."""

    node = models.OneToOneField(Node, on_delete=models.CASCADE, related_name="public_code")
    slug = models.CharField(max_length=32, unique=True, default=new_slug, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation code")
        verbose_name_plural = _("organisation codes")

    def __str__(self) -> str:
        return f"{self.node.name} · {self.slug}"


class ActivityRecord(models.Model):
    """An organisational-life activity (三会一课, 主题党日 …) due in a month; held or not (执行力)."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"),
                             db_index=False)  # led by indices_activity_node_idx
    kind = models.CharField(_("activity"), max_length=50)
    due_on = models.DateField(_("due by"))
    required = models.BooleanField(_("required"), default=True)
    held_on = models.DateField(_("held on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("activity record")
        verbose_name_plural = _("activity records")
        ordering = ["-due_on", "pk"]
        indexes = [
            models.Index(fields=["due_on"], name="indices_activity_due_idx"),  # attendance joins on it
            # Covers the engine's scan (see sources.aggregate_all): the rows are never read.
            models.Index(fields=["node", "due_on", "required", "held_on"], name="indices_activity_node_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.node.name} {self.kind} {self.due_on}"

    @property
    def scope_node(self) -> Node:
        return self.node


class NewsItem(models.Model):
    """A news item an organisation submitted; adopted or not, and how far it spread (影响力)."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"),
                             db_index=False)  # led by indices_news_node_idx
    title = models.CharField(_("title"), max_length=200)
    submitted_on = models.DateField(_("submitted on"))
    adopted = models.BooleanField(_("adopted"), default=False)
    spread_count = models.PositiveIntegerField(_("times spread"), default=0)
    recorded_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-submitted_on", "pk"]
        # Covers the engine's scan, grouped by organisation: on SQLite a skip-scan seeks each organisation's
        # month, so the cost follows the period's events, not the table's history.
        indexes = [models.Index(fields=["node", "submitted_on", "adopted", "spread_count"],
                                name="indices_news_node_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_node(self) -> Node:
        return self.node


class Assessment(models.Model):
    """A score a cadre enters by hand for one entity and one assessment item, with its evidence."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation"),
                             db_index=False)  # led by indices_assessment_node_idx
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("member"), db_index=False)  # led by indices_assessment_person_idx
    item = models.SlugField(_("assessment item"), max_length=40, db_index=False)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    evidence = models.CharField(_("evidence"), max_length=500)
    assessed_on = models.DateField(_("assessed on"))
    cadre = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("cadre"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "pk"]
        # Cover the engine's scans by person and by organisation (see NewsItem). A date-first index would
        # tempt SQLite's planner into sorting the whole month instead.
        indexes = [
            models.Index(fields=["person", "assessed_on", "item", "value"], name="indices_assessment_person_idx"),
            models.Index(fields=["node", "assessed_on", "item", "value"], name="indices_assessment_node_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.value}"

    @property
    def scope_node(self) -> Node:
        return self.node


class Attendance(models.Model):
    """Whether one member attended one activity."""

    activity = models.ForeignKey(ActivityRecord, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["activity", "person"], name="indices_attendance_once")]

    @property
    def scope_node(self) -> Node:
        return self.activity.node

    def __str__(self) -> str:
        return f"{self.activity} · {self.person}"

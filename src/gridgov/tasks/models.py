"""Tasks published to a node, the places workers claim on them, their evidence, and notices.

Task state is mostly derived, not stored: ``status`` holds only what a person decides (open or closed);
"full" is ``claimed_count >= places`` and "expired" is ``deadline`` in the past, so neither needs a job to
keep it true. Claim state is stored and moves only through ``gridgov.tasks.workflow``.
"""


from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.media import Photo
from gridgov.orgs.models import Node, Person


class Module(models.Model):
    """One of the five modules of 治村宝 (乡风文明, 基层治理, …)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class WorkType(models.Model):
    """A key work type (疫情防控, 五水共治, …) under a module."""

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="work_types", verbose_name=_("module"))
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("work type")
        verbose_name_plural = _("work types")
        ordering = ["module__order", "order", "pk"]

    def __str__(self) -> str:
        return self.name


class Grade(models.Model):
    """A difficulty grade and its points, set per street (阶梯化量化赋分)."""

    street = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="task_grades", verbose_name=_("street"))
    name = models.CharField(_("name"), max_length=20)
    points = models.PositiveIntegerField(_("points"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("difficulty grade")
        verbose_name_plural = _("difficulty grades")
        ordering = ["street", "order", "points"]
        constraints = [
            models.UniqueConstraint(fields=["street", "name"], name="tasks_grade_name_once_per_street"),
            models.CheckConstraint(condition=Q(points__gt=0), name="tasks_grade_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}）"


class Recurrence(models.TextChoices):
    NONE = "", _("Once")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TaskState(models.TextChoices):
    """What a task looks like to people (derived, see ``Task.state``)."""

    PUBLISHED = "published", _("Published")
    FULL = "full", _("Full")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


def task_state(*, status: str, deadline, claimed_count: int, places: int, now) -> str:
    """The derived state of a task (see the module docstring); also used on plain rows (``selectors.task_rows``)."""
    if status == TaskStatus.CLOSED:
        return TaskState.CLOSED
    if deadline <= now:
        return TaskState.EXPIRED
    if claimed_count >= places:
        return TaskState.FULL
    return TaskState.PUBLISHED


def places_left(*, places: int, claimed_count: int) -> int:
    return max(places - claimed_count, 0)


class Task(models.Model):
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("published to"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    work_type = models.ForeignKey(WorkType, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("work type"))
    grade = models.ForeignKey(Grade, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("grade"))
    points = models.PositiveIntegerField(_("points"))
    places = models.PositiveIntegerField(_("places"))
    claimed_count = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    deadline = models.DateTimeField(_("deadline"))
    requires_photo = models.BooleanField(_("photos required"), default=True)
    requires_text = models.BooleanField(_("text required"), default=True)
    requires_location = models.BooleanField(_("location required"), default=False)
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_instance",
        verbose_name=_("previous instance"),
    )
    publisher = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="published_tasks",
                                  verbose_name=_("publisher"))
    created_at = models.DateTimeField(_("published at"), default=timezone.now)
    # Set when a cadre withdraws the task (``publishing.task_withdraw``): it is then closed for good.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("reason for withdrawing"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gt=0), name="tasks_task_places_positive"),
            models.CheckConstraint(condition=Q(claimed_count__lte=F("places")), name="tasks_task_never_over_claimed"),
            models.CheckConstraint(condition=Q(points__gt=0), name="tasks_task_points_positive"),
        ]
        indexes = [models.Index(fields=["node", "deadline"], name="tasks_task_node_deadline_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_node(self) -> Node:
        return self.node

    @property
    def places_left(self) -> int:
        return places_left(places=self.places, claimed_count=self.claimed_count)

    def state_at(self, now=None) -> str:
        return task_state(status=self.status, deadline=self.deadline, claimed_count=self.claimed_count,
                          places=self.places, now=now or timezone.now())

    @property
    def state(self) -> str:
        return self.state_at()

    def get_state_display(self) -> str:
        return TaskState(self.state).label


class ClaimState(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    SUBMITTED = "submitted", _("Submitted")
    REJECTED = "rejected", _("Rejected")
    EVALUATED = "evaluated", _("Evaluated")
    SENT_BACK = "sent_back", _("Sent back by the auditor")
    AUDITED = "audited", _("Audited, points granted")
    RELEASED = "released", _("Released")
    EXPIRED = "expired", _("Expired")


# A claim in one of these no longer holds a place on its task.
INACTIVE_CLAIM_STATES = (ClaimState.RELEASED, ClaimState.EXPIRED)


class Claim(models.Model):
    """One worker's place on one task, and everything that happens to their work."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="claims", verbose_name=_("task"))
    worker = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="task_claims", verbose_name=_("worker"))
    # The node of the role that let the worker claim (their grid): evaluators and auditors are found above it.
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="task_claims", verbose_name=_("worker's node"))
    state = models.CharField(_("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.CLAIMED)
    evidence_text = models.TextField(_("what was done"), blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    adjustment = models.IntegerField(_("points adjustment"), default=0)
    points_awarded = models.PositiveIntegerField(_("points awarded"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    evaluator = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("evaluator"))
    auditor = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("auditor"))
    posting_id = models.BigIntegerField(_("ledger posting"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    audited_at = models.DateTimeField(_("audited at"), null=True, blank=True)
    # When the next move is due (``workflow.due_time``), kept by the services; NULL once nothing is awaited.
    due_at = models.DateTimeField(_("next move due"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-claimed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "worker"], condition=~Q(state__in=INACTIVE_CLAIM_STATES),
                name="tasks_claim_once_per_worker_while_active",
            ),
            models.CheckConstraint(condition=Q(state__in=ClaimState.values), name="tasks_claim_state_known"),
        ]
        indexes = [
            models.Index(fields=["state", "node"], name="tasks_claim_state_node_idx"),
            models.Index(fields=["worker", "state"], name="tasks_claim_worker_state_idx"),
            models.Index(fields=["due_at"], condition=Q(due_at__isnull=False), name="tasks_claim_due_idx"),
            # A period's decisions, for the supervisor's findings (oversight.anomalies).
            models.Index(fields=["evaluated_at"], condition=Q(evaluated_at__isnull=False),
                         name="tasks_claim_evaluated_idx"),
            models.Index(fields=["audited_at"], condition=Q(audited_at__isnull=False), name="tasks_claim_audited_idx"),
            # The evaluation and audit queues of an area: per node of the area, the claims waiting, oldest first,
            # instead of every claim of the province in that state filtered by node (issue 18).
            models.Index(fields=["node", "submitted_at"], condition=Q(state__in=["submitted", "sent_back"]),
                         name="tasks_claim_to_evaluate_idx"),
            models.Index(fields=["node", "evaluated_at"], condition=Q(state="evaluated"),
                         name="tasks_claim_to_audit_idx"),
            # The same queues of a large area, walked in order over the province's (``gridgov.sql.area_first``).
            models.Index(fields=["submitted_at", "id"], condition=Q(state__in=["submitted", "sent_back"]),
                         name="tasks_claim_evaluate_order_idx"),
            models.Index(fields=["evaluated_at", "id"], condition=Q(state="evaluated"),
                         name="tasks_claim_audit_order_idx"),
            # An area's overdue work, per node of the area; and its open claims per node and state for the
            # cockpit's counts (issue 18). The states are tasks.selectors.OPEN_CLAIM_STATES.
            models.Index(fields=["node", "due_at"], condition=Q(due_at__isnull=False), name="tasks_claim_node_due_idx"),
            models.Index(fields=["node", "state", "due_at"],
                         condition=Q(state__in=["claimed", "submitted", "rejected", "evaluated", "sent_back"]),
                         name="tasks_claim_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.worker}"

    @property
    def scope_node(self) -> Node:
        return self.node


class ClaimTally(models.Model):
    """Per node, open state and UTC day the claims' next move is due: how many open claims there are. Kept by
    database triggers on claims (``tasks.tallies``), so the cockpit sums a few rows per grid instead of counting
    every open claim of an area."""

    node = models.ForeignKey(Node, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    state = models.CharField(max_length=10, choices=ClaimState.choices)
    due_on = models.DateField()  # tasks.tallies.NO_DUE where nothing is due
    claims = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "state", "due_on"], name="tasks_claimtally_once")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.state} {self.due_on}: {self.claims}"


class EvidencePhoto(Photo):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos", verbose_name=_("claim"))
    image = models.FileField(_("image"), upload_to="evidence/%Y/%m/")

    class Meta(Photo.Meta):
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")

    @property
    def scope_node(self) -> Node:
        return self.claim.node


class Notice(models.Model):
    """村务信息公告: posted by a cadre to a node, read by everyone whose area meets that node."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="notices", verbose_name=_("node"))
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("body"))
    author = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("author"))
    published_at = models.DateTimeField(_("published at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_node(self) -> Node:
        return self.node

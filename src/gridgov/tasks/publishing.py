"""A cadre's side of a task: publishing it to one or several areas, changing it while it runs, withdrawing it,
and the street's difficulty grades.

Every write checks that the actor may publish in the task's area, changes state in one transaction, leaves an
audit record (before and after) and tells the workers concerned through their inbox (``inbox``). A refused
attempt leaves a ``denied`` record and changes nothing. What may change once workers have claimed is decided in
docs/decisions.md ("Changing and withdrawing a published task").
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.models import AuditRecord
from gridgov.audit.services import audit_entry, audit_record, snapshot
from gridgov.errors import Invalid
from gridgov.limits import aware, check_deadline, text_within
from gridgov.orgs.models import Node, NodeKind
from gridgov.orgs.permissions import SYSTEM, require
from gridgov.orgs.tree import is_under
from gridgov.tasks import inbox, workflow
from gridgov.tasks.models import INACTIVE_CLAIM_STATES, Claim, ClaimState, Grade, Recurrence, Task, TaskStatus, WorkType
from gridgov.tasks.rules import (
    MAX_AREAS,
    MAX_GRADE_NAME,
    MAX_PLACES,
    MAX_POINTS,
    MAX_REASON,
    MAX_TEXT,
    MAX_TITLE,
    TASK_FIELDS,
    refuse,
)
from gridgov.tasks.workflow import Event

EDIT_FIELDS = [*TASK_FIELDS, "description"]
REQUIREMENTS = ("requires_photo", "requires_text", "requires_location")
# Work handed in and not yet decided for good: a withdrawal leaves it to its evaluation and audit.
HANDED_IN = (ClaimState.SUBMITTED, ClaimState.SENT_BACK, ClaimState.EVALUATED)


# ---------------------------------------------------------------- publishing


def tasks_publish(
    *, actor, nodes, title: str, work_type: WorkType, places: int, deadline, grade: Grade | None = None,
    points: int | None = None, description: str = "", requires_photo: bool = True, requires_text: bool = True,
    requires_location: bool = False, recurrence: str = "", now=None,
) -> list[Task]:
    """Publish the same task to each of ``nodes`` (a street, communities, grids): one task per node, all in one
    transaction, so a refusal for any node publishes none. Every grid worker below a node sees its task."""
    nodes = list({node.pk: node for node in nodes}.values())
    if not nodes:
        raise Invalid(_("Choose at least one area to publish to."), code="invalid")
    if len(nodes) > MAX_AREAS:
        raise Invalid(_("Publish to at most %(max)d areas at once.") % {"max": MAX_AREAS}, code="invalid")
    grants = [require(actor, "task.publish", node) for node in nodes]
    _check_no_overlap(nodes)
    now = now or timezone.now()
    title = text_within(title, limit=MAX_TITLE, label=_("The title"))
    description = text_within(description, limit=MAX_TEXT, label=_("The description"))
    if not title:
        raise Invalid(_("A title is required."), code="invalid")
    if grade is not None:
        if any(not _grade_reaches(grade, node) for node in nodes):
            raise Invalid(_("This grade belongs to another street."), code="invalid")
        points = grade.points if points is None else points
    if points is None or int(points) <= 0:
        raise Invalid(_("Give the task a grade or a positive number of points."), code="invalid")
    if int(points) > MAX_POINTS:
        raise Invalid(_("A task is worth at most %(max)d points.") % {"max": MAX_POINTS}, code="invalid")
    _check_places(places)
    deadline = check_deadline(deadline, now=now)
    if recurrence not in Recurrence.values:
        raise Invalid(_("Unknown recurrence."), code="invalid")
    if not work_type.is_active:
        raise Invalid(_("This work type is no longer in use."), code="invalid")
    published = []
    with transaction.atomic():
        for node, grant in zip(nodes, grants):
            task = Task.objects.create(
                node=node, title=title, description=description, work_type=work_type, grade=grade,
                points=int(points), places=int(places), deadline=deadline, requires_photo=requires_photo,
                requires_text=requires_text, requires_location=requires_location, recurrence=recurrence,
                publisher=None if actor is SYSTEM else actor, created_at=now,
            )
            audit_record(actor=actor, role=grant.role, action="task.publish", target=task,
                         after=snapshot(task, TASK_FIELDS))
            inbox.task_published(task, now=now)
            published.append(task)
    return published


def task_publish(*, actor, node: Node, **fields) -> Task:
    """Publish a task to one node (``tasks_publish`` with a single area)."""
    return tasks_publish(actor=actor, nodes=[node], **fields)[0]


def _grade_reaches(grade: Grade, node: Node) -> bool:
    return is_under(node.path, [grade.street.path]) or is_under(grade.street.path, [node.path])


def _check_no_overlap(nodes: list[Node]) -> None:
    """Two chosen areas one inside the other would give the workers of the inner one the task twice."""
    for inner in nodes:
        for outer in nodes:
            if inner.pk != outer.pk and is_under(inner.path, [outer.path]):
                raise Invalid(_("%(inner)s lies within %(outer)s, which is also chosen: choose one of them.")
                              % {"inner": inner.name, "outer": outer.name}, code="areas_overlap")


def _check_places(places) -> int:
    if not 1 <= int(places) <= MAX_PLACES:
        raise Invalid(_("Places must be between 1 and %(max)d.") % {"max": MAX_PLACES}, code="invalid")
    return int(places)


# ---------------------------------------------------------------- changing and withdrawing


def task_edit(
    *, actor, task: Task, title: str | None = None, description: str | None = None, deadline=None,
    places: int | None = None, requires_photo: bool | None = None, requires_text: bool | None = None,
    requires_location: bool | None = None, now=None,
) -> Task:
    """Change a published task; a value left None stays. Once workers hold places, the deadline may only move
    later, the places never drop below those taken, and what the evidence must include may only be loosened:
    nobody's claim may become harder to finish than when it was made. The claimants are told what changed."""
    grant = require(actor, "task.publish", task)
    now = now or timezone.now()
    changes: dict = {}
    if title is not None:
        changes["title"] = text_within(title, limit=MAX_TITLE, label=_("The title"))
        if not changes["title"]:
            raise Invalid(_("A title is required."), code="invalid")
    if description is not None:
        changes["description"] = text_within(description, limit=MAX_TEXT, label=_("The description"))
    if places is not None:
        changes["places"] = _check_places(places)
    for name, value in zip(REQUIREMENTS, (requires_photo, requires_text, requires_location)):
        if value is not None:
            changes[name] = bool(value)
    with transaction.atomic():
        locked = Task.objects.select_for_update().select_related("node").get(pk=task.pk)
        if deadline is not None and aware(deadline) != locked.deadline:
            changes["deadline"] = check_deadline(deadline, now=now)
        changes = {name: value for name, value in changes.items() if getattr(locked, name) != value}
        problem = _edit_problem(locked, changes)
        if problem is None:
            if not changes:
                return locked
            before = snapshot(locked, EDIT_FIELDS)
            for name, value in changes.items():
                setattr(locked, name, value)
            locked.save(update_fields=list(changes))
            if "deadline" in changes:  # the worker's hand-in is due at the task's deadline (workflow.due_time)
                Claim.objects.filter(task=locked, state__in=(ClaimState.CLAIMED, ClaimState.REJECTED)).update(
                    due_at=locked.deadline, updated_at=now)
            audit_record(actor=actor, role=grant.role, action="task.edit", target=locked, before=before,
                         after=snapshot(locked, EDIT_FIELDS))
            inbox.task_changed(locked, changed=set(changes), now=now)
            return locked
    code, message = problem
    refuse(actor=actor, action="task.edit", target=task, code=code, message=message)


def _edit_problem(task: Task, changes: dict) -> tuple[str, str] | None:
    """Why ``changes`` may not be made to ``task`` (locked), or None."""
    if task.status == TaskStatus.CLOSED:
        return "task_closed", _("This task is withdrawn or closed; it can no longer be changed.")
    if changes.get("places", task.places) < task.claimed_count:
        return "places_below_taken", _("%(taken)d places are taken already; there cannot be fewer places.") % {
            "taken": task.claimed_count}
    claimed = Claim.objects.filter(task=task).exclude(state__in=INACTIVE_CLAIM_STATES).exists()
    if not claimed:
        return None
    if "deadline" in changes and changes["deadline"] < task.deadline:
        return "deadline_earlier", _("Workers claimed this task under its deadline; it may only move later.")
    if any(changes.get(name) is True for name in REQUIREMENTS):
        return "requirements_tightened", _(
            "Workers claimed this task already; what the evidence must include may only be loosened.")
    return None


def task_withdraw(*, actor, task: Task, reason: str, now=None) -> Task:
    """Withdraw a task: it takes no more claims, places held without work handed in are released (their
    workers need do nothing more), and work handed in goes on to its evaluation and audit. Everyone holding
    a place is told why."""
    grant = require(actor, "task.publish", task)
    now = now or timezone.now()
    reason = text_within(reason, limit=MAX_REASON, label=_("The reason"))
    problem = None
    if not reason:
        problem = "reason_required", _("Say why the task is withdrawn; its workers will read it.")
    with transaction.atomic():
        locked = Task.objects.select_for_update().select_related("node").get(pk=task.pk)
        if problem is None and locked.status == TaskStatus.CLOSED:
            problem = "task_closed", _("This task is withdrawn or closed already.")
        if problem is None:
            before = snapshot(locked, TASK_FIELDS)
            released = list(Claim.objects.select_for_update().select_related("worker", "node")
                            .filter(task=locked, state__in=workflow.states_allowing(Event.WITHDRAW)).order_by("pk"))
            moves = {}
            for claim in released:
                claim.task = locked
                moves[claim.pk] = workflow.apply(claim, Event.WITHDRAW)  # the table decides; the UPDATE applies it
            Claim.objects.filter(pk__in=[claim.pk for claim in released]).update(
                state=ClaimState.RELEASED, due_at=None, reason=reason, updated_at=now)
            locked.claimed_count -= len(released)
            locked.status, locked.withdrawn_at, locked.withdraw_reason = TaskStatus.CLOSED, now, reason
            locked.save(update_fields=["claimed_count", "status", "withdrawn_at", "withdraw_reason"])
            audit_record(actor=actor, role=grant.role, action="task.withdraw", target=locked, before=before,
                         after={**snapshot(locked, TASK_FIELDS), "released_claims": [claim.pk for claim in released]},
                         reason=reason)
            AuditRecord.objects.bulk_create([
                audit_entry(actor=actor, role=grant.role, action=f"claim.{Event.WITHDRAW}", target=claim,
                            before={"state": moves[claim.pk][0]}, after={"state": moves[claim.pk][1]},
                            reason=reason) for claim in released])
            handed_in = Claim.objects.filter(task=locked, state__in=HANDED_IN).values_list("worker_id", flat=True)
            inbox.task_withdrawn(locked, released=[claim.worker_id for claim in released],
                                 handed_in=list(handed_in), now=now)
            return locked
    code, message = problem
    refuse(actor=actor, action="task.withdraw", target=task, code=code, message=message)


def task_close(*, actor, task: Task) -> Task:
    """Stop a task taking new claims; claims already made go on."""
    grant = require(actor, "task.publish", task)
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        before = snapshot(task, TASK_FIELDS)
        task.status = TaskStatus.CLOSED
        task.save(update_fields=["status"])
        audit_record(actor=actor, role=grant.role, action="task.close", target=task, before=before,
                     after=snapshot(task, TASK_FIELDS))
    return task


# ---------------------------------------------------------------- grades


def grade_set(*, actor, street: Node, name: str, points: int, order: int = 0) -> Grade:
    """Create or re-price a street's difficulty grade (阶梯化赋分); published tasks keep their points."""
    grant = require(actor, "task.grade", street)
    name = text_within(name, limit=MAX_GRADE_NAME, label=_("The grade's name"))
    if street.kind != NodeKind.STREET:
        raise Invalid(_("Grades are set per street."), code="invalid")
    if not name or not 0 < int(points) <= MAX_POINTS:
        raise Invalid(_("A grade needs a name and from 1 to %(max)d points.") % {"max": MAX_POINTS}, code="invalid")
    with transaction.atomic():
        grade, _created = Grade.objects.select_for_update().get_or_create(
            street=street, name=name, defaults={"points": int(points), "order": order})
        before = snapshot(grade, ["name", "points", "order"])
        grade.points, grade.order = int(points), order
        grade.save()
        audit_record(actor=actor, role=grant.role, action="task.grade", target=grade, node=street, before=before,
                     after=snapshot(grade, ["name", "points", "order"]))
    return grade

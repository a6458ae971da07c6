"""Publishing tasks, claiming places, evidence, evaluation (考评), audit (统一审核) and the points it grants.

Every write checks the actor's role and area, changes state in one transaction, and leaves an audit
record; a refused attempt leaves a ``denied`` record. Claim state changes go through ``_transition``,
which applies ``workflow.TRANSITIONS`` to a locked row, so two people deciding the same claim at once
cannot both win.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.audit.services import audit_record, snapshot
from gridgov.errors import DomainError, Invalid
from gridgov.limits import location, text_within
from gridgov.media import process_photo
from gridgov.orgs.models import Node, Person
from gridgov.orgs.permissions import ACTIONS, SYSTEM, assignments_of, require
from gridgov.orgs.tree import paying_node
from gridgov.tasks import inbox, workflow
from gridgov.tasks.models import (
    INACTIVE_CLAIM_STATES,
    Claim,
    ClaimState,
    EvidencePhoto,
    Notice,
    Recurrence,
    Task,
    TaskStatus,
)

# Publishing, changing and withdrawing tasks, and the grades: the cadre's side, in ``publishing``.
from gridgov.tasks.publishing import grade_set, task_close, task_edit, task_publish, task_withdraw, tasks_publish  # noqa: F401 (every task service is called from here)
from gridgov.tasks.rules import (  # noqa: F401 (the bounds, read by forms and the API from here)
    ADJUSTMENT_LIMIT_PERCENT,
    CLAIM_FIELDS,
    MAX_GRADE_NAME,
    MAX_PHOTOS_PER_SUBMISSION,
    MAX_PLACES,
    MAX_POINTS,
    MAX_REASON,
    MAX_TEXT,
    MAX_TITLE,
    TASK_FIELDS,
)
from gridgov.tasks.rules import refuse as _refuse
from gridgov.tasks.workflow import Event

# What a claim action reads besides the claim's own row (confirming also reads the task's work type). The
# lock in ``_transition`` re-reads only that row: a claim's task, node and worker never change, so it keeps
# the ones loaded with the claim handed to it. Callers load them along (``select_related(*ACTION_RELATED)``);
# any left out are read when first needed.
ACTION_RELATED = ("task", "node", "worker")


# ---------------------------------------------------------------- claiming


def claim_node_for(actor, task: Task) -> Node | None:
    """The deepest node below ``task.node`` at which ``actor`` may claim work, or None (out of area)."""
    if actor is None or actor is SYSTEM or not actor.is_active:
        return None
    allowed = ACTIONS["task.claim"]
    candidates = [(path, node_id) for role, node_id, path in assignments_of(actor)
                  if role in allowed and path.startswith(task.node.path)]
    if not candidates:
        return None
    return Node.objects.get(pk=max(candidates)[1])


def task_claim(*, actor: Person, task: Task, now=None) -> Claim:
    """Take one place on ``task``: one guarded UPDATE counts the place in, so a task is never over-claimed.

    The UPDATE adds the place only while the task is open, before its deadline and not full; the row lock it
    holds until commit makes concurrent claims wait, and each then re-checks the condition on the row as the
    one before left it. The model's partial unique constraint refuses a second active claim by the same
    worker, which rolls the place back. Only a refusal reads the task again, to say why.
    """
    node = claim_node_for(actor, task)
    if node is None:
        _refuse(actor=actor, action="task.claim", target=task, code="out_of_scope",
                message=_("This task is not published to your area, or you are not a grid worker."))
    grant = require(actor, "task.claim", node)
    now = now or timezone.now()
    claim = Claim(task=task, worker=actor, node=node, claimed_at=now)
    claim.due_at = workflow.due_time(claim)  # the task's deadline (``task_edit`` moves it along when it changes)
    try:
        with transaction.atomic():
            taken = (Task.objects.filter(pk=task.pk, status=TaskStatus.OPEN, deadline__gt=now,
                                         claimed_count__lt=F("places"))
                     .update(claimed_count=F("claimed_count") + 1))
            if taken:
                claim.save(force_insert=True)
                audit_record(actor=actor, role=grant.role, action="task.claim", target=claim,
                             after=snapshot(claim, ["task_id", "worker_id", "state"]))
                return claim
    except IntegrityError:
        pass  # the worker holds an active claim on this task already: the place went back with the rollback
    code, message = _claim_refusal(task=task, worker=actor, now=now)
    _refuse(actor=actor, action="task.claim", target=task, code=code, message=message)


def _claim_refusal(*, task: Task, worker: Person, now) -> tuple[str, str]:
    """Why no place could be taken, in the order a worker needs to hear it."""
    task = Task.objects.get(pk=task.pk)
    if task.status == TaskStatus.CLOSED:
        return "task_closed", _("This task is closed.")
    if task.deadline <= now:
        return "task_expired", _("The deadline of this task has passed.")
    if Claim.objects.filter(task=task, worker=worker).exclude(state__in=INACTIVE_CLAIM_STATES).exists():
        return "already_claimed", _("You have already claimed this task.")
    return "task_full", _("All places of this task are taken.")


def claim_release(*, actor: Person, claim: Claim, now=None) -> Claim:
    """Give a claimed place back before the deadline, so someone else can take it."""
    now = now or timezone.now()

    def check(locked):
        if locked.task.deadline <= now:
            return "task_expired", _("The deadline has passed; the claim can no longer be released.")

    def change(locked):
        Task.objects.filter(pk=locked.task_id).update(claimed_count=F("claimed_count") - 1)

    return _transition(actor=actor, claim=claim, event=Event.RELEASE, check=_own_claim(actor, check), change=change)


def claim_submit(
    *, actor: Person, claim: Claim, text: str = "", latitude=None, longitude=None, photos=(), now=None,
) -> Claim:
    """Hand in the evidence (text, photos, location). After a rejection the worker submits again."""
    now = now or timezone.now()
    text = text_within(text, limit=MAX_TEXT, label=_("The description of the work"))
    photos = list(photos or [])
    if len(photos) > MAX_PHOTOS_PER_SUBMISSION:
        raise Invalid(_("At most %(max)d photos at a time.") % {"max": MAX_PHOTOS_PER_SUBMISSION}, code="invalid")
    place = location(latitude, longitude)
    task = claim.task
    processed = [process_photo(photo, keep_location=task.requires_location) for photo in photos]

    def check(locked):
        if locked.task.deadline <= now:
            return "task_expired", _("The deadline has passed; evidence can no longer be submitted.")
        if task.requires_text and not text:
            return "evidence_missing", _("Describe what was done: this task requires text.")
        if task.requires_photo and not processed and not locked.photos.exists():
            return "evidence_missing", _("This task requires at least one photo.")
        if task.requires_location and place is None:
            return "evidence_missing", _("This task requires your location.")

    def change(locked):
        locked.evidence_text = text
        if place is not None:
            locked.latitude, locked.longitude = place
        locked.submitted_at = now
        locked.reason = ""
        for content, width, height in processed:
            EvidencePhoto.objects.create(claim=locked, image=content, width=width, height=height, size=content.size)

    return _transition(actor=actor, claim=claim, event=Event.SUBMIT, check=_own_claim(actor, check), change=change)


def _own_claim(actor, check):
    def own(locked):
        if locked.worker_id != getattr(actor, "pk", None):
            return "not_your_claim", _("Only the worker who claimed this task may do this.")
        return check(locked)

    return own


# ---------------------------------------------------------------- evaluation and audit


def claim_evaluate(*, actor: Person, claim: Claim, approve: bool, adjustment: int = 0, reason: str = "", now=None) -> Claim:
    """考评: approve (points = task points + an adjustment within ±50 %) or reject back to the worker."""
    now = now or timezone.now()
    reason = text_within(reason, limit=MAX_REASON, label=_("The reason"))
    adjustment = int(adjustment or 0)

    def check(locked):
        if locked.worker_id == actor.pk:
            return "self_approval", _("Nobody may evaluate their own work.")
        limit = locked.task.points * ADJUSTMENT_LIMIT_PERCENT // 100
        if approve and abs(adjustment) > limit:
            return "adjustment_out_of_range", _("The adjustment must be between -%(limit)d and +%(limit)d.") % {"limit": limit}
        if (not approve or adjustment) and not reason:
            return "reason_required", _("Give a reason for a rejection or an adjustment.")

    def change(locked):
        locked.evaluator = actor
        locked.evaluated_at = now
        locked.reason = reason
        if approve:
            locked.adjustment = adjustment
            locked.points_awarded = locked.task.points + adjustment
        else:
            locked.adjustment, locked.points_awarded = 0, None

    event = Event.APPROVE if approve else Event.REJECT
    return _transition(actor=actor, claim=claim, event=event, check=check, change=change, now=now)


def claim_audit(*, actor: Person, claim: Claim, confirm: bool, reason: str = "", now=None) -> Claim:
    """统一审核: confirm (the ledger grants the points, once) or send back to the evaluator."""
    now = now or timezone.now()
    reason = text_within(reason, limit=MAX_REASON, label=_("The reason"))

    def check(locked):
        if locked.worker_id == actor.pk:
            return "self_approval", _("Nobody may audit their own work.")
        if locked.evaluator_id == actor.pk:
            return "self_approval", _("You evaluated this claim; another member of the party committee must audit it.")
        if not confirm and not reason:
            return "reason_required", _("Give a reason for sending the claim back.")

    def change(locked):
        locked.auditor = actor
        locked.audited_at = now
        if confirm:
            posting = _grant_points(actor=actor, claim=locked)
            locked.posting_id = getattr(posting, "pk", None)
        else:
            locked.reason = reason

    event = Event.CONFIRM if confirm else Event.SEND_BACK
    return _transition(actor=actor, claim=claim, event=event, check=check, change=change, now=now)


def claims_confirm_batch(*, actor: Person, claims) -> list[tuple[Claim, Exception | None]]:
    """Confirm many claims; each is its own transaction and its own idempotent grant."""
    results = []
    for claim in claims:
        try:
            results.append((claim_audit(actor=actor, claim=claim, confirm=True), None))
        except DomainError as error:
            results.append((claim, error))
    return results


def budget_node_for(claim: Claim) -> Node:
    """The community (or village, cooperative) whose budget pays for the claim: the worker's, in the task's area."""
    return paying_node(claim.node) or claim.task.node


def _grant_points(*, actor, claim: Claim):
    from gridgov.ledger.services import grant_points

    return grant_points(
        actor=actor, person=claim.worker, amount=claim.points_awarded, reason=f"任务积分：{claim.task.title}"[:200],
        idempotency_key=f"task-claim:{claim.pk}:points", budget_node=budget_node_for(claim), source=claim,
        memo=claim.task.work_type.name,
    )


def _transition(*, actor, claim: Claim, event: str, check=None, change=None, now=None) -> Claim:
    """Apply ``event`` to a locked claim: permission, the transition table, the caller's checks, audit, and the
    worker's message about a decision."""
    action = workflow.EVENT_ACTION.get(event, "task.claim")
    grant = require(actor, action, claim)
    refusal = None
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        locked.task, locked.node, locked.worker = claim.task, claim.node, claim.worker  # see ACTION_RELATED
        before = snapshot(locked, CLAIM_FIELDS)
        try:
            workflow.next_state(locked.state, event)
        except workflow.InvalidTransition as error:
            refusal = ("invalid_state", error.message)
        else:
            refusal = check(locked) if check else None
        if refusal is None:
            workflow.apply(locked, event)
            if change:
                change(locked)
            locked.due_at = workflow.due_time(locked)
            locked.save()
            audit_record(actor=actor, role=grant.role, action=f"claim.{event}", target=locked,
                         before=before, after=snapshot(locked, CLAIM_FIELDS))
            moment = now or timezone.now()
            inbox.claim_decided(locked, event, now=moment)
            inbox.claim_queued(locked, event, now=moment)
            return locked
    code, message = refusal
    _refuse(actor=actor, action=f"claim.{event}", target=claim, code=code, message=message)


# ---------------------------------------------------------------- deadlines and recurrence


def claims_expire(*, now=None) -> int:
    """Expire claims whose task deadline passed before the work was handed in; their places are freed."""
    now = now or timezone.now()
    stale = (Claim.objects.filter(state__in=(ClaimState.CLAIMED, ClaimState.REJECTED), due_at__lte=now)
             .select_related(*ACTION_RELATED))
    count = 0
    for claim in stale.iterator():
        try:
            _transition(actor=SYSTEM, claim=claim, event=Event.EXPIRE,
                        change=lambda locked: Task.objects.filter(pk=locked.task_id).update(
                            claimed_count=F("claimed_count") - 1))
            count += 1
        except DomainError:
            continue  # decided meanwhile by someone else
    return count


def _next_deadline(deadline, recurrence: str):
    if recurrence == Recurrence.WEEKLY:
        return deadline + timedelta(days=7)
    month = deadline.month % 12 + 1
    year = deadline.year + (deadline.month == 12)
    day = min(deadline.day, 28)
    return deadline.replace(year=year, month=month, day=day)


def tasks_roll(*, now=None) -> list[Task]:
    """Spawn the next instance of every recurring task whose period ended, and expire stale claims."""
    now = now or timezone.now()
    spawned = []
    due = Task.objects.filter(deadline__lte=now, status=TaskStatus.OPEN, next_instance__isnull=True).exclude(recurrence="")
    for task in due.select_related("work_type"):
        deadline = _next_deadline(task.deadline, task.recurrence)
        while deadline <= now:
            deadline = _next_deadline(deadline, task.recurrence)
        try:
            with transaction.atomic():
                new = Task.objects.create(
                    node=task.node, title=task.title, description=task.description, work_type=task.work_type,
                    grade=task.grade, points=task.points, places=task.places, deadline=deadline,
                    requires_photo=task.requires_photo, requires_text=task.requires_text,
                    requires_location=task.requires_location, recurrence=task.recurrence, previous=task,
                    publisher=task.publisher, created_at=now,
                )
                audit_record(actor=SYSTEM, role="system", action="task.roll", target=new,
                             after=snapshot(new, TASK_FIELDS), reason=f"next instance of task {task.pk}")
                inbox.task_published(new, now=now)
        except IntegrityError:
            continue  # another roll spawned it first (previous is one-to-one)
        spawned.append(new)
    claims_expire(now=now)
    return spawned


# ---------------------------------------------------------------- notices and forms


def notice_publish(*, actor, node: Node, title: str, body: str, now=None) -> Notice:
    grant = require(actor, "notice.publish", node)
    title = text_within(title, limit=Notice._meta.get_field("title").max_length, label=_("The title"))
    body = text_within(body, limit=MAX_TEXT, label=_("The body"))
    if not title or not body:
        raise Invalid(_("A notice needs a title and a body."), code="invalid")
    with transaction.atomic():
        notice = Notice.objects.create(node=node, title=title, body=body, author=None if actor is SYSTEM else actor,
                                       published_at=now or timezone.now())
        audit_record(actor=actor, role=grant.role, action="notice.publish", target=notice,
                     after={"title": notice.title, "node_id": node.pk})
    return notice

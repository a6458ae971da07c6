"""Reading tasks, claims and notices as a given person may see them."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from gridgov.orgs.models import Node
from gridgov.orgs.permissions import role_paths
from gridgov.orgs.tree import ancestor_at, ancestor_paths, at_or_above, path_length, under
from gridgov.sql import AnyOf, area_first
from gridgov.tasks.models import (
    Claim,
    ClaimState,
    ClaimTally,
    Grade,
    Module,
    Notice,
    Task,
    TaskState,
    TaskStatus,
    WorkType,
    places_left,
    task_state,
)
from gridgov.tasks.workflow import AUDIT_WITHIN_DAYS, EVALUATE_WITHIN_DAYS  # noqa: F401 (read here by callers)


def tasks_visible_to(*, person):
    """Tasks published at or above the person's nodes (theirs to do) or below them (theirs to watch)."""
    paths = role_paths(person)
    return (Task.objects.filter(at_or_above(paths, "node__path") | under(paths, "node__path"))
            .select_related("node", "work_type", "work_type__module", "grade"))


def task_square(*, person, now=None):
    """Tasks a worker may claim now: in their area, open, before the deadline, with places left."""
    now = now or timezone.now()
    paths = role_paths(person, "task.claim")
    return (Task.objects.filter(at_or_above(paths, "node__path"), status=TaskStatus.OPEN, deadline__gt=now,
                                claimed_count__lt=F("places"))
            .select_related("node", "work_type", "work_type__module", "grade").order_by("deadline", "pk"))


TASK_ROW_COLUMNS = {
    "id": "id", "title": "title", "description": "description", "node_code": "node__code", "node_name": "node__name",
    "work_type": "work_type__name", "module": "work_type__module__name", "grade": "grade__name", "points": "points",
    "places": "places", "deadline": "deadline", "requires_photo": "requires_photo", "requires_text": "requires_text",
    "requires_location": "requires_location", "recurrence": "recurrence",
}


def task_rows(tasks, *, limit: int | None = None, now=None) -> list[dict]:
    """``tasks`` (a queryset, filtered and ordered) as plain dicts for the API, in one query.

    The task square is what fifty phones poll; building five model instances per task and reading them
    back through schema resolvers cost more than the query itself, so the list reads only the columns
    it shows. The derived fields use the same rule as ``Task.state`` and ``Task.places_left``.
    """
    now = now or timezone.now()
    rows = tasks.values(*TASK_ROW_COLUMNS.values(), "claimed_count", "status")
    if limit is not None:
        rows = rows[:limit]
    result = []
    for row in rows:
        item = {name: row[column] for name, column in TASK_ROW_COLUMNS.items()}
        item["places_left"] = places_left(places=row["places"], claimed_count=row["claimed_count"])
        item["state"] = task_state(status=row["status"], deadline=row["deadline"], claimed_count=row["claimed_count"],
                                   places=row["places"], now=now)
        result.append(item)
    return result


def tasks_published_in(*, person):
    """Tasks in the subtree of the person's publishing roles (the cadre's list)."""
    return (Task.objects.filter(under(role_paths(person, "task.publish"), "node__path"))
            .select_related("node", "work_type", "work_type__module", "grade").order_by("-created_at", "-pk"))


# How far a claim got, as a funnel: handed in (waiting or past evaluation), passed evaluation, audited.
HANDED_IN_STATES = (ClaimState.SUBMITTED, ClaimState.SENT_BACK, ClaimState.EVALUATED, ClaimState.AUDITED)
EVALUATED_STATES = (ClaimState.EVALUATED, ClaimState.AUDITED)


@dataclass
class Claimant:
    """One claim as the task's publisher sees it: who, where it stands, since when."""

    claim_id: int
    worker: str
    node: str
    state: str
    since: object  # the time of the claim's latest recorded step (claimed, handed in, evaluated, audited)

    @property
    def state_label(self) -> str:
        return ClaimState(self.state).label


@dataclass
class Progress:
    """Where a task stands: its places, how many claims got how far, and its latest claimants (latest step first;
    at most ``CLAIMANTS_SHOWN`` of ``claims``)."""

    taken: int
    places: int
    claims: int = 0
    submitted: int = 0
    evaluated: int = 0
    audited: int = 0
    claimants: list[Claimant] = field(default_factory=list)

    @property
    def more_claimants(self) -> int:
        return self.claims - len(self.claimants)


CLAIMANTS_SHOWN = 20  # a task published to a whole street has thousands of claims: the page lists the latest


def task_progress(tasks, *, claimants: int = CLAIMANTS_SHOWN) -> dict[int, Progress]:
    """The progress of each of ``tasks`` (task objects): counts from one grouped query over their claims, and the
    latest ``claimants`` claimants of each from one windowed query (never every claim)."""
    tasks = list(tasks)
    progress = {task.pk: Progress(taken=task.claimed_count, places=task.places) for task in tasks}
    if not progress:
        return progress
    counts = (Claim.objects.filter(task_id__in=list(progress)).order_by().values("task_id")
              .annotate(claims=Count("pk"), submitted=Count("pk", filter=Q(state__in=HANDED_IN_STATES)),
                        evaluated=Count("pk", filter=Q(state__in=EVALUATED_STATES)),
                        audited=Count("pk", filter=Q(state=ClaimState.AUDITED))))
    for row in counts:
        item = progress[row["task_id"]]
        item.claims, item.submitted, item.evaluated, item.audited = (
            row["claims"], row["submitted"], row["evaluated"], row["audited"])
    latest = Coalesce("audited_at", "evaluated_at", "submitted_at", "claimed_at")  # a rejection is an evaluation too
    rows = (Claim.objects.filter(task_id__in=list(progress)).order_by()
            .annotate(since=latest, place=Window(RowNumber(), partition_by=[F("task_id")],
                                                  order_by=[latest.desc(), F("pk").desc()]))
            .filter(place__lte=claimants)
            .values_list("pk", "task_id", "state", "worker__name", "node__name", "since"))
    for pk, task_id, state, worker, node, since in rows:
        progress[task_id].claimants.append(Claimant(claim_id=pk, worker=worker, node=node, state=state, since=since))
    for item in progress.values():
        item.claimants.sort(key=lambda claimant: (claimant.since, claimant.claim_id), reverse=True)
    return progress


def publish_areas(*, person, kinds):
    """The nodes of ``kinds`` where ``person`` may publish tasks, in tree order."""
    return Node.objects.filter(under(role_paths(person, "task.publish"), "path"), kind__in=kinds).order_by("path")


def claims_of(*, worker):
    return Claim.objects.filter(worker=worker).select_related("task", "task__work_type", "node").order_by("-claimed_at", "-pk")


def claim_visible(*, person, claim: Claim) -> bool:
    """The worker, and anyone who evaluates, audits or oversees the claim's area."""
    if person is None:
        return False
    if claim.worker_id == person.pk:
        return True
    return any(claim.node.path.startswith(path) for path in role_paths(person, "task.view"))


AREA_IDS_AT_MOST = 10_000  # a county's nodes; above (a city, a province), the queues join the nodes by path


def _in_area(paths) -> Q:
    """Claims at or below ``paths``, for the queues: by the ids of the area's nodes, so the planner reads each
    node's waiting claims on the queue's partial index, using each node's statistics; joined by path, it sees only
    the area's share of the nodes and, for a small area in a large installation, may scan every claim in the
    state and filter them by node (issue 18). An area too large to list is joined by path."""
    ids = list(Node.objects.filter(under(paths)).values_list("pk", flat=True)[:AREA_IDS_AT_MOST + 1])
    return under(paths, "node__path") if len(ids) > AREA_IDS_AT_MOST else Q(node_id__in=ids)


TO_EVALUATE_STATES = (ClaimState.SUBMITTED, ClaimState.SENT_BACK)  # tasks_claim_to_evaluate_idx, …_evaluate_order_idx


def evaluation_queue(*, person):
    """Submitted (or sent back) claims in the cadre's area, other than the cadre's own work, the oldest first (to
    count, or for a few; a page of them: ``evaluation_queue_in_order``)."""
    return (Claim.objects.filter(_in_area(role_paths(person, "task.evaluate")), state__in=TO_EVALUATE_STATES)
            .exclude(worker=person).select_related("task", "worker", "node").prefetch_related("photos")
            .order_by("submitted_at", "pk"))


def audit_queue(*, person):
    """Evaluated claims in the auditor's area that they neither did nor evaluated, the oldest first."""
    return (Claim.objects.filter(_in_area(role_paths(person, "task.audit")), state=ClaimState.EVALUATED)
            .exclude(worker=person).exclude(evaluator=person)
            .select_related("task", "worker", "evaluator", "node").prefetch_related("photos")
            .order_by("evaluated_at", "pk"))


def evaluation_queue_in_order(*, person):
    """The evaluation queue read for a page: a small area's claims sorted, a large one's found on a walk of the
    province's queue in order (``gridgov.sql.area_first``; at a province the large street holds hundreds of
    thousands of them, issue 18). One bounded count, which the pager reuses."""
    return area_first(evaluation_queue(person=person), "submitted_at", "pk")


def audit_queue_in_order(*, person):
    """The audit queue read for a page, as ``evaluation_queue_in_order``."""
    return area_first(audit_queue(person=person), "evaluated_at", "pk")


def overdue_for(*, person, now=None):
    """What is late in the person's area: work not handed in by the deadline, evaluations and audits
    waiting longer than ``EVALUATE_WITHIN_DAYS`` / ``AUDIT_WITHIN_DAYS`` (the stored ``due_at``, see
    ``workflow.due_time``), the longest overdue first. Read per node of the area (``_in_area``) on the partial
    index of (node, due_at), not the installation's overdue claims filtered by path; a small area's sorted
    rather than found on a walk of every overdue claim by due date (``gridgov.sql.area_first``)."""
    now = now or timezone.now()
    area = _in_area(role_paths(person, "task.view"))
    overdue = Claim.objects.filter(area, due_at__lte=now).select_related("task", "worker", "node")
    # A small area's overdue claims, sorted: with ``due_at <= now`` as an index condition the planner still walked
    # the installation's due dates (41,000 rows dropped for a small street at 1 % of a province); as a filter on the
    # area's claims it reads the area (issue 18).
    late = Coalesce(F("due_at"), F("due_at"))
    to_sort = (Claim.objects.alias(late=late).filter(area, due_at__isnull=False, late__lte=now)
               .select_related("task", "worker", "node"))
    return area_first(overdue, "due_at", "pk", to_sort=to_sort)


def notices_for(*, person):
    paths = role_paths(person)
    return (Notice.objects.filter(at_or_above(paths, "node__path") | under(paths, "node__path"))
            .select_related("node", "author").order_by("-published_at", "-pk"))


def catalogue():
    return Module.objects.prefetch_related("work_types").order_by("order", "pk")


def work_types():
    return WorkType.objects.filter(is_active=True).select_related("module")


def grades_for(node: Node):
    """Grades of the street that ``node`` lies in (or below, for a district)."""
    return Grade.objects.filter(street__path__in=ancestor_paths(node.path)).order_by("order", "points")


def tasks_stats(now=None) -> dict:
    """Counts for ``gridgov stats``: tasks per (derived) state, claims per state, points confirmed."""
    now = now or timezone.now()
    tasks = Task.objects.all()
    closed = tasks.filter(status=TaskStatus.CLOSED).count()
    expired = tasks.filter(status=TaskStatus.OPEN, deadline__lte=now).count()
    live = tasks.filter(status=TaskStatus.OPEN, deadline__gt=now)
    full = live.filter(claimed_count__gte=F("places")).count()
    per_claim = dict(Claim.objects.values_list("state").annotate(n=Count("pk")).order_by())
    points = sum(Claim.objects.filter(state=ClaimState.AUDITED).values_list("points_awarded", flat=True))
    return {
        "tasks": {
            TaskState.PUBLISHED.value: live.count() - full, TaskState.FULL.value: full,
            TaskState.CLOSED.value: closed, TaskState.EXPIRED.value: expired,
        },
        "task_claims": {state.value: per_claim.get(state.value, 0) for state in ClaimState},
        "task_points_audited": points,
        "notices": Notice.objects.count(),
    }


# ---------------------------------------------------------------- the cockpit's figures


def work_under(*, node: Node, depth: int, now=None) -> dict[str, dict[str, int]]:
    """The work in ``node``'s subtree, per node at ``depth`` (its path → counts; work at a higher node counts under
    that node's own path): tasks open to claim, claims whose next move is overdue, waiting for evaluation, waiting
    for audit. Four queries, whatever the number of grids or claims: the area's nodes, its open tasks, its claim
    tallies (``tasks.tallies``: a few rows a grid, however many claims are open) and, of the claims due today
    (UTC), those due by ``now`` (the tallies count days, not moments). Each is counted per node of the area on the
    node's index range and the nodes folded into their ancestors here: grouped by the ancestor's path, the planner
    joined every node of the installation to the claims due today."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    length = path_length(depth)
    nodes = dict(Node.objects.filter(path__startswith=node.path).values_list("pk", "path")[:AREA_IDS_AT_MOST + 1])
    result: dict[str, dict[str, int]] = {}

    def add(rows, **counts):
        if len(nodes) > AREA_IDS_AT_MOST:  # a city or a province: grouped by path in the database
            grouped = (rows.filter(node__path__startswith=node.path).annotate(key=ancestor_at("node__path", depth))
                       .values("key").order_by().annotate(**counts))
        else:
            grouped = ({"key": nodes[row["node_id"]][:length], **row} for row in
                       rows.filter(AnyOf(F("node_id"), list(nodes))).values("node_id").order_by().annotate(**counts))
        for row in grouped:
            figures = result.setdefault(row["key"], dict.fromkeys(WORK_FIGURES, 0))
            for name in counts:
                figures[name] += row[name] or 0

    add(Task.objects.filter(status=TaskStatus.OPEN, deadline__gt=now, claimed_count__lt=F("places")),
        tasks_open=Count("pk"))
    add(ClaimTally.objects.all(), claims_overdue=Sum("claims", filter=Q(due_on__lt=today)),
        to_evaluate=Sum("claims", filter=Q(state__in=TO_EVALUATE_STATES)),
        to_audit=Sum("claims", filter=Q(state=ClaimState.EVALUATED)))
    add(Claim.objects.filter(state__in=OPEN_CLAIM_STATES, due_at__gte=datetime.combine(today, time.min, UTC),
                             due_at__lte=now), claims_overdue=Count("*"))  # * : index-only
    return result


WORK_FIGURES = ("tasks_open", "claims_overdue", "to_evaluate", "to_audit")
DONE_CLAIM_STATES = (ClaimState.AUDITED, ClaimState.RELEASED, ClaimState.EXPIRED)
OPEN_CLAIM_STATES = tuple(state for state in ClaimState if state not in DONE_CLAIM_STATES)  # tasks_claim_open_idx


def located_claims(*, node: Node, limit: int, now=None) -> list[dict]:
    """Work with a location in ``node``'s subtree for the map: claims whose evidence carries a place, in hand or
    done (not given up or expired), the latest first, at most ``limit``. One query."""
    now = now or timezone.now()
    rows = (Claim.objects.filter(node__path__startswith=node.path, latitude__isnull=False, longitude__isnull=False)
            .exclude(state__in=(ClaimState.RELEASED, ClaimState.EXPIRED))
            .order_by(F("submitted_at").desc(nulls_last=True), "-pk")
            .values("pk", "latitude", "longitude", "task__title", "state", "due_at")[:limit])
    return [{"id": row["pk"], "lat": float(row["latitude"]), "lon": float(row["longitude"]),
             "title": row["task__title"], "state": row["state"], "state_label": str(ClaimState(row["state"]).label),
             "overdue": bool(row["due_at"] and row["due_at"] <= now)} for row in rows]

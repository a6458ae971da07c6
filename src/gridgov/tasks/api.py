"""API for the task flow: the same services as the pages, JSON in and out, refusals as 4xx {"code","message"}."""

from datetime import datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel

from gridgov.errors import message_of
from gridgov.orgs.models import Node
from gridgov.tasks import selectors, services
from gridgov.tasks.models import Claim, Grade, Task, WorkType

router = Router(tags=["tasks"])



class WorkTypeOut(Schema):
    id: int
    code: str
    name: str


class ModuleOut(Schema):
    id: int
    code: str
    name: str
    work_types: list[WorkTypeOut]

    @staticmethod
    def resolve_work_types(module):
        return [wt for wt in module.work_types.all() if wt.is_active]


class TaskOut(BaseModel):
    """A task as the API shows it; built from ``selectors.task_rows`` (plain dicts, no resolvers)."""

    id: int
    title: str
    description: str
    node_code: str
    node_name: str
    work_type: str
    module: str
    grade: str | None
    points: int
    places: int
    places_left: int
    deadline: datetime
    requires_photo: bool
    requires_text: bool
    requires_location: bool
    recurrence: str
    state: str


class TaskIn(Schema):
    node_code: str
    title: str
    description: str = ""
    work_type_code: str
    grade_id: int | None = None
    points: int | None = None
    places: int
    deadline: datetime
    requires_photo: bool = True
    requires_text: bool = True
    requires_location: bool = False
    recurrence: str = ""


class ClaimOut(Schema):
    id: int
    task_id: int
    task_title: str
    worker: str
    node_name: str
    state: str
    evidence_text: str
    latitude: Decimal | None
    longitude: Decimal | None
    photos: list[int]
    points_awarded: int | None
    adjustment: int
    reason: str
    evaluator: str | None
    auditor: str | None
    claimed_at: datetime
    submitted_at: datetime | None
    evaluated_at: datetime | None
    audited_at: datetime | None

    @staticmethod
    def resolve_task_title(claim):
        return claim.task.title

    @staticmethod
    def resolve_worker(claim):
        return claim.worker.name

    @staticmethod
    def resolve_node_name(claim):
        return claim.node.name

    @staticmethod
    def resolve_photos(claim):
        if claim.submitted_at is None:
            return []  # photos come only with a submission (services.claim_submit): spare the query
        return [photo.pk for photo in claim.photos.all()]

    @staticmethod
    def resolve_evaluator(claim):
        return claim.evaluator.name if claim.evaluator_id else None

    @staticmethod
    def resolve_auditor(claim):
        return claim.auditor.name if claim.auditor_id else None


class EvaluateIn(Schema):
    approve: bool
    adjustment: int = 0
    reason: str = ""


class AuditIn(Schema):
    confirm: bool
    reason: str = ""


class BatchIn(Schema):
    claim_ids: list[int]


class BatchResult(Schema):
    claim_id: int
    ok: bool
    code: str = ""
    message: str = ""


class NoticeIn(Schema):
    node_code: str
    title: str
    body: str


class NoticeOut(Schema):
    id: int
    node_name: str
    title: str
    body: str
    author: str | None
    published_at: datetime

    @staticmethod
    def resolve_node_name(notice):
        return notice.node.name

    @staticmethod
    def resolve_author(notice):
        return notice.author.name if notice.author_id else None


def _claim(request, pk: int, related=("task", "worker", "node", "evaluator", "auditor")) -> Claim:
    """The claim if the caller may see it, else 404. Actions load what the service reads (``ACTION_RELATED``)."""
    claim = get_object_or_404(Claim.objects.select_related(*related), pk=pk)
    if not selectors.claim_visible(person=request.person, claim=claim):
        raise Http404("Not found.")
    return claim


def _task_out(tasks, pk: int) -> dict:
    rows = selectors.task_rows(tasks.filter(pk=pk))
    if not rows:
        raise Http404("Not found.")
    return rows[0]


@router.get("/task-catalogue", response=list[ModuleOut], summary="The five modules and their work types")
def catalogue(request):
    return list(selectors.catalogue())


@router.get("/tasks", response=list[TaskOut], summary="Tasks I can claim now (square) or every task in my area")
def task_list(request, square: bool = True, limit: int = 100):
    person = request.person
    tasks = selectors.task_square(person=person) if square else selectors.tasks_visible_to(person=person).order_by("-deadline")
    return selectors.task_rows(tasks, limit=max(1, min(limit, 500)))


@router.post("/tasks", response={201: TaskOut}, summary="Publish a task to a node")
def task_publish(request, payload: TaskIn):
    node = get_object_or_404(Node, code=payload.node_code)
    work_type = get_object_or_404(WorkType, code=payload.work_type_code)
    grade = get_object_or_404(Grade, pk=payload.grade_id) if payload.grade_id else None
    task = services.task_publish(
        actor=request.person, node=node, title=payload.title, description=payload.description, work_type=work_type,
        grade=grade, points=payload.points, places=payload.places, deadline=payload.deadline,
        requires_photo=payload.requires_photo, requires_text=payload.requires_text,
        requires_location=payload.requires_location, recurrence=payload.recurrence,
    )
    return Status(201, _task_out(Task.objects.all(), task.pk))


@router.get("/tasks/{task_id}", response=TaskOut, summary="One task")
def task_detail(request, task_id: int):
    return _task_out(selectors.tasks_visible_to(person=request.person), task_id)


@router.post("/tasks/{task_id}/claim", response={201: ClaimOut}, summary="Claim a place on a task")
def task_claim(request, task_id: int):
    task = get_object_or_404(Task.objects.select_related("node"), pk=task_id)  # the area check reads task.node
    return Status(201, services.task_claim(actor=request.person, task=task))


@router.get("/claims/mine", response=list[ClaimOut], summary="My claims")
def claims_mine(request, limit: int = 100):
    return list(selectors.claims_of(worker=request.person).select_related("worker", "evaluator", "auditor")
                .prefetch_related("photos")[: max(1, min(limit, 500))])


@router.get("/claims/evaluation-queue", response=list[ClaimOut], summary="Claims waiting for my evaluation")
def claims_evaluation_queue(request):
    return list(selectors.evaluation_queue(person=request.person)[:200])


@router.get("/claims/audit-queue", response=list[ClaimOut], summary="Claims waiting for my audit")
def claims_audit_queue(request):
    return list(selectors.audit_queue(person=request.person)[:200])


@router.get("/claims/overdue", response=list[ClaimOut], summary="Late work and late decisions in my area")
def claims_overdue(request):
    return list(selectors.overdue_for(person=request.person).select_related("evaluator", "auditor")[:200])


@router.get("/claims/{claim_id}", response=ClaimOut, summary="One claim")
def claim_detail(request, claim_id: int):
    return _claim(request, claim_id)


@router.post("/claims/{claim_id}/release", response=ClaimOut, summary="Give my place back")
def claim_release(request, claim_id: int):
    claim = _claim(request, claim_id, services.ACTION_RELATED)
    return services.claim_release(actor=request.person, claim=claim)


@router.post("/claims/{claim_id}/submit", response=ClaimOut, summary="Submit evidence (multipart: text, photos, location)")
def claim_submit(
    request, claim_id: int, text: Form[str] = "", latitude: Form[str] = "", longitude: Form[str] = "",
    photos: File[list[UploadedFile]] = None,
):
    claim = _claim(request, claim_id, services.ACTION_RELATED)
    return services.claim_submit(actor=request.person, claim=claim, text=text, latitude=latitude or None,
                                 longitude=longitude or None, photos=photos or [])


@router.post("/claims/{claim_id}/evaluate", response=ClaimOut, summary="Approve (with an adjustment) or reject")
def claim_evaluate(request, claim_id: int, payload: EvaluateIn):
    claim = _claim(request, claim_id, services.ACTION_RELATED)
    return services.claim_evaluate(actor=request.person, claim=claim, approve=payload.approve,
                                   adjustment=payload.adjustment, reason=payload.reason)


@router.post("/claims/{claim_id}/audit", response=ClaimOut, summary="Confirm (grants the points) or send back")
def claim_audit(request, claim_id: int, payload: AuditIn):
    claim = _claim(request, claim_id, services.ACTION_RELATED)
    return services.claim_audit(actor=request.person, claim=claim, confirm=payload.confirm, reason=payload.reason)


@router.post("/claims/audit-batch", response=list[BatchResult], summary="Confirm many claims; each on its own")
def claims_audit_batch(request, payload: BatchIn):
    claims = (Claim.objects.filter(pk__in=payload.claim_ids[:200]).select_related(*services.ACTION_RELATED)
              .order_by("pk"))
    results = []
    for claim, error in services.claims_confirm_batch(actor=request.person, claims=claims):
        if error is None:
            results.append({"claim_id": claim.pk, "ok": True})
        else:
            results.append({"claim_id": claim.pk, "ok": False, "code": error.code, "message": message_of(error)})
    return results


@router.get("/notices", response=list[NoticeOut], summary="Notices for my area")
def notices(request, limit: int = 50):
    return list(selectors.notices_for(person=request.person)[: max(1, min(limit, 200))])


@router.post("/notices", response={201: NoticeOut}, summary="Post a notice to a node")
def notice_publish(request, payload: NoticeIn):
    node = get_object_or_404(Node, code=payload.node_code)
    return Status(201, services.notice_publish(actor=request.person, node=node, title=payload.title, body=payload.body))

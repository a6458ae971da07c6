"""API for the task flow: the same services as the pages, JSON in and out, refusals as 4xx {"code","message"}."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel

from gridgov.api_schemas import (
    Coordinate,
    DateTime,
    Id,
    Limit,
    Line,
    Offset,
    Page,
    Paragraphs,
    errors,
    max_length_of,
    page,
)
from gridgov.errors import message_of
from gridgov.orgs.models import Node
from gridgov.tasks import selectors, services
from gridgov.tasks.models import Claim, Grade, Notice, Recurrence, Task, WorkType

router = Router(tags=["tasks"])

Code = Annotated[Line, Field(min_length=1, max_length=max_length_of(Node, "code"))]
Reason = Annotated[Line, Field(max_length=services.MAX_REASON)]


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
    node_code: Code
    title: Line = Field(min_length=1, max_length=services.MAX_TITLE)
    description: Paragraphs = Field("", max_length=services.MAX_TEXT)
    work_type_code: Line = Field(min_length=1, max_length=max_length_of(WorkType, "code"))
    grade_id: Id | None = None
    points: int | None = Field(None, ge=1, le=services.MAX_POINTS, description="Needed when there is no grade.")
    places: int = Field(ge=1, le=services.MAX_PLACES)
    deadline: DateTime = Field(description="In the future, at most 3 years ahead; without an offset: Asia/Shanghai.")
    requires_photo: bool = True
    requires_text: bool = True
    requires_location: bool = False
    recurrence: Recurrence = Recurrence.NONE


class TaskEditIn(Schema):
    """What to change on a published task; a field left out stays as it is."""

    title: Line | None = Field(None, min_length=1, max_length=services.MAX_TITLE)
    description: Paragraphs | None = Field(None, max_length=services.MAX_TEXT)
    deadline: DateTime | None = Field(None, description="Once claimed, only later; without an offset: Asia/Shanghai.")
    places: int | None = Field(None, ge=1, le=services.MAX_PLACES, description="Never below the places taken.")
    requires_photo: bool | None = Field(None, description="Once claimed, a requirement may only be dropped.")
    requires_text: bool | None = None
    requires_location: bool | None = None


class WithdrawIn(Schema):
    reason: Reason = Field(min_length=1, description="Told to the workers holding a place.")


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
    adjustment: int = Field(0, ge=-services.MAX_POINTS, le=services.MAX_POINTS,
                            description="Within ±50 % of the task's points.")
    reason: Reason = ""


class AuditIn(Schema):
    confirm: bool
    reason: Reason = ""


MAX_BATCH = 200


class BatchIn(Schema):
    claim_ids: list[Id] = Field(min_length=1, max_length=MAX_BATCH)


class BatchResult(Schema):
    claim_id: int
    ok: bool
    code: str = ""
    message: str = ""


class NoticeIn(Schema):
    node_code: Code
    title: Line = Field(min_length=1, max_length=max_length_of(Notice, "title"))
    body: Paragraphs = Field(min_length=1, max_length=services.MAX_TEXT)


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
        raise Http404(_("Not found."))
    return claim


def _task_out(tasks, pk: int) -> dict:
    rows = selectors.task_rows(tasks.filter(pk=pk))
    if not rows:
        raise Http404(_("Not found."))
    return rows[0]


@router.get("/task-catalogue", response=Page[ModuleOut], summary="The five modules and their work types")
def catalogue(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.catalogue(), limit=limit, offset=offset)


@router.get("/tasks", response=Page[TaskOut], summary="Tasks I can claim now (square) or every task in my area")
def task_list(request, square: bool = True, limit: Limit = 100, offset: Offset = 0):
    person = request.person
    tasks = selectors.task_square(person=person) if square else selectors.tasks_visible_to(person=person).order_by("-deadline")
    return page(tasks, limit=limit, offset=offset, build=selectors.task_rows)


@router.post("/tasks", response={201: TaskOut, **errors(400, 403, 404)}, summary="Publish a task to a node")
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


@router.get("/tasks/{int:task_id}", response=TaskOut, summary="One task")
def task_detail(request, task_id: Id):
    return _task_out(selectors.tasks_visible_to(person=request.person), task_id)


def _task_to_manage(request, task_id: int) -> Task:
    """A task in the caller's area (else 404); the service checks that they may publish there (else 403)."""
    return get_object_or_404(selectors.tasks_visible_to(person=request.person), pk=task_id)


@router.patch("/tasks/{int:task_id}", response={200: TaskOut, **errors(400, 403, 404, 409)},
              summary="Change a published task (its claimants are told)")
def task_edit(request, task_id: Id, payload: TaskEditIn):
    task = services.task_edit(actor=request.person, task=_task_to_manage(request, task_id),
                              **payload.model_dump(exclude_none=True))
    return _task_out(Task.objects.all(), task.pk)


@router.post("/tasks/{int:task_id}/withdraw", response={200: TaskOut, **errors(400, 403, 404, 409)},
             summary="Withdraw a task: places without work handed in are released, their workers told")
def task_withdraw(request, task_id: Id, payload: WithdrawIn):
    task = services.task_withdraw(actor=request.person, task=_task_to_manage(request, task_id), reason=payload.reason)
    return _task_out(Task.objects.all(), task.pk)


@router.post("/tasks/{int:task_id}/claim", response={201: ClaimOut, **errors(403, 409)},
             summary="Claim a place on a task")
def task_claim(request, task_id: Id):
    task = get_object_or_404(Task.objects.select_related("node"), pk=task_id)  # the area check reads task.node
    return Status(201, services.task_claim(actor=request.person, task=task))


@router.get("/claims/mine", response=Page[ClaimOut], summary="My claims")
def claims_mine(request, limit: Limit = 100, offset: Offset = 0):
    claims = selectors.claims_of(worker=request.person).select_related("worker", "evaluator", "auditor")
    return page(claims.prefetch_related("photos"), limit=limit, offset=offset)


@router.get("/claims/evaluation-queue", response=Page[ClaimOut], summary="Claims waiting for my evaluation")
def claims_evaluation_queue(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.evaluation_queue_in_order(person=request.person), limit=limit, offset=offset)


@router.get("/claims/audit-queue", response=Page[ClaimOut], summary="Claims waiting for my audit")
def claims_audit_queue(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.audit_queue_in_order(person=request.person), limit=limit, offset=offset)


@router.get("/claims/overdue", response=Page[ClaimOut], summary="Late work and late decisions in my area")
def claims_overdue(request, limit: Limit = 100, offset: Offset = 0):
    claims = selectors.overdue_for(person=request.person).select_related("evaluator", "auditor")
    return page(claims, limit=limit, offset=offset)


@router.get("/claims/{int:claim_id}", response=ClaimOut, summary="One claim")
def claim_detail(request, claim_id: Id):
    return _claim(request, claim_id)


@router.post("/claims/{int:claim_id}/release", response={200: ClaimOut, **errors(403, 409)},
             summary="Give my place back")
def claim_release(request, claim_id: Id):
    claim = _claim(request, claim_id, services.ACTION_RELATED)
    return services.claim_release(actor=request.person, claim=claim)


@router.post("/claims/{int:claim_id}/submit", response={200: ClaimOut, **errors(400, 403, 409)},
             summary="Submit evidence (multipart: text, photos, location)")
def claim_submit(
    request, claim_id: Id, text: Annotated[Paragraphs, Form("", max_length=services.MAX_TEXT)] = "",
    latitude: Coordinate = "", longitude: Coordinate = "",
    photos: File[list[UploadedFile]] = None,
):
    claim = _claim(request, claim_id, services.ACTION_RELATED)
    return services.claim_submit(actor=request.person, claim=claim, text=text, latitude=latitude or None,
                                 longitude=longitude or None, photos=photos or [])


@router.post("/claims/{int:claim_id}/evaluate", response={200: ClaimOut, **errors(400, 403, 409)},
             summary="Approve (with an adjustment) or reject")
def claim_evaluate(request, claim_id: Id, payload: EvaluateIn):
    claim = _claim(request, claim_id, services.ACTION_RELATED)
    return services.claim_evaluate(actor=request.person, claim=claim, approve=payload.approve,
                                   adjustment=payload.adjustment, reason=payload.reason)


@router.post("/claims/{int:claim_id}/audit", response={200: ClaimOut, **errors(400, 403, 409)},
             summary="Confirm (grants the points) or send back")
def claim_audit(request, claim_id: Id, payload: AuditIn):
    claim = _claim(request, claim_id, services.ACTION_RELATED)
    return services.claim_audit(actor=request.person, claim=claim, confirm=payload.confirm, reason=payload.reason)


@router.post("/claims/audit-batch", response=list[BatchResult],
             summary=f"Confirm up to {MAX_BATCH} claims; each on its own, each with its result")
def claims_audit_batch(request, payload: BatchIn):
    claims = (Claim.objects.filter(pk__in=payload.claim_ids).select_related(*services.ACTION_RELATED)
              .order_by("pk"))
    results = []
    for claim, error in services.claims_confirm_batch(actor=request.person, claims=claims):
        if error is None:
            results.append({"claim_id": claim.pk, "ok": True})
        else:
            results.append({"claim_id": claim.pk, "ok": False, "code": error.code, "message": message_of(error)})
    return results


@router.get("/notices", response=Page[NoticeOut], summary="Notices for my area")
def notices(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.notices_for(person=request.person), limit=limit, offset=offset)


@router.post("/notices", response={201: NoticeOut, **errors(400, 403, 404)}, summary="Post a notice to a node")
def notice_publish(request, payload: NoticeIn):
    node = get_object_or_404(Node, code=payload.node_code)
    return Status(201, services.notice_publish(actor=request.person, node=node, title=payload.title, body=payload.body))

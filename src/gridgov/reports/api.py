"""API for reports and alerts: the same services as the pages, JSON out, refusals as 4xx {"code","message"}.

Filing is multipart (``POST /reports``: category, node, text, address, latitude, longitude, photos) so a
phone app can send photos; the steps are JSON.
"""

from datetime import datetime
from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gridgov.api_schemas import Coordinate, Id, Limit, Line, Offset, Page, Paragraphs, errors, max_length_of, page
from gridgov.deadlines.selectors import alerts_for
from gridgov.errors import Invalid
from gridgov.orgs.models import Node, Person
from gridgov.reports import selectors, services
from gridgov.reports.models import Category, Report

router = Router(tags=["reports"])

Reason = Annotated[Line, Field(max_length=services.MAX_REASON)]


class CategoryOut(Schema):
    code: str
    name: str
    response_hours: int
    resolution_hours: int
    auto_close_days: int
    points: int


class EventOut(Schema):
    event: str
    from_state: str
    to_state: str
    actor_name: str
    note: str
    created_at: datetime


class ReportOut(Schema):
    id: int
    category: str = Field(alias="category.code")
    node_code: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")
    text: str
    address: str
    state: str
    handler: str | None
    escalation: int
    response_due_at: datetime
    resolution_due_at: datetime
    due_at: datetime | None
    rating: int | None
    created_at: datetime
    photos: int

    @staticmethod
    def resolve_handler(report):
        return report.handler.name if report.handler_id else None

    @staticmethod
    def resolve_photos(report):
        return report.photos.count()


class ReportDetailOut(ReportOut):
    resolution: str
    events: list[EventOut]

    @staticmethod
    def resolve_events(report):
        return list(report.events.all())


class AlertOut(Schema):
    id: int
    item_type: str
    item_id: int
    level: int
    stage: str
    title: str
    due_at: datetime
    node_path: str
    created_at: datetime


class ResolveIn(Schema):
    resolution: Paragraphs = Field(min_length=1, max_length=services.MAX_TEXT)
    useful: bool = True


class RateIn(Schema):
    rating: int = Field(ge=1, le=5, description="1–2 reopens the report (at most twice), 3–5 confirms it.")
    comment: Line = Field("", max_length=services.MAX_COMMENT)


class EscalateIn(Schema):
    reason: Reason = ""


class ReassignIn(Schema):
    handler_id: Id
    reason: Reason = ""


def _report(request, report_id: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("category", "node", "handler"), pk=report_id)
    if not selectors.report_visible(person=request.person, report=report):
        raise Http404(_("No such report."))
    return report


@router.get("/reports/categories", response=Page[CategoryOut], summary="Report categories with their deadlines")
def categories(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.categories(), limit=limit, offset=offset)


@router.post("/reports", response={201: ReportDetailOut, **errors(400, 403, 404)},
             summary="File a report (multipart, photos optional)")
def report_file(request, category: Annotated[Line, Form(..., max_length=max_length_of(Category, "code"))],
                node: Annotated[Line, Form(..., max_length=max_length_of(Node, "code"))],
                text: Annotated[Paragraphs, Form("", max_length=services.MAX_TEXT)] = "",
                address: Annotated[Line, Form("", max_length=services.MAX_ADDRESS)] = "",
                latitude: Coordinate = "", longitude: Coordinate = "",
                public: Annotated[bool, Form(False, description="Show it, with its handling, on the village board "
                                                                "(the reporter's name never)")] = False,
                photos: File[list[UploadedFile]] = None):
    category_row = Category.objects.filter(code=category, is_active=True).first()
    if category_row is None:
        raise Invalid("Unknown category.", code="unknown_category")
    node_row = Node.objects.filter(code=node).first()
    if node_row is None:
        raise Http404(_("No such node."))
    report = services.report_file(actor=request.person, node=node_row, category=category_row, text=text,
                                  address=address, latitude=latitude or None, longitude=longitude or None,
                                  photos=photos or [], public=public)
    return Status(201, report)


@router.get("/reports/mine", response=Page[ReportOut], summary="Reports I filed")
def mine(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.reports_of(reporter=request.person), limit=limit, offset=offset)


@router.get("/reports/queue", response=Page[ReportOut], summary="Open work orders I handle, most urgent first")
def queue(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.handler_queue(person=request.person), limit=limit, offset=offset)


@router.get("/reports/{int:report_id}", response=ReportDetailOut, summary="One report with its timeline")
def detail(request, report_id: Id):
    return _report(request, report_id)


STEP_ERRORS = errors(400, 403, 409)


@router.post("/reports/{int:report_id}/accept", response={200: ReportDetailOut, **STEP_ERRORS})
def accept(request, report_id: Id):
    return services.report_accept(actor=request.person, report=_report(request, report_id))


@router.post("/reports/{int:report_id}/start", response={200: ReportDetailOut, **STEP_ERRORS})
def start(request, report_id: Id):
    return services.report_start(actor=request.person, report=_report(request, report_id))


@router.post("/reports/{int:report_id}/resolve", response={200: ReportDetailOut, **STEP_ERRORS})
def resolve(request, report_id: Id, payload: ResolveIn):
    return services.report_resolve(actor=request.person, report=_report(request, report_id),
                                   resolution=payload.resolution, useful=payload.useful)


@router.post("/reports/{int:report_id}/rate", response={200: ReportDetailOut, **STEP_ERRORS},
             summary="Rate 1–5 (1–2 reopens)")
def rate(request, report_id: Id, payload: RateIn):
    return services.report_rate(actor=request.person, report=_report(request, report_id), rating=payload.rating,
                                comment=payload.comment)


@router.post("/reports/{int:report_id}/escalate", response={200: ReportDetailOut, **STEP_ERRORS})
def escalate(request, report_id: Id, payload: EscalateIn):
    return services.report_escalate(actor=request.person, report=_report(request, report_id), reason=payload.reason)


@router.post("/reports/{int:report_id}/reassign", response={200: ReportDetailOut, **STEP_ERRORS},
             summary="Hand the report to another handler (400 invalid_handler for an unknown person)")
def reassign(request, report_id: Id, payload: ReassignIn):
    report = _report(request, report_id)
    handler = Person.objects.filter(pk=payload.handler_id).first()
    return services.report_reassign(actor=request.person, report=report, handler=handler, reason=payload.reason)


@router.get("/alerts", response=Page[AlertOut], summary="My open alerts")
def alerts(request, limit: Limit = 100, offset: Offset = 0):
    return page(alerts_for(person=request.person), limit=limit, offset=offset)

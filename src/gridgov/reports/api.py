"""API for reports and alerts: the same services as the pages, JSON out, refusals as 4xx {"code","message"}.

Filing is multipart (``POST /reports``: category, node, text, address, latitude, longitude, photos) so a
phone app can send photos; the steps are JSON.
"""

from datetime import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from gridgov.deadlines.selectors import alerts_for
from gridgov.errors import Invalid
from gridgov.orgs.models import Node
from gridgov.reports import selectors, services
from gridgov.reports.models import Category, Report

router = Router(tags=["reports"])


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
    resolution: str
    useful: bool = True


class RateIn(Schema):
    rating: int
    comment: str = ""


class EscalateIn(Schema):
    reason: str = ""


class ReassignIn(Schema):
    handler_id: int


def _report(request, report_id: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("category", "node", "handler"), pk=report_id)
    if not selectors.report_visible(person=request.person, report=report):
        raise Http404("No such report.")
    return report


@router.get("/reports/categories", response=list[CategoryOut], summary="Report categories with their deadlines")
def categories(request):
    return list(selectors.categories())


@router.post("/reports", response={201: ReportDetailOut}, summary="File a report (multipart, photos optional)")
def report_file(request, category: Form[str], node: Form[str], text: Form[str] = "", address: Form[str] = "",
                latitude: Form[str] = "", longitude: Form[str] = "", photos: File[list[UploadedFile]] = None):
    category_row = Category.objects.filter(code=category, is_active=True).first()
    if category_row is None:
        raise Invalid("Unknown category.", code="unknown_category")
    node_row = Node.objects.filter(code=node).first()
    if node_row is None:
        raise Http404("No such node.")
    report = services.report_file(actor=request.person, node=node_row, category=category_row, text=text,
                                  address=address, latitude=latitude or None, longitude=longitude or None,
                                  photos=photos or [])
    return Status(201, report)


@router.get("/reports/mine", response=list[ReportOut], summary="Reports I filed")
def mine(request):
    return list(selectors.reports_of(reporter=request.person)[:200])


@router.get("/reports/queue", response=list[ReportOut], summary="Open work orders I handle, most urgent first")
def queue(request):
    return list(selectors.handler_queue(person=request.person)[:200])


@router.get("/reports/{report_id}", response=ReportDetailOut, summary="One report with its timeline")
def detail(request, report_id: int):
    return _report(request, report_id)


@router.post("/reports/{report_id}/accept", response=ReportDetailOut)
def accept(request, report_id: int):
    return services.report_accept(actor=request.person, report=_report(request, report_id))


@router.post("/reports/{report_id}/start", response=ReportDetailOut)
def start(request, report_id: int):
    return services.report_start(actor=request.person, report=_report(request, report_id))


@router.post("/reports/{report_id}/resolve", response=ReportDetailOut)
def resolve(request, report_id: int, payload: ResolveIn):
    return services.report_resolve(actor=request.person, report=_report(request, report_id),
                                   resolution=payload.resolution, useful=payload.useful)


@router.post("/reports/{report_id}/rate", response=ReportDetailOut, summary="Rate 1–5 (1–2 reopens)")
def rate(request, report_id: int, payload: RateIn):
    return services.report_rate(actor=request.person, report=_report(request, report_id), rating=payload.rating,
                                comment=payload.comment)


@router.post("/reports/{report_id}/escalate", response=ReportDetailOut)
def escalate(request, report_id: int, payload: EscalateIn):
    return services.report_escalate(actor=request.person, report=_report(request, report_id), reason=payload.reason)


@router.post("/reports/{report_id}/reassign", response=ReportDetailOut)
def reassign(request, report_id: int, payload: ReassignIn):
    from gridgov.orgs.models import Person

    handler = Person.objects.filter(pk=payload.handler_id).first()
    return services.report_reassign(actor=request.person, report=_report(request, report_id), handler=handler)


@router.get("/alerts", response=list[AlertOut], summary="My open alerts")
def alerts(request):
    return list(alerts_for(person=request.person)[:500])

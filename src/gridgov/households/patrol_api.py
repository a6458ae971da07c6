"""API for patrols (巡查打卡): my windows today, a check-in (Idempotency-Key recommended), an area's windows and
its missed windows; a cadre sets a window. The same services as the pages. Schema names start with ``Household``."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated

from django.utils import timezone
from ninja import Field, Router, Schema, Status

from gridgov.api_schemas import Day, Id, Limit, Line, Offset, Page, Paragraphs, errors, page
from gridgov.errors import NotFound
from gridgov.households import patrols, selectors
from gridgov.households.api import NodeCode, NodeQuery
from gridgov.households.models import PatrolWindow
from gridgov.orgs.models import Role

router = Router(tags=["households"])

class HouseholdPatrolWindowOut(Schema):
    id: int
    node: str = Field(description="The code of the area the window covers")
    role: Role
    label: str
    starts: time
    ends: time
    weekdays: str = Field(description="ISO weekday digits, 1 Monday … 7 Sunday")

    @staticmethod
    def resolve_node(window):
        return window.node.code


class HouseholdPatrolWindowIn(Schema):
    node: NodeCode
    label: Line = Field(max_length=patrols.MAX_LABEL)
    starts: time = Field(description="Wall-clock time in the installation's time zone, without an offset")
    ends: time
    weekdays: Annotated[str, Field("12345", min_length=1, max_length=7, pattern="^[1-7]+$")]
    role: Role = Role.GRID_WORKER


class HouseholdTodayOut(Schema):
    window: HouseholdPatrolWindowOut
    starts_at: datetime
    ends_at: datetime
    state: str = Field(description="later, open, done or missed")
    checked_in_at: datetime | None


class HouseholdCheckInIn(Schema):
    window_id: Id | None = Field(None, description="The window, when several are open at once")
    note: Paragraphs = Field("", max_length=patrols.MAX_NOTE)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=10, decimal_places=6)


class HouseholdPatrolOut(Schema):
    id: int
    window_id: int
    worker_id: int
    worker: str
    node: str
    day: date
    state: str
    due_at: datetime | None
    checked_in_at: datetime | None

    @staticmethod
    def resolve_worker(patrol):
        return patrol.worker.name

    @staticmethod
    def resolve_node(patrol):
        return patrol.node.code


@router.get("/households/patrols/today", response=Page[HouseholdTodayOut], summary="My patrol windows today")
def patrol_today(request, limit: Limit = 100, offset: Offset = 0):
    now = timezone.now()
    return page([{"window": each.window, "starts_at": each.starts_at, "ends_at": each.ends_at,
                  "state": each.state(now), "checked_in_at": each.patrol.checked_in_at if each.patrol else None}
                 for each in patrols.today_for(request.person, now=now)], limit=limit, offset=offset)


@router.post("/households/patrols/check-ins", response={201: HouseholdPatrolOut, **errors(400, 404, 409)},
             summary="Check in my patrol in the window open now (Idempotency-Key recommended)")
def patrol_check_in(request, payload: HouseholdCheckInIn):
    window = None
    if payload.window_id is not None:
        window = PatrolWindow.objects.filter(pk=payload.window_id).first()
        if window is None:
            raise NotFound()
    done = patrols.check_in(actor=request.person, window=window, note=payload.note, latitude=payload.latitude,
                            longitude=payload.longitude, idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, done)


@router.get("/households/patrols/windows", response={200: Page[HouseholdPatrolWindowOut], **errors(403, 404)},
            summary="The patrol windows of an area (default: the first of mine)")
def patrol_windows(request, node: NodeQuery = "", limit: Limit = 100,
                   offset: Offset = 0):
    found = selectors.area_node(request.person, "household.patrol_view", node)
    return page(PatrolWindow.objects.filter(node__path__startswith=found.path, is_active=True).select_related("node")
                .order_by("node__path", "starts", "pk"), limit=limit, offset=offset)


@router.post("/households/patrols/windows", response={201: HouseholdPatrolWindowOut, **errors(400, 403, 404)},
             summary="Set a patrol window for an area (cadres)")
def patrol_window_create(request, payload: HouseholdPatrolWindowIn):
    found = selectors.area_node(request.person, "household.patrol_manage", payload.node)
    window = patrols.window_create(actor=request.person, node=found, label=payload.label, starts=payload.starts,
                                   ends=payload.ends, weekdays=payload.weekdays, role=payload.role)
    return Status(201, window)


@router.get("/households/patrols/missed", response={200: Page[HouseholdPatrolOut], **errors(403, 404)},
            summary="Windows nobody checked in, by grid, for the 7 days up to ``until``")
def patrol_missed(request, node: NodeQuery = "", until: Day | None = None,
                  limit: Limit = 100, offset: Offset = 0):
    found = selectors.area_node(request.person, "household.patrol_view", node)
    until = until or timezone.localdate()
    return page(patrols.missed_in(found, since=until - timedelta(days=6), until=until), limit=limit, offset=offset)

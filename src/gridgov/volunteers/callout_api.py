"""API for call-outs (紧急动员): raise one, list those of my area, the live count against the target, the map of
who is coming, answer 到 / 不能到, close. A second router of the volunteers app, mounted beside ``api``'s; the
operation ids are those these endpoints had when they lived in ``volunteers/api.py``, so clients generated from
the document keep their names."""

from datetime import datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from gridgov.api_schemas import Id, Limit, Line, Offset, Page, errors, page
from gridgov.orgs.permissions import role_paths
from gridgov.volunteers import callouts, selectors
from gridgov.volunteers.api import STEP_ERRORS, Latitude, Longitude, NodeCode, _node
from gridgov.volunteers.models import Answer, Callout, CalloutKind

router = Router(tags=["volunteers"])
OPERATIONS = "gridgov_volunteers_api"  # the operation ids' prefix, as when they lived in volunteers/api.py


class VolunteerCalloutIn(Schema):
    node: NodeCode
    kind: CalloutKind
    title: Line = Field(min_length=1, max_length=100)
    target: int = Field(ge=1, le=callouts.MAX_TARGET)
    assembly_point: Line = Field(min_length=1, max_length=200)
    latitude: Latitude = None
    longitude: Longitude = None
    radius_m: int | None = Field(None, ge=1, le=callouts.MAX_RADIUS_M)


class VolunteerCalloutOut(Schema):
    id: int
    node: str = Field(alias="node.code")
    kind: str
    title: str
    target: int
    assembly_point: str
    radius_m: int | None
    told: int
    raised_at: datetime
    closed_at: datetime | None


class VolunteerLiveOut(Schema):
    told: int
    coming: int
    cannot: int
    target: int


class VolunteerAssemblyOut(Schema):
    name: str
    lat: float
    lon: float


class VolunteerMapPersonOut(Schema):
    name: str
    lat: float
    lon: float
    source: Literal["shared", "registered", "grid"] = Field(
        description="shared: the location given when answering; registered: the volunteer's own; grid: the "
                    "centre of their grid's boundary")


class VolunteerCalloutMapOut(Schema):
    id: int
    closed: bool
    told: int
    target: int
    coming: int
    cannot: int
    assembly: VolunteerAssemblyOut | None
    people: list[VolunteerMapPersonOut] = Field(description="Those coming with a place (cadres of the area only)")
    unlocated: list[str] = Field(description="The names of those coming without any location (cadres only)")
    not_listed: int = Field(description="Those coming beyond the first 5,000 (counted, not listed)")
    drawable: bool = Field(description="Whether there is anything to draw (a location, or a boundary if asked)")
    boundaries: dict | None = Field(description="The area's GeoJSON FeatureCollection, when asked for")


class VolunteerAnswerIn(Schema):
    answer: Answer
    latitude: Latitude = None
    longitude: Longitude = None


class VolunteerAnswerOut(Schema):
    answer: str
    answered_at: datetime


def _callout(request, callout_id: int) -> Callout:
    found = Callout.objects.select_related("node").filter(pk=callout_id).first()
    if found is None:
        raise Http404(_("No such call-out."))
    in_area = selectors.callout_in_area(person=request.person, callout=found)
    volunteer = selectors.volunteer_for(request.person)
    if not in_area and not (volunteer and volunteer.node.path.startswith(found.node.path)):
        raise Http404(_("No such call-out."))
    return found


@router.get("/volunteers/callouts", response=Page[VolunteerCalloutOut], summary="Call-outs of my area",
            operation_id=f"{OPERATIONS}_callout_list")
def callout_list(request, limit: Limit = 100, offset: Offset = 0):
    found = (selectors.callouts_in_area(person=request.person) if role_paths(request.person, "volunteer.view")
             else selectors.callouts_for(person=request.person))
    return page(found, limit=limit, offset=offset)


@router.post("/volunteers/callouts", response={201: VolunteerCalloutOut, **STEP_ERRORS},
             summary="Raise a call-out: every volunteer of the area is told at once",
             operation_id=f"{OPERATIONS}_callout_raise")
def callout_raise(request, payload: VolunteerCalloutIn):
    raised = callouts.callout_raise(
        actor=request.person, node=_node(request, payload.node, "volunteer.callout"), kind=payload.kind,
        title=payload.title, target=payload.target, assembly_point=payload.assembly_point,
        latitude=payload.latitude, longitude=payload.longitude, radius_m=payload.radius_m,
        idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, raised)


@router.get("/volunteers/callouts/{int:callout_id}", response={200: VolunteerCalloutOut, **errors(404)},
            operation_id=f"{OPERATIONS}_callout_detail")
def callout_detail(request, callout_id: Id):
    return _callout(request, callout_id)


@router.get("/volunteers/callouts/{int:callout_id}/live", response={200: VolunteerLiveOut, **errors(404)},
            summary="The live count against the target",
            operation_id=f"{OPERATIONS}_callout_live")
def callout_live(request, callout_id: Id):
    return selectors.callout_live(_callout(request, callout_id))


@router.get("/volunteers/callouts/{int:callout_id}/map", response={200: VolunteerCalloutMapOut, **errors(404)},
            summary="The call-out's map: the assembly point and, for the area's cadres, who is coming from where",
            operation_id=f"{OPERATIONS}_callout_map")
def callout_map(request, callout_id: Id, boundaries: bool = False):
    found = _callout(request, callout_id)
    in_area = selectors.callout_in_area(person=request.person, callout=found)
    return selectors.callout_map(found, cadre=in_area, boundaries=boundaries)


@router.post("/volunteers/callouts/{int:callout_id}/answer", response={201: VolunteerAnswerOut, **STEP_ERRORS},
             summary="Answer coming or cannot come (once)",
             operation_id=f"{OPERATIONS}_callout_answer")
def callout_answer(request, callout_id: Id, payload: VolunteerAnswerIn):
    given = callouts.callout_answer(actor=request.person, callout=_callout(request, callout_id),
                                    answer=payload.answer, latitude=payload.latitude, longitude=payload.longitude)
    return Status(201, given)


@router.post("/volunteers/callouts/{int:callout_id}/close", response={200: VolunteerCalloutOut, **STEP_ERRORS},
             operation_id=f"{OPERATIONS}_callout_close")
def callout_close(request, callout_id: Id):
    return callouts.callout_close(actor=request.person, callout=_callout(request, callout_id))

"""API for volunteer service: categories, registering, needs (post, review, claim, check in and out, confirm,
cancel), my hours against the yearly rule, the cadres' standings, service days, rankings; call-outs are in
``callout_api`` (a second router mounted beside this one). The same services as the pages; refusals as 4xx
``{"code", "message"}``. Schema names start with ``Volunteer``."""

from datetime import date, datetime, time
from typing import Annotated, Literal

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gridgov.api_schemas import DateTime, Id, Limit, Line, Offset, Page, Paragraphs, errors, page
from gridgov.orgs.models import Node
from gridgov.orgs.permissions import role_paths
from gridgov.volunteers import calendar, selectors, services
from gridgov.volunteers.models import Cadence, Category, Need, RequesterKind

router = Router(tags=["volunteers"])

Latitude = Annotated[float | None, Field(None, ge=-90, le=90)]
Longitude = Annotated[float | None, Field(None, ge=-180, le=180)]
NodeCode = Annotated[Line, Field(max_length=50, description="The code of a node of your area")]
STEP_ERRORS = errors(400, 403, 404, 409)


class VolunteerCategoryOut(Schema):
    code: str
    name: str
    skill: str
    needs_review: bool
    publish_minutes: int
    claim_minutes: int
    complete_minutes: int


class VolunteerOut(Schema):
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")
    skills: str
    is_party_member: bool
    is_active: bool


class VolunteerIn(Schema):
    node: NodeCode
    skills: Line = Field("", max_length=services.MAX_SKILLS)
    is_party_member: bool = False
    latitude: Latitude = None
    longitude: Longitude = None


class VolunteerNeedOut(Schema):
    id: int
    category: str = Field(alias="category.code")
    category_name: str = Field(alias="category.name")
    node: str = Field(alias="node.code")
    node_name: str = Field(alias="node.name")
    title: str
    description: str
    place: str
    latitude: float | None
    longitude: float | None
    starts_at: datetime
    helpers: int
    claimed: int
    state: str
    requester_kind: str
    company: str
    due_at: datetime | None
    submitted_at: datetime
    published_at: datetime | None
    served_at: datetime | None
    closed_at: datetime | None


class VolunteerNeedIn(Schema):
    category: Line = Field(max_length=32, description="The code of a category")
    node: NodeCode
    title: Line = Field(min_length=1, max_length=services.MAX_TITLE)
    place: Line = Field(min_length=1, max_length=services.MAX_PLACE)
    starts_at: DateTime
    helpers: int = Field(1, ge=1, le=services.MAX_HELPERS)
    description: Paragraphs = Field("", max_length=services.MAX_DESCRIPTION)
    latitude: Latitude = None
    longitude: Longitude = None
    requester_kind: RequesterKind = RequesterKind.RESIDENT
    company: Line = Field("", max_length=services.MAX_COMPANY)


class VolunteerClaimOut(Schema):
    id: int
    need_id: int
    volunteer: str = Field(alias="volunteer.name")
    state: str
    claimed_at: datetime
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    minutes: int | None
    rating: int | None


class VolunteerCheckIn(Schema):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class VolunteerCheckOut(VolunteerCheckIn):
    minutes: int | None = Field(None, ge=1, le=24 * 60, description="Less than the whole span, if so")
    at: DateTime | None = Field(None, description="When the service ended (default: now)")


class VolunteerReviewIn(Schema):
    approve: bool
    reason: Line = Field("", max_length=200)


class VolunteerReasonIn(Schema):
    reason: Line = Field(min_length=1, max_length=200)


class VolunteerConfirmIn(Schema):
    rating: int | None = Field(None, ge=1, le=5)


class VolunteerHoursOut(Schema):
    year: int
    hours: float
    required_hours: int
    reached: bool


class VolunteerStandingOut(Schema):
    person_id: int
    name: str
    node_name: str
    is_party_member: bool
    hours: float
    short: bool


def _node(request, code: str, action: str) -> Node:
    node = Node.objects.filter(code=code).first()
    if node is None or not any(node.path.startswith(path) for path in role_paths(request.person, action)):
        raise Http404(_("No node with this code in your area."))
    return node


def _need(request, need_id: int) -> Need:
    need = Need.objects.select_related("category", "node").filter(pk=need_id).first()
    if need is None or not selectors.need_visible(person=request.person, need=need):
        raise Http404(_("No such need."))
    return need


def _category(code: str) -> Category:
    """A category in use, by its code (a need or a service day names one)."""
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Http404(_("No such category."))
    return category


@router.get("/volunteers/categories", response=Page[VolunteerCategoryOut], summary="Need categories and their windows")
def categories(request, limit: Limit = 100, offset: Offset = 0):
    return page(Category.objects.filter(is_active=True), limit=limit, offset=offset)


@router.get("/volunteers/me", response={200: VolunteerOut, **errors(404)}, summary="My volunteer registration")
def me(request):
    volunteer = selectors.volunteer_for(request.person)
    if volunteer is None:
        raise Http404(_("You are not registered as a volunteer."))
    return volunteer


@router.put("/volunteers/me", response={200: VolunteerOut, **errors(400, 403, 404)},
            summary="Register as a volunteer (or change the registration)")
def register(request, payload: VolunteerIn):
    return services.volunteer_register(actor=request.person, person=request.person,
                                       node=_node(request, payload.node, "volunteer.join"), skills=payload.skills,
                                       is_party_member=payload.is_party_member, latitude=payload.latitude,
                                       longitude=payload.longitude)


@router.get("/volunteers/me/hours", response=VolunteerHoursOut, summary="My hours this year against the yearly rule")
def my_hours(request):
    year = selectors.this_year()
    minutes = selectors.minutes_in_year(person=request.person, year=year)
    return {"year": year, "hours": round(minutes / 60, 1), "required_hours": selectors.YEARLY_MINUTES // 60,
            "reached": minutes >= selectors.YEARLY_MINUTES}


@router.get("/volunteers/standings", response={200: Page[VolunteerStandingOut], **errors(404)},
            summary="Volunteers of an area with their hours in a year, those short of the rule first")
def standings(request, node: Annotated[str, Query(..., max_length=50)],
              year: Annotated[int, Query(..., ge=2000, le=2100)], party_only: bool = True,
              limit: Limit = 100, offset: Offset = 0):
    found = selectors.standings(node=_node(request, node, "volunteer.view"), year=year, party_only=party_only)
    return page(found, limit=limit, offset=offset)


@router.get("/volunteers/needs", response=Page[VolunteerNeedOut], summary="Needs I may claim (in my street, or covering a household I am linked to)")
def square(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.needs_square(person=request.person), limit=limit, offset=offset)


@router.get("/volunteers/needs/mine", response=Page[VolunteerNeedOut], summary="Needs I asked for")
def mine(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.needs_of(person=request.person), limit=limit, offset=offset)


@router.get("/volunteers/needs/area", response=Page[VolunteerNeedOut], summary="Every need of my area (cadres)")
def area(request, state: Annotated[str, Query("", max_length=12)] = "", limit: Limit = 100, offset: Offset = 0):
    return page(selectors.needs_in_area(person=request.person, state=state), limit=limit, offset=offset)


@router.post("/volunteers/needs", response={201: VolunteerNeedOut, **STEP_ERRORS},
             summary="Post a need (Idempotency-Key recommended)")
def need_create(request, payload: VolunteerNeedIn):
    need = services.need_submit(
        actor=request.person, category=_category(payload.category), node=_node(request, payload.node, "volunteer.need"),
        title=payload.title, place=payload.place, starts_at=payload.starts_at, helpers=payload.helpers,
        description=payload.description, latitude=payload.latitude, longitude=payload.longitude,
        requester_kind=payload.requester_kind, company=payload.company,
        idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, need)


@router.get("/volunteers/needs/{int:need_id}", response={200: VolunteerNeedOut, **errors(404)}, summary="One need")
def need_detail(request, need_id: Id):
    return _need(request, need_id)


@router.get("/volunteers/needs/{int:need_id}/claims", response={200: Page[VolunteerClaimOut], **errors(404)},
            summary="The need's helpers")
def need_claims(request, need_id: Id, limit: Limit = 100, offset: Offset = 0):
    return page(_need(request, need_id).claims.select_related("volunteer").order_by("pk"), limit=limit, offset=offset)


@router.post("/volunteers/needs/{int:need_id}/review", response={200: VolunteerNeedOut, **STEP_ERRORS},
             summary="Publish a need waiting for review, or decline it (with a reason)")
def need_review(request, need_id: Id, payload: VolunteerReviewIn):
    return services.need_review(actor=request.person, need=_need(request, need_id), approve=payload.approve,
                                reason=payload.reason)


@router.post("/volunteers/needs/{int:need_id}/cancel", response={200: VolunteerNeedOut, **STEP_ERRORS})
def need_cancel(request, need_id: Id, payload: VolunteerReasonIn):
    return services.need_cancel(actor=request.person, need=_need(request, need_id), reason=payload.reason)


@router.post("/volunteers/needs/{int:need_id}/claim", response={201: VolunteerClaimOut, **STEP_ERRORS},
             summary="Claim a place (first come; never more than the need wants)")
def need_claim(request, need_id: Id):
    return Status(201, services.need_claim(actor=request.person, need=_need(request, need_id)))


def _my_claim(request, need_id: int):
    claim = _need(request, need_id).claims.filter(volunteer=request.person).exclude(state="withdrawn").first()
    if claim is None:
        raise Http404(_("You have not claimed this need."))
    return claim


@router.post("/volunteers/needs/{int:need_id}/check-in", response={200: VolunteerClaimOut, **STEP_ERRORS})
def check_in(request, need_id: Id, payload: VolunteerCheckIn):
    return services.claim_check_in(actor=request.person, claim=_my_claim(request, need_id),
                                   latitude=payload.latitude, longitude=payload.longitude)


@router.post("/volunteers/needs/{int:need_id}/check-out", response={200: VolunteerClaimOut, **STEP_ERRORS})
def check_out(request, need_id: Id, payload: VolunteerCheckOut):
    return services.claim_check_out(actor=request.person, claim=_my_claim(request, need_id),
                                    latitude=payload.latitude, longitude=payload.longitude,
                                    minutes=payload.minutes, at=payload.at)


@router.post("/volunteers/needs/{int:need_id}/confirm", response={200: VolunteerNeedOut, **STEP_ERRORS},
             summary="The requester confirms the service: the helpers' hours are credited")
def confirm(request, need_id: Id, payload: VolunteerConfirmIn):
    return services.need_confirm(actor=request.person, need=_need(request, need_id), rating=payload.rating)


@router.post("/volunteers/needs/{int:need_id}/release", response={200: VolunteerClaimOut, **STEP_ERRORS},
             summary="Give my place back before checking in: the place reopens")
def release(request, need_id: Id):
    return services.claim_release(actor=request.person, claim=_my_claim(request, need_id))


class VolunteerServiceDayIn(Schema):
    name: Line = Field(min_length=1, max_length=50)
    node: NodeCode
    category: Line = Field(max_length=32, description="The code of a category")
    cadence: Cadence
    weekday: int | None = Field(None, ge=0, le=6, description="weekly: 0 is Monday")
    day_of_month: int | None = Field(None, ge=1, le=31, description="monthly: the day (29–31: the month's last)")
    month: int | None = Field(None, ge=1, le=12, description="last_week: the month whose last week it is")
    title: Line = Field(min_length=1, max_length=services.MAX_TITLE)
    place: Line = Field(min_length=1, max_length=services.MAX_PLACE)
    start_time: time
    helpers: int = Field(10, ge=1, le=services.MAX_HELPERS)
    lead_days: int = Field(7, ge=1, le=calendar.MAX_LEAD_DAYS)


class VolunteerServiceDayOut(Schema):
    id: int
    name: str
    node: str = Field(alias="node.code")
    category: str = Field(alias="category.code")
    cadence: str
    weekday: int | None
    day_of_month: int | None
    month: int | None
    title: str
    place: str
    start_time: time
    helpers: int
    lead_days: int
    generated_until: date | None
    is_active: bool


class VolunteerSwitchIn(Schema):
    active: bool


class VolunteerRankOut(Schema):
    rank: int
    name: str
    hours: float
    services: int
    rating: float | None


@router.get("/volunteers/service-days", response=Page[VolunteerServiceDayOut],
            summary="Recurring service days of my area (cadres)")
def service_days(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.service_days_in_area(person=request.person), limit=limit, offset=offset)


@router.post("/volunteers/service-days", response={201: VolunteerServiceDayOut, **STEP_ERRORS},
             summary="Add a recurring service day; its needs are posted ahead by themselves (Idempotency-Key)")
def service_day_create(request, payload: VolunteerServiceDayIn):
    rule = calendar.service_day_save(
        actor=request.person, node=_node(request, payload.node, "volunteer.manage"), name=payload.name,
        category=_category(payload.category), cadence=payload.cadence, weekday=payload.weekday, day_of_month=payload.day_of_month,
        month=payload.month, title=payload.title, place=payload.place, start_time=payload.start_time,
        helpers=payload.helpers, lead_days=payload.lead_days,
        idempotency_key=request.headers.get("Idempotency-Key", ""))
    calendar.generate()
    rule.refresh_from_db()
    return Status(201, rule)


@router.post("/volunteers/service-days/{int:day_id}/switch", response={200: VolunteerServiceDayOut, **STEP_ERRORS},
             summary="Stop a service day, or start it again")
def service_day_switch(request, day_id: Id, payload: VolunteerSwitchIn):
    rule = selectors.service_days_in_area(person=request.person).filter(pk=day_id).first()
    if rule is None:
        raise Http404(_("There is no such service day."))
    return calendar.service_day_switch(actor=request.person, rule=rule, active=payload.active)


@router.get("/volunteers/ranking", response={200: Page[VolunteerRankOut], **errors(404)},
            summary="Volunteers (by=person) or the units below the node (by=node) ranked by hours or rating")
def ranking(request, node: Annotated[str, Query(..., max_length=50)],
            period: Literal["month", "quarter", "year"] = "month",
            by: Literal["person", "node"] = "person", order: Literal["hours", "rating"] = "hours",
            category: Annotated[str, Query("", max_length=32)] = "", limit: Limit = 100, offset: Offset = 0):
    area = _node(request, node, "volunteer.view")
    chosen = None
    if category:
        chosen = Category.objects.filter(code=category).first()
        if chosen is None:
            raise Http404(_("No such category."))
    since, until = selectors.period_bounds(period, timezone.localdate())
    rows = selectors.ranking(node=area, since=since, until=until, category=chosen, by=by, order=order, limit=500)
    return page(rows, limit=limit, offset=offset)

"""API for bookings: the catalogue, availability, booking, the review chain, attendance and ratings. The same
services as the pages; refusals as 4xx ``{"code", "message"}``. Schema names start with ``Booking`` (OpenAPI
components are one namespace for the whole API)."""

import re
from datetime import date, datetime, time
from typing import Annotated

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from gridgov.api_schemas import Day, Id, Limit, Line, Offset, Page, errors, max_length_of, page
from gridgov.bookings import selectors, services
from gridgov.bookings.models import Base, BaseSlot, Booking, Route
from gridgov.errors import Invalid, PermissionDenied
from gridgov.orgs.models import Node, Person

router = Router(tags=["bookings"])

Reason = Annotated[Line, Field(max_length=services.MAX_REASON)]
MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


class BookingSlotOut(Schema):
    id: int
    label: str
    starts_at: time
    ends_at: time
    capacity: int


class BookingPlanOut(Schema):
    id: int
    theme: str
    duration_minutes: int
    teaching: list[str]
    activities: str

    @staticmethod
    def resolve_teaching(plan):
        return plan.teaching_items


class BookingBaseOut(Schema):
    code: str
    name: str
    section: str = Field(alias="section.name")
    address: str
    open_weekdays: str = Field(description="ISO weekdays the base is open, 1 = Monday … 7 = Sunday")
    accessibility: str
    latitude: float | None
    longitude: float | None


class BookingBaseDetailOut(BookingBaseOut):
    description: str
    phone: str
    slots: list[BookingSlotOut]
    plans: list[BookingPlanOut]

    @staticmethod
    def resolve_slots(base):
        return list(base.slots.all())

    @staticmethod
    def resolve_plans(base):
        return list(base.plans.all())


class BookingSectionOut(Schema):
    code: str
    name: str
    bases: list[str] = Field(description="The codes of the section's bases")

    @staticmethod
    def resolve_bases(section):
        return [base.code for base in section.bases.all()]


class BookingRouteOut(Schema):
    code: str
    name: str
    description: str
    bases: list[str] = Field(description="The codes of the bases in visiting order")

    @staticmethod
    def resolve_bases(route):
        return [stop.base.code for stop in route.stops.all()]


class BookingSlotPlacesOut(Schema):
    slot_id: int
    left: int


class BookingDayOut(Schema):
    date: date
    open: bool
    slots: list[BookingSlotPlacesOut]


class BookingMonthOut(Schema):
    base: str
    month: str
    days: list[BookingDayOut]


class BookingOut(Schema):
    id: int
    state: str
    base: str = Field(alias="base.code")
    base_name: str = Field(alias="base.name")
    plan_id: int
    plan_theme: str = Field(alias="plan.theme")
    organisation: str = Field(alias="organisation.code")
    organisation_name: str = Field(alias="organisation.name")
    date: date
    slot_id: int
    starts_at: datetime
    headcount: int
    due_at: datetime | None
    handed_over: bool
    reviewer: str | None
    liaison: str | None
    liaison_phone: str | None
    contact_phone: str
    decision_reason: str
    route: str | None = Field(None, description="the route this booking was made with, if any")
    trip: str = Field("", description="the same for every booking of one route trip")
    created_at: datetime

    @staticmethod
    def resolve_route(booking):
        return booking.route.code if booking.route_id else None

    @staticmethod
    def resolve_reviewer(booking):
        return booking.reviewer.name if booking.reviewer_id else None

    @staticmethod
    def resolve_liaison(booking):
        return booking.liaison.name if booking.liaison_id else None

    @staticmethod
    def resolve_liaison_phone(booking):
        return (booking.liaison.phone or None) if booking.liaison_id else None


class BookingRouteIn(Schema):
    organisation: Line = Field(max_length=max_length_of(Node, "code"), description="The code of the organisation")
    date: Day
    headcount: int = Field(ge=1, le=10_000)
    contact_phone: Line = Field("", max_length=services.MAX_PHONE)
    note: Line = Field("", max_length=services.MAX_NOTE)


class BookingIn(BookingRouteIn):
    plan_id: Id
    slot_id: Id


class BookingDecideIn(Schema):
    approve: bool
    reason: Reason = ""


class BookingCancelIn(Schema):
    reason: Reason = ""


class BookingRescheduleIn(Schema):
    date: Day
    slot_id: Id


class BookingLiaisonIn(Schema):
    liaison_id: Id


class BookingFiguresOut(Schema):
    section: str
    base: str | None = None
    bases: int | None = None
    bookings: int
    attended: int
    no_show: int
    dropped: int = Field(description="cancelled or declined")
    person_visits: int
    ratings: int
    mean: float | None


class BookingYearOut(Schema):
    year: int
    bases: list[BookingFiguresOut]
    sections: list[BookingFiguresOut]


class BookingAttendanceIn(Schema):
    headcount: int = Field(0, ge=0, le=10_000)
    no_show: bool = False
    people: list[Id] = Field([], max_length=10_000, description="ids of the organisation's members who came")
    note: Line = Field("", max_length=300)


class BookingRatingIn(Schema):
    token: Line = Field(max_length=500)
    score: int = Field(ge=1, le=5)
    comment: Line = Field("", max_length=services.MAX_COMMENT)


class BookingRatingOut(Schema):
    id: int
    score: int
    comment: str
    created_at: datetime


def _base(code: str) -> Base:
    base = selectors.base_by_code(code)
    if base is None:
        raise Http404(_("No such base."))
    return base


def _booking(request, booking_id: int) -> Booking:
    booking = selectors.booking_for(person=request.person, pk=booking_id)
    if booking is None:
        raise Http404(_("No such booking."))
    return booking


def _slot(base_id: int, slot_id: int) -> BaseSlot:
    slot = BaseSlot.objects.filter(pk=slot_id, base_id=base_id).first()
    if slot is None:
        raise Invalid(_("Choose one of the base's slots."), code="unknown_slot")
    return slot


BaseCode = Annotated[str, Field(max_length=max_length_of(Base, "code"))]
RouteCode = Annotated[str, Field(max_length=max_length_of(Route, "code"))]


@router.get("/bookings/sections", response=Page[BookingSectionOut], summary="Sections of the base catalogue")
def sections(request, limit: Limit = 100, offset: Offset = 0):
    return page(list(selectors.sections_with_bases()), limit=limit, offset=offset)


@router.get("/bookings/bases", response=Page[BookingBaseOut], summary="Bases open for booking")
def bases(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.active_bases(), limit=limit, offset=offset)


@router.get("/bookings/bases/{code}", response={200: BookingBaseDetailOut, **errors(404)},
            summary="One base with its slots and activity plans")
def base(request, code: BaseCode):
    return _base(code)


@router.get("/bookings/bases/{code}/availability", response={200: BookingMonthOut, **errors(400, 404)},
            summary="Places left per slot for each day of a month")
def availability(request, code: BaseCode,
                 month: Annotated[str, Query(..., max_length=7, description="YYYY-MM")]):
    found = _base(code)
    matched = MONTH.match(month)
    if not matched:
        raise Invalid(_("A month is written YYYY-MM."), code="invalid_period")
    first, last = selectors.month_bounds(int(matched[1]), int(matched[2]))
    days = [{"date": day["date"], "open": day["open"],
             "slots": [{"slot_id": entry["slot"].pk, "left": entry["left"]} for entry in day["slots"]]}
            for day in selectors.availability(base=found, first=first, last=last)]
    return {"base": found.code, "month": month, "days": days}


@router.get("/bookings/routes", response=Page[BookingRouteOut], summary="Routes of several bases")
def routes(request, limit: Limit = 100, offset: Offset = 0):
    return page(list(selectors.routes()), limit=limit, offset=offset)


@router.post("/bookings", response={201: BookingOut, **errors(400, 403, 404, 409)},
             summary="Book a plan for an organisation (Idempotency-Key recommended)")
def booking_create(request, payload: BookingIn):
    organisation = Node.objects.filter(code=payload.organisation).first()
    plan = selectors.plan_by_id(payload.plan_id)
    if organisation is None or plan is None:
        raise Http404(_("No such organisation or plan."))
    booking = services.booking_create(
        actor=request.person, organisation=organisation, plan=plan,
        slot=next((slot for slot in plan.base.slots.all() if slot.pk == payload.slot_id), None),  # prefetched
        date=payload.date, headcount=payload.headcount, contact_phone=payload.contact_phone, note=payload.note,
        idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, booking)


@router.post("/bookings/routes/{code}/book", response={201: list[BookingOut], **errors(400, 403, 404, 409)},
             summary="Book every base of a route as one trip, on consecutive slots from the date (all or none)")
def route_book(request, code: RouteCode, payload: BookingRouteIn):
    organisation = Node.objects.filter(code=payload.organisation).first()
    route = selectors.route_by_code(code)
    if organisation is None or route is None:
        raise Http404(_("No such organisation or route."))
    trip = services.route_book(actor=request.person, organisation=organisation, route=route, date=payload.date,
                               headcount=payload.headcount, contact_phone=payload.contact_phone, note=payload.note,
                               idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(201, trip)


@router.get("/bookings/mine", response=Page[BookingOut], summary="Bookings of the organisations in my area")
def mine(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.bookings_for_organisations(person=request.person), limit=limit, offset=offset)


@router.get("/bookings/queue", response=Page[BookingOut], summary="Bookings waiting for my answer")
def queue(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.review_queue(person=request.person), limit=limit, offset=offset)


@router.get("/bookings/liaison", response=Page[BookingOut], summary="Visits I accompany")
def liaison(request, limit: Limit = 100, offset: Offset = 0):
    return page(selectors.liaison_visits(person=request.person), limit=limit, offset=offset)


@router.get("/bookings/{int:booking_id}", response={200: BookingOut, **errors(404)}, summary="One booking")
def detail(request, booking_id: Id):
    return _booking(request, booking_id)


STEP_ERRORS = errors(400, 403, 404, 409)


@router.post("/bookings/{int:booking_id}/decide", response={200: BookingOut, **STEP_ERRORS},
             summary="Approve or decline (a reason is needed to decline)")
def decide(request, booking_id: Id, payload: BookingDecideIn):
    return services.booking_decide(actor=request.person, booking=_booking(request, booking_id),
                                   approve=payload.approve, reason=payload.reason)


@router.post("/bookings/{int:booking_id}/cancel", response={200: BookingOut, **STEP_ERRORS})
def cancel(request, booking_id: Id, payload: BookingCancelIn):
    return services.booking_cancel(actor=request.person, booking=_booking(request, booking_id),
                                   reason=payload.reason)


@router.post("/bookings/{int:booking_id}/reschedule", response={200: BookingOut, **STEP_ERRORS},
             summary="Move the visit to another date or slot of the same base")
def reschedule(request, booking_id: Id, payload: BookingRescheduleIn):
    booking = _booking(request, booking_id)
    return services.booking_reschedule(actor=request.person, booking=booking, date=payload.date,
                                       slot=_slot(booking.base_id, payload.slot_id))


@router.post("/bookings/{int:booking_id}/liaison", response={200: BookingOut, **STEP_ERRORS},
             summary="The base chooses the liaison of an approved visit among the plan's pool")
def assign_liaison(request, booking_id: Id, payload: BookingLiaisonIn):
    booking = _booking(request, booking_id)
    liaison = Person.objects.filter(pk=payload.liaison_id).first()
    return services.booking_assign_liaison(actor=request.person, booking=booking, liaison=liaison)


@router.get("/bookings/figures", response={200: BookingYearOut, **errors(400, 403)},
            summary="Bookings, person-visits and ratings per base and section for a year (the bases I run)")
def figures(request, year: Annotated[int, Query(..., ge=2000, le=2100)]):
    bases = selectors.bases_managed(request.person)
    if not bases:
        raise PermissionDenied(_("Only the staff of a base see its figures."), code="forbidden")
    per_base, per_section = selectors.year_figures(year=year, bases=bases)
    return {"year": year, "bases": per_base, "sections": per_section}


class BookingLeagueOut(Schema):
    rank: int
    base: str
    base_name: str
    section: str
    bookings: int
    attended: int
    no_show: int
    person_visits: int
    mean_rating: float | None
    answered_in_time_percent: int | None
    score: float
    flagged: bool = Field(description="the bottom tenth of a yearly assessment (末位), for review")


@router.get("/bookings/league", response={200: Page[BookingLeagueOut], **errors(400)},
            summary="The base league: monthly comparison, quarterly ranking, yearly assessment")
def league(request, period: Annotated[str, Query(..., max_length=7, description="YYYY-MM, YYYY-Qn or YYYY")],
           limit: Limit = 100, offset: Offset = 0):
    try:
        table = selectors.league(period=period)
    except ValueError:
        raise Invalid(_("Choose a month (2026-11), a quarter (2026-Q4) or a year (2026)."),
                      code="invalid_period") from None
    rows = [{"rank": entry["rank"], "base": entry["base"].code, "base_name": entry["base"].name,
             "section": entry["base"].section.name, "bookings": entry["made"], "attended": entry["attended"],
             "no_show": entry["no_show"], "person_visits": entry["people"], "mean_rating": entry["mean"],
             "answered_in_time_percent": entry["on_time"], "score": entry["score"], "flagged": entry["flagged"]}
            for entry in table]
    return page(rows, limit=limit, offset=offset)


@router.post("/bookings/{int:booking_id}/attendance", response={200: BookingOut, **STEP_ERRORS},
             summary="The liaison records attendance (or a no-show) on the day")
def attendance(request, booking_id: Id, payload: BookingAttendanceIn):
    return services.attendance_record(actor=request.person, booking=_booking(request, booking_id),
                                      headcount=payload.headcount, no_show=payload.no_show, note=payload.note,
                                      people=payload.people)


@router.post("/bookings/ratings", response={201: BookingRatingOut, **errors(400, 403, 409)},
             summary="Rate a visit with the code of its QR (members of the visiting organisation, once)")
def rate(request, payload: BookingRatingIn):
    rating = services.rating_submit(actor=request.person, token=payload.token, score=payload.score,
                                    comment=payload.comment)
    return Status(201, rating)

"""Booking a whole route as one trip: every base in order on consecutive slots, all or none, once per key."""

from datetime import time, timedelta

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.bookings import services
from gridgov.bookings.models import Base, BaseSlot, Booking, BookingState, Plan, Route, RouteStop
from gridgov.bookings.tests.conftest import T0, VISIT
from gridgov.bookings.tests.test_api import post_json
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def route(street, catalogue):
    """红色纪念馆 (morning 9–11:30, afternoon 14–16) then 乡村振兴馆 (morning 9–11:30 and afternoon 14–16 too,
    open every day) then 红色纪念馆's sister 初心广场 (one afternoon slot of 10)."""
    second = Base.objects.create(section=catalogue.section, code="revival", name="乡村振兴馆", open_weekdays="1234567")
    BaseSlot.objects.create(base=second, label="上午", starts_at=time(9), ends_at=time(11, 30), capacity=40)
    BaseSlot.objects.create(base=second, label="下午", starts_at=time(14), ends_at=time(16), capacity=40)
    Plan.objects.create(base=second, theme="共富路上")
    third = Base.objects.create(section=catalogue.section, code="square", name="初心广场", open_weekdays="1234567")
    BaseSlot.objects.create(base=third, label="下午", starts_at=time(14), ends_at=time(16), capacity=10)
    Plan.objects.create(base=third, theme="广场宣誓")
    route = Route.objects.create(code="route-01", name="初心之旅一号线")
    for position, base in enumerate([catalogue.base, second, third], start=1):
        RouteStop.objects.create(route=route, base=base, position=position)
    return route


def test_a_route_books_each_base_after_the_previous_one(street, route):
    trip = services.route_book(actor=street.community_cadre, organisation=street.community, route=route, date=VISIT,
                               headcount=8, now=T0)
    assert [(b.base.code, b.date, b.slot.label) for b in trip] == [
        ("red-hall", VISIT, "上午"), ("revival", VISIT, "下午"), ("square", VISIT + timedelta(days=1), "下午")]
    assert {b.trip for b in trip} == {trip[0].trip} and all(b.route == route for b in trip)
    assert all(b.state == BookingState.PENDING_BASE for b in trip)
    assert AuditRecord.objects.filter(action="booking.book").count() == 3


def test_a_stop_without_room_books_none_of_the_route(street, route):
    with pytest.raises(DomainError) as refused:
        services.route_book(actor=street.community_cadre, organisation=street.community, route=route, date=VISIT,
                            headcount=12, now=T0)  # 初心广场 takes 10
    assert refused.value.code == "slot_full" and "初心广场" in refused.value.message
    assert Booking.objects.count() == 0


def test_a_repeated_key_answers_the_first_trip(street, route):
    first = services.route_book(actor=street.community_cadre, organisation=street.community, route=route,
                                date=VISIT, headcount=8, idempotency_key="trip-1", now=T0)
    again = services.route_book(actor=street.community_cadre, organisation=street.community, route=route,
                                date=VISIT, headcount=8, idempotency_key="trip-1", now=T0)
    assert [b.pk for b in again] == [b.pk for b in first] and Booking.objects.count() == 3


def test_a_route_for_an_organisation_outside_the_area_is_refused_and_audited(street, route):
    with pytest.raises(DomainError) as refused:
        services.route_book(actor=street.community_cadre, organisation=street.village, route=route, date=VISIT,
                            headcount=8, now=T0)
    assert refused.value.code == "out_of_scope" and Booking.objects.count() == 0
    assert AuditRecord.objects.filter(action="booking.book", outcome="denied").exists()


def test_the_first_stop_on_a_closed_day_is_refused(street, route):
    with pytest.raises(DomainError) as refused:
        services.route_book(actor=street.community_cadre, organisation=street.community, route=route,
                            date=VISIT + timedelta(days=5), headcount=8, now=T0)  # a Saturday
    assert refused.value.code == "slot_full" and Booking.objects.count() == 0


def test_route_by_api_and_page(client, street, route, catalogue):
    from django.utils import timezone

    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    body = {"organisation": street.community.code, "date": monday.isoformat(), "headcount": 6}
    made = post_json(client, "/api/v1/bookings/routes/route-01/book", body, street.community_cadre,
                     HTTP_IDEMPOTENCY_KEY="r1")
    assert made.status_code == 201, made.content
    assert [item["base"] for item in made.json()] == ["red-hall", "revival", "square"]
    assert len({item["trip"] for item in made.json()}) == 1 and made.json()[0]["route"] == "route-01"
    missing = post_json(client, "/api/v1/bookings/routes/nope/book", body, street.community_cadre)
    assert missing.status_code == 404
    client.force_login(street.community_cadre.user)
    page = client.get(f"/bookings/{made.json()[1]['id']}/").content.decode()
    assert 'id="trip"' in page and "初心广场" in page
    assert 'id="route-form"' in client.get("/bookings/routes/route-01/").content.decode()

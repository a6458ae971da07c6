"""The API: the catalogue, availability, booking with an Idempotency-Key, the review chain and refusals."""

import json
from datetime import timedelta

import pytest

from gridgov.bookings.models import Booking, BookingState
from gridgov.orgs.services import api_token_create

pytestmark = pytest.mark.django_db


def bearer(person):
    _token, secret = api_token_create(actor=person, label="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def post_json(client, url, body, person, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(person), **headers)


def test_catalogue_and_month_availability(client, street, catalogue, next_monday):
    headers = bearer(street.worker_a)
    bases = client.get("/api/v1/bookings/bases", **headers).json()
    assert [b["code"] for b in bases["items"]] == ["red-hall"]
    detail = client.get("/api/v1/bookings/bases/red-hall", **headers).json()
    assert len(detail["plans"]) == 2 and detail["plans"][0]["teaching"] == ["入党誓词", "革命历史"]
    days = client.get(f"/api/v1/bookings/bases/red-hall/availability?month={next_monday:%Y-%m}", **headers).json()
    monday = next(day for day in days["days"] if day["date"] == next_monday.isoformat())
    assert monday["open"] and monday["slots"][0]["left"] == 40
    bad = client.get("/api/v1/bookings/bases/red-hall/availability?month=2025-13", **headers)
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"


def test_book_by_api_base_approves_and_a_repeat_key_books_once(client, street, catalogue, next_monday):
    body = {"organisation": "C01", "plan_id": catalogue.plan.pk, "slot_id": catalogue.morning.pk,
            "date": next_monday.isoformat(), "headcount": 15}
    first = post_json(client, "/api/v1/bookings", body, street.community_cadre, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == 201, first.content
    again = post_json(client, "/api/v1/bookings", body, street.community_cadre, HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Booking.objects.count() == 1
    booking_id = first.json()["id"]
    queue = client.get("/api/v1/bookings/queue", **bearer(catalogue.staff)).json()
    assert [item["id"] for item in queue["items"]] == [booking_id]
    approved = post_json(client, f"/api/v1/bookings/{booking_id}/decide", {"approve": True}, catalogue.staff)
    assert approved.status_code == 200 and approved.json()["state"] == BookingState.APPROVED
    assert approved.json()["liaison"] == catalogue.liaison.name


def test_api_refusals_have_stable_codes(client, street, catalogue, next_monday):
    body = {"organisation": "C01", "plan_id": catalogue.plan.pk, "slot_id": catalogue.morning.pk,
            "date": next_monday.isoformat(), "headcount": 15}
    cadre = street.community_cadre
    too_many = post_json(client, "/api/v1/bookings", {**body, "headcount": 400}, cadre)
    assert (too_many.status_code, too_many.json()["code"]) == (400, "too_many_people")
    past = post_json(client, "/api/v1/bookings", {**body, "date": "2020-01-06"}, cadre)
    assert (past.status_code, past.json()["code"]) == (400, "date_past")
    closed = post_json(client, "/api/v1/bookings", {**body, "date": (next_monday + timedelta(days=6)).isoformat()},
                       cadre)
    assert (closed.status_code, closed.json()["code"]) == (400, "base_closed")
    outside = post_json(client, "/api/v1/bookings", {**body, "organisation": "V01"}, cadre)
    assert (outside.status_code, outside.json()["code"]) == (403, "out_of_scope")
    assert post_json(client, "/api/v1/bookings", body, cadre).status_code == 201
    twice = post_json(client, "/api/v1/bookings", body, cadre)
    assert (twice.status_code, twice.json()["code"]) == (409, "already_booked")
    slot = post_json(client, "/api/v1/bookings", {**body, "slot_id": 999_999}, cadre)
    assert (slot.status_code, slot.json()["code"]) == (400, "unknown_slot")
    rating = post_json(client, "/api/v1/bookings/ratings", {"token": "nope", "score": 5}, cadre)
    assert (rating.status_code, rating.json()["code"]) == (400, "invalid_token")


def test_booking_outside_ones_area_is_not_found(client, street, catalogue, next_monday):
    body = {"organisation": "C01", "plan_id": catalogue.plan.pk, "slot_id": catalogue.morning.pk,
            "date": next_monday.isoformat(), "headcount": 15}
    booking_id = post_json(client, "/api/v1/bookings", body, street.community_cadre).json()["id"]
    assert client.get(f"/api/v1/bookings/{booking_id}", **bearer(street.village_cadre)).status_code == 404


def test_a_booking_by_api_takes_a_bounded_number_of_queries(client, street, catalogue, next_monday,
                                                           django_assert_max_num_queries):
    """Token, scope, plan with its slots, checks, the slot's locked day (one INSERT that a row there leaves alone),
    the booking, its event, the audit record and the reviewer's message: 25 with the test's savepoints (was 30)."""
    body = {"organisation": "C01", "plan_id": catalogue.plan.pk, "slot_id": catalogue.morning.pk,
            "date": next_monday.isoformat(), "headcount": 15}
    headers = bearer(street.community_cadre)
    with django_assert_max_num_queries(25):
        response = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY="bounded", **headers)
    assert response.status_code == 201
    unknown = post_json(client, "/api/v1/bookings", {**body, "slot_id": 999_999}, street.community_cadre)
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_slot"

"""The pages: a public catalogue without login, booking from the plan page, the queue deciding in place, the
liaison's attendance, the rating page from the QR code."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gridgov.bookings import services
from gridgov.bookings.models import Booking, BookingState, Rating

pytestmark = pytest.mark.django_db


def _login(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_catalogue_base_plan_and_routes_open_without_login(client, catalogue):
    for url in [reverse("bookings:catalogue"), reverse("bookings:base", args=[catalogue.base.code]),
                reverse("bookings:plan", args=[catalogue.plan.pk]), reverse("bookings:routes")]:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("bookings:plan", args=[catalogue.plan.pk])).content.decode()
    assert "重温入党誓词" in page and "入党誓词" in page and 'id="booking-form"' not in page


def test_unknown_base_answers_404(client, catalogue):
    assert client.get(reverse("bookings:base", args=["nope"])).status_code == 404


def test_cadre_books_from_the_plan_page_with_the_next_open_slot_filled_in(client, street, catalogue, next_monday):
    _login(client, "community")
    page = client.get(reverse("bookings:plan", args=[catalogue.plan.pk]))
    form = page.context["form"]
    assert form.initial["slot"] and form.initial["date"]
    response = client.post(reverse("bookings:plan", args=[catalogue.plan.pk]), {
        "organisation": street.community.pk, "date": next_monday.isoformat(), "slot": catalogue.morning.pk,
        "headcount": 12, "contact_phone": "13800000000", "form_token": "tap1"})
    booking = Booking.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bookings:detail", args=[booking.pk])
    again = client.post(reverse("bookings:plan", args=[catalogue.plan.pk]), {
        "organisation": street.community.pk, "date": next_monday.isoformat(), "slot": catalogue.morning.pk,
        "headcount": 12, "form_token": "tap1"})
    assert again.status_code == 302 and Booking.objects.count() == 1  # the double tap did nothing twice


def test_refusal_shows_on_the_form_keeping_the_input(client, street, catalogue, next_monday):
    _login(client, "community")
    response = client.post(reverse("bookings:plan", args=[catalogue.plan.pk]), {
        "organisation": street.community.pk, "date": (next_monday + timedelta(days=5)).isoformat(),
        "slot": catalogue.morning.pk, "headcount": 12})
    assert response.status_code == 200
    assert "不接待" in response.content.decode() or "does not receive" in response.content.decode()
    assert not Booking.objects.exists()


def test_reviewer_queue_decides_in_place(client, street, catalogue, next_monday):
    booking = services.booking_create(actor=street.community_cadre, organisation=street.community,
                                      plan=catalogue.plan, slot=catalogue.morning, date=next_monday, headcount=10)
    _login(client, "base_staff")
    page = client.get(reverse("bookings:queue")).content.decode()
    assert f'id="booking-{booking.pk}"' in page
    response = client.post(reverse("bookings:decide", args=[booking.pk]), {"approve": "1", "reason": ""})
    assert response.status_code == 302 and response["Location"] == reverse("bookings:queue")
    assert Booking.objects.get().state == BookingState.APPROVED


def test_my_bookings_and_detail_show_the_liaisons_contact(client, street, catalogue, next_monday):
    booking = services.booking_create(actor=street.community_cadre, organisation=street.community,
                                      plan=catalogue.plan, slot=catalogue.morning, date=next_monday, headcount=10)
    services.booking_decide(actor=catalogue.staff, booking=booking, approve=True)
    _login(client, "community")
    assert catalogue.base.name in client.get(reverse("bookings:mine")).content.decode()
    assert catalogue.liaison.name in client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()


def test_booking_outside_ones_area_is_not_found(client, street, catalogue, next_monday):
    booking = services.booking_create(actor=street.community_cadre, organisation=street.community,
                                      plan=catalogue.plan, slot=catalogue.morning, date=next_monday, headcount=10)
    _login(client, "village")
    assert client.get(reverse("bookings:detail", args=[booking.pk])).status_code == 404


def test_liaison_records_attendance_and_the_qr_leads_to_rating(client, street, catalogue):
    today = timezone.localdate()
    day = today if today.isoweekday() <= 5 else today + timedelta(days=8 - today.isoweekday())
    booking = services.booking_create(actor=street.community_cadre, organisation=street.community,
                                      plan=catalogue.plan, slot=catalogue.afternoon, date=day, headcount=10,
                                      now=timezone.now() - timedelta(days=3) if day == today else None)
    services.booking_decide(actor=catalogue.staff, booking=booking, approve=True)
    Booking.objects.filter(pk=booking.pk).update(date=today)  # the day has come
    _login(client, "liaison")
    assert f'id="visit-{booking.pk}"' in client.get(reverse("bookings:liaison")).content.decode()
    client.post(reverse("bookings:attendance", args=[booking.pk]), {"headcount": 9})
    assert Booking.objects.get().state == BookingState.ATTENDED
    detail = client.get(reverse("bookings:detail", args=[booking.pk]))
    assert "<svg" in detail.content.decode()
    token = services.rating_token(Booking.objects.get())
    client.logout()
    _login(client, "worker_a")
    assert client.get(reverse("bookings:rate", args=[token])).status_code == 200
    client.post(reverse("bookings:rate", args=[token]), {"score": 5, "comment": "好"})
    assert Rating.objects.get().score == 5


def test_forged_rating_code_answers_a_clear_refusal(client, street):
    _login(client, "worker_a")
    assert client.get(reverse("bookings:rate", args=["forged"])).status_code == 400

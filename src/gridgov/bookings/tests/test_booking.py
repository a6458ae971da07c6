"""Booking a plan: places taken, one per organisation and slot, bad input refused clearly, nothing doubled."""

from datetime import date, timedelta

import pytest

from gridgov.audit.models import AuditRecord
from gridgov.bookings import services
from gridgov.bookings.models import BaseClosure, Booking, BookingState, SlotDay
from gridgov.bookings.tests.conftest import T0, VISIT
from gridgov.errors import DomainError

pytestmark = pytest.mark.django_db


def test_booking_takes_places_waits_on_the_base_and_is_audited(book, catalogue):
    booking = book()
    assert booking.state == BookingState.PENDING_BASE
    assert booking.reviewer == catalogue.staff
    assert booking.due_at == T0 + timedelta(hours=2)  # two working hours
    assert SlotDay.objects.get(slot=catalogue.morning, date=VISIT).booked_people == 20
    assert AuditRecord.objects.filter(action="booking.book", object_id=str(booking.pk)).exists()


def test_review_time_limit_counts_working_hours_only(book):
    friday_evening = T0 + timedelta(days=4, hours=8)  # Friday 17:00
    booking = book(now=friday_evening, date=VISIT + timedelta(days=1))
    assert booking.due_at.isoweekday() == 1  # the next Monday
    assert (booking.due_at.hour, booking.due_at.minute) == (10, 0)  # 30 min on Friday, 1.5 h on Monday


def _refused(book, **overrides) -> str:
    with pytest.raises(DomainError) as refused:
        book(**overrides)
    return refused.value.code


def test_past_date_is_refused(book):
    assert _refused(book, date=date(2025, 3, 1)) == "date_past"


def test_todays_slot_already_begun_is_refused(book):
    assert _refused(book, date=T0.date(), now=T0 + timedelta(minutes=5)) == "date_past"


def test_date_beyond_the_booking_horizon_is_refused(book):
    assert _refused(book, date=VISIT + timedelta(days=400)) == "date_too_far"


def test_more_people_than_the_slot_holds_is_refused(book):
    assert _refused(book, headcount=41) == "too_many_people"
    assert _refused(book, headcount=0) == "too_many_people"


def test_closed_weekday_is_refused(book):
    assert _refused(book, date=VISIT + timedelta(days=5)) == "base_closed"  # a Saturday


def test_closed_date_is_refused(book, catalogue):
    BaseClosure.objects.create(base=catalogue.base, date=VISIT, reason="布展")
    assert _refused(book) == "base_closed"


def test_organisation_outside_the_actors_area_is_refused_and_audited(book, street):
    assert _refused(book, organisation=street.village) == "out_of_scope"
    assert AuditRecord.objects.filter(action="booking.book", outcome="denied").exists()


def test_slot_of_another_base_is_refused(book, catalogue):
    from gridgov.bookings.models import Base, BaseSlot

    other = Base.objects.create(section=catalogue.section, code="other", name="另一基地")
    slot = BaseSlot.objects.create(base=other, label="上午", starts_at=catalogue.morning.starts_at,
                                   ends_at=catalogue.morning.ends_at, capacity=10)
    assert _refused(book, slot=slot) == "unknown_slot"


def test_same_organisation_same_slot_twice_is_refused(book):
    book()
    assert _refused(book, headcount=5) == "already_booked"
    assert Booking.objects.count() == 1


def test_full_slot_refuses_with_what_is_left(book, street, catalogue):
    book(headcount=25)
    with pytest.raises(DomainError) as refused:
        book(actor=street.village_cadre, organisation=street.village, headcount=16)
    assert refused.value.code == "slot_full" and "15" in str(refused.value.message)


def test_double_tap_with_the_same_key_books_once(book):
    first = book(idempotency_key="tap-1")
    again = book(idempotency_key="tap-1")
    assert first.pk == again.pk
    assert Booking.objects.count() == 1
    assert SlotDay.objects.get().booked_people == 20


def test_cancel_frees_the_places(book, street):
    booking = book()
    services.booking_cancel(actor=street.community_cadre, booking=booking, reason="改期", now=T0)
    assert Booking.objects.get().state == BookingState.CANCELLED
    assert SlotDay.objects.get().booked_people == 0
    book(headcount=5)  # the organisation may book the slot again


def test_cancel_after_the_cutoff_is_refused(book, street):
    booking = book()
    with pytest.raises(DomainError) as refused:
        services.booking_cancel(actor=street.community_cadre, booking=booking, now=T0 + timedelta(days=6, hours=10))
    assert refused.value.code == "past_cutoff"


def test_someone_outside_the_organisation_cannot_cancel(book, street):
    booking = book()
    with pytest.raises(DomainError) as refused:
        services.booking_cancel(actor=street.village_cadre, booking=booking, now=T0)
    assert refused.value.code == "forbidden"


def test_reschedule_moves_the_places_and_goes_back_to_the_base(book, street, catalogue):
    booking = book()
    moved = services.booking_reschedule(actor=street.community_cadre, booking=booking, date=VISIT + timedelta(days=1),
                                        slot=catalogue.afternoon, now=T0)
    assert moved.state == BookingState.PENDING_BASE and moved.slot == catalogue.afternoon
    days = {(day.slot_id, day.date): day.booked_people for day in SlotDay.objects.all()}
    assert days == {(catalogue.morning.pk, VISIT): 0, (catalogue.afternoon.pk, VISIT + timedelta(days=1)): 20}


def test_reschedule_into_a_full_slot_is_refused_and_keeps_the_booking(book, street, catalogue):
    book(actor=street.village_cadre, organisation=street.village, slot=catalogue.afternoon, headcount=30)
    booking = book()
    with pytest.raises(DomainError) as refused:
        services.booking_reschedule(actor=street.community_cadre, booking=booking, date=VISIT,
                                    slot=catalogue.afternoon, now=T0)
    assert refused.value.code == "slot_full"
    assert SlotDay.objects.get(slot=catalogue.morning).booked_people == 20

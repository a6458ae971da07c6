"""The review chain as data (清单分级过审), 限时转接 through the deadline engine, and the liaison assigned."""

from datetime import timedelta

import pytest

from gridgov.bookings import services
from gridgov.bookings.models import BookingState, ReviewRule
from gridgov.bookings.tests.conftest import T0
from gridgov.deadlines.models import Alert
from gridgov.deadlines.scan import scan_deadlines
from gridgov.errors import DomainError
from gridgov.notifications.models import Message
from gridgov.orgs.models import Role

pytestmark = pytest.mark.django_db


def test_small_booking_approved_by_the_base_gets_the_least_loaded_liaison(book, catalogue, street):
    booking = services.booking_decide(actor=catalogue.staff, booking=book(), approve=True, now=T0)
    assert booking.state == BookingState.APPROVED and booking.liaison == catalogue.liaison
    other = book(actor=street.village_cadre, organisation=street.village)
    other = services.booking_decide(actor=catalogue.staff, booking=other, approve=True, now=T0)
    assert other.liaison == catalogue.liaison_b
    assert Message.objects.filter(recipient=street.community_cadre, kind="booking").exists()


def test_large_booking_goes_on_to_the_rule_reviewer(book, catalogue, street):
    booking = book(headcount=35)
    assert booking.needs_second_review and booking.review_rule == catalogue.rule
    booking = services.booking_decide(actor=catalogue.staff, booking=booking, approve=True, now=T0)
    assert booking.state == BookingState.PENDING_SECOND and booking.reviewer == street.street_cadre
    with pytest.raises(DomainError):
        services.booking_decide(actor=catalogue.staff, booking=booking, approve=True, now=T0)
    booking = services.booking_decide(actor=street.street_cadre, booking=booking, approve=True, now=T0)
    assert booking.state == BookingState.APPROVED


def test_rule_for_a_plan_asks_a_second_review_whatever_the_size(book, catalogue, street):
    ReviewRule.objects.create(name="誓词需审", plan=catalogue.plan, reviewer_node=street.street,
                              reviewer_role=Role.STREET_CADRE)
    assert book(headcount=5).needs_second_review


def test_only_the_base_staff_answer_first(book, street):
    with pytest.raises(DomainError) as refused:
        services.booking_decide(actor=street.street_cadre, booking=book(), approve=True, now=T0)
    assert refused.value.code == "forbidden"


def test_decline_needs_a_reason_and_frees_the_places(book, catalogue):
    from gridgov.bookings.models import SlotDay

    booking = book()
    with pytest.raises(DomainError) as refused:
        services.booking_decide(actor=catalogue.staff, booking=booking, approve=False, now=T0)
    assert refused.value.code == "reason_required"
    booking = services.booking_decide(actor=catalogue.staff, booking=booking, approve=False, reason="当天已满",
                                      now=T0)
    assert booking.state == BookingState.REJECTED and SlotDay.objects.get().booked_people == 0


def test_request_the_base_leaves_unanswered_is_handed_over_and_both_are_told(book, catalogue, street):
    booking = book()
    ReviewRule.objects.create(name="基地超时转街道", reviewer_node=street.street, reviewer_role=Role.STREET_CADRE,
                              second_review=False, review_hours=4)
    scan_deadlines(now=T0 + timedelta(hours=3))
    booking.refresh_from_db()
    assert booking.state == BookingState.PENDING_SECOND and booking.handed_over
    assert booking.reviewer == street.street_cadre
    assert Alert.objects.filter(item_type="booking", item_id=booking.pk, recipient=catalogue.staff).exists()
    assert Message.objects.filter(recipient=catalogue.staff, kind="booking").exists()
    assert Message.objects.filter(recipient=street.street_cadre, kind="booking").exists()
    booking = services.booking_decide(actor=street.street_cadre, booking=booking, approve=True, now=T0)
    assert booking.state == BookingState.APPROVED


def test_nothing_is_handed_over_before_the_time_limit(book):
    booking = book()
    scan_deadlines(now=T0 + timedelta(hours=1))
    booking.refresh_from_db()
    assert booking.state == BookingState.PENDING_BASE


def test_base_chooses_another_liaison_from_the_pool_only(book, catalogue, street):
    booking = services.booking_decide(actor=catalogue.staff, booking=book(), approve=True, now=T0)
    booking = services.booking_assign_liaison(actor=catalogue.staff, booking=booking, liaison=catalogue.liaison_b)
    assert booking.liaison == catalogue.liaison_b
    with pytest.raises(DomainError) as refused:
        services.booking_assign_liaison(actor=catalogue.staff, booking=booking, liaison=street.worker_a)
    assert refused.value.code == "invalid_liaison"

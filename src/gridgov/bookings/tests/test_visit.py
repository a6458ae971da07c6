"""The day of the visit: the liaison records attendance (or a no-show); participants rate it from the QR code."""

from datetime import timedelta

import pytest

from gridgov.bookings import services
from gridgov.bookings.models import BookingState, Rating
from gridgov.bookings.tests.conftest import T0, VISIT, jpeg
from gridgov.errors import DomainError
from gridgov.orgs.models import Role
from gridgov.testing.factories import person

pytestmark = pytest.mark.django_db
ON_THE_DAY = T0 + timedelta(days=7, hours=3)


@pytest.fixture
def approved(book, catalogue):
    return services.booking_decide(actor=catalogue.staff, booking=book(), approve=True, now=T0)


def test_liaison_records_attendance_with_photos(approved, catalogue):
    booking = services.attendance_record(actor=catalogue.liaison, booking=approved, headcount=18, photos=[jpeg()],
                                         now=ON_THE_DAY)
    assert booking.state == BookingState.ATTENDED
    assert booking.attendance.headcount == 18 and booking.attendance.photos.count() == 1


def test_liaison_records_a_no_show(approved, catalogue):
    booking = services.attendance_record(actor=catalogue.liaison, booking=approved, no_show=True, now=ON_THE_DAY)
    assert booking.state == BookingState.NO_SHOW and booking.attendance.headcount == 0


def test_attendance_before_the_day_is_refused(approved, catalogue):
    with pytest.raises(DomainError) as refused:
        services.attendance_record(actor=catalogue.liaison, booking=approved, headcount=5, now=T0)
    assert refused.value.code == "invalid_state"


def test_someone_else_cannot_record_attendance(approved, street):
    with pytest.raises(DomainError) as refused:
        services.attendance_record(actor=street.worker_a, booking=approved, headcount=5, now=ON_THE_DAY)
    assert refused.value.code == "forbidden"


@pytest.fixture
def attended(approved, catalogue):
    return services.attendance_record(actor=catalogue.liaison, booking=approved, headcount=2, now=ON_THE_DAY)


def test_member_of_the_visiting_organisation_rates_once(attended, street):
    token = services.rating_token(attended)
    services.rating_submit(actor=street.worker_a, token=token, score=5, comment="很受教育")
    with pytest.raises(DomainError) as refused:
        services.rating_submit(actor=street.worker_a, token=token, score=4)
    assert refused.value.code == "already_rated"
    assert Rating.objects.count() == 1


def test_rating_from_someone_who_did_not_attend_is_refused(attended, street):
    with pytest.raises(DomainError) as refused:
        services.rating_submit(actor=street.village_cadre, token=services.rating_token(attended), score=5)
    assert refused.value.code == "not_attendee"


def test_no_more_ratings_than_people_who_came(attended, street):
    token = services.rating_token(attended)
    services.rating_submit(actor=street.worker_a, token=token, score=5)
    services.rating_submit(actor=street.worker_b, token=token, score=4)
    third = person("第三人", node=street.grid_a, role=Role.GRID_WORKER)
    with pytest.raises(DomainError) as refused:
        services.rating_submit(actor=third, token=token, score=5)
    assert refused.value.code == "not_attendee"


def test_forged_rating_code_is_refused(attended, street):
    with pytest.raises(DomainError) as refused:
        services.rating_submit(actor=street.worker_a, token=services.rating_token(attended) + "x", score=5)
    assert refused.value.code == "invalid_token"


def test_out_of_range_rating_is_refused(attended, street):
    with pytest.raises(DomainError) as refused:
        services.rating_submit(actor=street.worker_a, token=services.rating_token(attended), score=6)
    assert refused.value.code == "invalid_rating"


def test_visit_not_yet_held_cannot_be_rated(approved, street):
    with pytest.raises(DomainError) as refused:
        services.rating_submit(actor=street.worker_a, token=services.rating_token(approved), score=5)
    assert refused.value.code == "not_attendee"
    assert VISIT


def test_named_attendees_count_in_the_indices_and_only_they_rate(approved, catalogue, street):
    from gridgov.indices.models import Attendance as Present

    booking = services.attendance_record(actor=catalogue.liaison, booking=approved, headcount=3,
                                         people=[street.worker_a.pk], now=ON_THE_DAY)
    assert list(booking.attendance.people.all()) == [street.worker_a]
    assert list(Present.objects.values_list("person_id", "present")) == [(street.worker_a.pk, True)]
    token = services.rating_token(booking)
    with pytest.raises(DomainError) as refused:
        services.rating_submit(actor=street.community_cadre, token=token, score=5)
    assert refused.value.code == "not_attendee"
    services.rating_submit(actor=street.worker_a, token=token, score=5)


def test_naming_someone_outside_the_organisation_or_more_than_came_is_refused(approved, catalogue, street):
    for people, headcount in [([street.village_cadre.pk], 3), ([street.worker_a.pk, street.community_cadre.pk], 1),
                              (["x"], 3)]:
        with pytest.raises(DomainError):
            services.attendance_record(actor=catalogue.liaison, booking=approved, headcount=headcount, people=people,
                                       now=ON_THE_DAY)
    approved.refresh_from_db()
    assert approved.state == BookingState.APPROVED

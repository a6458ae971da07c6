"""Real threads against PostgreSQL: a slot's places are never over-booked, an organisation books a slot once."""

import pytest

from gridgov.bookings import services
from gridgov.bookings.models import Booking, SlotDay
from gridgov.bookings.tests.conftest import T0, VISIT
from gridgov.errors import DomainError
from gridgov.orgs.models import NodeKind, Role
from gridgov.testing.concurrency import race, skip_unless_postgres
from gridgov.testing.factories import node, person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    skip_unless_postgres()


@pytest.fixture
def organisations(street):
    """Twenty grids of 东门社区, each with a grid leader who books for it."""
    grids = [node(street.community, NodeKind.GRID, f"竞争网格{i}") for i in range(20)]
    return [(grid, person(f"网格长{i}", node=grid, role=Role.GRID_LEADER)) for i, grid in enumerate(grids)]


def _book(organisations, catalogue, headcount):
    def work(index):
        grid, leader = organisations[index]
        return services.booking_create(actor=leader, organisation=grid, plan=catalogue.plan, slot=catalogue.morning,
                                       date=VISIT, headcount=headcount, now=T0)
    return work


def test_twenty_organisations_racing_for_the_last_places_never_overbook(book, catalogue, organisations):
    book(headcount=25)  # 15 of 40 places left
    results = race(20, _book(organisations, catalogue, 5), expected=DomainError)
    assert sum(isinstance(result, Booking) for result in results) == 3
    assert {result.code for result in results if isinstance(result, DomainError)} == {"slot_full"}
    day = SlotDay.objects.get(slot=catalogue.morning, date=VISIT)
    assert day.booked_people == 40 and day.bookings == 4
    assert Booking.objects.count() == 4


def test_twenty_organisations_racing_for_a_fresh_slot_fill_it_exactly(catalogue, organisations):
    results = race(20, _book(organisations, catalogue, 7), expected=DomainError)
    assert sum(isinstance(result, Booking) for result in results) == 5  # 5 × 7 = 35 of 40
    assert SlotDay.objects.get(slot=catalogue.morning, date=VISIT).booked_people == 35


def test_one_organisation_tapping_from_five_threads_books_once(catalogue, street):
    def work(index):
        return services.booking_create(actor=street.community_cadre, organisation=street.community,
                                       plan=catalogue.plan, slot=catalogue.morning, date=VISIT, headcount=10, now=T0)

    results = race(5, work, expected=DomainError)
    assert sum(isinstance(result, Booking) for result in results) == 1
    assert {result.code for result in results if isinstance(result, DomainError)} == {"already_booked"}
    assert SlotDay.objects.get().booked_people == 10

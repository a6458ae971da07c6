"""Real threads against PostgreSQL: a need is never over-claimed, a volunteer claims it once, a call-out is
answered once per person."""

import pytest

from gridgov.errors import DomainError
from gridgov.orgs.models import Role
from gridgov.orgs.permissions import SYSTEM
from gridgov.testing.concurrency import race, skip_unless_postgres
from gridgov.testing.factories import person
from gridgov.volunteers import callouts, services
from gridgov.volunteers.models import Answer, Claim, Need, NeedState
from gridgov.volunteers.tests.conftest import T0

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    skip_unless_postgres()


@pytest.fixture
def helpers(street):
    """Twenty registered volunteers of micro-grid A1."""
    people = [person(f"志愿者{i}", node=street.micro_a1, role=Role.RESIDENT) for i in range(20)]
    for someone in people:
        services.volunteer_register(actor=SYSTEM, person=someone, node=street.micro_a1)
    return people


def test_twenty_volunteers_racing_for_five_places_take_exactly_five(post, helpers):
    need = post(helpers=5)
    results = race(20, lambda index: services.need_claim(actor=helpers[index], need=need, now=T0),
                   expected=DomainError)
    assert sum(isinstance(result, Claim) for result in results) == 5
    assert {result.code for result in results if isinstance(result, DomainError)} <= {"need_full", "need_closed"}
    need.refresh_from_db()
    assert need.claimed == 5 == need.claims.count() and need.state == NeedState.CLAIMED


def test_one_volunteer_claiming_the_same_need_from_two_phones_holds_one_place(post, helpers):
    need = post(helpers=3)
    results = race(6, lambda index: services.need_claim(actor=helpers[0], need=need, now=T0), expected=DomainError)
    assert sum(isinstance(result, Claim) for result in results) == 1
    assert Need.objects.get(pk=need.pk).claimed == 1


def test_an_answer_sent_twice_at_once_is_counted_once(street, helpers):
    callout = callouts.callout_raise(actor=street.community_cadre, node=street.community, kind="fire",
                                     title="仓库起火", target=10, assembly_point="东门广场")
    results = race(6, lambda index: callouts.callout_answer(actor=helpers[0], callout=callout,
                                                             answer=Answer.COMING), expected=DomainError)
    assert sum(not isinstance(result, Exception) for result in results) == 1
    assert {result.code for result in results if isinstance(result, DomainError)} == {"already_answered"}


def test_confirmations_crediting_one_helper_at_once_lose_no_minutes_in_the_totals(post, street, helpers):
    from datetime import timedelta

    from gridgov.volunteers import totals
    from gridgov.volunteers.models import ServiceTotal
    from gridgov.volunteers.tests.conftest import served

    needs = [served(post(title=f"服务{index}", now=T0 + timedelta(days=index),
                         starts_at=T0 + timedelta(days=index, hours=2)),
                    [helpers[0]], start=T0 + timedelta(days=index, hours=2), minutes=30 + index) for index in range(6)]
    results = race(6, lambda index: services.need_confirm(actor=street.resident, need=needs[index], rating=4))
    assert all(isinstance(result, Need) for result in results)
    row = ServiceTotal.objects.get(node_id=ServiceTotal.EVERYWHERE, period="2025", person=helpers[0])
    assert (row.minutes, row.services, row.rated, row.stars) == (sum(30 + index for index in range(6)), 6, 6, 24)
    assert ServiceTotal.objects.get(node_id=street.street.pk, period="2025-06", person=helpers[0]).services == 6
    assert totals.mismatches() == []

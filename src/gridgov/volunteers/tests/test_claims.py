from datetime import timedelta

import pytest

from gridgov.errors import DomainError
from gridgov.volunteers import services
from gridgov.volunteers.models import NeedState
from gridgov.volunteers.tests.conftest import T0

pytestmark = pytest.mark.django_db


def test_claims_are_first_come_and_stop_at_the_number_of_helpers(post, crew):
    need = post(helpers=2)
    services.need_claim(actor=crew.a1, need=need, now=T0)
    services.need_claim(actor=crew.a2, need=need, now=T0)
    with pytest.raises(DomainError) as refused:
        services.need_claim(actor=crew.b1, need=need, now=T0)
    assert refused.value.code in ("need_full", "need_closed")
    need.refresh_from_db()
    assert need.claimed == 2 and need.state == NeedState.CLAIMED


def test_a_volunteer_cannot_claim_the_same_need_twice(post, crew):
    need = post(helpers=3)
    services.need_claim(actor=crew.a1, need=need, now=T0)
    with pytest.raises(DomainError) as refused:
        services.need_claim(actor=crew.a1, need=need, now=T0)
    assert refused.value.code == "already_claimed"
    need.refresh_from_db()
    assert need.claimed == 1


def test_a_cancelled_need_cannot_be_claimed(post, crew, street):
    need = post()
    services.need_cancel(actor=street.resident, need=need, reason="已解决")
    with pytest.raises(DomainError) as refused:
        services.need_claim(actor=crew.a1, need=need, now=T0)
    assert refused.value.code == "need_closed"


def test_someone_not_registered_cannot_claim(post, street):
    need = post()
    with pytest.raises(DomainError) as refused:
        services.need_claim(actor=street.worker_b, need=need, now=T0)
    assert refused.value.code == "not_volunteer"


def test_a_volunteer_without_the_skill_cannot_claim_a_need_that_asks_for_it(post, crew):
    need = post(category=crew.medical)
    with pytest.raises(DomainError) as refused:
        services.need_claim(actor=crew.a2, need=need, now=T0)
    assert refused.value.code == "skill_missing"


def test_check_in_needs_a_location(post, crew):
    claim = services.need_claim(actor=crew.a1, need=post(), now=T0)
    with pytest.raises(DomainError) as refused:
        services.claim_check_in(actor=crew.a1, claim=claim, latitude="", longitude="", now=T0)
    assert refused.value.code == "location_required"


def test_check_out_before_check_in_is_refused(post, crew):
    claim = services.need_claim(actor=crew.a1, need=post(), now=T0)
    with pytest.raises(DomainError) as refused:
        services.claim_check_out(actor=crew.a1, claim=claim, latitude="28.1", longitude="119.5", now=T0)
    assert refused.value.code == "invalid_state"
    services.claim_check_in(actor=crew.a1, claim=claim, latitude="28.1", longitude="119.5", now=T0)
    with pytest.raises(DomainError) as refused:
        services.claim_check_out(actor=crew.a1, claim=claim, latitude="28.1", longitude="119.5",
                                 at=T0 - timedelta(minutes=5), now=T0 + timedelta(hours=1))
    assert refused.value.code == "checkout_before_checkin"


def test_minutes_beyond_the_span_from_check_in_are_refused(post, crew):
    claim = services.need_claim(actor=crew.a1, need=post(), now=T0)
    services.claim_check_in(actor=crew.a1, claim=claim, latitude="28.1", longitude="119.5", now=T0)
    with pytest.raises(DomainError) as refused:
        services.claim_check_out(actor=crew.a1, claim=claim, latitude="28.1", longitude="119.5", minutes=61,
                                 now=T0 + timedelta(minutes=60))
    assert refused.value.code == "hours_beyond_span"


def test_only_the_helper_checks_in_for_their_own_claim(post, crew):
    claim = services.need_claim(actor=crew.a1, need=post(), now=T0)
    with pytest.raises(DomainError) as refused:
        services.claim_check_in(actor=crew.a2, claim=claim, latitude="28.1", longitude="119.5", now=T0)
    assert refused.value.code == "not_found"

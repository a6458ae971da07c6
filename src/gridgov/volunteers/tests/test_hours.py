from datetime import timedelta

import pytest

from gridgov.errors import DomainError
from gridgov.ledger.models import Posting, PostingKind
from gridgov.ledger.verify import verify_ledger
from gridgov.volunteers import selectors, services
from gridgov.volunteers.models import ClaimState, NeedState
from gridgov.volunteers.tests.conftest import T0, served

pytestmark = pytest.mark.django_db


def test_the_requesters_confirmation_credits_each_helpers_minutes_in_the_chained_journal(post, crew, street):
    need = served(post(helpers=2), [crew.a1, crew.a2], start=T0 + timedelta(hours=2), minutes=90)
    assert need.state == NeedState.SERVED
    services.need_confirm(actor=street.resident, need=need, rating=5, now=T0 + timedelta(hours=4))
    need.refresh_from_db()
    assert need.state == NeedState.CONFIRMED
    assert set(need.claims.values_list("state", "minutes", "rating")) == {(ClaimState.CONFIRMED, 90, 5)}
    year = T0.year
    assert selectors.minutes_in_year(person=crew.a1, year=year) == 90
    assert selectors.minutes_in_year(person=crew.a2, year=year) == 90
    assert Posting.objects.filter(kind=PostingKind.HOURS).count() == 2
    checked, problems = verify_ledger()
    assert checked == 2 and problems == []


def test_a_confirmation_by_someone_other_than_the_requester_is_refused(post, crew, street):
    need = served(post(), [crew.a1], start=T0 + timedelta(hours=2))
    for other in (crew.a1, street.community_cadre):
        with pytest.raises(DomainError) as refused:
            services.need_confirm(actor=other, need=need)
        assert refused.value.code == "not_requester"
    assert not Posting.objects.filter(kind=PostingKind.HOURS).exists()


def test_confirming_twice_credits_once(post, crew, street):
    need = served(post(), [crew.a1], start=T0 + timedelta(hours=2))
    services.need_confirm(actor=street.resident, need=need)
    with pytest.raises(DomainError) as refused:
        services.need_confirm(actor=street.resident, need=need)
    assert refused.value.code == "invalid_state"
    assert selectors.minutes_in_year(person=crew.a1, year=T0.year) == 90


def test_a_need_is_confirmable_only_when_every_helper_has_checked_out(post, crew, street):
    need = post(helpers=2)
    served(need, [crew.a1], start=T0 + timedelta(hours=2))
    claim = services.need_claim(actor=crew.a2, need=need, now=T0 + timedelta(hours=2))
    services.claim_check_in(actor=crew.a2, claim=claim, latitude="28.1", longitude="119.5",
                            now=T0 + timedelta(hours=2))
    need.refresh_from_db()
    assert need.state == NeedState.CLAIMED
    with pytest.raises(DomainError) as refused:
        services.need_confirm(actor=street.resident, need=need)
    assert refused.value.code == "invalid_state"


def test_party_members_below_twelve_hours_head_the_standings_and_are_marked_short(post, crew, street):
    for day in range(9):  # 9 × 90 minutes = 13.5 hours for a1; a2 has none
        need = served(post(title=f"服务{day}"), [crew.a1], start=T0 + timedelta(days=day, hours=2))
        services.need_confirm(actor=street.resident, need=need)
    rows = selectors.standings(node=street.community, year=T0.year, party_only=True)
    assert [(row.person_id, row.short) for row in rows] == [(crew.a2.pk, True), (crew.a1.pk, False)]
    assert rows[1].hours == 13.5 and rows[0].short_by_hours == 12

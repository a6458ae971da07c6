"""Ranking by hours and rating (ties share a rank, unrated last, units by where helpers live), the cadres' and
the public page (masked names, no login), hours earning points by the category's rule once per claim, and giving
back a claim before check-in."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from gridgov.audit.models import AuditRecord
from gridgov.errors import DomainError
from gridgov.ledger.models import Posting, PostingKind
from gridgov.ledger.services import budget_set, journal
from gridgov.orgs.permissions import SYSTEM
from gridgov.volunteers import selectors, services
from gridgov.volunteers.models import ClaimState, Need, NeedState
from gridgov.volunteers.tests.conftest import T0, served

pytestmark = pytest.mark.django_db


def confirmed(post, street, helpers, *, minutes, rating=None, day=0):
    need = served(post(title=f"服务{day}", now=T0 + timedelta(days=day), starts_at=T0 + timedelta(days=day, hours=2)),
                  helpers, start=T0 + timedelta(days=day, hours=2), minutes=minutes)
    services.need_confirm(actor=street.resident, need=need, rating=rating)
    return need


def test_ranking_by_hours_and_by_rating_with_shared_ranks_and_unrated_last(post, crew, street):
    confirmed(post, street, [crew.a1], minutes=120, rating=3, day=0)
    confirmed(post, street, [crew.a2], minutes=120, rating=None, day=1)
    confirmed(post, street, [crew.b1], minutes=60, rating=5, day=2)
    since, until = selectors.period_bounds("month", T0.date())
    by_hours = selectors.ranking(node=street.street, since=since, until=until)
    assert [(row.name, row.rank, row.hours) for row in by_hours] == [
        ("志愿者甲", 1, 2.0), ("志愿者丙", 2, 2.0), ("志愿者丁", 3, 1.0)]  # the rated one first among equals
    by_rating = selectors.ranking(node=street.street, since=since, until=until, order="rating")
    assert [row.name for row in by_rating] == ["志愿者丁", "志愿者甲", "志愿者丙"]
    units = selectors.ranking(node=street.community, since=since, until=until, by="node")
    assert [(row.name, row.hours, row.services) for row in units] == [("东门第一网格", 4.0, 2), ("东门第二网格", 1.0, 1)]
    next_month = selectors.period_bounds("month", (T0 + timedelta(days=31)).date())
    assert selectors.ranking(node=street.street, since=next_month[0], until=next_month[1]) == []
    assert selectors.ranking(node=street.street, since=since, until=until, category=crew.medical) == []


def test_the_public_page_masks_names_without_login_and_the_cadre_page_names_them(client, post, crew, street,
                                                                                 settings):
    confirmed_now(post, street, crew)
    page = client.get(reverse("volunteers:public", args=["C01"])).content.decode()
    assert "志**" in page and "志愿者甲" not in page and 'id="public-hours">1.0<' in page
    settings.VOLUNTEER_PUBLIC_NAMES = "none"
    assert "志**" not in client.get(reverse("volunteers:public", args=["C01"])).content.decode()
    assert client.get(reverse("volunteers:public", args=["G01"])).status_code == 404  # communities only
    client.force_login(get_user_model().objects.get(username="community"))
    cadre = client.get(reverse("volunteers:ranking") + "?period=year&order=rating").content.decode()
    assert "志愿者甲" in cadre and reverse("volunteers:public", args=["C01"]) in cadre
    client.force_login(get_user_model().objects.get(username="resident"))
    assert client.get(reverse("volunteers:ranking")).status_code == 404


def confirmed_now(post, street, crew):
    """A service checked in an hour ago (the pages rank the current period)."""
    from gridgov.volunteers.models import Claim

    now = timezone.now()
    need = post(now=now, starts_at=now + timedelta(minutes=1))
    claim = services.need_claim(actor=crew.a1, need=need, now=now)
    services.claim_check_in(actor=crew.a1, claim=claim, latitude="28.1", longitude="119.5", now=now)
    Claim.objects.filter(pk=claim.pk).update(checked_in_at=now - timedelta(hours=1))
    services.claim_check_out(actor=crew.a1, claim=claim, latitude="28.1", longitude="119.5", now=now)
    services.need_confirm(actor=street.resident, need=Need.objects.get(pk=need.pk), rating=5)


def test_confirmed_hours_earn_points_once_from_the_helpers_community_budget(post, crew, street):
    budget_set(actor=SYSTEM, node=street.community, period=journal.current_period(), amount=1000)
    need = served(post(helpers=2), [crew.a1, crew.a2], start=T0 + timedelta(hours=2), minutes=90)
    services.need_confirm(actor=street.resident, need=need)
    grants = Posting.objects.filter(kind=PostingKind.GRANT)
    assert sorted(grants.values_list("idempotency_key", flat=True)) == sorted(
        f"volunteers:claim:{pk}:points" for pk in need.claims.values_list("pk", flat=True))
    assert services.points_for(90, 10) == 15
    claims = list(need.claims.all())
    services._points_for_hours(need, claims)  # a retry pays nothing twice
    assert grants.count() == 2


def test_without_a_budget_the_confirmation_stands_and_the_refusal_is_audited(post, crew, street):
    need = served(post(), [crew.a1], start=T0 + timedelta(hours=2), minutes=60)
    services.need_confirm(actor=street.resident, need=need)
    need.refresh_from_db()
    assert need.state == NeedState.CONFIRMED
    assert not Posting.objects.filter(kind=PostingKind.GRANT).exists()
    assert AuditRecord.objects.filter(action="volunteer.points_refused").count() == 1


def test_the_public_page_shows_this_year_unless_asked_for_another_period(client, post, crew, street):
    """Early in a month "this month" is empty: the page defaults to the year, the 12-hour rule's period."""
    from gridgov.volunteers.models import Claim

    confirmed_now(post, street, crew)
    start_of_year = selectors.period_bounds("year", timezone.localdate())[0]
    Claim.objects.filter(state="confirmed").update(checked_in_at=start_of_year + timedelta(hours=1))
    address = reverse("volunteers:public", args=["C01"])
    page = client.get(address).content.decode()
    assert 'id="public-hours">1.0<' in page and '<option value="year" selected>' in page
    assert 'id="public-hours">1.0<' in client.get(address + "?category=").content.decode()
    if timezone.localdate().month != 1:  # in January the year's first hour is this month's too
        assert 'id="public-hours">0.0<' in client.get(address + "?period=month").content.decode()


def test_a_claim_given_back_reopens_the_place_but_not_after_check_in(client, post, crew, street):
    need = post(helpers=1)
    claim = services.need_claim(actor=crew.a1, need=need, now=T0)
    need.refresh_from_db()
    assert need.state == NeedState.CLAIMED
    services.claim_release(actor=crew.a1, claim=claim, now=T0 + timedelta(minutes=1))
    need.refresh_from_db()
    claim.refresh_from_db()
    assert claim.state == ClaimState.WITHDRAWN and need.state == NeedState.PUBLISHED and need.claimed == 0
    assert need.due_at == T0 + timedelta(minutes=1 + need.category.claim_minutes)
    assert AuditRecord.objects.filter(action="volunteer.release").count() == 1
    with pytest.raises(DomainError) as refused:
        services.claim_release(actor=crew.a1, claim=claim, now=T0)
    assert refused.value.code in ("release_too_late", "not_found")
    other = services.need_claim(actor=crew.a2, need=need, now=T0 + timedelta(minutes=2))
    with pytest.raises(DomainError) as refused:
        services.claim_release(actor=crew.a1, claim=other, now=T0)
    assert refused.value.code == "not_found"
    services.claim_check_in(actor=crew.a2, claim=other, latitude="28.1", longitude="119.5", now=T0)
    from gridgov.orgs.services import api_token_create

    _token, secret = api_token_create(actor=crew.a2, label="t")
    late = client.post(f"/api/v1/volunteers/needs/{need.pk}/release", "{}", content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert late.status_code == 409 and late.json()["code"] == "release_too_late"
    need.refresh_from_db()
    assert need.claimed == 1

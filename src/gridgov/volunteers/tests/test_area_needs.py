"""The cadres' list of an area's needs at a province's scale (issue 18): every open need first, newest first,
then the closed ones of the last month, newest first, fifty a page with the shared pager; the API's list is the
same rows; the square's badge counts the needs a volunteer may claim through the needs' index by node."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from gridgov.orgs.models import Person
from gridgov.volunteers import selectors
from gridgov.volunteers.models import Need, NeedState

pytestmark = pytest.mark.django_db


@pytest.fixture
def needs(post):
    """Three open needs, 60 confirmed in the last month (one a day back, every 12 hours), 2 cancelled long ago."""
    now = timezone.now()
    made = {"open": [], "closed": [], "old": []}
    for number in range(3):
        need = post(title=f"开放{number}", starts_at=now + timedelta(days=2), now=now)
        Need.objects.filter(pk=need.pk).update(submitted_at=now - timedelta(days=number))
        made["open"].append(need.pk)
    for number in range(60):
        need = post(title=f"已办{number:02d}", starts_at=now + timedelta(days=2), now=now)
        Need.objects.filter(pk=need.pk).update(state=NeedState.CONFIRMED,
                                               submitted_at=now - timedelta(hours=12 * number + 1))
        made["closed"].append(need.pk)
    for number in range(2):
        need = post(title=f"旧事{number}", starts_at=now + timedelta(days=2), now=now)
        Need.objects.filter(pk=need.pk).update(state=NeedState.CANCELLED,
                                               submitted_at=now - timedelta(days=selectors.RECENT_CLOSED_DAYS + 1))
        made["old"].append(need.pk)
    return made


def _cadre():
    return Person.objects.get(user__username="community")


def test_the_area_lists_every_open_need_first_then_the_last_months_closed_ones_newest_first(needs):
    listed = [need.pk for need in selectors.needs_in_area(person=_cadre())[0:100]]
    assert listed == needs["open"] + needs["closed"]  # a day apart, 12 hours apart: newest first
    assert selectors.needs_in_area(person=_cadre()).count() == 63


def test_a_state_narrows_the_list_within_the_same_bounds(needs):
    assert selectors.needs_in_area(person=_cadre(), state=NeedState.CANCELLED).count() == 0  # older than a month
    confirmed = selectors.needs_in_area(person=_cadre(), state=NeedState.CONFIRMED)
    assert confirmed.count() == 60 and [need.pk for need in confirmed[58:70]] == needs["closed"][58:]
    assert [need.pk for need in selectors.needs_in_area(person=_cadre(), state=NeedState.PUBLISHED)[0:10]] == (
        needs["open"])


def test_the_page_shows_fifty_needs_and_the_next_page_goes_on_where_it_stopped(client, needs):
    client.force_login(get_user_model().objects.get(username="community"))
    first = client.get(reverse("volunteers:needs")).content.decode()
    second = client.get(reverse("volunteers:needs"), {"page": 2}).content.decode()
    assert "开放0" in first and "已办46" in first and "已办47" not in first
    assert "已办47" in second and "已办59" in second and "开放0" not in second and "旧事" not in first + second
    assert "共 63 条" in first and "第 2 / 2 页" in second


def test_the_api_lists_the_same_rows_and_counts_them(client, needs, crew):
    from gridgov.orgs import services as orgs

    token = orgs.api_token_create(actor=_cadre())[1]
    answer = client.get("/api/v1/volunteers/needs/area?limit=10&offset=0", headers={
        "Authorization": f"Bearer {token}"}).json()
    assert answer["count"] == 63 and [item["id"] for item in answer["items"]] == (
        needs["open"] + needs["closed"])[:10]
    spanning = client.get("/api/v1/volunteers/needs/area?limit=5&offset=1", headers={
        "Authorization": f"Bearer {token}"}).json()
    assert [item["id"] for item in spanning["items"]] == (needs["open"] + needs["closed"])[1:6]


def test_the_square_badge_counts_the_published_needs_of_the_street_a_volunteer_may_claim(needs, crew):
    helper = crew.a1  # a volunteer of the street; the three open needs are published, the rest closed
    assert selectors.needs_square(person=helper).count() == 3
    Need.objects.filter(pk=needs["open"][0]).update(state=NeedState.SERVED)
    assert selectors.needs_square(person=helper).count() == 2


def test_the_yearly_rule_page_lists_fifty_volunteers_a_page_the_short_ones_first(client, street):
    from gridgov.orgs.models import Role
    from gridgov.testing.factories import person
    from gridgov.volunteers.models import Volunteer

    for number in range(55):
        someone = person(f"党员{number:02d}", node=street.micro_a1, role=Role.RESIDENT)
        Volunteer.objects.create(person=someone, node=street.micro_a1, is_party_member=True)
    client.force_login(get_user_model().objects.get(username="community"))
    first = client.get(reverse("volunteers:shortfall")).content.decode()
    second = client.get(reverse("volunteers:shortfall"), {"page": 2}).content.decode()
    assert 'id="short-count">55<' in first and "共 55 条" in first
    assert "党员00" in first and "党员49" in first and "党员50" not in first
    assert "党员50" in second and "党员54" in second and "党员00" not in second
    standings = selectors.standings(node=street.community, year=timezone.localdate().year, party_only=True)
    assert standings.count() == 55 and standings.short_count() == 55
    assert [row.name for row in standings[48:52]] == ["党员48", "党员49", "党员50", "党员51"]

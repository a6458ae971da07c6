"""The coverage page of a large street lists its members under quota 50 a page (issue 18): the figures count them
all, the second page goes on in the same order (fewest households first) with as many queries, and the area
chosen (``?node=``) stays chosen from page to page."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridgov.households.models import LinkKind, LinkQuota, LoadTally
from gridgov.orgs.models import Role
from gridgov.testing.factories import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(street):
    """60 party members of grid A serving one household each (under the quota of 7), 5 of grid B, and one of grid
    A serving their quota (not listed)."""
    LinkQuota.objects.update_or_create(kind=LinkKind.PARTY_MEMBER, defaults={"minimum": 7})
    rows = []
    for number in range(60):
        member = person(f"成员{number:02d}", node=street.micro_a1, role=Role.RESIDENT)
        rows.append(LoadTally(member=member, kind=LinkKind.PARTY_MEMBER, node=street.micro_a1, links=1))
    for number in range(5):
        member = person(f"二网格{number}", node=street.micro_b1, role=Role.RESIDENT)
        rows.append(LoadTally(member=member, kind=LinkKind.PARTY_MEMBER, node=street.micro_b1, links=1))
    full = person("满额党员", node=street.micro_a2, role=Role.RESIDENT)
    rows.append(LoadTally(member=full, kind=LinkKind.PARTY_MEMBER, node=street.micro_a2, links=7))
    LoadTally.objects.bulk_create(rows)


def _get(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("households:coverage"), params)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def _listed(page):
    return [number for number in range(60) if f"<td>成员{number:02d}</td>" in page]


def test_the_members_under_quota_come_fifty_a_page_and_the_area_chosen_stays(client, street, members):
    client.force_login(get_user_model().objects.get(username="community"))
    client.get(reverse("households:coverage"))  # the session's first request
    first, first_queries = _get(client, node=street.grid_a.code)
    second, second_queries = _get(client, node=street.grid_a.code, page=2)
    assert _listed(first) == list(range(50)) and _listed(second) == list(range(50, 60))
    assert "二网格" not in first + second and "满额党员" not in first + second
    assert first_queries == second_queries == 19  # the navigation's badges and the session among them
    assert f"?node={street.grid_a.code}&amp;page=2" in first and f"?node={street.grid_a.code}&amp;page=1" in second
    assert 'data-testid="under-quota">60<' in first and "共 60 条" in first and "第 2 / 2 页" in second


def test_the_whole_community_counts_every_member_under_quota(client, street, members):
    client.force_login(get_user_model().objects.get(username="community"))
    page, _queries = _get(client)
    assert 'data-testid="under-quota">65<' in page and "共 65 条" in page
    assert "<td>二网格4</td>" in page and _listed(page) == list(range(45))  # 二 sorts before 成 (one household each)


@pytest.mark.parametrize("asked, shown", [("x", 1), ("0", 2), ("99", 2)])
def test_a_page_number_that_is_garbage_or_past_the_end_answers_a_page(client, street, members, asked, shown):
    client.force_login(get_user_model().objects.get(username="community"))
    page, _queries = _get(client, node=street.grid_a.code, page=asked)
    assert f"第 {shown} / 2 页" in page

"""The catalogue lists the installation's bases 50 a page (issue 18: a province has thousands): those of the
viewer's own street first, then the rest, each part by section; the second page goes on where the first stopped,
with as many queries; a visitor without a login gets every base in section order."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gridgov.bookings import selectors
from gridgov.bookings.models import Base, Section
from gridgov.orgs.models import NodeKind
from gridgov.testing.factories import node

pytestmark = pytest.mark.django_db


@pytest.fixture
def bases(street, catalogue):
    """Four more bases in 浮云街道 (five with the catalogue's 红色纪念馆) and 60 in another street, 远00 first."""
    other = node(street.district, NodeKind.STREET, "远山镇", "S02")
    village = node(other, NodeKind.VILLAGE, "远山村", "V02")
    later = Section.objects.create(code="farming", name="农耕文化", order=2)
    Base.objects.bulk_create(
        [Base(section=later, code=f"near-{number}", name=f"近馆{number}", node=street.community, order=number)
         for number in range(1, 5)]
        + [Base(section=catalogue.section if number < 30 else later, code=f"far-{number:02d}", name=f"远{number:02d}",
                node=village if number % 2 else other, order=number) for number in range(60)])


def _get(client, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("bookings:catalogue"), params)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def _names(page):
    names = ["红色纪念馆", *[f"近馆{number}" for number in range(1, 5)], *[f"远{number:02d}" for number in range(60)]]
    return sorted((page.index(f"<strong>{name}</strong>"), name) for name in names
                  if f"<strong>{name}</strong>" in page)


def test_the_viewers_street_comes_first_then_the_rest_fifty_a_page(client, street, bases):
    client.force_login(get_user_model().objects.get(username="community"))
    client.get(reverse("bookings:catalogue"))  # the session's first request
    first, first_queries = _get(client)
    second, second_queries = _get(client, page=2)
    near = ["红色纪念馆", "近馆1", "近馆2", "近馆3", "近馆4"]
    far = [f"远{number:02d}" for number in range(60)]
    assert [name for _at, name in _names(first)] == near + far[:45]
    assert [name for _at, name in _names(second)] == far[45:]
    assert first_queries == second_queries == 15  # the navigation and the session among them
    assert first.index("本辖区") < first.index("红色纪念馆") < first.index("其他地区") < first.index("远00")
    assert "本辖区" not in second and "共 65 条" in first and "第 2 / 2 页" in second


def test_a_visitor_without_a_login_pages_every_base_in_section_order(client, street, bases):
    first, first_queries = _get(client)
    second, second_queries = _get(client, page=2)
    in_order = ["红色纪念馆", *[f"远{number:02d}" for number in range(30)],  # the first section, by order
                *[f"近馆{number}" for number in range(1, 5)], *[f"远{number:02d}" for number in range(30, 60)]]
    assert [name for _at, name in _names(first)] + [name for _at, name in _names(second)] == in_order
    assert len(_names(first)) == 50 and first_queries == second_queries
    assert "本辖区" not in first + second


def test_the_viewers_area_is_their_street_or_the_node_of_a_role_above_any_street(street):
    assert selectors.home_areas(street.worker_a) == [street.street.path]
    assert selectors.home_areas(street.admin) == [street.district.path]  # a district role: its district
    assert selectors.home_areas(None) == []


@pytest.mark.parametrize("asked, shown", [("x", 1), ("-1", 2), ("1000", 2)])
def test_a_page_number_that_is_garbage_or_past_the_end_answers_a_page(client, bases, asked, shown):
    page, _queries = _get(client, page=asked)
    assert f"第 {shown} / 2 页" in page
